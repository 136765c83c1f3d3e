import torch

from blogkit.diffusion import GaussianMixture, VPSchedule, dsm_loss
from blogkit.display import md_table, value

data = GaussianMixture.of([0.3, 0.3, 0.4], [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], [0.3, 0.5, 0.4])
vp = VPSchedule(beta_min=0.1, beta_max=20.0)
gen = torch.Generator().manual_seed(1)
t = 0.3
alpha, sigma = vp.alpha(t), vp.sigma(t)
pt = vp.marginal(data, t)

# The score as the posterior average of the conditional score, on a grid of points.
g = torch.linspace(-4, 4, 81, dtype=torch.float64)
grid = torch.cartesian_prod(g, g)  # (6561, 2)
tweedie = (alpha * data.posterior_mean(grid, alpha, sigma) - grid) / sigma**2
tweedie_err = (tweedie - pt.score(grid)).abs().max().item()
assert tweedie_err < 1e-12
value("sde-tweedie-err", tweedie_err, ".1e")

# Denoising score matching: the loss of a few candidate scores on the same noisy batch.
n = 20000
x0 = data.sample(n, gen)
eps = torch.randn(n, 2, generator=gen, dtype=torch.float64)
xt = vp.noisy(x0, eps, t)
exact = pt.score(xt)
candidates = [("精确得分 ∇log p_t", exact), ("精确得分 × 1.2", 1.2 * exact),
              ("精确得分 × 0.8", 0.8 * exact), ("t = 0.5 时刻的得分", vp.marginal(data, 0.5).score(xt)),
              ("t = 0.2 时刻的得分", vp.marginal(data, 0.2).score(xt)), ("零", torch.zeros_like(exact))]
base = dsm_loss(exact, eps, sigma).item()
rows = []
print()
for name, s in candidates:
    loss = dsm_loss(s, eps, sigma).item()
    gap = (sigma**2 * ((s - exact) ** 2).sum(-1).mean()).item()
    rows.append((name, loss, base + gap, loss - base - gap))
print(md_table(rows, ["候选 s", "去噪得分匹配损失", r"L(s\*) + σ²·E‖s − s\*‖²", "两者之差"],
               [None, ".4f", ".4f", "+.1e"]))
floor = 2 - sigma**2 * (exact**2).sum(-1).mean().item()  # d − σ² E|s*|²
assert min(r[1] for r in rows) == rows[0][1]  # the exact score has the smallest loss
assert all(abs(r[3]) < 0.01 for r in rows)  # the decomposition, up to Monte Carlo noise
assert abs(floor - base) < 0.01
assert abs(rows[1][1] - rows[2][1]) < 0.01  # ±20 %: the same price, the loss is quadratic
value("sde-dsm-n", n, ",d")
value("sde-dsm-base", base, ".4f")
value("sde-dsm-floor", floor, ".4f")
value("sde-dsm-maxdiff", max(abs(r[3]) for r in rows), ".1e")
