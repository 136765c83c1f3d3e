import sympy as sp
from sympy.calculus.euler import euler_equations

from blogkit.calcvar import beltrami, euler_lagrange, on_parametric_curve
from blogkit.display import md_table

x, t, th = sp.symbols("x t theta")
c0, c1, c, d, r, A, phi = sp.symbols("c_0 c_1 c d r A phi", real=True)
m, k, g, EI, w = sp.symbols("m k g EI w", positive=True)
y, q = sp.Function("y")(x), sp.Function("q")(t)
yp, qd = y.diff(x), q.diff(t)
omega = sp.sqrt(k / m)
cases = [  # name, L, unknown, variable, solution: an expression, or (X(θ), Y(θ)) for a curve
    ("最短路径", sp.sqrt(1 + yp**2), y, x, c1 * x + c0),
    ("最速降线", sp.sqrt((1 + yp**2) / (2 * g * y)), y, x,
     (r * (th - sp.sin(th)), r * (1 - sp.cos(th)))),
    ("最小旋转曲面（悬链线）", y * sp.sqrt(1 + yp**2), y, x, c * sp.cosh((x - d) / c)),
    ("谐振子的作用量", m * qd**2 / 2 - k * q**2 / 2, q, t, A * sp.cos(omega * t + phi)),
    ("受均布载荷的梁（延伸）", EI * y.diff(x, 2) ** 2 / 2 - w * y, y, x,
     w * x**4 / (24 * EI) + c1 * x + c0 + d * x**3 + c * x**2),
]
# print y, y', y'' (and q, q̇, q̈) instead of y(x), d/dx y(x)
short = [(y.diff(x, 4), sp.Symbol("y''''")), (y.diff(x, 2), sp.Symbol("y''")),
         (yp, sp.Symbol("y'")), (y, sp.Symbol("y")), (q.diff(t, 2), sp.Symbol(r"\ddot q")),
         (qd, sp.Symbol(r"\dot q")), (q, sp.Symbol("q"))]
top, bottom = [], []
for name, L, u, v, sol in cases:
    E = euler_lagrange(L, u, v)
    ref = euler_equations(L, u, v)[0].lhs
    diff = sp.simplify(E - ref)
    if isinstance(sol, tuple):
        on = on_parametric_curve(E, u, v, sol[0], sol[1], th)
        shown = r"x=r(\theta-\sin\theta),\ y=r(1-\cos\theta)"
    else:
        on = sp.simplify(E.subs(u, sol).doit())
        shown = sp.latex(sp.Eq(u, sol).subs(short))
    assert diff == 0 and on == 0
    if u.diff(v, 2) not in L.atoms(sp.Derivative):  # Beltrami, no explicit x: d/dx(L − y′L_y′) = y′E
        assert sp.simplify(beltrami(L, u, v).diff(v) - u.diff(v) * E) == 0
    top.append((name, f"${sp.latex(L.subs(short))}$", f"${sp.latex(sp.factor(E).subs(short))}$"))
    bottom.append((name, f"${sp.latex(diff)}$", f"${shown}$", f"${sp.latex(on)}$"))
print(md_table(top, ["泛函", "$L$", "由一阶变分得到的 $E[y]$"]))
print()
print(md_table(bottom, ["泛函", "与 sympy 的 euler_equations 之差", "代入的解", "代入后的 $E$"]))
