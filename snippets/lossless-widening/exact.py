import torch
import torch.nn.functional as F

from blogkit.device import default_device
from blogkit.display import md_table, value
from blogkit.widening import TinyBlock, widen_block, widen_linear, widening_error

dev = default_device()
gen = torch.Generator().manual_seed(0)
d, heads, d_ff = 16, 2, 64
block = TinyBlock(d, heads, d_ff, causal=True, device=dev, generator=gen)  # float64
x = torch.randn(4, 10, d, generator=gen, dtype=torch.float64).to(dev)  # (batch, L, d)

wide = {
    "heads": widen_block(block, "heads"),
    "fold": widen_block(block, "head_dim", scale_fix="fold"),
    "scale": widen_block(block, "head_dim", scale_fix="scale"),
    "none": widen_block(block, "head_dim", scale_fix="none"),
}
w2, b2 = widen_linear(block.ff1.weight, block.ff1.bias)
stack = [TinyBlock(d, heads, d_ff, causal=True, device=dev, generator=gen) for _ in range(3)]
stack_wide = [widen_block(b, "heads") for b in stack]
twice = widen_block(wide["fold"], "heads")  # 16 -> 32 -> 64

rows = [
    (r"线性层（$W$ 复制成四块再乘 $\tfrac12$）", "—",
     widening_error(block.ff1, lambda z: F.linear(z, w2, b2), x)),
    (r"LayerNorm（$\gamma$、$\beta$ 复制）", "—", widening_error(block.ln1, wide["heads"].ln1, x)),
    ("FFN（隐层神经元复制）", "—", widening_error(block.ffn, wide["heads"].ffn, x)),
    ("注意力", "头数 ×2", widening_error(block.attention, wide["heads"].attention, x)),
    ("注意力", r"头维 ×2，$1/\sqrt2$ 并入 $W_q$", widening_error(block.attention, wide["fold"].attention, x)),
    ("注意力", "头维 ×2，缩放改为 $s/2$", widening_error(block.attention, wide["scale"].attention, x)),
    ("注意力", "头维 ×2，不修正缩放", widening_error(block.attention, wide["none"].attention, x)),
    ("整个 block", "头数 ×2", widening_error(block, wide["heads"], x)),
    ("整个 block", r"头维 ×2，$1/\sqrt2$ 并入 $W_q$", widening_error(block, wide["fold"], x)),
    ("三个 block 串联", "头数 ×2",
     widening_error(lambda z: stack[2](stack[1](stack[0](z))),
                    lambda z: stack_wide[2](stack_wide[1](stack_wide[0](z))), x)),
    ("整个 block 放大两次（16 → 64）", "头维 ×2，再头数 ×2",
     widening_error(block, twice, x, times=2)),
]
print(md_table(rows, ["部件", "注意力的放大方式", r"$\lVert[y,y]-Y\rVert_\infty$（float64）"],
               [None, None, ".1e"]))

exact = [r[2] for r in rows if "不修正" not in r[1]]
assert max(exact) < 1e-12
assert rows[6][2] > 0.1
value("lw-exact-max", max(exact), ".0e")
value("lw-nofix-err", rows[6][2], ".2f")
with torch.no_grad():
    value("lw-ymax", block(x).abs().max().item(), ".1f")
