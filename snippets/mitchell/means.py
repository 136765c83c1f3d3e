import math

import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.mitchell import benford_density, decompose, mean_rel_error, mitchell_mul

n = 1_000_000
rng = np.random.default_rng(0)
# Uniform mantissas: the product of 1 + x1 and 1 + x2 (the exponents change nothing).
xa, xb = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
under_u = 1 - mitchell_mul(1 + xa, 1 + xb) / ((1 + xa) * (1 + xb))
# Log-uniform operands over a whole number of octaves: log2 a uniform on [-20, 20].
a, b = np.exp2(rng.uniform(-20, 20, n)), np.exp2(rng.uniform(-20, 20, n))
under_b = 1 - mitchell_mul(a, b) / (a * b)

quad_u = [-c for c in mean_rel_error("mul")]
quad_b = [-c for c in mean_rel_error("mul", benford_density)]
rows = [("尾数均匀", "$1$", *quad_u, sum(quad_u), under_u.mean()),
        ("操作数对数均匀", r"$1/((1+x)\ln 2)$", *quad_b, sum(quad_b), under_b.mean())]
print(md_table(rows, ["分布", "尾数密度 $p(x)$", "无进位部分", "进位部分", "平均低估（求积）",
                      "平均低估（抽样）"], [None, None, ".3%", ".3%", ".3%", ".3%"]))
# Sampled means agree with the quadrature within five standard errors.
for sample, quad in ((under_u, quad_u), (under_b, quad_b)):
    assert abs(sample.mean() - sum(quad)) < 5 * sample.std() / math.sqrt(n)
# Benford weights raise the no-carry part and lower the carry part; the two shifts nearly cancel.
up, down = quad_b[0] - quad_u[0], quad_b[1] - quad_u[1]
assert up > 0 > down and abs(up + down) < 0.15 * min(up, -down)
assert max(sum(quad_u), sum(quad_b)) < 0.04  # "不到 4%"
value("mitchell-mean-grid", sum(quad_u), ".2%")
value("mitchell-mean-rand", sum(quad_b), ".2%")
value("mitchell-mean-up", up, ".2%")
value("mitchell-mean-down", -down, ".2%")
value("mitchell-mean-gap", abs(up + down), ".2%")

# The mantissas of the log-uniform operands follow Eq. (mitchell-benford).
_, x = decompose(a)
hist, edges = np.histogram(x, bins=40, range=(0, 1), density=True)
mid = (edges[:-1] + edges[1:]) / 2
assert np.abs(hist - benford_density(mid)).max() < 0.02  # bin noise is about 0.006
_, xb2 = decompose(b)
p_nocarry = np.mean(x + xb2 < 1)  # 1/2 for uniform mantissas
assert 0.6 < p_nocarry < 0.625
value("mitchell-p-nocarry", p_nocarry, ".1%")

g = np.linspace(0, 1, 301)
fig, (ax1, ax2) = figure(1, 2, size=(7.6, 3.2))
ax1.stairs(hist, edges, fill=True, alpha=0.35, label="对数均匀操作数的尾数")
ax1.plot(g, benford_density(g), color="C3", label=r"$1/((1+x)\ln 2)$")
ax1.axhline(1.0, color="k", lw=0.8, ls=":", label="均匀分布")
ax1.set_xlabel("尾数 $x$")
ax1.set_ylabel("密度")
ax1.legend(fontsize=8)
x1, x2 = np.meshgrid(g, g, indexing="ij")
w = benford_density(x1) * benford_density(x2)
im = ax2.imshow(w.T, origin="lower", extent=(0, 1, 0, 1), cmap="RdBu_r", vmin=0.5, vmax=1.5)
ax2.contour(g, g, w.T, levels=[1.0], colors="C2", linewidths=1.2)
ax2.plot([0, 1], [1, 0], "k--", lw=1)
ax2.set_xlabel("$x_1$")
ax2.set_ylabel("$x_2$")
ax2.set_title("相对均匀分布的权重 $p(x_1)p(x_2)$", fontsize=9)
ax2.grid(False)
fig.colorbar(im, ax=ax2, shrink=0.85)
nocarry = x1 + x2 < 1
assert (w > 1)[nocarry].mean() > 0.85 and (w > 1)[~nocarry].mean() < 0.01
print()
print(svg(fig, label="mitchell-benford",
          caption="左：$\\log_2 a$ 在 $[-20,20]$ 上均匀时尾数的直方图，与 Benford 密度吻合；"
                  "右：两个尾数的联合权重，绿线为权重 1 的等值线，黑色虚线 $x_1+x_2=1$ "
                  "左下方（无进位）大部分权重大于 1，右上方（进位）几乎处处小于 1。"))
