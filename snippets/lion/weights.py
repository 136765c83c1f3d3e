from blogkit.display import md_table, value
from blogkit.optim import lion_momentum_weights

n = 2000
# weight of g_{t-k} inside Lion's sign (β1=0.9, β2=0.99), in Lion's carried momentum m_t
# (β1=β2=0.99 gives m_t itself) and in AdamW's first moment (β1=0.9)
lion_sign = lion_momentum_weights(0.9, 0.99, n)
lion_memory = lion_momentum_weights(0.99, 0.99, n)
adamw_m = lion_momentum_weights(0.9, 0.9, n)

rows = [(k, lion_sign[k].item(), lion_memory[k].item(), adamw_m[k].item()) for k in (0, 1, 2, 5, 10, 50)]
headers = ["$k$", "Lion：sign 内", "Lion：$m_t$", "AdamW：$m_t$"]
print(md_table(rows, headers, ["d", ".5f", ".5f", ".5f"]))
print()
tail = [(f"k ≥ {k0}", 1 - lion_sign[:k0].sum().item(), 1 - lion_memory[:k0].sum().item(),
         1 - adamw_m[:k0].sum().item()) for k0 in (1, 10, 50)]
print(md_table(tail, ["权重之和", *headers[1:]], [None, ".1%", ".1%", ".1%"]))

assert lion_sign[0].item() == adamw_m[0].item()  # the current gradient weighs 1-β1 = 0.1 in both
assert abs(lion_sign[0].item() / lion_memory[0].item() - 10) < 1e-9  # ten times its weight in m_t
value("lion-w0", lion_sign[0].item(), "g")
value("lion-w0-ratio", lion_sign[0].item() / lion_memory[0].item(), ".0f")
value("lion-tail10-sign", tail[1][1], ".1%")
value("lion-tail10-adamw", tail[1][3], ".1%")
