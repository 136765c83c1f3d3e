import numpy as np

from blogkit.display import md_table, value
from blogkit.smoothmax import smooth_max, smooth_max_naive

cases = [("[1, 2, 3]", [1.0, 2.0, 3.0], 1.0),
         ("[1, 2, 3]", [1.0, 2.0, 3.0], 50.0),
         ("[1, 2, 3]", [1.0, 2.0, 3.0], 300.0),
         ("[−800, −801, −802]", [-800.0, -801.0, -802.0], 1.0),
         ("[0.4, 0.5, 0.6]", [0.4, 0.5, 0.6], 2000.0)]
rows = []
for name, v, k in cases:
    v = np.array(v)
    # reference: max + log1p of the other terms (exact to rounding, by hand for three numbers)
    ref = v.max() + np.log1p(np.exp(k * (np.sort(v)[:-1] - v.max())).sum()) / k
    out = [smooth_max_naive(v, k), smooth_max(v, k),
           smooth_max_naive(v.astype(np.float32), k), smooth_max(v.astype(np.float32), k)]
    rows.append((name, k, *[float(o) for o in out], ref))
    assert abs(out[1] - ref) <= 1e-15 * max(1, abs(ref)) and abs(out[3] - ref) <= 1e-6 * max(1, abs(ref))
print(md_table(rows, ["$x$", "$k$", "直接计算 float64", "平移后 float64", "直接计算 float32",
                      "平移后 float32", "参考值"], [None, "g", ".6f", ".6f", ".6f", ".6f", ".6f"]))
assert not np.isfinite(rows[2][2]) and not np.isfinite(rows[1][4]) and not np.isfinite(rows[3][2])
value("sm-f64-limit", np.log(np.finfo(np.float64).max), ".1f")
value("sm-f32-limit", np.log(np.finfo(np.float32).max), ".1f")
