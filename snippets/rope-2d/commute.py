import torch

from blogkit.display import md_table, value
from blogkit.rope import (
    apply_rope_2d,
    commutator,
    exp_commutator_quotient,
    exp_rotation,
    relativity_defect,
    rope_generators_2d,
)

d = 8
A, B = rope_generators_2d(d)
# A pair that does not commute: rotations in the planes (e0, e1) and (e1, e2) of R^3.
A3 = torch.zeros(3, 3, dtype=torch.float64)
B3 = torch.zeros(3, 3, dtype=torch.float64)
A3[0, 1], A3[1, 0] = -1.0, 1.0
B3[1, 2], B3[2, 1] = -1.0, 1.0
p1, p2 = (0.7, -0.4), (1.9, 0.8)
rows = [(f"RoPE-2D 的 A、B（d = {d}）", commutator(A, B).abs().max().item(), relativity_defect(A, B, p1, p2)),
        ("三维中两个相邻平面内的旋转", commutator(A3, B3).abs().max().item(),
         relativity_defect(A3, B3, p1, p2))]
defect = r"$\max\vert\mathcal{R}_{p_1}^{\top}\mathcal{R}_{p_2} - \mathcal{R}_{p_2-p_1}\vert$"
print(md_table(rows, ["生成元", r"$\max\vert[A, B]\vert$", f"{defect}，$p_1 = {p1}$，$p_2 = {p2}$"],
               [None, ".2e", ".2e"]))
assert rows[0][1] == 0 and rows[0][2] < 1e-12 and rows[1][1] > 0.5 and rows[1][2] > 0.05

# The necessity step: (e^{εA} e^{εB} - e^{εB} e^{εA}) / ε² tends to [A, B].
target = commutator(A3, B3)
steps = [(eps, (exp_commutator_quotient(A3, B3, eps, eps) - target).abs().max().item())
         for eps in (0.1, 0.01, 0.001)]
quotient = r"(e^{\varepsilon A}e^{\varepsilon B} - e^{\varepsilon B}e^{\varepsilon A})/\varepsilon^2"
print()
print(md_table(steps, ["ε", rf"$\max\vert {quotient} - [A,B]\vert$"], ["g", ".1e"]))
errs = [e for _, e in steps]
assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-2  # shrinks like ε
value("rope2d-quotient-err", errs[-1], ".0e")

# The matrix exponential and the fast elementwise form agree.
gen = torch.Generator().manual_seed(0)
q = torch.randn(d, generator=gen, dtype=torch.float64)
diff = (exp_rotation(3.0, 5.0, A, B) @ q - apply_rope_2d(q[None], [3.0], [5.0])[0]).abs().max()
print()
print(md_table([(r"$\exp(3A + 5B)\,q$ 与逐元素的两次一维 RoPE", diff.item())], ["比较", "最大绝对差"],
               [None, ".1e"]))
assert diff < 1e-12
