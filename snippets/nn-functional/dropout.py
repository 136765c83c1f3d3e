import torch
import torch.nn.functional as F
from torch import nn

from blogkit.display import md_table, value
from blogkit.nnapi import dropout

# A layer that calls F.dropout without passing training=..., and one that passes it.
p = 0.3
net_module = nn.Sequential(nn.Linear(1, 1), nn.Dropout(p))
x = torch.ones(200_000, 1)
rows = []
for mode in ("train", "eval"):
    net_module.train(mode == "train")
    torch.manual_seed(1)
    with torch.no_grad():
        h = net_module[0](x)
        outs = {
            "nn.Dropout(p)": net_module[1](h),
            "F.dropout(h, p)": F.dropout(h, p),  # training defaults to True
            "F.dropout(h, p, training=self.training)": F.dropout(h, p, training=net_module.training),
        }
    for name, y in outs.items():
        zero = (y == 0).float().mean().item()
        rows.append((f"{mode}()", name, zero, (y.mean() / h.mean()).item()))
print(md_table(rows, ["模式", "写法", "被置零的比例", "输出均值 / 输入均值"], [None, None, ".4f", ".4f"]))
tr = {r[1]: r for r in rows[:3]}
ev = {r[1]: r for r in rows[3:]}
assert all(abs(r[2] - p) < 0.005 and abs(r[3] - 1) < 0.01 for r in tr.values())  # E[y] = x
assert ev["nn.Dropout(p)"][2] == 0 and ev["nn.Dropout(p)"][3] == 1  # identity in eval
assert abs(ev["F.dropout(h, p)"][2] - p) < 0.005  # the bug: still dropping in eval()
assert ev["F.dropout(h, p, training=self.training)"][2] == 0
value("nf-p", p, "g")
value("nf-bug-zero", ev["F.dropout(h, p)"][2], ".3f")

# The formula written out, against torch's own dropout in training mode.
g = torch.Generator().manual_seed(2)
z = torch.randn(1000, 100)
ours = dropout(z, p, training=True, generator=g)
theirs = F.dropout(z, p, training=True)
same_scale = torch.allclose(ours[ours != 0], (z / (1 - p))[ours != 0]) and torch.allclose(
    theirs[theirs != 0], (z / (1 - p))[theirs != 0])
assert same_scale  # survivors are scaled by 1/(1 − p) in both
value("nf-scale", 1 / (1 - p), ".4f")
