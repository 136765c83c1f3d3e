import math

import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.optim import eg_lr_adapt, quadratic_best_lr, quadratic_problem

torch.set_num_threads(1)
eig = torch.linspace(1.0, 10.0, 20, dtype=torch.float64)  # Hessian eigenvalues, μ = 1, L = 10
problem = quadratic_problem(eig)
theta0 = torch.ones(20, dtype=torch.float64)
steps = 200
best, rate = quadratic_best_lr(eig)
runs = {  # name: (η0, γ, normalised)
    "最优常数步长 2/(μ+L)": (best, 0.0, True),
    "常数步长 0.01": (0.01, 0.0, True),
    r"余弦版，$\eta_0$ = 0.01，γ = 0.2": (0.01, 0.2, True),
    r"余弦版，$\eta_0$ = 0.3，γ = 0.2": (0.3, 0.2, True),
    r"内积版，$\eta_0$ = 0.01，γ = 1e-4": (0.01, 1e-4, False),
    r"内积版，$\eta_0$ = 0.01，γ = 1e-3": (0.01, 1e-3, False),
}
res = {k: eg_lr_adapt(*problem, theta0, *v[:2], steps, normalized=v[2]) for k, v in runs.items()}
rows = []
for k, r in res.items():
    tail = r.lrs[-100:]
    rows.append((k, r.losses[100].item(), r.losses[-1].item(), math.exp(tail.log().mean().item()),
                 tail.min().item(), tail.max().item()))
print(md_table(rows, ["步长", "第 100 步的损失", f"第 {steps} 步的损失", "后 100 步 η 的几何平均",
                      "最小", "最大"],
               [None, ".2e", ".2e", ".4f", ".4f", ".4f"]))

final = {k: r.losses[-1].item() for k, r in res.items()}
cos_runs = [k for k in runs if k.startswith("余弦")]
dot_runs = [k for k in runs if k.startswith("内积")]
assert all(final[k] < final["最优常数步长 2/(μ+L)"] for k in cos_runs)  # adaptive beats the best constant
assert all(rows[list(runs).index(k)][5] > 2 / eig.max().item() for k in cos_runs)  # η visits unstable values
assert all(0.15 < rows[list(runs).index(k)][3] < 0.3 for k in cos_runs)  # and hovers around 2/(μ+L)
frozen = [res[k].lrs[-100:].max().item() / res[k].lrs[-100:].min().item() - 1 for k in dot_runs]
assert max(frozen) < 0.01  # the dot-product version stops adapting ...
rise = [(res[k].lrs[20] - res[k].lrs[0], res[k].lrs[-1] - res[k].lrs[0]) for k in dot_runs]
assert all(early > 0.9 * total > 0 for early, total in rise)  # the rise happens in the first 20 steps
assert all(rows[list(runs).index(k)][4] < best for k in cos_runs)  # η also goes well below η*
assert res[dot_runs[1]].lrs[-1] > 3 * res[dot_runs[0]].lrs[-1]  # ... at a value set by γ and |g|
value("eg-q-best", best, ".4f")
value("eg-q-dim", eig.numel(), "d")
value("eg-q-mu", eig.min().item(), "g")
value("eg-q-L", eig.max().item(), "g")
value("eg-q-steps", steps, "d")
value("eg-q-rate", rate, ".4f")
value("eg-q-unstable", 2 / eig.max().item(), "g")
value("eg-q-orders", math.log10(final["最优常数步长 2/(μ+L)"] / max(final[k] for k in cos_runs)), ".0f")

fig, (ax1, ax2) = figure(1, 2, size=(7.4, 3.3))
for i, (k, r) in enumerate(res.items()):
    ax1.semilogy(range(steps + 1), r.losses, color=f"C{i}", lw=1, label=k)
    if k in cos_runs or k in dot_runs:
        ax2.semilogy(range(steps), r.lrs, color=f"C{i}", lw=0.8)
ax2.axhline(best, color="k", ls="--", lw=1)
ax2.axhline(2 / eig.max().item(), color="k", ls=":", lw=1)
ax1.set_xlabel("步数 t")
ax1.set_ylabel("损失")
ax2.set_xlabel("步数 t")
ax2.set_ylabel(r"步长 $\eta_t$")
ax1.legend(fontsize=6)
print()
print(svg(fig, caption="20 维二次函数（特征值均匀分布在 1 到 10）上的比较。左：损失；右：自适应步长，"
                       "虚线是最优常数步长 2/(μ+L)，点线是常数步长的稳定上限 2/L。"))
