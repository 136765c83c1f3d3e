import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.entropy import (
    bounded_lambda_asymptotic,
    growth_ratios,
    lambda_for_entropy,
    mean_entropy,
    mean_growth,
    sample_scores,
    score_spread,
    uniform_mean_field_entropy,
)

target = 2.0
ns = 2 ** np.arange(6, 13)  # 64 ... 4096
u = sample_scores("uniform", 32, 4096, seed=3)  # Uniform[-1, 1]; length n = the first n columns
lam_u = np.array([lambda_for_entropy(u[:, :n], target) for n in ns])
pred = bounded_lambda_asymptotic(ns, target)  # n f e^{1-H} with f = 1/2
ratios = growth_ratios(lam_u)
spread = [score_spread(u[:, :n]) for n in ns]
rows = [(int(n), sp, lam, r, p, lam / p) for n, sp, lam, r, p in
        zip(ns, spread, lam_u, ["—", *ratios], pred, strict=True)]
print(md_table(rows, ["$n$", r"$s_{\max}-\bar s$", r"均匀分数的 $\lambda^*$",
                      r"$\lambda^*(n)/\lambda^*(n/2)$", r"渐近式 $\frac n2 e^{1-H}$",
                      r"$\lambda^*$ / 渐近式"],
               ["d", ".3f", ".2f", ".3f", ".2f", ".3f"], align=["r"] * 6))
assert max(spread) - min(spread) < 0.05  # the quick approximation's "constant spread" holds here
geo = mean_growth(lam_u)  # geometric mean of the six ratios
assert np.all((ratios > 1.6) & (ratios < 2.4)) and abs(geo - 2) < 0.1
assert np.all(abs(lam_u / pred - 1) < 0.25)
value("es-u-first", lam_u[0], ".1f")
value("es-u-last", lam_u[-1], ".1f")
value("es-u-rmin", ratios.min(), ".2f")
value("es-u-rmax", ratios.max(), ".2f")
value("es-u-geo", geo, ".3f")
value("es-u-dev", np.max(abs(lam_u / pred - 1)), ".1%")

# Scaling collapse: the mean entropy as a function of λ/n, for three lengths
fig, ax = figure(size=(6.0, 3.3))
x = np.geomspace(1e-3, 1.0, 41)  # λ / n
curves = {n: np.array([mean_entropy(u[:, :n], n * xi) for xi in x]) for n in (256, 1024, 4096)}
for n, h in curves.items():
    ax.plot(x, h, label=f"$n={n}$")
ax.plot(x, uniform_mean_field_entropy(4096, 4096 * x), "k--", lw=1, label="平均场，$n=4096$")
ax.set_xscale("log")
ax.set_xticks([1e-3, 1e-2, 1e-1, 1.0], labels=["0.001", "0.01", "0.1", "1"])
ax.minorticks_off()
ax.axhline(target, color="k", lw=0.6, ls=":")
ax.set_xlabel(r"$\lambda/n$")
ax.set_ylabel("平均熵（nats）")
ax.set_title("$[-1,1]$ 上的均匀分数，32 行", fontsize=10)
ax.legend(fontsize=8)
print()
print(svg(fig, label="entropy-softmax-bounded",
          caption="均匀分数下把横轴换成 $\\lambda/n$。$\\lambda/n$ 超过 0.01 左右以后，不同长度的熵曲线"
                  "几乎重合（$\\lambda^*\\propto n$）；左端各自趋于 $\\log n$。虚线是平均场公式，"
                  "$\\lambda/n$ 接近 1、只剩少数分数起作用时它开始偏离。"))

x_min = 0.01
stack = np.array(list(curves.values()))[:, x >= x_min]
collapse = np.max(stack.max(axis=0) - stack.min(axis=0))  # largest gap between the three curves
assert collapse < 0.2
value("es-u-xmin", x_min, "g")
value("es-u-collapse", collapse, ".2f")
