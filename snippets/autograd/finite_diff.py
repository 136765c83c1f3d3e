import numpy as np
import torch

from blogkit.autograd import Value, example, finite_difference
from blogkit.display import figure, md_table, svg, value

# ∂f/∂x of the running example at (0.8, −1.3): the engine, torch, and difference quotients
point = [0.8, -1.3]
x, y = Value(point[0]), Value(point[1])
out = example(x, y)
out.backward()
xt, yt = (torch.tensor(c, dtype=torch.float64, requires_grad=True) for c in point)
example(xt, yt).backward()
assert x.grad == xt.grad.item()  # the same bits

hs = np.logspace(-1, -14, 53)
err = {s: np.array([abs(finite_difference(example, point, 0, h, s) - x.grad) for h in hs])
       for s in ("forward", "central")}
eps = np.finfo(float).eps
rows, slopes, best_h = [], {}, {}
for s, p, lo, hi in (("forward", 1, 1e-5, 1e-2), ("central", 2, 1e-3, 1e-1)):
    fit = (hs >= lo) & (hs <= hi)  # where truncation dominates
    slopes[s] = np.polyfit(np.log10(hs[fit]), np.log10(err[s][fit]), 1)[0]
    k = int(np.argmin(err[s]))
    best_h[s] = hs[k]
    rows.append((s, p, slopes[s], hs[k], eps ** (1 / (p + 1)), err[s][k], eps ** (p / (p + 1))))
print(md_table(rows, ["差分格式", "截断误差阶 $p$", "大 $h$ 一侧的斜率", "误差最小的 $h$",
                      r"$\epsilon^{1/(p+1)}$", "最小误差", r"$\epsilon^{p/(p+1)}$"],
               [None, "d", ".2f", ".0e", ".0e", ".1e", ".0e"]))
for (s, p, slope, h, h_pred, e, e_pred) in rows:
    assert abs(slope - p) < 0.05  # truncation error ∝ h^p
    assert h_pred / 100 < h < h_pred * 100 and e_pred / 10 < e < e_pred * 10  # the balance point
    assert err[s][-1] > 100 * e  # rounding takes over at tiny h
value("ag-eps", eps, ".1e")
value("ag-fd-forward", rows[0][5], ".0e")
value("ag-fd-central", rows[1][5], ".0e")
value("ag-fd-h-central", rows[1][3], ".0e")

fig, ax = figure(size=(6.4, 3.4))
ax.loglog(hs, err["forward"], "o-", ms=3, label="前向差分")
ax.loglog(hs, err["central"], "s-", ms=3, label="中心差分")
ax.axhline(eps * abs(x.grad), color="k", ls=":", lw=1, label="float64 舍入量级 ε·|∂f/∂x|")
for p, c in ((1, "C0"), (2, "C1")):
    ax.axvline(eps ** (1 / (p + 1)), color=c, ls="--", lw=0.8)
ax.invert_xaxis()
ax.set_xlabel("步长 h")
ax.set_ylabel("与反向传播梯度之差")
ax.legend(fontsize=8, loc="upper center")
print()
print(svg(fig, caption="差分商与反向模式梯度（和 torch 的结果逐位相同）之差随步长 h 的变化。h 较大时截断误差"
                       "按 h 与 h² 下降，h 太小时舍入误差按 ε/h 回升；虚线标出 ε^(1/2) 与 ε^(1/3)。"))
