from functools import partial

import numpy as np

from blogkit.display import md_table, value
from blogkit.genmodels import (
    empirical_nll,
    gaussian_forward_kl,
    gaussian_logpdf,
    gmm_logpdf,
    gmm_moments,
    gmm_sample,
    kl_quadrature,
    mle_gaussian,
)

# p_data: 0.3·N(−2, 0.6²) + 0.7·N(2, 0.6²); the model family: one Gaussian N(μ, σ²).
w, m, s = [0.3, 0.7], [-2.0, 2.0], [0.6, 0.6]
grid = np.linspace(-16, 16, 8001)
logp = gmm_logpdf(grid, w, m, s)
neg_entropy = float(np.trapezoid(np.exp(logp) * logp, grid))  # ∫ p log p = −H(p)
mean, var = gmm_moments(w, m, s)
x = gmm_sample(100_000, w, m, s, np.random.default_rng(0))

rows = []
for mu, sigma in [(0.0, 1.0), (2.0, 0.6), (-2.0, 0.6), (mean, 1.0), (mean, np.sqrt(var))]:
    cross = -float(np.trapezoid(np.exp(logp) * gaussian_logpdf(grid, mu, sigma), grid))
    kl = float(gaussian_forward_kl(mean, var, neg_entropy, mu, sigma))
    kl_direct = kl_quadrature(logp, gaussian_logpdf(grid, mu, sigma), grid)
    nll = empirical_nll(partial(gaussian_logpdf, mu=mu, sigma=sigma), x)
    assert abs(kl - kl_direct) < 1e-9  # the closed form equals the integral
    rows.append((f"({mu:.2f}, {sigma:.3f})", nll, cross, kl, cross - kl))
print(md_table(rows, ["(μ, σ)", "样本 NLL(N = 10⁵)", "交叉熵 −E log q", "KL(p ‖ q)",
                      "交叉熵 − KL"], [None, ".4f", ".4f", ".4f", ".6f"]))
diff = [r[4] for r in rows]
assert max(diff) - min(diff) < 1e-9  # the gap is the entropy of p_data, the same for every θ
assert abs(diff[0] + neg_entropy) < 1e-9
assert max(abs(r[1] / r[2] - 1) for r in rows) < 5e-3  # the sample NLL estimates the cross-entropy
kls = [r[3] for r in rows]
assert np.argmin(kls) == len(rows) - 1 and np.argmin([r[1] for r in rows]) == len(rows) - 1
value("gi-entropy", -neg_entropy, ".4f")
value("gi-mean", mean, ".2f")
value("gi-std", np.sqrt(var), ".4f")
value("gi-kl-min", kls[-1], ".4f")

# Maximum likelihood on n samples: the sample mean and the (biased) sample std.
rows = []
for n in [10, 100, 1000, 10_000, 100_000]:
    mu_hat, sigma_hat = mle_gaussian(x[:n])
    excess = float(gaussian_forward_kl(mean, var, neg_entropy, mu_hat, sigma_hat)) - kls[-1]
    rows.append((n, mu_hat, sigma_hat, excess))
print()
print(md_table(rows, ["样本数 N", "μ̂", "σ̂", "拟合高斯的 KL 超出最小值"], [",d", ".4f", ".4f", ".2e"]))
assert all(r[3] >= 0 for r in rows) and rows[-1][3] < rows[1][3] < rows[0][3]
value("gi-excess-100k", rows[-1][3], ".1e")
