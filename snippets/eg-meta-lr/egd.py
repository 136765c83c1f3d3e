import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.optim import (
    hedge,
    least_squares_problem,
    nnls_kkt_residual,
    normalized_eg_step,
    run_exponentiated_gradient,
)

torch.set_num_threads(1)
gen = torch.Generator().manual_seed(0)
a = torch.randn(40, 10, generator=gen, dtype=torch.float64)  # (N, n)
x_true = torch.relu(torch.randn(10, generator=gen, dtype=torch.float64))
b = a @ x_true + 0.5 * torch.randn(40, generator=gen, dtype=torch.float64)
loss, grad = least_squares_problem(a, b)
theta0 = torch.ones(10, dtype=torch.float64)
lr, steps = 0.5, 300
runs = {"指数梯度下降": run_exponentiated_gradient(grad, theta0, lr, steps),
        "投影梯度下降": run_exponentiated_gradient(grad, theta0, lr, steps, projected=True)}
unconstrained = torch.linalg.lstsq(a, b.unsqueeze(1)).solution.squeeze(1)  # (n,)
best = loss(runs["投影梯度下降"][-1]).item()  # projected GD has converged (KKT residual ~ 1e-16)

rows = []
for name, traj in runs.items():
    last = traj[-1]
    rows.append((name, traj.min().item(), loss(last).item() - best, nnls_kkt_residual(last, grad(last)),
                 last.min().item()))
print(md_table(rows, ["方法", "全程最小的分量", f"第 {steps} 步的 L − L*", "KKT 残差", "最终最小分量"],
               [None, ".3g", ".2e", ".2e", ".2e"]))
assert unconstrained.min() < 0  # the unconstrained solution leaves the feasible set ...
assert rows[0][1] > 0  # ... EG never touches zero, let alone crosses it
assert rows[1][3] < 1e-12 and 0 < rows[0][2] < 1e-4  # projected GD exact; EG close and still improving
assert int((runs["投影梯度下降"][-1] == 0).sum()) == 1  # one coordinate of the optimum is zero
gaps = {k: torch.stack([loss(t) for t in v]) - best for k, v in runs.items()}
assert bool((gaps["指数梯度下降"][50:] > gaps["投影梯度下降"][50:]).all())  # EG is behind from step 50 on
value("eg-unconstrained-min", unconstrained.min().item(), ".4f")
value("eg-gap", rows[0][2], ".1e")

# On the simplex, normalised EG with linear costs is the closed-form Hedge rule
costs = torch.rand(50, 5, generator=gen, dtype=torch.float64)  # (T, n)
w = torch.full((5,), 0.2, dtype=torch.float64)
for c in costs:
    w = normalized_eg_step(w, c, 0.3)
hedge_gap = (w - hedge(costs, 0.3)).abs().max().item()
assert hedge_gap < 1e-14
value("eg-hedge-gap", hedge_gap, ".0e")

fig, ax = figure(size=(6.0, 3.3))
for name, gap in gaps.items():
    ax.semilogy(range(steps + 1), gap.clamp_min(1e-17), label=name)
ax.set_xlabel("步数 t")
ax.set_ylabel(r"$L(\theta_t) - L^*$")
ax.legend(fontsize=8)
print()
print(svg(fig, caption=f"非负最小二乘上两种方法的目标函数差距（学习率 {lr:g}）。"
                       "投影梯度下降把最优解中为零的那个分量直接截到零；指数梯度下降只能让它按指数规律趋近于零，"
                       "差距下降得慢得多。"))
