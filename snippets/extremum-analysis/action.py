import numpy as np
import sympy as sp

from blogkit.calcvar import integrate_expr, second_variation, variation_profile
from blogkit.display import figure, md_table, svg, value

t = sp.Symbol("t")
q = sp.Function("q")(t)
v = sp.Function("v")(t)
L = q.diff(t) ** 2 / 2 - q**2 / 2  # m = k = 1: ω = 1, half period π
d2 = second_variation(L, q, t, v)
T_ = sp.Symbol("T", positive=True)
table_T = np.array([0.5, 0.9, 0.99, 1.01, 1.5, 2.0])
# δ²S along η = sin(jπt/T), for every T of the table at once
d2_modes = [integrate_expr(d2.subs(v, sp.sin(j * sp.pi * t / T_)).doit(), t, 0, T_, param=T_,
                           values=table_T * np.pi) for j in (1, 2, 3)]
rows = []
for i, T in enumerate(table_T):
    Tn = T * np.pi
    vals = [float(m[i]) for m in d2_modes]
    # along the true path q = cos t the first variation vanishes, so φ(ε) − φ(0) = ε²/2 · δ²S
    phi = variation_profile(L, q, t, sp.cos(t), sp.sin(sp.pi * t / Tn), 0, Tn, [-0.1, 0.0, 0.1])
    assert abs(phi[2] - phi[0]) < 1e-12 and abs(phi[2] - phi[1] - 0.005 * vals[0]) < 1e-12
    assert abs(vals[0] - Tn / 2 * (np.pi**2 / Tn**2 - 1)) < 1e-12
    assert all(u > vals[0] for u in vals[1:])  # the lowest mode is the first to turn negative
    kind = "极小" if vals[0] > 0 else "鞍点（不是极小）"
    assert (vals[0] > 0) == (T < 1)
    rows.append((f"{T:g}π", *vals, kind))
print(md_table(rows, ["时长 T", "η = sin(πt/T)", "η = sin(2πt/T)", "η = sin(3πt/T)", "真实路径是"],
               [None, ".5f", ".5f", ".5f", None]))
value("ea-osc-099", rows[2][1], ".4f")
value("ea-osc-101", rows[3][1], ".4f")

Ts = np.linspace(0.3, 3.2, 117) * np.pi
fig, ax = figure(size=(6.0, 3.0))
for j, style in zip((1, 2, 3), ["-", "--", ":"], strict=True):
    vals = integrate_expr(d2.subs(v, sp.sin(j * sp.pi * t / T_)).doit(), t, 0, T_, param=T_,
                          values=Ts)
    sign_change = Ts[np.flatnonzero(np.diff(np.sign(vals)))[0]] / np.pi
    assert abs(sign_change - j) < 0.03  # mode j turns negative at T = jπ
    ax.plot(Ts / np.pi, vals, style, label=f"η = sin({j}πt/T)" if j > 1 else "η = sin(πt/T)")
ax.axhline(0, color="0.5", lw=0.7)
ax.set_ylim(-6, 12)
ax.set_xlabel("时长 T / π")
ax.set_ylabel("二阶变分 δ²S")
ax.legend(fontsize=8)
print(svg(fig, caption="谐振子（m = k = 1）的作用量在真实路径处沿几个方向的二阶变分。"
                       "T < π 时全部为正，真实路径是作用量的极小；第 j 个方向在 T = jπ 处变号，"
                       "过了半个周期，真实路径就只是驻点。"))
