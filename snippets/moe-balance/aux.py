import torch

from blogkit.display import md_table, value
from blogkit.moe import aux_loss, load_fractions, ste_balance_loss

torch.set_num_threads(1)
gen = torch.Generator().manual_seed(0)
n, tokens = 8, 512
rows = []
for name, skew in (("无偏斜", 0.0), ("轻度偏斜", 1.0), ("严重偏斜", 3.0)):
    logits = (torch.randn(tokens, n, generator=gen, dtype=torch.float64)
              + skew * torch.linspace(-1, 1, n, dtype=torch.float64)).requires_grad_(True)
    probs = torch.softmax(logits, -1)  # (tokens, n)
    top1 = probs.argmax(-1)  # (tokens,)
    loads = load_fractions(top1, n)
    aux = aux_loss(probs, top1, n)
    (g_aux,) = torch.autograd.grad(aux / n, logits, retain_graph=True)
    (g_ste,) = torch.autograd.grad(ste_balance_loss(probs.mean(0), loads), logits)
    p_mean = probs.mean(0).detach()
    half_sq = 0.5 * (loads - 1 / n).square().sum().item()  # ½‖F − Q‖²
    grad_gap = (g_aux - g_ste).abs().max().item()
    rows.append((name, aux.item(), n * p_mean.square().sum().item(), half_sq, grad_gap))
print(md_table(rows, ["路由器", r"$N\sum_i f_iP_i$", r"$N\sum_i P_i^2$", r"$\frac12\Vert F-Q\Vert^2$",
                      "两种损失对 logits 的梯度之差"],
               [None, ".4f", ".4f", ".2e", ".1e"]))
assert max(r[4] for r in rows) < 1e-15  # the straight-through loss and Σ sg[F] P have the same gradient
assert all(r[2] >= 1 for r in rows) and rows[0][1] < rows[1][1] < rows[2][1]
uniform = torch.full((tokens, n), 1 / n, dtype=torch.float64)
balanced = torch.arange(tokens) % n  # every expert gets tokens / n tokens
assert abs(aux_loss(uniform, balanced, n).item() - 1) < 1e-15
value("moe-aux-max-grad-gap", max(r[4] for r in rows), ".0e")
value("moe-aux-severe", rows[2][1], ".2f")
