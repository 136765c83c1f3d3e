import torch

from blogkit.device import default_device
from blogkit.display import md_table, value
from blogkit.rope import apply_rope, rope_matrix

dev = default_device()
gen = torch.Generator().manual_seed(0)
d, L = 64, 128
q = torch.randn(L, d, generator=gen, dtype=torch.float64).to(dev)  # (L, d)
k = torch.randn(L, d, generator=gen, dtype=torch.float64).to(dev)  # (L, d)
pos = torch.arange(L, device=dev)

# Scores of rotated queries and keys, then the same with every position shifted by a constant.
rows = []
base_scores = apply_rope(q, pos) @ apply_rope(k, pos).T  # (L, L)
for shift in (1, 100, 10_000):
    shifted = apply_rope(q, pos + shift) @ apply_rope(k, pos + shift).T
    rows.append((f"所有位置 + {shift:,}", (shifted - base_scores).abs().max().item()))
# One pair through the dense matrices: R_m^T R_n = R_{n-m}.
m, n = 7, 19
lhs = rope_matrix(m, d).T @ rope_matrix(n, d)
label = rf"$\mathcal{{R}}_{{{m}}}^{{\top}}\mathcal{{R}}_{{{n}}}$ 与 $\mathcal{{R}}_{{{n - m}}}$ 之差"
rows.append((label, (lhs - rope_matrix(n - m, d)).abs().max().item()))
print(md_table(rows, ["检查", "最大绝对差"], [None, ".2e"]))
worst = max(r[1] for r in rows)
assert worst < 1e-10  # float64 angles of positions near 10^4 lose a few digits
value("rope-shift-err", worst, ".0e")
