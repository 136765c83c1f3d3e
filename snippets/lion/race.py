import copy

import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.optim import Lion, spirals, train_full_batch

torch.set_num_threads(1)  # tiny matrices: one thread is fastest and bit-reproducible
gen = torch.Generator().manual_seed(0)
x_train, y_train = spirals(150, generator=gen)  # 3 classes x 150 points
x_test, y_test = spirals(150, generator=gen)  # a held-out draw of the same size
torch.manual_seed(0)  # the network's initial weights
net = torch.nn.Sequential(torch.nn.Linear(2, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32), torch.nn.Tanh(),
                          torch.nn.Linear(32, 3))
init = copy.deepcopy(net.state_dict())  # every optimiser starts from the same weights

adamw_lr, adamw_wd = 1e-2, 1e-2
runs = {  # name: (optimizer class, lr, weight decay); Lion: lr 3-10x smaller, wd 3-10x larger
    "AdamW": (torch.optim.AdamW, adamw_lr, adamw_wd),
    "Lion (lr/3, wd×3)": (Lion, adamw_lr / 3, adamw_wd * 3),
    "Lion (lr/10, wd×10)": (Lion, adamw_lr / 10, adamw_wd * 10),
}
steps = 400
curves, rows, memory = {}, [], []
for name, (cls, lr, wd) in runs.items():
    run = train_full_batch(net, init, cls, lr, wd, (x_train, y_train), (x_test, y_test), steps)
    curves[name] = run.losses
    rows.append((name, lr, wd, run.update_rms, run.losses[99], run.losses[-1], run.test_loss,
                 run.test_accuracy))
    memory.append((name, run.state_tensors_per_param, run.state_ratio))

print(md_table(rows, ["优化器", "lr", "wd", "RMS(u)", "训练损失（第 100 步）", f"训练损失（第 {steps} 步）",
                     "测试损失", "测试准确率"], [None, ".4g", ".4g", ".3f", ".2e", ".2e", ".4f", ".1%"]))
print()
print(md_table(memory, ["优化器", "每个参数的状态张量数", "状态大小 / 参数大小"], [None, "d", ".1f"]))

early = {r[0]: r[4] for r in rows}
final = {r[0]: r[5] for r in rows}
accuracy = {r[0]: r[7] for r in rows}
assert len({round(r[1] * r[2], 15) for r in rows}) == 1  # the same decay per step ηλ in every run
assert rows[0][3] < 0.5 and all(abs(r[3] - 1) < 1e-3 for r in rows[1:])  # AdamW's u is small, Lion's is ±1
assert all(3 <= adamw_lr / r[1] <= 10 and 3 <= r[2] / adamw_wd <= 10 for r in rows if "Lion" in r[0])
assert min(early, key=early.get) == "AdamW"  # AdamW leads early on ...
assert min(final, key=final.get) == "Lion (lr/3, wd×3)"  # ... Lion (lr/3) has the lower loss at the end
assert max(final, key=final.get) == "Lion (lr/10, wd×10)"  # the cautious Lion is far behind
assert min(accuracy["AdamW"], accuracy["Lion (lr/3, wd×3)"]) >= 0.99 > accuracy["Lion (lr/10, wd×10)"]
assert [m[1] for m in memory] == [2, 1, 1]
value("lion-adamw-rms", rows[0][3], ".3f")

fig, ax = figure(size=(6.4, 3.6))
for name, losses in curves.items():
    ax.semilogy(range(1, steps + 1), losses, label=name)
ax.set_xlabel("步数")
ax.set_ylabel("训练交叉熵")
ax.set_title(f"三螺旋分类，MLP 2-32-32-3，全批量，种子 0，{steps} 步")
ax.legend(fontsize=8)
print()
print(svg(fig, caption="同一初始化下三组优化器设置在三螺旋分类上的训练损失（对数纵轴）。"))
