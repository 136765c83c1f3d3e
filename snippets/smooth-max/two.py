from functools import partial

import numpy as np

from blogkit.display import md_table, value
from blogkit.smoothmax import max_from_abs, smooth_abs, smooth_max

rng = np.random.default_rng(1)
x, y, w = rng.normal(scale=3.0, size=(3, 100_000))
rows, gaps = [], []
for k in [0.5, 2.0, 8.0]:
    a_k = partial(smooth_abs, k=k)
    general = np.abs(max_from_abs(x, y, a_k) - smooth_max(np.stack([x, y], -1), 2 * k)).max()
    nonneg = np.abs(max_from_abs(x, y, a_k, form="nonneg")
                    - smooth_max(np.stack([x, y, -x, -y], -1), 2 * k)).max()
    inner = smooth_max(np.stack([y, w], -1), k)
    nested = np.abs(smooth_max(np.stack([x, inner], -1), k) - smooth_max(np.stack([x, y, w], -1), k)).max()
    # for x, y ≥ 0 the extra terms e^{-2kx} + e^{-2ky} add at most ln 2 / (2k)
    xp, yp = np.abs(x), np.abs(y)
    gap = (max_from_abs(xp, yp, a_k, form="nonneg") - max_from_abs(xp, yp, a_k))
    gaps.append((k, gap.min(), gap.max(), np.log(2) / (2 * k)))
    rows.append((k, general, nonneg, nested))
print(md_table(rows, ["$k$", r"一般形式 − $\mathrm{smax}_{2k}(x,y)$",
                      r"非负形式 − $\mathrm{smax}_{2k}(\pm x,\pm y)$",
                      r"$\mathrm{smax}_k(x,\mathrm{smax}_k(y,w))-\mathrm{smax}_k(x,y,w)$"],
               [".1f", ".1e", ".1e", ".1e"]))
assert max(max(r[1:]) for r in rows) < 1e-13
print()
print(md_table(gaps, ["$k$", r"$x,y\ge0$ 时两种形式之差的最小值", "最大值", r"$\ln 2/(2k)$"],
               [".1f", ".2e", ".6f", ".6f"]))
assert all(g[1] >= 0 and g[2] <= g[3] + 1e-15 for g in gaps)
at0 = max_from_abs(0.0, 0.0, partial(smooth_abs, k=2.0), form="nonneg") - max_from_abs(
    0.0, 0.0, partial(smooth_abs, k=2.0))
assert abs(at0 - np.log(2) / 4) < 1e-15  # attained at x = y = 0
value("sm-two-max", max(max(r[1:]) for r in rows), ".0e")
