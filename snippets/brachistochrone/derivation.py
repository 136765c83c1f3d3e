import sympy as sp

from blogkit.calcvar import beltrami, euler_lagrange, on_parametric_curve
from blogkit.display import md_table

x = sp.Symbol("x")
g, r = sp.symbols("g r", positive=True)
theta = sp.Symbol("theta", positive=True)
y = sp.Function("y")(x)
yp = y.diff(x)
L = sp.sqrt(1 + yp**2) / sp.sqrt(2 * g * y)  # dt = ds / v
E = euler_lagrange(L, y, x)
B = beltrami(L, y, x)
X, Y = r * (theta - sp.sin(theta)), r * (1 - sp.cos(theta))
E_on = on_parametric_curve(E, y, x, X, Y, theta)
K_on = on_parametric_curve(y * (1 + yp**2), y, x, X, Y, theta)
assert E_on == 0 and sp.simplify(K_on - 2 * r) == 0
# Beltrami's constant on the cycloid is 1/(2√(g r)) for every θ in (0, 2π)
B_on = on_parametric_curve(B, y, x, X, Y, theta)
assert all(abs(float((B_on - 1 / (2 * sp.sqrt(g * r))).subs({theta: t, g: 1.3, r: 0.7}))) < 1e-14
           for t in (0.1, 1.0, 2.5, 3.1, 4.0, 6.0))
# print y, y', y'' instead of y(x) and d/dx y(x); order matters: highest derivative first
short = [(y.diff(x, 2), sp.Symbol("y''")), (yp, sp.Symbol("y'")), (y, sp.Symbol("y"))]
rows = [("拉格朗日量 $L$", L), ("欧拉–拉格朗日式 $E[y]$", sp.factor(E)),
        ("$L-y'\\,\\partial L/\\partial y'$", B), ("摆线上的 $E[y]$", E_on),
        ("摆线上的 $y(1+y'^2)$", K_on)]
print(md_table([(name, f"${sp.latex(e.subs(short))}$") for name, e in rows],
               ["量", "符号计算的结果"]))
