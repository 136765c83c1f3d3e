import torch

from blogkit.display import md_table
from blogkit.posenc import (
    additive_scores,
    rotary_scores,
    sinusoidal_by_rotation,
    sinusoidal_positions,
    sinusoidal_shift_matrix,
    toeplitz_defect,
)
from blogkit.rope import rope_matrix

gen = torch.Generator().manual_seed(1)
n, d = 48, 32
p = sinusoidal_positions(n, d)  # (n, d)
q = torch.randn(d, generator=gen, dtype=torch.float64)
k = torch.randn(d, generator=gen, dtype=torch.float64)
rows = [(r"$p_k$ 与 $M_k p_0$ 的最大差", (sinusoidal_by_rotation(n, d) - p).abs().max().item()),
        (r"$M_\Delta$ 与 RoPE 的 $\mathcal{R}_{-\Delta}$ 的最大差（$\Delta=1,\dots,20$）",
         max((sinusoidal_shift_matrix(t, d) - rope_matrix(-t, d)).abs().max().item()
             for t in range(1, 21))),
        (r"加法：$(q+p_m)^\top(k+p_n)$ 沿对角线的最大起伏",
         toeplitz_defect(additive_scores(q, k, p))),
        (r"旋转：$(\mathcal{R}_m q)^\top(\mathcal{R}_n k)$ 沿对角线的最大起伏",
         toeplitz_defect(rotary_scores(q, k, n)))]
# Rounding-level values in e-notation, the others with three significant digits.
print(md_table([(name, f"{v:.3g}" if v > 1e-9 else f"{v:.0e}") for name, v in rows], ["检查", "值"],
               align=["l", "r"]))
assert rows[0][1] < 1e-12 and rows[1][1] < 1e-12 and rows[3][1] < 1e-12 and rows[2][1] > 0.5
