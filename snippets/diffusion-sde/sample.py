import itertools

import torch

from blogkit.device import default_device
from blogkit.diffusion import GaussianMixture, VPSchedule, euler_maruyama, sliced_w1
from blogkit.display import figure, md_table, svg, value

torch.set_num_threads(1)  # small tensors: one thread is fastest
dev = default_device()
data = GaussianMixture.of([0.3, 0.3, 0.4], [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], [0.3, 0.5, 0.4])
vp = VPSchedule(beta_min=0.1, beta_max=20.0)
gen = torch.Generator().manual_seed(2)
n = 4000 if dev.type == "cpu" else 40000  # more samples where a GPU is present
t_end = 1e-3
# The distance of a fresh data sample of the same size: the floor set by sampling noise alone.
floors = torch.stack([sliced_w1(data.sample(n, gen), data) for _ in range(8)])
baseline, floor_hi = floors.mean().item(), floors.max().item()

runs = {}
# (name, steps, drift coefficient λ, noise on?)
plan = [("逆向 SDE", 10, 1.0, True), ("逆向 SDE", 30, 1.0, True), ("逆向 SDE", 100, 1.0, True),
        ("逆向 SDE", 300, 1.0, True), ("漂移用 ½g²∇log p、仍加噪声（错误）", 100, 0.0, True),
        ("漂移用 ½g²∇log p、不加噪声", 100, 0.0, False)]
rows = []
for name, steps, lam, noisy in plan:
    ts = torch.linspace(1.0, t_end, steps + 1, dtype=torch.float64)
    g = torch.Generator().manual_seed(3)
    x1 = torch.randn(n, 2, generator=g, dtype=torch.float64)  # x_1 ~ N(0, I)
    dw = torch.randn(steps, n, 2, generator=g, dtype=torch.float64) * ((1 - t_end) / steps) ** 0.5
    path = euler_maruyama(vp.reverse_drift(data, lam), vp.diffusion if noisy else 0.0,
                          x1.to(dev), ts, dw.to(dev))
    runs[(name, steps)] = path
    dist = sliced_w1(path[-1], data).item()
    rows.append((name, steps, dist, dist / baseline))
rows.append(("真实数据的样本（基准，8 份的平均）", "—", baseline, 1.0))
rows.append(("真实数据的样本（8 份中最大）", "—", floor_hi, floor_hi / baseline))
print(md_table(rows, ["从 N(0, I) 出发的过程", "步数", "到数据分布的切片 W₁", "相对基准"],
               [None, None, ".4f", ".2f"]))
sde = {r[1]: r[2] for r in rows[:4]}
assert sde[10] > 2 * floor_hi  # too few steps: far outside the sampling noise
assert sde[100] < floor_hi and sde[300] < floor_hi  # within the noise of a true data sample
assert rows[4][2] > 10 * floor_hi  # the wrong coefficient is clearly off
assert sde[100] < rows[5][2] < 2 * floor_hi  # ½ g² without noise works too, with a larger step error
wrong = runs[("漂移用 ½g²∇log p、仍加噪声（错误）", 100)][-1].cpu()
assert torch.cov(wrong.T).trace() > 1.2 * data.cov().trace()  # ... and too wide
value("sde-n", n, ",d")
value("sde-w1-300", sde[300], ".4f")
value("sde-w1-10", sde[10], ".4f")
value("sde-w1-base", baseline, ".4f")
value("sde-w1-floor-hi", floor_hi, ".4f")
value("sde-w1-wrong", rows[4][2], ".3f")
value("sde-w1-ode", rows[5][2], ".4f")

path = runs[("逆向 SDE", 300)].cpu()
ts = torch.linspace(1.0, t_end, 301, dtype=torch.float64)
final = data.responsibilities(path[-1]).argmax(-1)  # the blob each sample ends in
fig, axes = figure(1, 2, size=(7.4, 3.4), gridspec_kw={"width_ratios": [1, 1.25]})
g1 = torch.linspace(-3.5, 3.5, 141, dtype=torch.float64)
gx, gy = torch.meshgrid(g1, torch.linspace(-2.0, 4.0, 121, dtype=torch.float64), indexing="ij")
dens = data.log_prob(torch.stack([gx, gy], -1)).exp()
axes[0].scatter(path[-1, :, 0], path[-1, :, 1], s=1.0, alpha=0.4, color="C0")
axes[0].contour(gx, gy, dens, levels=6, colors="k", linewidths=0.6)
axes[0].set_aspect("equal")
axes[0].set_xlim(-3.5, 3.5)
axes[0].set_ylim(-2.0, 4.0)
axes[0].set_title(f"逆向 SDE 的 {n} 个样本（黑线：数据密度）", fontsize=9)
for i in range(40):
    axes[1].plot(ts, path[:, i, 0], lw=0.6, alpha=0.8, color=f"C{int(final[i])}")
axes[1].set_xlim(1.0, 0.0)
axes[1].set_xlabel("t（从 1 倒着走到 0）")
axes[1].set_ylabel("第一维坐标")
axes[1].set_title("40 条轨迹的第一维，按终点所在的一团着色", fontsize=9)
print()
print(svg(fig, caption="逆向 SDE 用精确得分、300 步 Euler–Maruyama 从标准正态走回三团高斯混合。"
                       "左：终点样本与数据密度的等高线；右：轨迹的第一维随时间的变化，"
                       "三种颜色在 t 较大时混在一起，到后半程才分开。"))

# When is each particle's blob decided? The most likely blob under p_t at x_t, against the end.
agree = []
for k in (60, 150, 240, 285):
    t = float(ts[k])
    agree.append((t, (vp.marginal(data, t).responsibilities(path[k]).argmax(-1) == final)
                  .double().mean().item()))
print()
print(md_table(agree, ["t", "按 p_t 最可能的一团 = 终点所在的一团"], [".2f", ".1%"]))
assert all(a[1] < b[1] for a, b in itertools.pairwise(agree))
assert agree[0][1] < 0.6 and agree[-1][1] > 0.95
value("sde-agree-early", agree[0][1], ".0%")
value("sde-agree-early-t", agree[0][0], ".1f")
value("sde-agree-late", agree[-1][1], ".1%")
value("sde-agree-late-t", agree[-1][0], ".2f")
