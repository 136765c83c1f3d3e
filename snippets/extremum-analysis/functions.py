import sympy as sp

from blogkit.calcvar import classify_critical_points
from blogkit.display import md_table

x, y = sp.symbols("x y")
h = sp.Rational(1, 100)
rows = []
for f in (x**2, -(x**2), x**3, x**4, -(x**4)):
    (pt, ev, kind), = classify_critical_points(f, [x])
    left, right = f.subs(x, -h) - f.subs(x, 0), f.subs(x, h) - f.subs(x, 0)
    truth = "极小" if left > 0 and right > 0 else "极大" if left < 0 and right < 0 else "不是极值"
    assert kind == truth or kind == "待定"  # the second-order test never misleads
    rows.append((f"${sp.latex(f)}$", f"${sp.latex(sp.diff(f, x).subs(x, 0))}$",
                 f"${sp.latex(ev[0])}$", kind, f"{int(sp.sign(left)):+d} / {int(sp.sign(right)):+d}", truth))
print(md_table(rows, ["f(x)", "f′(0)", "f″(0)", "二阶判别",
                      "f(−h) − f(0) / f(h) − f(0) 的符号（h = 0.01）", "实际"]))
print()
g = x**4 + y**4 - 4 * x * y
# second-order Taylor expansion: f(p + sΔ) = f(p) + s ∇f·Δ + s²/2 ΔᵀHΔ + O(s³)
s_, p0, D = sp.Symbol("s"), {x: sp.Rational(1, 3), y: -2}, sp.Matrix([3, 5])
series = sp.series(g.subs({x: p0[x] + s_ * D[0], y: p0[y] + s_ * D[1]}), s_, 0, 3).removeO()
grad = sp.Matrix([g.diff(x), g.diff(y)]).subs(p0)
taylor = g.subs(p0) + s_ * (grad.T * D)[0] + s_**2 / 2 * (D.T * sp.hessian(g, [x, y]).subs(p0) * D)[0]
assert sp.expand(series - taylor) == 0
rows = [(f"$({sp.latex(p[x])},\\ {sp.latex(p[y])})$", f"${sp.latex(g.subs(p))}$",
         ", ".join(f"${sp.latex(e)}$" for e in ev), kind)
        for p, ev, kind in classify_critical_points(g, [x, y])]
assert [r[3] for r in rows] == ["极小", "鞍点", "极小"]
print(md_table(rows, [f"${sp.latex(g)}$ 的驻点", "函数值", "海森矩阵的特征值", "类型"]))
