import math

import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.optim import decoupled_update_direction, lion_update, rosenbrock, rosenbrock_grad

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
print(md_table(rows, [f"量(d = {d}, η = {lr:g}, λ = {wd:g})", "值"], [None, ".9f"]))
assert abs(u.abs().max().item() - 1) < 1e-12 and abs(u.abs().min().item() - 1) < 1e-12
assert abs(torch.linalg.vector_norm(u).item() - math.sqrt(d)) < 1e-9

# Part 2: Rosenbrock from (-1.5, 2) with a constant η = 0.01, no weight decay
start, minimum = torch.tensor([-1.5, 2.0], dtype=torch.float64), torch.tensor([1.0, 1.0], dtype=torch.float64)
runs = {"Lion (β1=0.9, β2=0.99)": (0.9, 0.99), "signSGD (β1=β2=0)": (0.0, 0.0)}
paths, table = {}, []
for name, (b1, b2) in runs.items():
    th, m = start.clone(), torch.zeros(2, dtype=torch.float64)
    path = [th]
    for _ in range(1000):
        th, m = lion_update(th, rosenbrock_grad(th), m, 0.01, b1, b2, 0.0)
        path.append(th)
    path = torch.stack(path)
    moves = (path[1:] - path[:-1]).abs()
    paths[name] = path
    end = path[-1]
    dist = torch.linalg.vector_norm(path - minimum, dim=1)
    table.append((name, end[0].item(), end[1].item(), rosenbrock(end).item(),
                  dist[200].item(), dist[-1].item()))
    assert abs(moves.min().item() - 0.01) < 1e-12 and abs(moves.max().item() - 0.01) < 1e-12  # always ±η
    assert torch.equal(path[-1], path[-3])  # the last steps go back and forth (a 2-cycle)
print()
headers = ["优化器", "$x_{1000}$", "$y_{1000}$", "$f(x_{1000},y_{1000})$", "第 200 步到 $(1,1)$ 的距离",
           "第 1000 步到 $(1,1)$ 的距离"]
print(md_table(table, headers, [None, ".3f", ".3f", ".4f", ".3f", ".3f"]))
assert table[0][5] < 0.2 < 2 < table[1][5]
value("lion-rosen-lion", table[0][5], ".3f")
value("lion-rosen-sign", table[1][5], ".3f")
# signSGD is trapped after its first few steps: from then on it visits just two points
assert len(torch.unique(paths["signSGD (β1=β2=0)"][10:], dim=0)) == 2

fig, ax = figure(size=(6.4, 3.8))
xs, ys = torch.meshgrid(torch.linspace(-2, 2, 200), torch.linspace(-0.5, 3, 200), indexing="xy")
grid = rosenbrock(torch.stack([xs, ys], dim=-1))
ax.contour(xs.numpy(), ys.numpy(), torch.log10(grid + 1e-3).numpy(), levels=15, linewidths=0.6, alpha=0.6)
for (name, path), marker in zip(paths.items(), ["", "o"], strict=True):
    ax.plot(path[:, 0].numpy(), path[:, 1].numpy(), lw=1.2, marker=marker, ms=3, label=name)
ax.plot([1], [1], "k*", ms=10, label="minimum (1, 1)")
ax.plot([start[0].item()], [start[1].item()], "ko", ms=4)
ax.set_xlabel("$x$")
ax.set_ylabel("$y$")
ax.set_title(r"Rosenbrock, constant $\eta=0.01$: every move is $(\pm\eta, \pm\eta)$")
ax.legend(loc="lower left", fontsize=8)
print()
print(svg(fig, label="lion-rosenbrock",
          caption="常数学习率 η = 0.01 时 Lion 与 signSGD 在 Rosenbrock 函数上的 1000 步轨迹"
                       "（等高线为 log f）。每一步两个坐标都恰好移动 η。"))
