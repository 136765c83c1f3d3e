import math

import torch

from blogkit.device import default_device
from blogkit.display import md_table, value
from blogkit.widening import layer_norm, widen_input, widen_layernorm

dev = default_device()
gen = torch.Generator().manual_seed(0)
d, eps = 16, 1e-5
x = (1 + 2 * torch.randn(8, d, generator=gen, dtype=torch.float64)).to(dev)  # 8 vectors of width d
gamma = (1 + 0.1 * torch.randn(d, generator=gen, dtype=torch.float64)).to(dev)
beta = (0.1 * torch.randn(d, generator=gen, dtype=torch.float64)).to(dev)
g2, b2 = widen_layernorm(gamma, beta)
c = 1 / math.sqrt(2)

# (description, wide input, ε of the small LN, ε of the wide LN, unbiased variance in both?)
cases = [
    (r"$[x,x]$，$\epsilon$ 不变", widen_input(x), eps, eps, False),
    (r"$[x,x]$，$\epsilon=1$（很大），不变", widen_input(x), 1.0, 1.0, False),
    (r"$[x,x]$，但方差除以 $n-1$", widen_input(x), eps, eps, True),
    (r"补零而非复制：$[x,0]$", torch.cat([x, torch.zeros_like(x)], -1), eps, eps, False),
    (r"$[x,x]/\sqrt2$，$\epsilon$ 不变", c * widen_input(x), eps, eps, False),
    (r"$[x,x]/\sqrt2$，$\epsilon$ 换成 $\epsilon/2$", c * widen_input(x), eps, eps * c * c, False),
]
rows = []
for name, xw, e_small, e_wide, unbiased in cases:
    target = widen_input(layer_norm(x, gamma, beta, e_small, unbiased=unbiased))
    err = (layer_norm(xw, g2, b2, e_wide, unbiased=unbiased) - target).abs().max().item()
    rows.append((name, err))
print(md_table(rows, ["宽模型的输入与 LayerNorm", r"与 $[\mathrm{LN}(x),\mathrm{LN}(x)]$ 的最大绝对差"],
               [None, ".1e"]))

assert rows[0][1] < 1e-12 and rows[1][1] < 1e-12 and rows[5][1] < 1e-12
assert rows[2][1] > 1e-2 and rows[3][1] > 1e-1 and 1e-8 < rows[4][1] < 1e-4
value("lw-ln-unbiased", rows[2][1], ".3f")
value("lw-ln-scaled", rows[4][1], ".1e")
