from functools import partial

import numpy as np

from blogkit.display import figure, heatmap, md_table, svg, value
from blogkit.genmodels import (
    gaussian_forward_kl,
    gaussian_logpdf,
    gaussian_reverse_kl,
    gmm_logpdf,
    gmm_moments,
    refine_minimum,
)

w, m, s = [0.3, 0.7], [-2.0, 2.0], [0.6, 0.6]
target = partial(gmm_logpdf, weights=w, means=m, stds=s)
grid = np.linspace(-12, 12, 601)
neg_entropy = float(np.trapezoid(np.exp(target(grid)) * target(grid), grid))
mean, var = gmm_moments(w, m, s)
forward = partial(gaussian_forward_kl, mean, var, neg_entropy)
reverse = partial(gaussian_reverse_kl, target, grid=grid)

# Both divergences on a grid of (μ, σ), then each local minimum refined.
mus, sigmas = np.linspace(-4, 4, 65), np.linspace(0.2, 4.0, 48)
fwd, rev = forward(mus[:, None], sigmas[None, :]), reverse(mus[:, None], sigmas[None, :])
fits = {"正向 KL(p ‖ q)": refine_minimum(forward, 0.0, 1.0, 1.0),
        "反向 KL(q ‖ p),右峰": refine_minimum(reverse, 1.5, 1.0, 0.5),
        "反向 KL(q ‖ p),左峰": refine_minimum(reverse, -1.5, 1.0, 0.5)}
cross = {name: (float(reverse(mu, sg)), float(forward(mu, sg))) for name, (mu, sg, _) in fits.items()}
rows = [(name, mu, sg, *cross[name]) for name, (mu, sg, _) in fits.items()]
print(md_table(rows, ["拟合方式", "μ", "σ", "KL(q ‖ p)", "KL(p ‖ q)"], [None, ".3f", ".3f", ".4f", ".4f"]))

(fm, fs, fk), (rm, rs, rk), (lm, ls, lk) = fits.values()
assert abs(fm - mean) < 1e-3 and abs(fs - np.sqrt(var)) < 1e-3  # forward: moment matching
assert 1.9 < rm < 2.1 and 0.5 < rs < 0.7 and -2.1 < lm < -1.9 and 0.5 < ls < 0.7  # reverse: one mode
assert rk < lk < cross["正向 KL(p ‖ q)"][0]  # two local minima of the reverse KL, both below the cover
assert abs(rk + np.log(w[1])) < 0.01 and abs(lk + np.log(w[0])) < 0.01  # ≈ −log of the mode's weight
assert fwd.min() >= fk - 1e-12 and rev.min() >= rk - 1e-6  # the refined points beat the grid
assert rev[mus < 0].min() > rk + 0.5  # the left basin is a separate, worse local minimum
value("gi-rev-right", rk, ".4f")
value("gi-rev-left", lk, ".4f")
value("gi-rev-sigma", rs, ".3f")
value("gi-fwd-of-rev", cross["反向 KL(q ‖ p),右峰"][1], ".2f")
value("gi-rev-of-fwd", cross["正向 KL(p ‖ q)"][0], ".4f")
value("gi-logw-right", -np.log(w[1]), ".4f")
value("gi-logw-left", -np.log(w[0]), ".4f")

x = np.linspace(-6, 6, 601)
fig, ax = figure(size=(6.4, 3.2))
ax.fill_between(x, np.exp(target(x)), color="0.85", label="目标 p(双峰)")
for (name, (mu, sg, _)), ls_ in zip(fits.items(), ["-", "--", ":"], strict=True):
    ax.plot(x, np.exp(gaussian_logpdf(x, mu, sg)), ls_, lw=1.8, label=f"{name}:μ = {mu:.2f},σ = {sg:.2f}")
ax.set_xlabel("x")
ax.set_ylabel("密度")
ax.legend(fontsize=8, loc="upper left")
print()
print(svg(fig, caption="用一个高斯去拟合双峰分布:最小化正向 KL 得到覆盖两个峰的宽高斯(矩匹配);"
                       "最小化反向 KL 则贴住其中一个峰,两个峰各是一个局部极小,权重大的峰更优。"))

fig, axes = figure(1, 2, size=(7.4, 3.2))
ext = (sigmas[0], sigmas[-1], mus[0], mus[-1])
for ax, z, title in ((axes[0], fwd, "正向 KL(p ‖ q)"), (axes[1], rev, "反向 KL(q ‖ p)")):
    heatmap(ax, np.log10(z), xlabel="σ", ylabel="μ", title=rf"$\log_{{10}}$ {title}", cmap="viridis",
            extent=ext, origin="lower", aspect="auto")
axes[0].plot([fs], [fm], "w*", ms=10)
axes[1].plot([rs, ls], [rm, lm], "w*", ms=10)
print()
print(svg(fig, caption="两种 KL 在 (σ, μ) 平面上的地形(颜色为以 10 为底的对数),星号是极小点。"
                       "正向 KL 只有一个谷;反向 KL 在两个峰的位置各有一个谷。"))
