import math

import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.optim import eg_lr_adapt, quadratic_problem

torch.set_num_threads(1)
gamma, phase, burn = 0.5, 60, 10  # meta step size γ; steps per phase; burn-in steps
curv = (4.0, 1.0)  # the curvature a of L = aθ²/2 switches from 4 to 1 halfway
problems = [quadratic_problem(torch.tensor([a], dtype=torch.float64)) for a in curv]
starts = (0.01, 0.4, 0.9)
lrs, rows, inside = {}, [], True
for lr0 in starts:
    first = eg_lr_adapt(*problems[0], torch.ones(1, dtype=torch.float64), lr0, gamma, phase)
    second = eg_lr_adapt(*problems[1], first.thetas[-1], first.lrs[-1].item(), gamma, phase)
    lrs[lr0] = torch.cat([first.lrs, second.lrs])
    for run, a in ((first, curv[0]), (second, curv[1])):
        tail = run.lrs[burn:]  # after the burn-in
        lo, hi = math.exp(-gamma) / a, math.exp(gamma) / a
        inside &= bool((tail >= lo * (1 - 1e-12)).all() and (tail <= hi * (1 + 1e-12)).all())
        rows.append((lr0, f"a = {a:g}", 1 / a, tail.min().item(), tail.max().item(),
                     math.exp(tail.log().mean().item())))
print(md_table(rows, [r"$\eta_0$", "阶段", "1/a", "η 的最小值", "η 的最大值", "η 的几何平均"],
               [".2f", None, ".3f", ".4f", ".4f", ".4f"]))
assert inside  # in each phase, after the burn-in: e^{-γ}/a ≤ η_t ≤ e^{γ}/a
value("eg-1d-gamma", gamma, "g")
value("eg-1d-a0", curv[0], "g")
value("eg-1d-a1", curv[1], "g")
value("eg-1d-burn", burn, "d")
value("eg-1d-lo", math.exp(-gamma), ".3f")
value("eg-1d-hi", math.exp(gamma), ".3f")

fig, ax = figure(size=(6.4, 3.4))
t = torch.arange(2 * phase)
for lr0, path in lrs.items():
    ax.semilogy(t, path, ".-", ms=3, lw=0.9, label=rf"$\eta_0 = {lr0:g}$")
for k, a in enumerate(curv):
    span = (k * phase, (k + 1) * phase - 1)
    ax.hlines(1 / a, *span, color="k", lw=1.0, ls="--")
    ax.fill_between(span, math.exp(-gamma) / a, math.exp(gamma) / a, color="0.85", zorder=0)
ax.set_xlabel("步数 t")
ax.set_ylabel(r"步长 $\eta_t$")
ax.legend(fontsize=8)
print()
print(svg(fig, caption=f"一维二次函数 aθ²/2 上的自适应步长（γ = {gamma:g}，对数纵轴）。"
                       f"前 {phase} 步 a = {curv[0]:g}，之后 a = {curv[1]:g}；"
                       "虚线是最优步长 1/a，灰带是 1/a 上下各差一个因子 exp(γ) 的范围。"))
