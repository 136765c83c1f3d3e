import torch

from blogkit.autograd import Value, example
from blogkit.display import md_table

xt, yt = (torch.tensor(c, dtype=torch.float64, requires_grad=True) for c in (0.8, -1.3))
x, y = Value(0.8), Value(-1.3)
ft, f = example(xt, yt), example(x, y)
rows = []
for step in ("第一次 backward", "第二次 backward", "清零", "清零后再 backward"):
    if step == "清零":
        xt.grad.zero_()
        yt.grad.zero_()
        x.grad = y.grad = 0.0
    else:
        ft.backward(retain_graph=True)  # keep the graph for another pass
        f.backward()
    rows.append((step, xt.grad.item(), x.grad, yt.grad.item(), y.grad))
print(md_table(rows, ["操作", "x.grad(torch)", "x.grad(Value)", "y.grad(torch)", "y.grad(Value)"],
               [None, ".6f", ".6f", ".6f", ".6f"]))
assert all(r[1] == r[2] and r[3] == r[4] for r in rows)
assert rows[1][1] == 2 * rows[0][1] and rows[2][1] == 0 and rows[3][1] == rows[0][1]

# Operations that are not recorded: under no_grad, and on a detached tensor.
with torch.no_grad():
    w = xt * 2
d = xt.detach()
print()
print(md_table([("x * 2", (xt * 2).requires_grad, (xt * 2).grad_fn is not None),
                ("with torch.no_grad(): x * 2", w.requires_grad, w.grad_fn is not None),
                ("x.detach()", d.requires_grad, d.grad_fn is not None),
                ("x.detach() * 2", (d * 2).requires_grad, (d * 2).grad_fn is not None)],
               ["表达式", "requires_grad", "有 grad_fn"]))
assert not w.requires_grad and not d.requires_grad and d.data_ptr() == xt.data_ptr()
