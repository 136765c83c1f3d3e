import numpy as np

from blogkit.display import md_table, value
from blogkit.geometry import fermat_point, weiszfeld

cases = [("权重相同", [[0, 0], [4, 0], [1, 3]], [1, 1, 1]),
         ("权重 3 : 4 : 5", [[0, 0], [4, 0], [1, 3]], [3, 4, 5]),
         ("钝角，最优点在 C", [[0, 0], [4, 0], [1.5, 1]], [1, 1, 1])]
marks = [10, 20, 40, 80, 160]
rows = []
for name, T, k in cases:
    T = np.array(T, dtype=float)
    P = fermat_point(T, k)
    gaps = np.linalg.norm(weiszfeld(T, k, steps=marks[-1]) - P, axis=1)
    assert np.all(np.diff(gaps[:41]) < 0)  # every step gets closer
    rows.append((name, *gaps[marks]))
print(md_table(rows, ["情形", *[f"{m} 步" for m in marks]], [None, *[".1e"] * len(marks)]))
at40 = [r[3] for r in rows]
assert at40[0] < 1e-10 and min(at40[1:]) > 1e-5  # equal weights: far faster
assert all(v > w for v, w in zip(rows[2][1:], rows[1][1:], strict=True))  # the vertex: slowest
assert max(r[-1] for r in rows) < 1e-5  # all three have arrived by 160 steps
value("fp-wz-40", at40[0], ".0e")
