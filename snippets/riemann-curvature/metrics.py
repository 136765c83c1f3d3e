import sympy as sp

from blogkit.display import md_table, value
from blogkit.riemann import curvature, symmetry_defects

a, r, M, y = sp.symbols("a r M y", positive=True)
x, t, th, ph, rho = sp.symbols("x t theta phi rho", real=True)
f = 1 - 2 * M / r
cases = [
    ("半径为 a 的球面", r"$a^2d\theta^2+a^2\sin^2\theta\,d\phi^2$",
     sp.diag(a**2, a**2 * sp.sin(th) ** 2), (th, ph)),
    ("双曲上半平面", r"$(dx^2+dy^2)/y^2$", sp.diag(1 / y**2, 1 / y**2), (x, y)),
    ("平面（极坐标）", r"$d\rho^2+\rho^2d\phi^2$", sp.diag(1, rho**2), (rho, ph)),
    ("Schwarzschild", r"$-f\,dt^2+f^{-1}dr^2+r^2d\Omega^2$，$f=1-2M/r$",
     sp.diag(-f, 1 / f, r**2, r**2 * sp.sin(th) ** 2), (t, r, th, ph)),
]
rows, results = [], {}
for name, line, g, xs in cases:
    c = curvature(g, xs)
    results[name] = c
    assert set(symmetry_defects(c).values()) == {0}  # all four symmetries hold identically
    nonzero = sum(1 for row in c.riemann_lower for m in row for v in m for e in v if e != 0)
    k = c.gaussian_curvature() if c.dim == 2 else None
    rows.append((name, line, nonzero, "—" if k is None else f"${sp.latex(k)}$",
                 f"${sp.latex(c.ricci_scalar)}$", f"${sp.latex(sp.factor(c.kretschmann()))}$"))
print(md_table(rows, ["度规", "线元 $ds^2$", "$R_{abcd}$ 的非零分量", "高斯曲率 $K$", "标量曲率 $R$",
                      r"$R_{abcd}R^{abcd}$"]))
sphere, hyper, plane, schw = results.values()
assert sp.simplify(sphere.ricci_scalar - 2 / a**2) == 0 and sphere.gaussian_curvature() == 1 / a**2
assert hyper.ricci_scalar == -2 and hyper.gaussian_curvature() == -1
assert all(e == 0 for row in plane.riemann for m in row for v in m for e in v)
assert any(e != 0 for row in plane.christoffel for v in row for e in v)  # yet Γ ≠ 0
assert schw.ricci == sp.zeros(4, 4) and schw.ricci_scalar == 0
assert sp.simplify(schw.kretschmann() - 48 * M**2 / r**6) == 0
for c in (sphere, hyper):  # in two dimensions R = 2K
    assert sp.simplify(c.ricci_scalar - 2 * c.gaussian_curvature()) == 0
value("rc-sphere-R", f"${sp.latex(sphere.ricci_scalar)}$")
