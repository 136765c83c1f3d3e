import copy

import torch

from blogkit.device import default_device
from blogkit.display import figure, md_table, svg, value
from blogkit.widening import (
    TinyBlock,
    add_symmetry_noise,
    duplication_defect,
    readout_loss,
    sgd_step,
    widen_block,
    widen_input,
    widen_linear,
)

dev = default_device()
gen = torch.Generator().manual_seed(0)
d, heads, d_ff, c = 16, 2, 64, 8
block = TinyBlock(d, heads, d_ff, causal=True, device=dev, generator=gen)
x = torch.randn(4, 10, d, generator=gen, dtype=torch.float64).to(dev)
readout = (torch.randn(c, d, generator=gen, dtype=torch.float64) / d**0.5).to(dev)  # fixed read-out R
target = torch.randn(4, 10, c, generator=gen, dtype=torch.float64).to(dev)
x2, readout2 = widen_input(x), widen_linear(readout, outputs=False)[0]  # [x, x] and ½[R, R]

eps, lr, steps = 1e-3, 0.05, 60
models = {
    "直接复制": widen_block(block, "heads"),
    f"iid 噪声 $\\epsilon={eps:g}$": add_symmetry_noise(widen_block(block, "heads"), eps,
                                               torch.Generator().manual_seed(1)),
    f"拆分噪声 $\\epsilon={eps:g}$": add_symmetry_noise(widen_block(block, "heads"), eps,
                                               torch.Generator().manual_seed(1), mode="split"),
}
loss_small = readout_loss(block, x, readout, target).item()
history = {name: [max(duplication_defect(m, "heads").values())] for name, m in models.items()}
starts = {name: copy.deepcopy(m) for name, m in models.items()}
moved = {name: [0.0] for name in models}  # asymmetry of the accumulated update θ_t − θ_0
first_grads, second_grads = {}, {}
for name, m in models.items():
    for step in range(steps):
        loss = sgd_step(m, x2, readout2, target, lr)
        if step == 0:
            first_grads[name] = duplication_defect(m, "heads", grads=True)
            if name == "直接复制":
                loss_wide = loss
        if step == 1:
            second_grads[name] = duplication_defect(m, "heads", grads=True)
        history[name].append(max(duplication_defect(m, "heads").values()))
        moved[name].append(max(duplication_defect(m, "heads", since=starts[name]).values()))

modules = ["ln1", "q", "k", "v", "o", "ln2", "ff1", "ff2"]
rows = [(mod, *(max(v for k, v in g.items() if k.split(".")[0] == mod) for g in first_grads.values()))
        for mod in modules]
print(md_table(rows, ["参数（weight、bias 取大者）", *models],
               [None, ".1e", ".1e", ".1e"]))

names = list(models)
assert abs(loss_wide - loss_small) < 1e-12 * abs(loss_small)
assert max(r[1] for r in rows) < 1e-12  # duplicated model: identical gradients (to rounding)
assert min(r[2] for r in rows) > 1e-6  # iid noise: every gradient is asymmetric at once
assert min(r[3] for r in rows[:-1]) > 1e-6 and rows[-1][3] < 1e-12  # split: all but the top layer
split_ff2_next = max(second_grads[list(models)[2]][k] for k in ("ff2.weight", "ff2.bias"))
assert split_ff2_next > 1e-6  # ... which turns asymmetric at the second step
assert max(history[names[0]]) < 1e-12  # ... and it stays duplicated for all the steps
assert max(moved[names[0]]) < 1e-12  # the updates of the duplicated model are symmetric
assert moved[names[1]][-1] > 10 * moved[names[1]][1] and moved[names[2]][-1] > 10 * moved[names[2]][1]
value("lw-loss", loss_small, ".6f")
value("lw-steps", steps, "d")
value("lw-split-ff2-next", split_ff2_next, ".1e")
value("lw-moved-iid", moved[names[1]][-1], ".1e")
value("lw-moved-split", moved[names[2]][-1], ".1e")

fig, (ax, ax2) = figure(1, 2, size=(7.2, 3.2))
for name, ls in zip(models, ["-", "--", ":"], strict=True):
    ax.plot(range(steps + 1), [max(v, 1e-18) for v in history[name]], ls, label=name)
    ax2.plot(range(1, steps + 1), [max(v, 1e-18) for v in moved[name][1:]], ls, label=name)
for a, title in ((ax, r"参数 $\theta_t$"), (ax2, r"累计更新 $\theta_t-\theta_0$")):
    a.set_yscale("log")
    a.set_xlabel("SGD 步数")
    a.set_title(title, fontsize=9)
ax.set_ylabel("两半之间的最大差")
ax2.legend(fontsize=7)
print()
print(svg(fig, label="lossless-widening-symmetry",
          caption=f"宽模型用 SGD 训练 {steps} 步，两半之间的差别（画在 $10^{{-18}}$ 处的点表示恰好为 0）。"
                  "直接复制的模型，参数和更新量都停在舍入误差量级；加了噪声后，训练本身产生的更新也不再对称，"
                  "其不对称部分随步数累积。"))
