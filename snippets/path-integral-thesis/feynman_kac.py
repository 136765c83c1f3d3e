import math

import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.stochastic import feynman_kac_mc, harmonic_fk_closed, harmonic_potential, lattice_path_sum

rng = np.random.default_rng(530)
omega, t = 1.0, 2.0
V = harmonic_potential(omega)  # V(x) = ω²x²/2
f = np.ones_like  # u(x, 0) = 1
exact = harmonic_fk_closed(omega, t)

rows = []
for n in (50, 200, 800):  # the sum over all 2^n lattice paths with Δx = √Δt
    dt = t / n
    rows.append(("格点路径求和", n, lattice_path_sum(n, 0.5, math.sqrt(dt), dt, V, f), float("nan")))
for steps in (25, 100, 200):
    est, se = feynman_kac_mc(V, f, 0.0, t, steps, 10000, rng)
    rows.append(("蒙特卡洛（10000 条布朗路径）", steps, est, se))
print(md_table([(a, b, c, c - exact, "—" if math.isnan(d) else f"{d:.4f}") for a, b, c, d in rows],
               ["方法", "时间步数", "u(0, t)", "与闭式解之差", "标准误"], [None, "d", ".5f", "+.5f", None]))
lat = [abs(r[2] - exact) for r in rows[:3]]
assert lat[0] > 3.5 * lat[1] > 3.5**2 * lat[2]  # first order in Δt: four times the steps, ÷4
assert all(abs(r[2] - exact) < 4 * r[3] + 0.004 for r in rows[3:])  # noise plus a small O(Δt) bias
assert all(0 <= r[2] <= 1 for r in rows)  # V ≥ 0 and f = 1: a weight in [0, 1]
value("pi-fk-exact", exact, ".6f")
value("pi-fk-lat-err", lat[-1], ".1e")

# u(x, t) against x: the closed form and Monte Carlo at a few points.
xs = np.linspace(-2.5, 2.5, 11)
mc = np.array([feynman_kac_mc(V, f, x, t, 50, 4000, rng) for x in xs])
z = np.abs(mc[:, 0] - harmonic_fk_closed(omega, t, xs)) / mc[:, 1]
assert z.max() < 4 + 0.01 / mc[:, 1].min()
fig, ax = figure(size=(6.0, 3.2))
grid = np.linspace(-3, 3, 301)
ax.plot(grid, harmonic_fk_closed(omega, t, grid), "C0", label="闭式解")
ax.plot(grid, np.ones_like(grid), "0.6", ls=":", label="初值 u(x, 0) = 1")
ax.errorbar(xs, mc[:, 0], yerr=2 * mc[:, 1], fmt="o", ms=3, color="C1", label="蒙特卡洛 ± 2 标准误")
ax.set_xlabel("x")
ax.set_ylabel("u(x, t = 2)")
ax.legend(fontsize=8)
print()
print(svg(fig, caption="谐振子势 V = x²/2 下的 Feynman–Kac 解：路径在势高处停留越久，权重被压得越低，"
                       "所以 u 在远离原点处更小。"))
