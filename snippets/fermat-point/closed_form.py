import numpy as np

from blogkit.display import md_table, value
from blogkit.geometry import fermat_cost, fermat_min_closed, fermat_point, vertex_angles

triangles = {
    "(0,0), (4,0), (1,3)": [[0, 0], [4, 0], [1, 3]],
    "等边，边长 1": [[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]],
    "(0,0), (3,0), (0,4)": [[0, 0], [3, 0], [0, 4]],
    "(0,0), (10,0), (5,1.5)": [[0, 0], [10, 0], [5, 1.5]],
}
rows = []
for name, T in triangles.items():
    T = np.array(T, dtype=float)
    num = float(fermat_cost(fermat_point(T), T))
    closed = fermat_min_closed(T)
    big = vertex_angles(T).max()
    if big < 120:
        assert abs(num - closed) < 1e-12
    else:  # the formula undercuts every attainable value: the straight segment is not realised
        assert closed < num - 0.1
        gap = num - closed
    rows.append((name, f"{big:.2f}°", num, closed, num - closed))
print(md_table(rows, ["三角形", "最大内角", "PA + PB + PC 的最小值（数值）", "闭式", "差"],
               [None, None, ".12f", ".12f", ".1e"]))
value("fp-min-obtuse-gap", gap, ".4f")
value("fp-min", fermat_min_closed(np.array([[0, 0], [4, 0], [1, 3.0]])), ".6f")
