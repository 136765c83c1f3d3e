import torch

from blogkit.device import default_device
from blogkit.display import figure, md_table, svg, value
from blogkit.moe import sampling_floor, simulate_balancing

torch.set_num_threads(1)
dev = default_device()
tokens = 2_000 if dev.type == "cpu" else 16_000  # tokens per batch
n, k, steps = 16, 2, 150
floor = sampling_floor(n, k, tokens, 30)
methods = {  # label: (method, step size)
    "不做均衡": ("none", 0.0),
    "辅助损失（α = 1）": ("aux", 1.0),
    "Loss-Free，sign": ("sign", 0.005),
    "Loss-Free，RMS 归一化": ("rms", 0.005),
}
runs = {lab: simulate_balancing(n, k, tokens, steps, m, lr, seed=0, device=dev)
        for lab, (m, lr) in methods.items()}
rows = []
for lab, r in runs.items():
    tail = sum(r.maxvio[-50:]) / 50
    first_below = next((t for t, v in enumerate(r.maxvio) if v < 0.5), None)
    rows.append((lab, r.maxvio[0], tail, "—" if first_below is None else str(first_below), r.gate_change))
print(md_table(rows, ["方法", "第 0 步 MaxVio", "末 50 步平均 MaxVio", "首次低于 0.5 的步数",
                      "打分的平均改变量"],
               [None, ".2f", ".3f", None, ".3f"]))
res = {lab: row for lab, row in zip(methods, rows, strict=True)}
assert res["不做均衡"][2] > 3  # the skewed router stays unbalanced
assert all(res[lab][2] < 0.4 for lab in list(methods)[1:])  # all three methods balance it
assert all(res[lab][2] > floor for lab in methods)  # none goes below the pure counting noise
assert runs["Loss-Free，sign"].gate_change == 0 and runs["Loss-Free，RMS 归一化"].gate_change == 0
assert runs["辅助损失（α = 1）"].gate_change > 0.05  # the auxiliary loss rewrites the router's scores
assert 3.5 < rows[0][1] < 4  # at the start the busiest expert does almost five times the mean
assert sampling_floor(n, k, 4 * tokens, 10) < floor  # larger batches, lower counting noise
value("moe-first-vio", rows[0][1], ".2f")
value("moe-floor", floor, ".3f")
value("moe-aux-change", runs["辅助损失（α = 1）"].gate_change, ".3f")
value("moe-tokens", tokens, ",")

fig, (ax1, ax2) = figure(1, 2, size=(7.6, 3.3))
for lab, r in runs.items():
    ax1.semilogy(range(steps), r.maxvio, lw=1, label=lab)
ax1.axhline(floor, color="k", ls=":", lw=1, label="纯计数噪声")
ax1.set_xlabel("步数")
ax1.set_ylabel("MaxVio")
ax1.legend(fontsize=7)
idx = torch.arange(n)
ax2.bar(idx - 0.2, runs["不做均衡"].last_loads * n, width=0.4, label="不做均衡")
ax2.bar(idx + 0.2, runs["Loss-Free，sign"].last_loads * n, width=0.4, label="Loss-Free，sign")
ax2.axhline(1, color="k", lw=0.8)
ax2.set_xticks(range(0, n, 3))
ax2.set_xlabel("专家编号")
ax2.set_ylabel("负载 / 平均负载")
ax2.legend(fontsize=7)
print()
print(svg(fig, caption=f"偏斜路由器上的负载均衡（{n} 个专家，每个 token 选 {k} 个，每批 {tokens} 个 token）。"
                       "左：每批的 MaxVio，点线是完全均衡的路由器仅因按批计数而产生的 MaxVio；"
                       "右：最后一批中各专家的相对负载。"))
