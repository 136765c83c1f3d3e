import math

import numpy as np

from blogkit.display import md_table, value
from blogkit.entropy import qk_spread, qk_spread_expected

ns = [64, 512, 2048]
rows, per_sqrt_d, bound_ratio = [], {}, {}
for d in (16, 64, 256):
    spread, bound = qk_spread(ns, d, batch=32, seed=d)  # raw s_i = q·k_i, 32 rows
    for n, sp, bd in zip(ns, spread, bound, strict=True):
        expected = qk_spread_expected(n, d)
        generic = math.sqrt(2 * d * math.log(n))
        rows.append((d, n, sp, expected, generic, sp / math.sqrt(d), bd / d))
        assert abs(sp / expected - 1) < 0.1  # Eq. (entropy-softmax-generic), within sampling noise
        assert expected < generic  # E max of n normals stays below sqrt(2 log n)
        assert sp < generic  # so does the measured spread
        per_sqrt_d.setdefault(n, []).append(sp / math.sqrt(d))
        bound_ratio.setdefault(d, []).append(bd / sp)
print(md_table(rows, ["$d$", "$n$", r"实测 $s_{\max}-\bar s$",
                      r"$\mathbb{E}\lVert q\rVert\cdot\mathbb{E}\max Z$", r"$\sqrt{2d\log n}$",
                      r"实测 / $\sqrt d$", r"上界 $2\lVert q\rVert\max\lVert k_i\rVert$ / $d$"],
               ["d", "d", ".2f", ".2f", ".2f", ".2f", ".2f"], align=["r"] * 7))
# Spread / sqrt(d) depends on n, hardly on d; the worst-case bound / d depends on neither much.
for r in per_sqrt_d.values():
    assert max(r) / min(r) < 1.15
assert all(np.all(np.diff([per_sqrt_d[n][i] for n in ns]) > 0) for i in range(3))
worst = [row[6] for row in rows]
assert 2.0 < min(worst) and max(worst) < 3.2  # between 2d and 3.2d
# The bound overestimates the spread more and more as d grows, about like sqrt(d).
assert min(bound_ratio[256]) > 3 * max(bound_ratio[16]) / 2
value("es-spread-per-sqrtd-first", np.mean(per_sqrt_d[ns[0]]), ".2f")
value("es-spread-per-sqrtd-last", np.mean(per_sqrt_d[ns[-1]]), ".2f")
value("es-bound-over-spread", math.floor(min(bound_ratio[256])), "d")
