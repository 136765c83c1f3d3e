from functools import partial

import torch

from blogkit.display import md_table
from blogkit.optim import hypergradient, logistic_loss

torch.set_num_threads(1)
gen = torch.Generator().manual_seed(1)
x = torch.randn(100, 5, generator=gen, dtype=torch.float64)
y = (x @ torch.randn(5, generator=gen, dtype=torch.float64) > 0).to(torch.float64)
loss = partial(logistic_loss, x=x, y=y)  # logistic regression: not a quadratic
theta_prev = torch.randn(5, generator=gen, dtype=torch.float64)

rows = []
for lr in (0.1, 3.0, 30.0, 100.0):
    auto, formula = hypergradient(loss, theta_prev, lr)
    rows.append((lr, auto, formula, abs(auto - formula)))
print(md_table(rows, ["步长 η", r"自动微分 $\partial L(\theta_t)/\partial\eta$", r"$-g_t\cdot g_{t-1}$",
                      "差"],
               [".1f", ".10f", ".10f", ".1e"]))
worst = max(r[3] for r in rows)
assert worst < 1e-14
assert rows[0][1] < 0 < rows[-1][1]  # a small step wants to grow, a large one to shrink
