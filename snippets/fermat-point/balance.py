import numpy as np
from sympy import Rational, latex, sqrt

from blogkit.display import md_table, value
from blogkit.geometry import angle_law, angles_at, exact_balance, fermat_point, unit_vectors

A = np.array([[0.0, 0.0], [4.0, 0.0], [1.0, 3.0]])
rows = []
for k in ([1, 1, 1], [3, 4, 5], [2, 3, 4], [1, 1, 1.5]):
    k = np.array(k, dtype=float)
    P = fermat_point(A, k)
    residual = np.linalg.norm(k @ unit_vectors(P, A))
    got, law = angles_at(P, A), angle_law(k)
    assert residual < 1e-12 and np.allclose(got, law, atol=1e-9)
    rows.append(("(" + ", ".join(f"{x:g}" for x in k) + ")", f"({P[0]:.6f}, {P[1]:.6f})",
                 residual, " / ".join(f"{x:.4f}°" for x in got),
                 " / ".join(f"{x:.4f}°" for x in law)))
print(md_table(rows, ["权重 (k₁, k₂, k₃)", "P", "‖Σ kᵢuᵢ‖", "实测 θ₂₃ / θ₁₃ / θ₁₂",
                      "由 k 算出的夹角"], [None, None, ".1e", None, None]))

print()
P = (Rational(50, 37), Rational(70, 37))
dist, cost, bal = exact_balance(P, [(0, 0), (4, 0), (1, 3)], [3, 4, 5])
assert bal == (0, 0) and cost == 3 * sqrt(74)
num = fermat_point(A, [3, 4, 5])
assert np.abs(num - [50 / 37, 70 / 37]).max() < 1e-13
print(md_table([("$" + " ,\\; ".join(latex(d) for d in dist) + "$", f"${latex(cost)}$",
                 f"$({latex(bal[0])},\\ {latex(bal[1])})$")],
               ["PA, PB, PC", "3PA + 4PB + 5PC", "Σ kᵢuᵢ（精确）"]))
value("fp-w-cost", float(cost), ".6f")
value("fp-w-err", float(np.abs(num - [50 / 37, 70 / 37]).max()), ".1e")
