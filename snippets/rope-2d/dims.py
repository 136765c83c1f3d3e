import torch

from blogkit.display import md_table
from blogkit.rope import commutator, exp_rotation, hat3, skew_commutant_dim

# How many independent skew-symmetric B commute with a generic skew-symmetric A in dimension d?
gen = torch.Generator().manual_seed(7)
rows = []
for d in range(2, 7):
    dims = []
    for _ in range(5):
        x = torch.randn(d, d, generator=gen, dtype=torch.float64)
        dims.append(skew_commutant_dim(x - x.T))
    rows.append((d, d * (d - 1) // 2, "、".join(str(v) for v in sorted(set(dims)))))
print(md_table(rows, ["$d$", "反对称矩阵的维数 $d(d-1)/2$", "与随机的 $A$ 可交换的反对称 $B$ 的维数"]))
assert [r[2] for r in rows] == ["1", "1", "2", "2", "3"]  # at least two directions need d ≥ 4

# d = 3: [â, b̂] is the hat of a × b, so commuting means parallel
a = torch.randn(3, generator=gen, dtype=torch.float64)
b = torch.randn(3, generator=gen, dtype=torch.float64)
hat_err = (commutator(hat3(a), hat3(b)) - hat3(torch.linalg.cross(a, b))).abs().max().item()
# parallel generators A and B = 2A: the positions (2, 0) and (0, 1) get the same rotation
A, B = hat3(a), hat3(2 * a)
clash = (exp_rotation(2.0, 0.0, A, B) - exp_rotation(0.0, 1.0, A, B)).abs().max().item()
print()
print(md_table([(r"$\max\vert[\hat a, \hat b] - \widehat{a\times b}\vert$（随机 $a, b$）", hat_err),
                (r"$B = 2A$ 时 $\max\vert\mathcal{R}_{(2,0)} - \mathcal{R}_{(0,1)}\vert$", clash)],
               ["三维的情形", "值"], [None, ".1e"]))
assert hat_err < 1e-14 and clash < 1e-14
