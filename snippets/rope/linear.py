import torch

from blogkit.display import md_table, value
from blogkit.rope import rope_linear_attention, rope_linear_attention_weights

gen = torch.Generator().manual_seed(5)
n, d, dv = 256, 32, 8
q = torch.randn(n, d, generator=gen, dtype=torch.float64)
k = torch.randn(n, d, generator=gen, dtype=torch.float64)
v = torch.randn(n, dv, generator=gen, dtype=torch.float64)
weights = rope_linear_attention_weights(q, k)  # (n, n): Eq. (rope-linear) read pair by pair
direct = weights @ v  # (n, dv), quadratic in n
fast = rope_linear_attention(q, k, v)  # (n, dv), by associativity, linear in n
gap = (fast - direct).abs().max().item()
row_sums = weights.sum(-1)  # (n,)
rows = [("结合律算法与逐对计算之差（最大绝对值）", f"{gap:.1e}"),
        ("每行权重之和的范围", f"[{row_sums.min().item():.3f}, {row_sums.max().item():.3f}]"),
        ("负权重所占比例", f"{(weights < 0).double().mean().item():.1%}")]
print(md_table(rows, [f"检查（n = {n}，d = {d}）", "值"]))
assert gap < 1e-12
assert (row_sums - 1).abs().min().item() > 0.1 and bool((weights < 0).any())  # no longer a weighted average
value("rope-linear-gap", gap, ".0e")
value("rope-linear-neg", (weights < 0).double().mean().item(), ".1%")
