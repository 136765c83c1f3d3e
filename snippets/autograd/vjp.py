import torch
from torch.autograd.functional import jacobian

from blogkit.autograd import Value, backward
from blogkit.display import md_table, value

gen = torch.Generator().manual_seed(0)
x0 = torch.randn(3, generator=gen, dtype=torch.float64)
v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float64)

# y = 2^k x with the smallest k that makes ‖y‖ ≥ 1000
x = x0.clone().requires_grad_()
y, k = x * 2, 1
while y.norm() < 1000:
    y, k = y * 2, k + 1
y.backward(v)
xv = [Value(float(t)) for t in x0]
yv = [2.0**k * t for t in xv]
backward(yv, v.tolist())
rows = [("y.backward(v)", *x.grad.tolist()),
        ("Value：一次反向，种子 v", *(t.grad for t in xv)),
        (f"2ᵏ · v = {2**k} · v", *(2.0**k * v).tolist())]
print(md_table(rows, ["y = 2ᵏ · x", "x̄₁", "x̄₂", "x̄₃"], [None, ".6g", ".6g", ".6g"]))
assert x.grad.tolist() == [t.grad for t in xv] == (2.0**k * v).tolist()  # powers of 2: exact
value("ag-k", k, "d")

# A map with a full Jacobian: y = A tanh(x) + x₁x₂x₃
A = torch.randn(3, 3, generator=gen, dtype=torch.float64)
x = x0.clone().requires_grad_()
y = A @ x.tanh() + x.prod()
y.backward(v)
J = jacobian(lambda t: A @ t.tanh() + t.prod(), x0)  # 3×3, built column by column
xv = [Value(float(t)) for t in x0]
prod = xv[0] * xv[1] * xv[2]
yv = [sum((float(A[i, j]) * xv[j].tanh() for j in range(3)), prod) for i in range(3)]
backward(yv, v.tolist())
rows = [("y.backward(v)", *x.grad.tolist()),
        ("Value：一次反向，种子 v", *(t.grad for t in xv)),
        ("vᵀJ（J 由 torch 的 jacobian 算出）", *(v @ J).tolist())]
print()
print(md_table(rows, ["y = A tanh(x) + x₁x₂x₃", "x̄₁", "x̄₂", "x̄₃"], [None, ".12f", ".12f", ".12f"]))
err = max(abs(a - b) for a, b in zip([t.grad for t in xv], (v @ J).tolist(), strict=True))
assert torch.allclose(x.grad, v @ J, rtol=0, atol=1e-14) and err < 1e-14
