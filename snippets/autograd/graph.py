import torch

from blogkit.autograd import torch_graph
from blogkit.display import md_table

# x = ones(2, 2), y = x + 2, z = 3 y², out = mean(z)
x = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
rows = [("x", "叶子（用户创建）", "—", x.requires_grad),
        ("y = x + 2", "运算结果", type(y.grad_fn).__name__, y.requires_grad),
        ("z = y·y·3", "运算结果", type(z.grad_fn).__name__, z.requires_grad),
        ("out = mean(z)", "运算结果", type(out.grad_fn).__name__, out.requires_grad)]
print(md_table(rows, ["张量", "来源", "grad_fn", "requires_grad"]))
print()
edges = torch_graph(out)
print(md_table(edges, ["反向图中的节点", "它指向的输入节点"]))
assert edges.count(("MulBackward0#2", "AddBackward0")) == 2  # y·y uses the node of y twice
assert ("MulBackward0", "MulBackward0#2") in edges and len(edges) == 5  # ·3: the constant has no node
