from blogkit.device import default_device
from blogkit.display import md_table, value
from blogkit.widening import TinyBlock, count_parameters, param_count, widen_block

dev = default_device()
rows = []
for d, heads, d_ff in [(16, 2, 64), (64, 4, 256), (768, 12, 3072)]:
    small, wide = param_count(d, d_ff), param_count(2 * d, 2 * d_ff)
    if d <= 64:  # instantiate the small ones and count their tensors
        block = TinyBlock(d, heads, d_ff, device=dev)
        assert count_parameters(block) == small
        assert count_parameters(widen_block(block, "heads")) == wide
    rows.append((f"{d} / {d_ff}", small, f"{2 * d} / {2 * d_ff}", wide, wide / small))
print(md_table(rows, ["小模型 $d$ / $d_{ff}$", "参数量", "放大后 $2d$ / $2d_{ff}$", "参数量", "倍数"],
               [None, ",d", None, ",d", ".4f"], align=["l", "r", "l", "r", "r"]))
value("lw-ratio-768", rows[-1][-1], ".4f")
