from collections import Counter

import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.nlp import corpus_vectors, cosine_neighbours, read_tagged_corpus

vocab, counts, ppmi, vectors, lam = corpus_vectors(1500, 5, 64)
rows = []
for word in ["春节", "改革", "电视", "银行", "美国", "学生"]:
    near = cosine_neighbours(vectors, vocab, word, 5)
    rows.append((word, "、".join(f"{w}({s:.2f})" for w, s in near)))
print(md_table(rows, ["词", "余弦相似度最高的 5 个词"]))
assert "元旦" in dict(cosine_neighbours(vectors, vocab, "春节", 3))
assert "广播" in dict(cosine_neighbours(vectors, vocab, "电视", 3))

# Norms against frequency: the most frequent words carry little mutual information.
freq = Counter(w for s in read_tagged_corpus() for w in s)
f = np.array([freq[w] for w in vocab], dtype=float)
norm = np.linalg.norm(vectors, axis=1)
top = norm[:20].mean()
value("wv-norm-top20", top, ".2f")
value("wv-norm-median", float(np.median(norm)), ".2f")
value("wv-norm-de", float(norm[vocab.index("的")]), ".2f")
function_words = ["的", "在", "了", "和", "是"]
assert top < np.median(norm) and norm[vocab.index("的")] == norm.min()
assert max(norm[vocab.index(w)] for w in function_words) < np.quantile(norm, 0.05)

fig, ax = figure(size=(6.0, 3.3))
ax.plot(f, norm, ".", ms=3, alpha=0.5)
for w, dx, dy in [("的", -14, 4), ("在", 4, -10), ("是", -12, -10), ("春节", 4, 4), ("改革", 4, 4),
                  ("银行", 4, 4)]:
    i = vocab.index(w)
    ax.annotate(w, (f[i], norm[i]), fontsize=8, xytext=(dx, dy), textcoords="offset points")
ax.set_xscale("log")
ax.set_xlabel("词频")
ax.set_ylabel("词向量的模长 |v|")
print()
print(svg(fig, caption="1500 个高频词的向量模长与词频：最常见的虚词（的、在、了、和、是）模长最小，"
                       "它们与任何词的互信息都不大。"))
