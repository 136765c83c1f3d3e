import torch

from blogkit.display import md_table
from blogkit.rope import apply_rope, apply_rope_complex, interleaved_to_half_perm

gen = torch.Generator().manual_seed(2)
d, L = 16, 10
x = torch.randn(2, L, d, generator=gen, dtype=torch.float64)  # (B, L, d)
pos = torch.arange(L)
P = interleaved_to_half_perm(d)
inter = apply_rope(x, pos, layout="interleaved")
half = apply_rope(x, pos, layout="half")
rows = [("交错配对与前后半配对直接比较", (inter - half).abs().max().item()),
        ("交错配对的输出按 P 重排，与前后半配对作用在按 P 重排的输入上",
         (inter[..., P] - apply_rope(x[..., P], pos, layout="half")).abs().max().item()),
        ("交错配对与复数乘法形式", (inter - apply_rope_complex(x, pos)).abs().max().item())]
print(md_table(rows, ["比较", "最大绝对差"], [None, ".2e"]))
print()
print("P = [" + ", ".join(str(i) for i in P.tolist()) + "]")
assert rows[0][1] > 0.1 and rows[1][1] < 1e-14 and rows[2][1] < 1e-14
