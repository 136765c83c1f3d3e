from math import comb

import numpy as np
import sympy as sp

from blogkit.display import figure, md_table, svg, value
from blogkit.riemann import (
    SYMMETRIES,
    independent_components,
    independent_components_formula,
    solution_dimension,
)

steps = [("last",), ("last", "first"), ("last", "first", "pair"), SYMMETRIES]
rows, bars = [], []
for n in range(1, 6):
    dims = [solution_dimension(n, s) for s in steps]
    m = n * (n - 1) // 2  # antisymmetric index pairs
    no_pair = solution_dimension(n, ("last", "first", "bianchi"))
    count = independent_components(n)
    assert dims[-1] == count == independent_components_formula(n) == n * n * (n * n - 1) // 12
    assert dims[1] == m * m and dims[2] == m * (m + 1) // 2 and dims[2] - dims[3] == comb(n, 4)
    assert no_pair == count  # pair symmetry follows from the other three
    rows.append((n, n**4, *dims, comb(n, 4), no_pair))
    bars.append([n**4, *dims])
print(md_table(rows, ["$n$", "$n^4$", "后两指标反对称", "再加前两指标反对称", "再加对换对称",
                      "再加 Bianchi 恒等式", r"$\binom n4$", "不用对换对称"],
               ["d"] * 8))
# the closed form, symbolically: M(M+1)/2 − C(n,4) = n²(n²−1)/12 with M = n(n−1)/2
N = sp.symbols("n")
MM = N * (N - 1) / 2
assert sp.expand(MM * (MM + 1) / 2 - sp.binomial(N, 4).expand(func=True) - N**2 * (N**2 - 1) / 12) == 0
value("rc-count-4", rows[3][5], "d")
value("rc-count-3", rows[2][5], "d")

fig, ax = figure(size=(6.4, 3.4))
labels = ["全部 n⁴ 个", "后两指标反对称", "再加前两指标反对称", "再加对换对称", "再加 Bianchi"]
b = np.array(bars[1:])  # n = 2..5
w = 0.16
for j, lab in enumerate(labels):
    ax.bar(np.arange(2, 6) + (j - 2) * w, b[:, j], w, label=lab)
ax.set_yscale("log")
ax.set_ylim(0.5, 2e4)
ax.set_xticks(range(2, 6))
ax.set_xlabel("维数 n")
ax.set_ylabel("独立分量个数")
ax.legend(fontsize=7, ncol=3, loc="upper left")
print()
print(svg(fig, caption="逐条加入对称性后解空间的维数（对数坐标）。前三条对称性把分量数从 n⁴ 降到 M(M+1)/2，"
                       "M = n(n−1)/2；Bianchi 恒等式在 n ≥ 4 时再去掉 C(n,4) 个。"))
