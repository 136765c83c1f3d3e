import torch

from blogkit.display import md_table, value
from blogkit.genmodels import FVSBN, NADE, enumerate_binary, param_counts

# Parameter counts: 8×8 digits (n = 64, d = 32) and 28×28 MNIST (n = 784, d = 500).
rows = []
for n, d in [(64, 32), (784, 500)]:
    c = param_counts(n, d)
    rows.append((f"{n}(d = {d})", f"{c['table']:.3e}" if n > 64 else f"{c['table']:,}",
                 c["independent"], c["fvsbn"], c["nade"]))
print(md_table(rows, ["像素数 n", "完整概率表 2ⁿ − 1", "各像素独立", "FVSBN", "NADE"],
               [None, None, ",d", ",d", ",d"]))
c784 = param_counts(784, 500)
assert c784["fvsbn"] == sum(range(1, 785)) and c784["nade"] == 2 * 784 * 500 + 784 + 500
value("ar-fvsbn-784", c784["fvsbn"], ",d")
value("ar-nade-784", c784["nade"], ",d")
value("ar-table-digits", len(str(c784["table"])), "d")

# Random models on n = 10 pixels, float64: sum p(x) over all 2^10 vectors, and which inputs
# each conditional logit depends on (the Jacobian ∂ℓ_i/∂x_j by autograd).
gen = torch.Generator().manual_seed(0)
n = 10
models = {"FVSBN": FVSBN(n, dtype=torch.float64), "NADE(d = 6)": NADE(n, 6, dtype=torch.float64,
                                                                         generator=gen)}
with torch.no_grad():
    models["FVSBN"].weight.normal_(0, 1, generator=gen)
    models["FVSBN"].bias.normal_(0, 1, generator=gen)
    models["NADE(d = 6)"].b.normal_(0, 1, generator=gen)
    models["NADE(d = 6)"].c.normal_(0, 1, generator=gen)
allx = torch.tensor(enumerate_binary(n))  # (1024, 10)
x0 = torch.bernoulli(torch.full((n,), 0.5, dtype=torch.float64), generator=gen)
rows = []
for name, m in models.items():
    with torch.no_grad():
        total = m.log_prob(allx).exp().sum().item()
    jac = torch.autograd.functional.jacobian(m.logits, x0[None])[0, :, 0, :]  # (n, n): ∂ℓ_i/∂x_j
    upper = jac.triu().abs().max().item()  # j >= i: must be exactly zero
    lower = jac.tril(-1).abs().max().item()
    rows.append((name, total, abs(total - 1), upper, lower))
print()
print(md_table(rows, ["模型(随机参数)", "Σ p(x),共 2¹⁰ 项", "与 1 之差", "j ≥ i:∂ℓᵢ/∂xⱼ 最大绝对值",
                      "j < i:∂ℓᵢ/∂xⱼ 最大绝对值"], [None, ".15f", ".1e", ".1f", ".3f"]))
assert all(r[2] < 1e-13 for r in rows)  # normalised without any normalising constant
assert all(r[3] == 0 for r in rows) and all(r[4] > 0.1 for r in rows)  # ℓ_i reads x_<i only
value("ar-sum-err", max(r[2] for r in rows), ".0e")
