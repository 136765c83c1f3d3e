import numpy as np
import sympy as sp

from blogkit.display import figure, heatmap, md_table, svg, value
from blogkit.riemann import curvature, pair_matrix

M, r = sp.symbols("M r", positive=True)
t, th, ph = sp.symbols("t theta phi", real=True)
f = 1 - 2 * M / r
c = curvature(sp.diag(-f, 1 / f, r**2, r**2 * sp.sin(th) ** 2), (t, r, th, ph))
names = ["t", "r", "θ", "φ"]
texn = ["t", "r", r"\theta", r"\phi"]
rows = []
for (i, j), (k, l) in [((0, 1), (0, 1)), ((0, 2), (0, 2)), ((0, 3), (0, 3)),
                       ((1, 2), (1, 2)), ((1, 3), (1, 3)), ((2, 3), (2, 3))]:
    low = sp.factor(c.riemann_lower[i][j][k][l])
    up = sp.factor(c.riemann[i][j][k][l])
    lower = " ".join(texn[m] for m in (i, j, k, l))
    upper = " ".join(texn[m] for m in (j, k, l))
    rows.append((f"$R_{{{lower}}}$", f"${sp.latex(low)}$", f"$R^{{{texn[i]}}}{{}}_{{{upper}}}$",
                 f"${sp.latex(up)}$"))
print(md_table(rows, ["分量", "值", "分量", "值"]))
# the mixed components R^a_bab (no sum) add up to the Ricci components: each row of pairs sums to 0
ric_tt = sum(c.riemann[a][0][a][0] for a in range(4))
assert sp.simplify(ric_tt) == 0 and sp.simplify(c.riemann[1][0][1][0] + 2 * M * f / r**3) == 0

# orthonormal frame, in units of M / r³: the same numbers at every point outside the horizon
tidal = []
for point in ({M: 1, r: 3, th: sp.pi / 2}, {M: 1, r: 7.5, th: 0.4}, {M: 2, r: 5, th: 1.2}):
    pm, pairs = pair_matrix(c, point, orthonormal=True)
    pm = pm * float(point[r] ** 3 / point[M])
    assert np.allclose(pm, pm.T) and np.allclose(pm, np.diag(np.diag(pm)))
    tidal.append(np.diag(pm))
assert np.allclose(tidal, [[-2, 1, 1, -1, -1, 2]] * 3)
value("rc-schw-nonzero", np.count_nonzero(np.abs(pm) > 1e-12), "d")
fig, ax = figure(size=(5.0, 3.6))
lab = [f"{names[i]}{names[j]}" for i, j in pairs]
heatmap(ax, pm, symmetric=True, xlabel="指标对 (c, d)", ylabel="指标对 (a, b)",
        title=r"$R_{\hat a\hat b\hat c\hat d}$，单位 $M/r^3$")
for k in range(6):
    ax.text(k, k, f"{pm[k, k]:+.0f}", ha="center", va="center", fontsize=9,
            color="white" if abs(pm[k, k]) > 1.5 else "black")
ax.set_xticks(range(6), lab)
ax.set_yticks(range(6), lab)
print()
print(svg(fig, caption="Schwarzschild 时空的曲率张量在静止观者的正交归一标架下，按反对称指标对排成 6×6 矩阵"
                       "（单位 M/r³，视界外任一点都相同）。对换对称使它对称；"
                       "它是对角的，只有 6 个非零分量。"))
