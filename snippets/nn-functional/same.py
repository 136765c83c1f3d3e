import torch
from torch import nn

from blogkit.display import md_table
from blogkit.nnapi import functional_forward, state_names

torch.manual_seed(0)
x_img = torch.randn(4, 3, 16, 16)
x_vec = torch.randn(32, 10)
cases = [
    ("nn.Conv2d(3, 8, 3, padding=1)", "F.conv2d(x, w, b, padding=1)", nn.Conv2d(3, 8, 3, padding=1), x_img),
    ("nn.Linear(10, 5)", "F.linear(x, w, b)", nn.Linear(10, 5), x_vec),
    ("nn.ReLU()", "F.relu(x)", nn.ReLU(), x_img),
    ("nn.MaxPool2d(2)", "F.max_pool2d(x, 2)", nn.MaxPool2d(2), x_img),
    ("nn.BatchNorm1d(10)，eval 模式", "F.batch_norm(x, μ̂, σ̂², γ, β)", nn.BatchNorm1d(10).eval(), x_vec),
    ("nn.Dropout(0.5)，eval 模式", "F.dropout(x, 0.5, training=False)", nn.Dropout(0.5).eval(), x_vec),
]
rows = []
for name, fname, module, x in cases:
    params, buffers = state_names(module)
    with torch.no_grad():
        diff = (module(x) - functional_forward(module, x)).abs().max().item()
    rows.append((name, fname, ", ".join(params) or "—", ", ".join(buffers) or "—", diff))
    assert diff == 0.0  # the same kernels: bit for bit
print(md_table(rows, ["模块 nn.Xxx", "函数 nn.functional.xxx", "参数", "缓冲区", "输出最大差"],
               [None, None, None, None, ".1e"]))
