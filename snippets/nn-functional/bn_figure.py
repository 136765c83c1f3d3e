import numpy as np
import torch
from torch import nn

from blogkit.display import figure, md_table, svg, value
from blogkit.nnapi import batch_norm_eval, batch_norm_train, ema_closed_form

gen = torch.Generator().manual_seed(0)
mu, sigma, m = 3.0, 2.0, 0.1

# Running statistics of nn.BatchNorm1d while training on batches from N(3, 2²)
bn = nn.BatchNorm1d(1, momentum=m).double()
steps = np.arange(1, 81)
run_mean, run_var = [], []
for _ in steps:
    bn(mu + sigma * torch.randn(16, 1, generator=gen, dtype=torch.float64))
    run_mean.append(bn.running_mean.item())
    run_var.append(bn.running_var.item())
ema_mean = [ema_closed_form(0.0, mu, m, int(t)) for t in steps]
ema_var = [ema_closed_form(1.0, sigma**2, m, int(t)) for t in steps]

# Train-mode output minus eval-mode output (running stats at their limits μ, σ²), per batch size.
# Each of the R channels is an independent batch of B samples.
R, rows = 4000, []
for B in (4, 8, 16, 32, 64, 128, 256):
    x = mu + sigma * torch.randn(B, R, generator=gen, dtype=torch.float64)
    y_train = batch_norm_train(x, torch.zeros(R, dtype=x.dtype), torch.ones(R, dtype=x.dtype), eps=0.0)[0]
    pop_mean, pop_var = torch.full((R,), mu, dtype=x.dtype), torch.full((R,), sigma**2, dtype=x.dtype)
    y_eval = batch_norm_eval(x, pop_mean, pop_var, eps=0.0)
    mse = ((y_train - y_eval) ** 2).mean().item()
    rows.append((B, mse, B * mse, np.sqrt(1.5 / B)))
print(md_table(rows, ["批大小 B", "E[(y_train − y_eval)²]", "B × 均方差", "√(3/(2B))"],
               ["d", ".5f", ".3f", ".4f"]))
Bs = np.array([r[0] for r in rows])
mses = np.array([r[1] for r in rows])
slope = np.polyfit(np.log(Bs[2:]), np.log(mses[2:]), 1)[0]
assert all(abs(r[2] - 1.5) < 0.1 * 1.5 for r in rows if r[0] >= 32)  # MSE ≈ 3/(2B)
assert abs(slope + 1) < 0.1 and bool(np.all(np.diff(mses) < 0))
dev_mean = max(abs(a - b) for a, b in zip(run_mean, ema_mean, strict=True))
dev_var = max(abs(a - b) for a, b in zip(run_var, ema_var, strict=True))
assert dev_mean < 0.25 * mu and dev_var < 0.25 * sigma**2  # the measured curves stay near the closed form
value("nf-slope", slope, ".2f")
value("nf-R", R, ",d")
value("nf-rms-16", float(np.sqrt(mses[Bs == 16][0])), ".2f")
value("nf-Bmse-256", rows[-1][2], ".3f")

fig, (ax1, ax2) = figure(1, 2, size=(7.4, 3.1))
ax1.plot(steps, run_mean, label="running_mean")
ax1.plot(steps, ema_mean, "--", color="C0", lw=1, label="闭式解（批均值取 μ）")
ax1.plot(steps, run_var, label="running_var")
ax1.plot(steps, ema_var, "--", color="C1", lw=1, label="闭式解（批方差取 σ²）")
ax1.set_xlabel("训练步数")
ax1.set_title("训练时更新的滑动统计量", fontsize=9)
ax1.legend(fontsize=7)
ax2.loglog(Bs, np.sqrt(mses), "o-", label="实测")
ax2.loglog(Bs, np.sqrt(1.5 / Bs), "k--", lw=1, label="√(3/(2B))")
ax2.set_xlabel("批大小 B")
ax2.set_title("train() 与 eval() 输出之差的均方根", fontsize=9)
ax2.legend(fontsize=8)
print()
print(svg(fig, caption=f"左：数据来自 N({mu:g}, {sigma:g}²)、批大小 16、动量 {m:g} 时 BatchNorm 的滑动均值"
                       "与滑动方差，虚线是把每批的统计量换成总体值后的闭式解，实测曲线围绕它抖动。"
                       "右：滑动统计量已等于总体值时，同一批数据在 train() 与 eval() 下输出之差的均方根"
                       "随批大小的变化，与 √(3/(2B)) 相符。"))
