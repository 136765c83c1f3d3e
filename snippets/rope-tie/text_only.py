import torch

from blogkit.display import md_table
from blogkit.rope import apply_rope, apply_rope_tie, rope_tie_positions

gen = torch.Generator().manual_seed(0)
d, n = 64, 200
x = torch.randn(2, n, d, generator=gen, dtype=torch.float64)  # (B, n, d)
P, kinds = rope_tie_positions([("text", n)])  # (n, 2): (t, t)
tie = apply_rope_tie(x, P[:, 0], P[:, 1])
one_d = apply_rope(x, torch.arange(n))
diff = (tie - one_d).abs().max().item()
print(md_table([("纯文本:RoPE-Tie 与 RoPE-1D", n, diff)], ["比较", "词数", "最大绝对差"],
               [None, None, ".1f"]))
assert diff == 0.0  # bit for bit the same rotation
