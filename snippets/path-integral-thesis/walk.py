import math

import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.stochastic import random_walk, rw_pmf

rng = np.random.default_rng(2016)
p, n, paths = 0.6, 100, 20000
q = 1 - p
S = random_walk(p, n, paths, rng)[:, -1]
k, pmf = rw_pmf(n, p)
se_mean = math.sqrt(4 * p * q * n / paths)
p20 = pmf[k == 20][0]
rows = [("均值 E S_n", S.mean(), (k * pmf).sum(), (p - q) * n),
        ("方差 Var S_n", S.var(), (k**2 * pmf).sum() - ((k * pmf).sum()) ** 2, 4 * p * q * n),
        ("P(S_n = 20)", (S == 20).mean(), p20, float("nan"))]
print(md_table([(a, b, c, "—" if math.isnan(d) else f"{d:.4f}") for a, b, c, d in rows],
               ["量", f"{paths} 条路径模拟", "由分布律精确求和", "公式"], [None, ".4f", ".4f", None]))
assert abs(pmf.sum() - 1) < 1e-12 and abs(rows[0][2] - rows[0][3]) < 1e-9
assert abs(rows[1][2] - rows[1][3]) < 1e-9
assert abs(rows[0][1] - rows[0][3]) < 4 * se_mean
assert abs(rows[2][1] - p20) < 4 * math.sqrt(p20 * (1 - p20) / paths)
value("pi-p20", p20, ".5f")

# Which diffusion constant? Gaussians with variance n (D = Δx²/2Δt) and 4pqn (D = 2pqΔx²/Δt).
fit = []
for name, var in (("Δx²/(2Δt)：方差 n", n), ("2pqΔx²/(Δt)：方差 4pqn", 4 * p * q * n)):
    dens = 2 * np.exp(-((k - (p - q) * n) ** 2) / (2 * var)) / math.sqrt(2 * math.pi * var)
    fit.append((name, np.abs(dens - pmf).max()))
print()
print(md_table(fit, ["扩散系数 D", "与精确分布律的最大差"], [None, ".4f"]))
assert fit[1][1] < fit[0][1] / 1.5  # matching the exact variance fits better
value("pi-fit-naive", fit[0][1], ".4f")
value("pi-fit-exact", fit[1][1], ".4f")

fig, ax = figure(size=(6.2, 3.2))
ax.hist(S, bins=np.arange(-20.5, 61.5, 2.0), density=True, color="C0", alpha=0.5,
        label=f"{paths} 条路径的 S_100")
ax.plot(k, pmf / 2, "k.", ms=3, label="精确分布律 / 格距 2")
xs = np.linspace(-20, 60, 400)
var = 4 * p * q * n
ax.plot(xs, np.exp(-((xs - (p - q) * n) ** 2) / (2 * var)) / math.sqrt(2 * math.pi * var), "C1",
        label="正态近似 N((p−q)n, 4pqn)")
ax.set_xlim(-20, 60)
ax.set_xlabel("S_100")
ax.legend(fontsize=8)
print()
print(svg(fig, caption="p = 0.6 的不对称随机游走走 100 步：模拟直方图、精确的二项分布律与正态近似。"))
