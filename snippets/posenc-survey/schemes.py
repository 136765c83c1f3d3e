import torch

from blogkit.display import md_table, value
from blogkit.posenc import (
    absolute_logits,
    deberta_logits,
    expand_logits,
    shaw_logits,
    sinusoidal_positions,
    t5_logits,
    toeplitz_defect,
    xlnet_logits,
)

gen = torch.Generator().manual_seed(0)
kw = {"generator": gen, "dtype": torch.float64}
n, d_model, d_head, k = 32, 16, 8, 4
w_q, w_k, w_qr, w_kr = (torch.randn(d_model, d_head, **kw) / d_model**0.5 for _ in range(4))

# A random sequence: the four terms add up to the logits of an additive absolute encoding.
x = torch.randn(n, d_model, **kw)
p = sinusoidal_positions(n, d_model)
terms = expand_logits(x, p, w_q, w_k)
err = (sum(terms) - absolute_logits(x, p, w_q, w_k)).abs().max().item()
print(f"四项之和与 $(x_i+p_i)W_Q\\big((x_j+p_j)W_K\\big)^\\top$ 的最大差：{err:.0e}。")
assert err < 1e-12

# The same token at every position: whatever changes along a diagonal j - i = const
# comes from absolute positions.
x1 = torch.randn(1, d_model, **kw).expand(n, d_model)
logits = {
    "绝对 · 可训练（随机 $p_k$）": absolute_logits(x1, torch.randn(n, d_model, **kw), w_q, w_k),
    "绝对 · Sinusoidal": absolute_logits(x1, p, w_q, w_k),
    f"Shaw（截断 $k={k}$）": shaw_logits(x1, w_q, w_k, torch.randn(2 * k + 1, d_head, **kw), k),
    "XLNet / Transformer-XL": xlnet_logits(x1, w_q, w_k, w_kr, torch.randn(d_head, **kw),
                                           torch.randn(d_head, **kw)),
    "T5（32 个桶）": t5_logits(x1, w_q, w_k, torch.randn(32, **kw)),
    f"DeBERTa（$k={k}$）": deberta_logits(x1, w_q, w_k, w_qr, w_kr,
                                        torch.randn(2 * k, d_model, **kw), k),
}
rows = [(name, toeplitz_defect(s)) for name, s in logits.items()]
print()
# Rounding-level values in e-notation, the others with three significant digits.
print(md_table([(name, f"{v:.3g}" if v > 1e-9 else f"{v:.0e}") for name, v in rows],
               ["方案", "沿对角线 $j-i=$ 常数的最大起伏"], align=["l", "r"]))
absolute, relative = [r[1] for r in rows[:2]], [r[1] for r in rows[2:]]
assert min(absolute) > 0.1 and max(relative) < 1e-12
value("posenc-survey-rel-worst", max(relative), ".0e")
