import torch

from blogkit.display import md_table, value
from blogkit.optim import reparametrized_regression

torch.set_num_threads(1)
gen = torch.Generator().manual_seed(0)
x = torch.randn(64, 8, generator=gen, dtype=torch.float64)  # (N, n) inputs
w_star = torch.randn(8, generator=gen, dtype=torch.float64)
y = x @ w_star  # a noiseless least-squares problem, minimum 0
w0 = torch.zeros(8, dtype=torch.float64)
steps = 200
base_lr = {"Adam": 0.05, "SGD": 0.3}  # learning rates at s = 1
power = {"Adam": 1, "SGD": 2}  # matched rule: α / s for Adam, α / s² for SGD
base = {opt: reparametrized_regression(x, y, w0, 1.0, lr, steps, opt.lower()) for opt, lr in base_lr.items()}

rows, matched, unmatched, final = [], [], [], {}
for opt in ("Adam", "SGD"):
    for s in (10.0, 0.1):
        for is_matched in (True, False):
            lr = base_lr[opt] / s ** power[opt] if is_matched else base_lr[opt]
            traj = reparametrized_regression(x, y, w0, s, lr, steps, opt.lower())
            gap = (traj - base[opt]).abs().max().item()  # nan once SGD has diverged
            loss = 0.5 * (x @ traj[-1] - y).square().mean().item()
            (matched if is_matched else unmatched).append(gap)
            final[(opt, s, is_matched)] = (gap, loss)
            rule = ("α/s" if power[opt] == 1 else "α/s²") if is_matched else "α（不随 s 改变）"
            rows.append((opt, f"{s:g}", rule, f"{lr:.4g}", f"{gap:.1e}" if gap < 1e6 else "发散",
                         f"{loss:.2e}" if loss < 1e12 else "发散"))
print(md_table(rows, ["优化器", "尺度 s", "φ 的学习率", "取值", "w 轨迹与 s = 1 的最大偏差",
                      f"第 {steps} 步的损失"]))

base_loss = {opt: 0.5 * (x @ t[-1] - y).square().mean().item() for opt, t in base.items()}
assert max(matched) < 1e-12  # the matched learning rate reproduces the s = 1 trajectory
assert all(not g < 0.1 for g in unmatched)  # the unmatched one does not (or diverges: nan)
assert base_loss["Adam"] < 1e-6 and base_loss["SGD"] < 1e-10  # the s = 1 runs do solve the problem
assert all(final[(o, 0.1, False)][1] > 0.1 for o in ("Adam", "SGD"))  # s = 0.1 unmatched: behind
assert not final[("SGD", 10.0, False)][1] < 1e12  # s = 10 unmatched: SGD diverges (inf or nan) ...
adam10 = final[("Adam", 10.0, False)]
assert adam10[1] < 1e-6 < 0.1 < adam10[0]  # Adam: elsewhere, converged
value("amos-scale-gap", max(matched), ".0e")
value("amos-scale-adam-lr", base_lr["Adam"], "g")
value("amos-scale-sgd-lr", base_lr["SGD"], "g")
value("amos-scale-n", x.shape[1], "d")
