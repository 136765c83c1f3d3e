import numpy as np
import sympy as sp

from blogkit.calcvar import (
    euler_lagrange,
    first_variation,
    integrate_expr,
    second_variation,
    variation_profile,
)
from blogkit.display import figure, md_table, svg, value

x = sp.Symbol("x")
y = sp.Function("y")(x)
L = y * sp.sqrt(1 + y.diff(x) ** 2)  # area of the surface of revolution / 2π
a, b = -1.0, 1.0
eta = sp.cos(sp.pi * x / 2) * (1 + x / 2)  # vanishes at both ends, not symmetric
E = euler_lagrange(L, y, x)
v_f = sp.Function("v")(x)
d1 = first_variation(L, y, x, v_f)
d2 = second_variation(L, y, x, v_f)
candidates = {"悬链线 y = cosh x": sp.cosh(x),
              "圆柱 y = cosh 1": sp.cosh(1) + 0 * x}
h = 1e-4
eps = np.linspace(-0.4, 0.4, 81)
rows, curves = [], {}
for name, Y in candidates.items():
    phi = variation_profile(L, y, x, Y, eta, a, b, np.array([-h, 0.0, h]))
    slope_fd = (phi[2] - phi[0]) / (2 * h)
    curv_fd = (phi[2] - 2 * phi[1] + phi[0]) / h**2
    slope_raw = integrate_expr(d1.subs(y, Y).subs(v_f, eta).doit(), x, a, b)
    slope = integrate_expr(E.subs(y, Y).doit() * eta, x, a, b)
    assert abs(slope_raw - slope) < 1e-12  # integration by parts: the boundary term is zero
    curv = integrate_expr(d2.subs(y, Y).subs(v_f, eta).doit(), x, a, b)
    assert abs(slope_fd - slope) < 1e-6 and abs(curv_fd - curv) < 1e-4 * abs(curv)
    rows.append((name, phi[1], slope_fd, slope_raw, slope, curv_fd, curv))
    curves[name] = variation_profile(L, y, x, Y, eta, a, b, eps) - phi[1]
print(md_table(rows, ["曲线", "J[y]", "φ′(0)（差分）", "∫ (L_y η + L_y′ η′) dx", "∫ E[y] η dx",
                      "φ″(0)（差分）", "∫ δ²L dx"], [None, ".8f", ".1e", ".1e", ".1e", ".6f", ".6f"]))
(n1, J1, s1, _, e1, c1, _), (n2, J2, s2, _, e2, c2, _) = rows
assert abs(e1) < 1e-12 and s2 > 0.1 and c1 > 0 and J1 < J2
assert np.all(curves[n1][eps != 0] > 0)  # a true minimum along this direction
value("ea-cat-J", J1, ".6f")
value("ea-cyl-J", J2, ".6f")
value("ea-cyl-slope", e2, ".4f")

fig, ax = figure(size=(6.0, 3.2))
for (name, dphi), style in zip(curves.items(), ["-", "--"], strict=True):
    ax.plot(eps, dphi, style, label=name)
ax.axhline(0, color="0.5", lw=0.7)
ax.axvline(0, color="0.5", lw=0.7)
ax.set_xlabel("ε")
ax.set_ylabel("φ(ε) − φ(0)")
ax.legend(fontsize=8)
print(svg(fig, caption="沿同一个扰动方向 η 改变曲线时，旋转曲面面积（除以 2π）的变化 φ(ε) − φ(0)。"
                       "悬链线处曲线在 ε = 0 取最小、切线水平；圆柱处切线是斜的，"
                       "往 φ′(0) 的反方向挪一点，面积就会变小。"))
