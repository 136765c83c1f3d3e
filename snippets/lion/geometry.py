import math

import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.optim import (
    cycle_onset,
    decoupled_update_direction,
    lion_momentum_share,
    lion_trajectory,
    lion_update,
    rosenbrock,
    rosenbrock_grad,
    rosenbrock_valley_gap,
)

# Part 1: one Lion step in d = 1000 dimensions, from a random state
torch.manual_seed(0)
d, lr, wd = 1000, 3e-4, 0.1
theta = torch.randn(d, dtype=torch.float64)
grad = torch.randn(d, dtype=torch.float64)
exp_avg = torch.randn(d, dtype=torch.float64)
new_theta, _ = lion_update(theta, grad, exp_avg, lr, 0.9, 0.99, wd)
u = decoupled_update_direction(theta, new_theta, lr, wd)  # Δθ + ηλθ = -η u
rows = [(r"$\max_i \vert u_i\vert$", u.abs().max().item()),
        (r"$\min_i \vert u_i\vert$", u.abs().min().item()),
        (r"$\Vert\Delta\theta + \eta\lambda\theta\Vert_\infty$", lr * u.abs().max().item()),
        (r"$\Vert\Delta\theta + \eta\lambda\theta\Vert_2$", lr * torch.linalg.vector_norm(u).item()),
        (r"$\eta\sqrt{d}$", lr * math.sqrt(d))]
print(md_table(rows, [f"量（d = {d}，η = {lr:g}，λ = {wd:g}）", "值"], [None, ".9f"]))
assert abs(u.abs().max().item() - 1) < 1e-12 and abs(u.abs().min().item() - 1) < 1e-12
assert abs(torch.linalg.vector_norm(u).item() - math.sqrt(d)) < 1e-9

# Part 2: Rosenbrock from (-1.5, 2) with a constant η = 0.01, no weight decay
eta, steps = 0.01, 1000
start, minimum = torch.tensor([-1.5, 2.0], dtype=torch.float64), torch.tensor([1.0, 1.0], dtype=torch.float64)
runs = {"Lion": (0.9, 0.99), "signSGD": (0.0, 0.0)}
paths, table, facts = {}, [], {}
for name, (b1, b2) in runs.items():
    path, momenta = lion_trajectory(rosenbrock_grad, start, eta, b1, b2, steps)  # (steps + 1, 2) each
    paths[name] = path
    moves = (path[1:] - path[:-1]).abs()
    assert abs(moves.min().item() - eta) < 1e-12 and abs(moves.max().item() - eta) < 1e-12  # always ±η
    dist = torch.linalg.vector_norm(path - minimum, dim=1)  # (steps + 1,)
    closest = int(dist.argmin())
    onset = cycle_onset(path)
    assert onset is not None  # the run ends in a 2-cycle
    gaps = rosenbrock_valley_gap(path[-2:])  # y - x² at the two points of the cycle
    share = max(lion_momentum_share(momenta[t], rosenbrock_grad(path[t]), b1).max().item()
                for t in (steps - 2, steps - 1))  # inside the sign, at the two points of the cycle
    facts[name] = dict(closest=closest, dmin=dist[closest].item(), onset=onset, end=dist[-1].item(),
                       gaps=gaps, share=share)
    table.append((name, dist[closest].item(), closest, onset, dist[-1].item() / eta,
                  f"{gaps[0].item():+.4f} / {gaps[1].item():+.4f}", share))
print()
headers = ["优化器", "到 $(1,1)$ 的最近距离", "最近时的步数", "进入 2-周期的步数", "第 1000 步的距离 / η",
           "周期两点的 $y-x^2$", "周期上 $\\beta_1\\vert m\\vert / ((1-\\beta_1)\\vert g\\vert)$ 的最大值"]
print(md_table(table, headers, [None, ".1e", "d", "d", ".1f", None, ".3f"]))

lion, sign = facts["Lion"], facts["signSGD"]
assert lion["dmin"] < 1e-12  # Lion passes through (1, 1) up to round-off ...
assert lion["onset"] > lion["closest"] and 10 < lion["end"] / eta < 20  # then a 2-cycle 10-20 η away
assert sign["onset"] < 10 and sign["dmin"] > 2  # signSGD is caught after a few steps, far from (1, 1)
for f in facts.values():
    assert f["gaps"].prod().item() < 0  # both 2-cycles straddle the valley floor y = x²
    assert f["share"] < 1  # on the cycle the current gradient alone decides the sign
value("lion-rosen-closest", lion["dmin"], ".0e")
value("lion-rosen-closest-step", lion["closest"], "d")
value("lion-rosen-onset", lion["onset"], "d")
value("lion-rosen-end-eta", lion["end"] / eta, ".0f")
value("lion-rosen-share", lion["share"], ".2f")
value("lion-rosen-sign-onset", sign["onset"], "d")
value("lion-rosen-sign", sign["end"], ".2f")

fig, ax = figure(size=(6.4, 3.8))
xs, ys = torch.meshgrid(torch.linspace(-2, 2, 200), torch.linspace(-0.5, 3, 200), indexing="xy")
grid = rosenbrock(torch.stack([xs, ys], dim=-1))
ax.contour(xs.numpy(), ys.numpy(), torch.log10(grid + 1e-3).numpy(), levels=15, linewidths=0.6, alpha=0.6)
labels = {"Lion": r"Lion（$\beta_1=0.9$，$\beta_2=0.99$）", "signSGD": r"signSGD（$\beta_1=\beta_2=0$）"}
for (name, path), marker in zip(paths.items(), ["", "o"], strict=True):
    ax.plot(path[:, 0].numpy(), path[:, 1].numpy(), lw=1.2, marker=marker, ms=3, label=labels[name])
ax.plot([1], [1], "k*", ms=10, label="极小点 (1, 1)")
ax.plot([start[0].item()], [start[1].item()], "ko", ms=4)
ax.set_xlabel("$x$")
ax.set_ylabel("$y$")
ax.set_title(r"Rosenbrock 函数，常数步长 $\eta=0.01$：每一步都是 $(\pm\eta, \pm\eta)$")
ax.legend(loc="lower left", fontsize=8)
print()
print(svg(fig, label="lion-rosenbrock",
          caption="常数学习率 η = 0.01 时 Lion 与 signSGD 在 Rosenbrock 函数上的 1000 步轨迹"
                  "（等高线为 log f）。每一步两个坐标都恰好移动 η。"))
