import torch

from blogkit.autograd import Value
from blogkit.display import md_table, value

x = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
out = (3 * (x + 2) * (x + 2)).mean()
out.backward()
# The same four numbers through the scalar engine.
xs = [Value(1.0) for _ in range(4)]
out_v = sum((3 * (xi + 2) ** 2 for xi in xs), Value(0.0)) / 4
out_v.backward()
out_hand = 3 * (1.0 + 2) ** 2  # mean of four equal terms 3(x_i + 2)²
grad_hand = [1.5 * (1.0 + 2)] * 4  # ∂out/∂x_i = (3/2)(x_i + 2)
print(md_table([("torch.autograd", out.item(), *x.grad.flatten().tolist()),
                ("blogkit.autograd.Value", out_v.data, *(xi.grad for xi in xs)),
                ("手算：(3/2)(xᵢ + 2)", out_hand, *grad_hand)],
               ["", "out", "∂out/∂x₁", "∂out/∂x₂", "∂out/∂x₃", "∂out/∂x₄"],
               [None, ".1f", ".2f", ".2f", ".2f", ".2f"]))
assert out.item() == out_v.data == out_hand
assert x.grad.flatten().tolist() == [xi.grad for xi in xs] == grad_hand
value("ag-out", out_hand, ".0f")
value("ag-grad", grad_hand[0], ".1f")
