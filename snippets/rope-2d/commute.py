import torch

from blogkit.display import md_table
from blogkit.rope import apply_rope_2d, commutator, exp_rotation, relativity_defect, rope_generators_2d

d = 8
A, B = rope_generators_2d(d)
# A pair that does not commute: rotations in the planes (e0, e1) and (e1, e2) of R^3.
A3 = torch.zeros(3, 3, dtype=torch.float64)
B3 = torch.zeros(3, 3, dtype=torch.float64)
A3[0, 1], A3[1, 0] = -1.0, 1.0
B3[1, 2], B3[2, 1] = -1.0, 1.0
p1, p2 = (0.7, -0.4), (1.9, 0.8)
rows = [("RoPE-2D 的 A, B(d = 8)", commutator(A, B).abs().max().item(),
         relativity_defect(A, B, p1, p2)),
        ("两个相邻平面内的旋转(d = 3)", commutator(A3, B3).abs().max().item(),
         relativity_defect(A3, B3, p1, p2))]
print(md_table(rows, ["生成元", "max ∣[A, B]∣", f"max ∣R_p1ᵀR_p2 − R_(p2−p1)∣, p1 = {p1}, p2 = {p2}"],
               [None, ".2e", ".2e"]))
assert rows[0][1] == 0 and rows[0][2] < 1e-12 and rows[1][1] > 0.5 and rows[1][2] > 0.05

# The matrix exponential and the fast elementwise form agree.
gen = torch.Generator().manual_seed(0)
q = torch.randn(d, generator=gen, dtype=torch.float64)
diff = (exp_rotation(3.0, 5.0, A, B) @ q - apply_rope_2d(q[None], [3.0], [5.0])[0]).abs().max()
print()
print(md_table([("exp(3A + 5B) q 与 apply_rope_2d", diff.item())], ["比较", "最大绝对差"], [None, ".1e"]))
assert diff < 1e-12
