import torch

from blogkit.device import default_device
from blogkit.display import figure, md_table, svg, value
from blogkit.optim import decay_equilibrium_rms, decay_rms_trajectory, simulate_decay_walk

torch.set_num_threads(1)
dev = default_device()
d = 20_000 if dev.type == "cpu" else 400_000  # parameters per run
steps, rms0 = 600, 0.1  # θ_0 with entries of RMS 0.1
settings = [(0.01, 0.02), (0.02, 0.02), (0.01, 0.005), (0.005, 0.01), (0.003, 0.0)]  # (α, ρ)
t = torch.arange(steps + 1)
runs = {ar: simulate_decay_walk(*ar, d, steps, rms0, seed=i, device=dev) for i, ar in enumerate(settings)}
pred = {ar: decay_rms_trajectory(*ar, rms0, t) for ar in settings}

rows, rel = [], []
for (a, r), sim in runs.items():
    if r == 0:
        continue
    tail = sim[-300:].square().mean().sqrt().item()  # time average over the last 300 steps
    closed = decay_equilibrium_rms(a, r).item()
    rel.append(abs(tail / closed - 1))
    rows.append((a, r, f"{(2 * r) ** -1:.0f}", closed, a / (2 * r) ** 0.5, tail))
print(md_table(rows, ["α", "ρ", "弛豫步数 1/(2ρ)", "α/√(2ρ−ρ²)", "α/√(2ρ)", f"模拟（d = {d}，末 300 步）"],
               [".3g", ".3g", None, ".6f", ".6f", ".6f"]))
traj_err = max(((runs[ar] - pred[ar]).abs() / pred[ar]).max().item() for ar in settings)
assert all(abs(r[4] / r[3] - 1) < 0.01 for r in rows)  # α/√(2ρ) is within 1 % of the exact value here
assert max(rel) < 0.01  # the measured equilibrium is within 1 % of the closed form
assert traj_err < 0.03 if d < 100_000 else traj_err < 0.01  # and the whole path follows the recursion
a0, r0 = settings[0]
value("amos-eq-closed", decay_equilibrium_rms(a0, r0).item(), ".6f")
value("amos-eq-sim", rows[0][5], ".6f")
value("amos-eq-maxrel", max(rel), ".1%")
value("amos-eq-traj", traj_err, ".1%")
value("amos-eq-d", d, ",")
value("amos-eq-rms0", rms0, "g")

fig, ax = figure(size=(6.4, 3.6))
for i, ((a, r), sim) in enumerate(runs.items()):
    ax.plot(t, sim, color=f"C{i}", lw=1.2, label=f"α = {a:g}, ρ = {r:g}")
    ax.plot(t, pred[(a, r)], "k--", lw=0.7)
    if r > 0:
        ax.axhline(decay_equilibrium_rms(a, r).item(), color=f"C{i}", lw=0.6, ls=":")
ax.set_xlabel("步数 t")
ax.set_ylabel(r"$\mathrm{RMS}(\theta_t)$")
ax.set_ylim(0, 0.15)
ax.legend(fontsize=8, ncols=2)
print()
print(svg(fig, caption="参数均方根随步数的变化。彩色实线是随机符号更新的模拟，"
                       "黑色虚线是平方模长递推的闭式解，"
                       "点线是各自的平衡值 α/√(2ρ−ρ²)；不加衰减（ρ = 0）时均方根按 α√t 一直增长。"))
