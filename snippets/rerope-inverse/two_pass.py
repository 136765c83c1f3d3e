import torch

from blogkit.display import md_table
from blogkit.rope import apply_rope, rerope_logits, rerope_relative_positions, rope_matrix

gen = torch.Generator().manual_seed(0)
n, d, w = 32, 16, 8
q = torch.randn(n, d, generator=gen, dtype=torch.float64)
k = torch.randn(n, d, generator=gen, dtype=torch.float64)
rows = []
for name, leaky in (("ReRoPE", None), ("Leaky ReRoPE，k = 4", 4.0), ("Leaky ReRoPE，k = 1/4", 0.25)):
    fast = rerope_logits(q, k, w, leaky)  # two passes
    rel = rerope_relative_positions(n, w, leaky)
    worst = max(abs(fast[m, j].item() - (q[m] @ rope_matrix(-rel[m, j].item(), d) @ k[j]).item() / d**0.5)
                for m in range(n) for j in range(m + 1))
    rows.append((name, worst))
plain = apply_rope(q, torch.arange(n)) @ apply_rope(k, torch.arange(n)).T / d**0.5
rows.append(("k = 1 与普通 RoPE", (rerope_logits(q, k, w, 1.0) - plain).tril().abs().max().item()))
print(md_table(rows, ["两遍计算与逐对旋转之比较", "最大绝对差"], [None, ".1e"]))
assert max(r[1] for r in rows) < 1e-12
