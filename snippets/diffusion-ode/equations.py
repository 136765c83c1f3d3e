import torch

from blogkit.diffusion import GaussianMixture, VESchedule, fokker_planck_terms
from blogkit.display import md_table, value

torch.set_num_threads(1)  # small tensors: one thread is fastest
data = GaussianMixture.of([0.3, 0.7], [-2.0, 1.5], [0.3, 0.5])  # the 1-D data of this post
ve = VESchedule(T=20.0)
x = torch.linspace(-5, 5, 1001, dtype=torch.float64)

# One Euler step of the ODE: the log-density changes by Δt ∇·f, up to O(Δt²).
t = 1.0
p_t = ve.marginal(data, t)
f, div = ve.velocity(data), ve.velocity_divergence(data)
step_rows = []
for dt in (1e-1, 1e-2, 1e-3):
    x_next = x + f(x, t) * dt  # x_{t+Δt} = x_t + f_t(x_t) Δt
    lhs = p_t.log_prob(x[:, None]) - ve.marginal(data, t + dt).log_prob(x_next[:, None])
    err = (lhs - dt * div(x[:, None], t)).abs().max().item()
    step_rows.append((dt, err, err / dt**2))
print(md_table(step_rows, ["Δt", "log p_t(x_t) − log p_t+Δt(x_t+Δt) − Δt∇·f 的最大绝对值", "误差 / Δt²"],
               [".0e", ".2e", ".3f"]))
ratios = [r[2] for r in step_rows]
assert max(ratios[1:]) / min(ratios[1:]) < 1.2  # second order: the first-order term is exact
value("ode-step-c", ratios[-1], ".2f")

# The heat equation, and the continuity equation with f = −t ∇log p_t (and with half of it).
rows = []
for t in (0.2, 1.0, 5.0):
    dp, _, heat = fokker_planck_terms(ve.density(data), None, ve.g2, x, t)
    _, flow, _ = fokker_planck_terms(ve.density(data), ve.velocity(data), None, x, t)
    _, half, _ = fokker_planck_terms(ve.density(data), ve.velocity(data, c=0.5), None, x, t)
    scale = dp.abs().max().item()
    rows.append((t, scale, (dp - heat).abs().max().item() / scale,
                 (dp - flow).abs().max().item() / scale, (dp - half).abs().max().item() / scale))
print()
print(md_table(rows, ["t", "∂p/∂t 的最大绝对值", "热传导方程的相对残差", "连续性方程（f = −t∇log p）",
                      "连续性方程（速度减半）"], [".1f", ".4f", ".1e", ".1e", ".2f"]))
assert all(r[2] < 1e-5 and r[3] < 1e-5 for r in rows)  # both hold to finite-difference accuracy
assert all(abs(r[4] - 0.5) < 1e-4 for r in rows)  # half the velocity moves half the mass
value("ode-pde-max", max(max(r[2], r[3]) for r in rows), ".1e")
