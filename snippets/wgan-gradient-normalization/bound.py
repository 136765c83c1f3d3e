from functools import partial

import torch

from blogkit.display import md_table, value
from blogkit.gan import critic_gradient, gradient_normalize, piecewise_gradient_normalize, relu_mlp, squash

gen = torch.Generator().manual_seed(1)
n = 10_000
x = torch.rand(n, 2, generator=gen, dtype=torch.float64) * 6 - 3  # (n, 2), uniform on [-3, 3]²
rows, worst = [], {}
for name, act, seed in [("ReLU", "relu", 0), ("ReLU", "relu", 1), ("LeakyReLU", "leaky_relu", 0)]:
    net = relu_mlp([2, 64, 64, 1], seed, activation=act)  # float64 critic 2-64-64-1
    f, g = critic_gradient(net, x)  # f(x), ‖∇f‖
    gn, gn_grad = critic_gradient(partial(gradient_normalize, net), x)  # f̂, ‖∇f̂‖
    gran, gran_grad = critic_gradient(partial(piecewise_gradient_normalize, net), x)
    formula = g**2 / (g + f.abs()) ** 2  # the right-hand side of the gradient formula
    scaled = gradient_normalize(lambda z, net=net: 1000.0 * net(z), x)  # critic × 1000
    rows.append((f"{name} #{seed}", gn.abs().max().item(), gn_grad.max().item(),
                 (gn_grad - formula).abs().max().item(), (gran_grad - 1).abs().max().item(),
                 (gn - squash(gran)).abs().max().item(), (scaled - gn).abs().max().item()))
    worst[name + str(seed)] = gn_grad.max().item()
print(md_table(rows, ["判别器", "max ∣f̂∣", "max ‖∇f̂‖", "梯度公式之差", "GraN：∣‖∇f̃‖−1∣",
                      "∣f̂ − φ(f̃)∣", "f×1000 后之差"],
               [None, ".4f", ".5f", ".1e", ".1e", ".1e", ".1e"]))
assert all(r[1] < 1 and r[2] <= 1 for r in rows)  # |f̂| < 1 and ‖∇f̂‖ ≤ 1 at every point
assert all(max(r[3:]) < 1e-10 for r in rows)  # the formula, GraN's unit norm, GN = φ(GraN), scale
value("gn-n", n, ",d")
value("gn-max-grad", max(worst.values()), ".5f")
