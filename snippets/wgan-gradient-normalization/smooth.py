from functools import partial

import torch

from blogkit.display import md_table, value
from blogkit.gan import (
    bump_critic,
    critic_gradient,
    gradient_normalize,
    piecewise_gradient_normalize,
    relu_mlp,
)

x = torch.linspace(-1e-2, 1e-2, 2000, dtype=torch.float64)[:, None]  # around the maximum at 0
rows = []
for a in [4.0, 1.0, 0.5, 0.25]:
    _, grad = critic_gradient(partial(gradient_normalize, bump_critic(a)), x)
    rows.append((f"f = {a:g} − x²", grad.max().item(), 2 / a))
print(md_table(rows, ["光滑判别器", "0 附近 ∣f̂′∣ 的最大值", "2/a"], [None, ".4f", ".4f"]))
assert all(abs(r[1] - r[2]) < 0.05 * r[2] for r in rows) and rows[-1][1] > 1

gen = torch.Generator().manual_seed(1)
pts = torch.rand(20_000, 2, generator=gen, dtype=torch.float64) * 6 - 3
net = relu_mlp([2, 64, 64, 1], 0, activation="tanh")
_, gran = critic_gradient(partial(piecewise_gradient_normalize, net), pts)
value("gn-tanh-gran", gran.max().item(), ".0f")
value("gn-bump-max", rows[-1][1], ".2f")
assert gran.max() > 100
