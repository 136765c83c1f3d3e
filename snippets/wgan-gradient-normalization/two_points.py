import torch

from blogkit.display import md_table, value
from blogkit.gan import critic_gradient, gradient_normalize, two_point_critic

rows = []
for eps in [1.0, 1e-1, 1e-2, 1e-3]:
    net = two_point_critic(eps)  # f = 1 at 0 and −1 at ε, flat at both points
    ends = gradient_normalize(net, torch.tensor([[0.0], [eps]], dtype=torch.float64)).detach()
    x = torch.linspace(-eps, 2 * eps, 3001, dtype=torch.float64)[:, None]  # around both points
    _, grad = critic_gradient(lambda z, net=net: gradient_normalize(net, z), x)
    rows.append((eps, eps, (ends[0] - ends[1]).item(), grad.max().item()))
print(md_table(rows, ["ε", "两点的 W₁ 距离", "f̂(0) − f̂(ε)", "网格上 ‖∇f̂‖ 的最大值"],
               [".0e", ".0e", ".6f", ".4f"]))
assert all(abs(r[2] - 2) < 1e-12 and r[3] <= 1 for r in rows)
value("gn-two-value", rows[-1][2], ".0f")
value("gn-two-eps", rows[-1][0], ".0e")
