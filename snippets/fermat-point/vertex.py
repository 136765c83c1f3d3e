import numpy as np

from blogkit.display import md_table, value
from blogkit.geometry import fermat_point, pull_at_vertices, vertex_angles

# Isosceles triangles A = (-1, 0), B = (1, 0), C = (0, cot(φ/2)): apex angle φ at C.
rows = []
for phi in (60.0, 90.0, 110.0, 119.0, 120.0, 121.0, 135.0, 150.0):
    A = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1 / np.tan(np.radians(phi) / 2)]])
    P = fermat_point(A)
    pull = pull_at_vertices(A)[2]
    gap = np.linalg.norm(P - A[2])
    assert np.isclose(vertex_angles(A)[2], phi)
    assert np.isclose(pull, 2 * np.cos(np.radians(phi) / 2))  # ‖u_A + u_B‖ = 2cos(φ/2)
    assert (gap == 0) == (phi >= 120 - 1e-9)  # the vertex wins exactly from 120° on
    if phi < 120:
        assert abs(P[1] - 1 / np.sqrt(3)) < 1e-12  # AB seen at 120° from height 1/√3
    rows.append((f"{phi:.2f}°", pull, "C 本身" if gap == 0 else f"{P[1]:.6f}", gap))
print(md_table(rows, ["顶角 ∠C", "C 处另两条线的合力 ‖u_A + u_B‖", "费马点的纵坐标", "到 C 的距离"],
               [None, ".6f", None, ".6f"]))

print()
A = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 0.5]])
ang = vertex_angles(A)
P = fermat_point(A)
assert np.array_equal(P, A[2])
T = np.array([[0.0, 0.0], [4.0, 0.0], [1.0, 3.0]])
rows = []
for k in ([1, 1, 1.7], [1, 1, 1.8], [1, 1, 2.0], [5, 1, 1], [1, 3, 1.9]):
    k = np.array(k, dtype=float)
    pull = pull_at_vertices(T, k)
    P = fermat_point(T, k)
    hit = [n for n in range(3) if np.array_equal(P, T[n])]
    assert bool(hit) == bool(np.any(pull <= k))
    heavy = np.flatnonzero(2 * k >= k.sum())
    assert heavy.size == 0 or hit == [heavy[0]]  # a weight ≥ the other two drags P home
    rows.append(("(" + ", ".join(f"{x:g}" for x in k) + ")",
                 " / ".join(f"{x:.4f}" for x in pull), "ABC"[hit[0]] if hit else "内部"))
    if k[2] == 1.8:
        assert pull[2] < 1.8 < k[0] + k[1] and hit == [2]
        pull_c = pull[2]
print(md_table(rows, ["权重 (k₁, k₂, k₃)", "A / B / C 处另两条线的合力", "最优点"]))
value("fp-pull-c", pull_c, ".4f")
value("fp-obtuse-angle", ang[2], ".2f")
