import torch

from blogkit.display import md_table
from blogkit.posenc import sinusoidal_positions, sinusoidal_shift_matrix, toeplitz_defect
from blogkit.rope import apply_rope, rope_matrix

gen = torch.Generator().manual_seed(1)
n, d = 48, 32
p = sinusoidal_positions(n, d)  # (n, d)
p0 = p[0]  # (0, 1, 0, 1, ...)
via_rotation = torch.stack([sinusoidal_shift_matrix(k, d) @ p0 for k in range(n)])
q = torch.randn(d, generator=gen, dtype=torch.float64)
k = torch.randn(d, generator=gen, dtype=torch.float64)
pos = torch.arange(n)
additive = (q + p) @ (k + p).T  # (q + p_m)ᵀ(k + p_n): (n, n)
rotary = apply_rope(q.expand(n, d), pos) @ apply_rope(k.expand(n, d), pos).T  # (R_m q)ᵀ(R_n k)
rows = [("p_k 与 M_k p_0 的最大差", (via_rotation - p).abs().max().item()),
        ("M_Δ 与 RoPE 的 R_{−Δ} 的最大差(Δ = 1…20)",
         max((sinusoidal_shift_matrix(t, d) - rope_matrix(-t, d)).abs().max().item()
             for t in range(1, 21))),
        ("加性:(q + p_m)ᵀ(k + p_n) 沿对角线的最大起伏", toeplitz_defect(additive)),
        ("旋转:(R_m q)ᵀ(R_n k) 沿对角线的最大起伏", toeplitz_defect(rotary))]
print(md_table(rows, ["检查", "值"], [None, ".0e"]))
assert rows[0][1] < 1e-12 and rows[1][1] < 1e-12 and rows[3][1] < 1e-12 and rows[2][1] > 0.5
