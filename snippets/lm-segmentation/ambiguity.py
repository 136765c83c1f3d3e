import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.nlp import all_segmentations, jieba_word_logp, segment

logp = jieba_word_logp()  # jieba's dict.txt: log P(w) = log f(w) − log Σ f
max_len = max(map(len, logp))
rows = []
for text in ["结婚的和尚未结婚的", "研究生命起源", "南京市长江大桥"]:
    ranked = all_segmentations(text, logp)
    best = segment(text, logp, max_len=max_len)
    assert best == ranked[0][0]  # the dynamic programme finds the top of the full enumeration
    for k, (words, score) in enumerate(ranked[:3]):
        rows.append((text if k == 0 else "", " / ".join(words), score, len(ranked) if k == 0 else ""))
print(md_table(rows, ["句子", "切分（按概率从高到低）", "log P", "词典允许的切分数"],
               [None, None, ".2f", None], align=["l", "l", "r", "r"]))

ranked = all_segmentations("结婚的和尚未结婚的", logp)
value("seg-words", len(logp), ",d")
value("seg-n-marriage", len(ranked), "d")
value("seg-gap-marriage", ranked[0][1] - ranked[1][1], ".2f")
value("seg-ratio-marriage", float(np.exp(ranked[0][1] - ranked[1][1])), ".0f")
assert " / ".join(ranked[0][0]) == "结婚 / 的 / 和 / 尚未 / 结婚 / 的"

# Every dictionary word inside the sentence is an arc from its first to its last gap; the
# dynamic programme picks the best chain of arcs from 0 to n.
text = "结婚的和尚未结婚的"
best = segment(text, logp, max_len=max_len)
ends, k = set(), 0
for w in best:
    ends.add((k, k + len(w)))
    k += len(w)
fig, ax = figure(size=(6.4, 2.9))
arcs = [(i, j) for i in range(len(text)) for j in range(i + 1, len(text) + 1) if text[i:j] in logp]
for i, j in arcs:
    on = (i, j) in ends
    t = np.linspace(0, np.pi, 40)
    ax.plot((i + j) / 2 + (j - i) / 2 * np.cos(t), 0.42 * (j - i) * np.sin(t),
            color="C1" if on else "0.65", lw=2.4 if on else 0.9, zorder=2 if on else 1)
    ax.text((i + j) / 2, 0.42 * (j - i) + 0.05, f"{logp[text[i:j]]:.1f}", fontsize=6.5,
            ha="center", color="C1" if on else "0.45")
for k, ch in enumerate(text):
    ax.text(k + 0.5, -0.28, ch, fontsize=13, ha="center", va="center")
ax.scatter(range(len(text) + 1), [0] * (len(text) + 1), s=12, color="k", zorder=3)
ax.set_xlim(-0.3, len(text) + 0.3)
ax.set_ylim(-0.5, 0.42 * max(j - i for i, j in arcs) + 0.3)
ax.axis("off")
print()
print(svg(fig, caption="“结婚的和尚未结婚的”里的全部词典词：每条弧是一个词，数字是它的 log P;"
                       "从左端走到右端、数字之和最大的一串弧（橙色）就是最大概率切分。"))
