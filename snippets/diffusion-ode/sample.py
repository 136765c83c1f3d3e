import math

import torch

from blogkit.device import default_device
from blogkit.diffusion import GaussianMixture, VESchedule, rk4, w1_to_cdf
from blogkit.display import figure, md_table, svg, value

torch.set_num_threads(1)  # small tensors: one thread is fastest
dev = default_device()
data = GaussianMixture.of([0.3, 0.7], [-2.0, 1.5], [0.3, 0.5])
ve = VESchedule(T=20.0)
gen = torch.Generator().manual_seed(0)
n = 5000 if dev.type == "cpu" else 50000  # more samples where a GPU is present
mean, var = data.mean()[0].item(), data.cov()[0, 0].item()

floors = torch.stack([w1_to_cdf(data.sample(n, gen), data.cdf, -8, 8) for _ in range(8)])
floor, floor_hi = floors.mean().item(), floors.max().item()
# Start from the n quantiles of each candidate for x_T: the end points are then a noise-free
# discretisation of where the ODE carries that distribution.
priors = {
    "N(0, T²)": GaussianMixture.of([1.0], [0.0], [ve.T]),
    "N(m, T² + v)（匹配均值与方差）": GaussianMixture.of([1.0], [mean], [math.sqrt(ve.T**2 + var)]),
    "精确的 p_T": ve.marginal(data, ve.T),
}
steps = 64
rows, ends = [], {}
for name, prior in priors.items():
    path = rk4(ve.velocity(data), prior.quantiles(n).to(dev), ve.grid(steps)).cpu()
    ends[name] = path
    rows.append((name, w1_to_cdf(path[-1], data.cdf, -8, 8).item()))
rows.append(("（对照）n 个真实数据的随机样本，8 份的平均", floor))
print(md_table(rows, ["x_T 取哪个分布的分位点", "ODE 终点到数据分布的 W₁"], [None, ".1e"]))
w = {r[0]: r[1] for r in rows}
assert w["精确的 p_T"] < floor / 10 and w["N(m, T² + v)（匹配均值与方差）"] < 1e-3
assert w["N(0, T²)"] > 0.02 and w["N(0, T²)"] > floor  # the mismatch at T is carried down
value("ode-n", n, ",d")
value("ode-steps", steps, "d")
value("ode-w1-n0", w["N(0, T²)"], ".3f")
value("ode-w1-exact", w["精确的 p_T"], ".1e")
value("ode-w1-moment", w["N(m, T² + v)（匹配均值与方差）"], ".1e")
value("ode-w1-floor", floor, ".3f")
value("ode-mean", mean, ".2f")

# Convergence of RK4 along the same trajectories, and the Gaussian case in closed form.
xT = priors["精确的 p_T"].quantiles(500)
ref = rk4(ve.velocity(data), xT, ve.grid(1024))[-1]
conv = []
for m in (16, 32, 64, 128):
    err = (rk4(ve.velocity(data), xT, ve.grid(m))[-1] - ref).abs().max().item()
    conv.append((m, 4 * m, err))
conv = [(m, ev, e, f"{conv[i - 1][2] / e:.1f}" if i else "—") for i, (m, ev, e) in enumerate(conv)]
print()
print(md_table(conv, ["RK4 步数", "速度场求值次数", "终点与 1024 步结果的最大差", "步数加倍误差缩小的倍数"],
               ["d", "d", ".1e", None]))
assert all(float(c[3]) > 10 for c in conv[1:])  # close to the 2⁴ = 16 of a fourth-order method
s = 0.5
gauss = GaussianMixture.of([1.0], [0.0], [s])
x_lin = rk4(ve.velocity(gauss), xT, ve.grid(128))[-1]
lin_err = (x_lin - xT * s / math.sqrt(s**2 + ve.T**2)).abs().max().item()
assert lin_err < 1e-6
value("ode-lin-err", lin_err, ".1e")

path = ends["精确的 p_T"]
ts = torch.tensor(ve.grid(steps), dtype=torch.float64)
assert bool((path[:, 1:, 0] > path[:, :-1, 0]).all())  # sorted at T, sorted at every t: no crossing
fig, (ax1, ax2) = figure(1, 2, size=(7.6, 3.4), gridspec_kw={"width_ratios": [1.4, 1]})
lt = torch.linspace(-2, math.log10(ve.T), 200, dtype=torch.float64)  # log10 t
xx = torch.linspace(-4, 4, 201, dtype=torch.float64)
dens = torch.stack([ve.marginal(data, 10**u).log_prob(xx[:, None]).exp() for u in lt.tolist()], 1)
ax1.imshow(dens / dens.max(0).values, origin="lower", aspect="auto", cmap="Blues",
           extent=(lt[0].item(), lt[-1].item(), -4, 4))
for i in range(n // 50, n, n // 25):
    ax1.plot(ts[:-1].log10(), path[:-1, i, 0], color="C1", lw=0.7)
ax1.set_xlim(lt[-1].item(), -2)
ax1.set_xticks([1, 0, -1, -2], ["10", "1", "0.1", "0.01"])
ax1.set_ylim(-4, 4)
ax1.set_xlabel("t = σ_t（对数坐标，从 T 走向 0）")
ax1.set_ylabel("x")
ax1.set_title("p_t（每列归一化）与 25 条 ODE 轨迹", fontsize=9)
ax1.grid(False)
ax2.hist(path[-1, :, 0], bins=80, range=(-4, 4), density=True, color="C0", alpha=0.6, label="ODE 终点")
ax2.plot(xx, data.log_prob(xx[:, None]).exp(), "k", lw=1, label="p_0")
ax2.set_xlabel("x")
ax2.legend(fontsize=8)
ax2.set_title(f"p_T 的 {n} 个分位点经 {steps} 步 RK4", fontsize=9)
print()
print(svg(fig, caption="左：热传导方程把两团高斯逐渐抹平（t 越大越平），"
                       "ODE 的轨迹沿相反方向把宽分布收拢回两团；"
                       "轨迹之间从不交叉。右：从精确 p_T 的分位点出发的 ODE 终点与数据密度。"))
