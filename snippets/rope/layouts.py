import torch

from blogkit.display import md_table
from blogkit.rope import apply_rope, interleaved_to_half_perm, rope_angles

gen = torch.Generator().manual_seed(2)
d, L = 16, 10
x = torch.randn(2, L, d, generator=gen, dtype=torch.float64)  # (B, L, d)
pos = torch.arange(L)
P = interleaved_to_half_perm(d)
inter = apply_rope(x, pos, layout="interleaved")
half = apply_rope(x, pos, layout="half")
# The complex form: pairs as complex numbers, multiplied by e^{i m θ}.
z = torch.view_as_complex(x.reshape(2, L, d // 2, 2).contiguous())
rot = torch.view_as_real(z * torch.polar(torch.ones(L, d // 2, dtype=torch.float64),
                                         rope_angles(pos, d))).reshape(2, L, d)
rows = [("interleaved 与 half 直接比较", (inter - half).abs().max().item()),
        ("interleaved 输出重排 P 后 与 half(重排 P 后的输入)", (inter[..., P] - apply_rope(
            x[..., P], pos, layout="half")).abs().max().item()),
        ("interleaved 与 复数乘法 e^{imθ}", (inter - rot).abs().max().item())]
print(md_table(rows, ["比较", "最大绝对差"], [None, ".2e"]))
print()
print("P = [" + ", ".join(str(i) for i in P.tolist()) + "]")
assert rows[0][1] > 0.1 and rows[1][1] < 1e-14 and rows[2][1] < 1e-14
