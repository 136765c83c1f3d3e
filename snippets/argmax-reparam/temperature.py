import numpy as np

from blogkit.display import figure, md_table, svg
from blogkit.reparam import NOISES, argmax_probs

mu = np.array([1.2, 0.5, -0.3, 2.0])
taus = np.geomspace(0.1, 10, 61)  # noise scale τ: argmax(μ + τε) = argmax(μ/τ + ε)
probs = {noise: argmax_probs(mu[None, :] / taus[:, None], noise) for noise in NOISES}  # (τ, n)
support = (probs["uniform"] > 0).sum(axis=1)
assert np.all(np.diff(support) >= 0) and support[0] == 1 and support[-1] == 4
assert all(np.all(probs[k] > 0) for k in ("gumbel", "gaussian"))  # never exactly zero
thresholds = [float(taus[support >= m].min()) for m in (2, 3, 4)]
# component i gets mass once τ > max μ − μ_i: the first τ on the grid above each gap
gaps = np.sort(mu.max() - mu)[1:]
assert all(g < t <= g * taus[1] / taus[0] for g, t in zip(gaps, thresholds, strict=True))
print(md_table([(m, g, t) for m, g, t in zip((2, 3, 4), gaps, thresholds, strict=True)],
               ["非零分量个数", "max μ − μᵢ", "网格上首次出现的 τ"], ["d", ".2f", ".3f"]))

fig, axes = figure(1, 3, size=(7.6, 2.9), sharey=True)
titles = {"gumbel": "Gumbel 噪声（softmax）", "gaussian": "正态噪声", "uniform": "均匀噪声 U[0, 1]"}
for ax, noise in zip(axes, NOISES, strict=True):
    for i in range(mu.size):
        ax.semilogx(taus, probs[noise][:, i], label=f"μ = {mu[i]:g}")
    ax.set_title(titles[noise], fontsize=9)
    ax.set_xlabel("噪声尺度 τ")
axes[0].set_ylabel("$p_i$")
axes[2].legend(fontsize=7)
print()
print(svg(fig, caption="四个分数在不同噪声尺度下的概率。Gumbel 与正态噪声下所有分量始终为正；"
                       "均匀噪声下，τ 小于分数差距时对应分量严格为零，分布是稀疏的。"))
