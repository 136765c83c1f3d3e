import torch

from blogkit.diffusion import GaussianMixture, VPSchedule, fokker_planck_terms
from blogkit.display import md_table, value

data = GaussianMixture.of([0.3, 0.7], [-2.0, 1.5], [0.3, 0.5])
vp = VPSchedule(beta_min=0.1, beta_max=20.0)
x = torch.linspace(-4, 4, 801, dtype=torch.float64)
rows = []
for t in (0.05, 0.2, 0.5):
    dp_dt, transport, diffusion = fokker_planck_terms(vp.density(data), vp.drift, vp.beta, x, t)
    scale = dp_dt.abs().max().item()
    right = (dp_dt - transport - diffusion).abs().max().item()
    wrong = (dp_dt - transport - 2 * diffusion).abs().max().item()  # g² Δp instead of ½ g² Δp
    flipped = (dp_dt + transport - diffusion).abs().max().item()  # drift with the wrong sign
    rows.append((t, scale, right, wrong, flipped))
print(md_table(rows, ["t", "∂p/∂t 的最大绝对值", "残差：原方程", "残差：扩散系数写成 g²", "残差：漂移项反号"],
               [".2f", ".3f", ".1e", ".3f", ".3f"]))
assert all(r[2] < 1e-5 * r[1] for r in rows)  # holds to finite-difference accuracy
assert all(min(r[3], r[4]) > 0.1 * r[1] for r in rows)  # either mistake leaves an O(1) residual
value("sde-fp-rel", max(r[2] / r[1] for r in rows), ".1e")
