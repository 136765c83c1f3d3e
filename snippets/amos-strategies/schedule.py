import torch

from blogkit.device import default_device
from blogkit.display import figure, md_table, svg, value
from blogkit.optim import inverse_time_schedule, noisy_quadratic_error, simulate_noisy_quadratic

torch.set_num_threads(1)
dev = default_device()
d = 4_000 if dev.type == "cpu" else 200_000
xi, sigma, steps = 1.0, 2.0, 1000  # target scale ξ (so e_0 = ξ²), gradient noise σ
e0, s2 = xi**2, sigma**2
opt = inverse_time_schedule(e0, s2, steps)
schedules = {
    rf"常数 $\alpha = {opt[0].item():g}$": torch.full((steps,), opt[0].item(), dtype=torch.float64),
    r"常数 $\alpha = 0.02$": torch.full((steps,), 0.02, dtype=torch.float64),
    r"$\alpha_t = 1/(t+1)$": 1.0 / torch.arange(1, steps + 1, dtype=torch.float64),
    r"$\alpha_t = 1/(t+1+\sigma^2/e_0)$": opt,
}
t = torch.arange(steps + 1, dtype=torch.float64)
expected = {k: noisy_quadratic_error(v, e0, s2) for k, v in schedules.items()}
sim = {k: simulate_noisy_quadratic(v, xi, sigma, d, seed=i, device=dev)
       for i, (k, v) in enumerate(schedules.items())}

rows = []
for k, v in schedules.items():
    a = v[0].item()
    floor = a * s2 / (2 - a) if k.startswith("常数") else float("nan")
    rows.append((k, expected[k][100].item(), expected[k][-1].item(), sim[k][-1].item(),
                 f"{floor:.5f}" if floor == floor else "—"))
print(md_table(rows, ["学习率", r"$e_{100}$（期望）", rf"$e_{{{steps}}}$（期望）",
                     rf"$e_{{{steps}}}$（模拟，d = {d}）",
                     r"常数学习率的地板 $\alpha\sigma^2/(2-\alpha)$"],
               [None, ".5f", ".5f", ".5f", None]))

best = expected[r"$\alpha_t = 1/(t+1+\sigma^2/e_0)$"]
closed = s2 / (t + s2 / e0)
assert (best - closed).abs().max().item() < 1e-12  # e_t = σ²/(t + σ²/e_0)
assert all(bool((best <= e + 1e-15).all()) for e in expected.values())  # never beaten, at any step
for k, v in schedules.items():
    assert abs(sim[k][-1].item() / expected[k][-1].item() - 1) < 0.1  # Monte Carlo agrees
    if k.startswith("常数"):
        a = v[0].item()
        assert abs(expected[k][-1].item() - a * s2 / (2 - a)) < 1e-9  # the floor is reached
plain = expected[r"$\alpha_t = 1/(t+1)$"]
assert (plain[1:] - s2 / t[1:]).abs().max().item() < 1e-12  # the plain mean: σ²/t
assert plain[1].item() == s2 > e0 and plain[-1].item() / best[-1].item() < 1.01  # worse early, same late
small = expected[r"常数 $\alpha = 0.02$"]
assert small[100] > best[100] and small[-1] > 5 * best[-1]  # the small constant: slower, then stuck
value("amos-sched-a0", opt[0].item(), "g")
value("amos-sched-final", best[-1].item(), ".5f")
value("amos-sched-ratio", expected[rf"常数 $\alpha = {opt[0].item():g}$"][-1].item() / best[-1].item(), ".0f")
value("amos-sched-steps", steps, "d")

fig, ax = figure(size=(6.4, 3.6))
for i, k in enumerate(schedules):
    ax.loglog(t[1:], sim[k][1:], color=f"C{i}", lw=1.1, label=k)
    ax.loglog(t[1:], expected[k][1:], "k--", lw=0.6)
ax.set_xlabel("步数 t")
ax.set_ylabel(r"误差 $e_t = \Vert\theta_t-\theta^*\Vert^2/d$")
ax.legend(fontsize=8)
print()
print(svg(fig, caption=f"带噪二次问题上四种学习率的误差（ξ = {xi:g}，σ = {sigma:g}，双对数坐标）。"
                       "彩色为模拟，黑色虚线为误差递推的期望值。"
                       "常数学习率停在各自的地板上，反比例衰减则一路按 1/t 下降。"))
