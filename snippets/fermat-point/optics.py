import numpy as np

from blogkit.display import md_table, value
from blogkit.geometry import angles_at, fermat_point, mirror_angles

A = np.array([[0.0, 0.0], [4.0, 0.0], [1.0, 3.0]])
names = "ABC"
P = fermat_point(A)
rows = []
for c in range(3):
    i, j = (n for n in range(3) if n != c)
    a1, a2 = mirror_angles(P, A, c)
    rows.append((f"以 {names[c]} 为圆心", f"P{names[i]}:{a1:.6f}°", f"P{names[j]}:{a2:.6f}°"))
    assert abs(a1 - a2) < 1e-9  # the normal bisects the angle: law of reflection
print(md_table(rows, ["镜面（过 P 的圆）", "入射线与法线的夹角", "反射线与法线的夹角"]))
ang = angles_at(P, A)
assert np.allclose(ang, 120, atol=1e-9)
value("fp-P", f"({P[0]:.6f}, {P[1]:.6f})")
value("fp-angle", ang.max(), ".6f")

print()
k = np.array([3.0, 4.0, 5.0])
Q = fermat_point(A, k)
rows = []
for c in range(3):
    i, j = (n for n in range(3) if n != c)
    a1, a2 = mirror_angles(Q, A, c)
    s1, s2 = k[i] * np.sin(np.radians(a1)), k[j] * np.sin(np.radians(a2))
    rows.append((f"以 {names[c]} 为圆心", f"P{names[i]} / P{names[j]}",
                 f"{a1:.4f}° / {a2:.4f}°", f"{s1:.10f} / {s2:.10f}"))
    assert abs(s1 - s2) < 1e-12  # the generalised law k_i sin α_i = k_j sin α_j
print(md_table(rows, ["镜面", "两条光线", "与法线的夹角 α", "k·sin α"]))
