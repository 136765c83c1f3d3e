import torch
import torch.nn.functional as F
from torch import nn

from blogkit.display import md_table, value
from blogkit.nnapi import batch_norm_eval, batch_norm_train, ema_closed_form

torch.manual_seed(0)
C, B, m = 4, 16, 0.1
bn = nn.BatchNorm1d(C, momentum=m).double()
with torch.no_grad():
    bn.weight.uniform_(0.5, 1.5)
    bn.bias.uniform_(-0.5, 0.5)
mean, var = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)
var_biased = var.clone()  # negative control: running average of the biased σ_B²

# 1) the formulas against nn.BatchNorm1d, step by step, in training mode
rows = []
for step in range(1, 6):
    x = 3 + 2 * torch.randn(B, C, dtype=torch.float64)
    y_mod = bn(x)
    y_ours, mean, var = batch_norm_train(x, mean, var, bn.weight, bn.bias, m, bn.eps)
    var_biased = (1 - m) * var_biased + m * x.var(0, unbiased=False)
    rows.append((step, (y_mod - y_ours).abs().max().item(), (bn.running_mean - mean).abs().max().item(),
                 (bn.running_var - var).abs().max().item(), (bn.running_var - var_biased).abs().max().item()))
print(md_table(rows, ["训练步", "输出之差", "μ̂ 之差", "σ̂² 之差", "σ̂² 若改用有偏方差：之差"],
               ["d", ".1e", ".1e", ".1e", ".1e"]))
assert max(max(r[1:4]) for r in rows) < 1e-12
assert min(r[4] for r in rows) > 1e-3  # the running variance is the unbiased one

# 2) the same batch again and again: the running mean follows the closed form exactly
bn2 = nn.BatchNorm1d(C, momentum=m).double()
x = 3 + 2 * torch.randn(B, C, dtype=torch.float64)
mu_b, var_b = x.mean(0), x.var(0, unbiased=False)
gaps = []
for t in range(1, 41):
    bn2(x)
    gaps.append(max(abs(bn2.running_mean[0].item() - ema_closed_form(0.0, mu_b[0].item(), m, t)),
                    abs(bn2.running_var[0].item()
                        - ema_closed_form(1.0, var_b[0].item() * B / (B - 1), m, t))))
assert max(gaps) < 1e-12

# F.batch_norm is stateless only in that the caller owns the buffers: training=True updates them in place
r_mean, r_var = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)
F.batch_norm(x, r_mean, r_var, training=True, momentum=m)
_, ref_mean, ref_var = batch_norm_train(x, torch.zeros_like(r_mean), torch.ones_like(r_var), momentum=m)
assert (r_mean - ref_mean).abs().max() < 1e-12 and (r_var - ref_var).abs().max() < 1e-12

# 3) what a sample's output depends on
s = 3 + 2 * torch.randn(1, C, dtype=torch.float64)  # one sample, placed in two different batches
b1 = torch.cat([s, 3 + 2 * torch.randn(B - 1, C, dtype=torch.float64)])
b2 = torch.cat([s, 3 + 2 * torch.randn(B - 1, C, dtype=torch.float64)])
bn.train()
train_gap = (bn(b1)[0] - bn(b2)[0]).abs().max().item()
bn.eval()
eval_gap = (bn(b1)[0] - bn(b2)[0]).abs().max().item()
ours_eval = batch_norm_eval(b1, bn.running_mean, bn.running_var, bn.weight, bn.bias, bn.eps)
assert (ours_eval - bn(b1)).abs().max().item() < 1e-12
try:
    bn.train()
    bn(s)
    single = "可以"
except ValueError:
    single = "报错（每个通道至少要两个值）"
bn.eval()
single_eval = bn(s).shape
print()
print(md_table([("train()", train_gap, single), ("eval()", eval_gap, f"可以，输出形状 {tuple(single_eval)}")],
               ["模式", "同一样本放进两个批次，输出之差", "批次里只有一个样本"], [None, ".3f", None]))
assert train_gap > 1e-2 and eval_gap == 0.0 and single.startswith("报错")
value("nf-B", B, "d")
value("nf-m", m, "g")
value("nf-decay-30", (1 - m) ** 30, ".3f")
value("nf-train-gap", train_gap, ".3f")
