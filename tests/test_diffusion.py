"""blogkit.diffusion (posts diffusion-sde and diffusion-ode) against torch.distributions,
torch.autograd, scipy (quad, solve_ivp, stats) and slow loops."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy import integrate, stats

from blogkit import diffusion as df

torch.set_num_threads(1)
F64 = torch.float64

DATA2 = df.GaussianMixture.of([0.3, 0.3, 0.4], [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]], [0.3, 0.5, 0.4])
DATA1 = df.GaussianMixture.of([0.3, 0.7], [-2.0, 1.5], [0.3, 0.5])
VP = df.VPSchedule(0.1, 20.0)


def torch_mixture(m: df.GaussianMixture) -> torch.distributions.MixtureSameFamily:
    """The same mixture built from torch.distributions (an implementation nobody here wrote)."""
    comp = torch.distributions.Independent(
        torch.distributions.Normal(m.means, m.stds[:, None].expand_as(m.means)), 1)
    return torch.distributions.MixtureSameFamily(torch.distributions.Categorical(m.weights), comp)


# ------------------------------------------------------------------------- Gaussian mixture


@pytest.mark.parametrize("m", [DATA1, DATA2, VP.marginal(DATA2, 0.3)])
def test_log_prob_score_and_laplacian_match_torch_distributions(m: df.GaussianMixture) -> None:
    gen = torch.Generator().manual_seed(0)
    x = 2.5 * torch.randn(200, m.dim, generator=gen, dtype=F64)
    ref = torch_mixture(m)
    torch.testing.assert_close(m.log_prob(x), ref.log_prob(x), rtol=1e-12, atol=1e-12)
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(ref.log_prob(xg).sum(), xg, create_graph=True)
    torch.testing.assert_close(m.score(x), grad.detach(), rtol=1e-10, atol=1e-10)
    lap = sum(torch.autograd.grad(grad[:, i].sum(), xg, retain_graph=True)[0][:, i]
              for i in range(m.dim))
    torch.testing.assert_close(m.score_divergence(x), lap, rtol=1e-9, atol=1e-9)


def test_cdf_matches_scipy_and_sampling_moments() -> None:
    x = torch.linspace(-5, 5, 101, dtype=F64)
    ref = sum(w * stats.norm.cdf(x.numpy(), mu, s) for w, mu, s in
              zip([0.3, 0.7], [-2.0, 1.5], [0.3, 0.5], strict=True))
    np.testing.assert_allclose(DATA1.cdf(x).numpy(), ref, atol=1e-14)
    xs = DATA2.sample(200_000, torch.Generator().manual_seed(1))
    torch.testing.assert_close(xs.mean(0), DATA2.mean(), atol=0.02, rtol=0)
    torch.testing.assert_close(torch.cov(xs.T), DATA2.cov(), atol=0.03, rtol=0)


def test_perturb_is_the_convolution_by_quadrature() -> None:
    """The law of αx0 + σε, as a slow 1-D integral over x0 with scipy.integrate.quad."""
    alpha, sigma = 0.7, 0.4
    noisy = DATA1.perturb(alpha, sigma)
    def p0(u: float) -> float:
        return math.exp(float(DATA1.log_prob(torch.tensor([[u]], dtype=F64))))

    for y in (-2.0, -0.3, 0.8, 1.4):
        val, _ = integrate.quad(lambda u, y=y: p0(u) * stats.norm.pdf(y, alpha * u, sigma), -8, 8,
                                points=[-2.0, 1.5], limit=200)
        assert math.isclose(float(noisy.log_prob(torch.tensor([[y]], dtype=F64)).exp()), val,
                            rel_tol=1e-9)


def test_eqn_diffusion_sde_cond_posterior_mean_and_score() -> None:
    alpha, sigma = 0.6, 0.8
    # the posterior mean by quadrature (slow oracle, 1-D)
    for y in (-1.5, 0.2, 1.0):
        def joint(u: float, y: float = y) -> float:
            return (math.exp(float(DATA1.log_prob(torch.tensor([[u]], dtype=F64))))
                    * stats.norm.pdf(y, alpha * u, sigma))
        num, _ = integrate.quad(lambda u: u * joint(u), -8, 8, points=[-2.0, 1.5], limit=200)
        den, _ = integrate.quad(joint, -8, 8, points=[-2.0, 1.5], limit=200)
        got = float(DATA1.posterior_mean(torch.tensor([[y]], dtype=F64), alpha, sigma)[0, 0])
        assert math.isclose(got, num / den, rel_tol=1e-8, abs_tol=1e-10)
    # Eq. (cond): (α E[x0|x] − x)/σ² is the score of the perturbed mixture (torch autograd)
    x = torch.randn(100, 2, generator=torch.Generator().manual_seed(2), dtype=F64) * 2
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(torch_mixture(DATA2.perturb(alpha, sigma)).log_prob(xg).sum(), xg)
    torch.testing.assert_close((alpha * DATA2.posterior_mean(x, alpha, sigma) - x) / sigma**2, grad,
                               rtol=1e-10, atol=1e-10)


# ------------------------------------------------------------------------- Euler–Maruyama


def _hand_loop(drift, diffusion, x0, ts, dw):
    x = x0.copy()
    out = [x.copy()]
    for k in range(len(ts) - 1):
        x = x + drift(x, ts[k]) * (ts[k + 1] - ts[k]) + diffusion(ts[k]) * dw[k]
        out.append(x.copy())
    return np.stack(out)


@pytest.mark.parametrize("decreasing", [False, True])
@pytest.mark.parametrize("shape", [(5,), (4, 3)])
def test_eqn_diffusion_sde_em_matches_a_hand_loop(decreasing: bool, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(3)
    ts = np.sort(rng.uniform(0, 1, 12))
    ts = ts[::-1].copy() if decreasing else ts
    x0 = rng.normal(size=shape)
    dw = rng.normal(size=(len(ts) - 1, *shape)) * np.sqrt(np.abs(np.diff(ts))).reshape(
        -1, *[1] * len(shape))
    drift = lambda x, t: np.sin(x) - t * x  # noqa: E731
    diffusion = lambda t: 0.5 + t  # noqa: E731
    ref = _hand_loop(drift, diffusion, x0, ts, dw)
    got_np = df.euler_maruyama(drift, diffusion, x0, ts, dw)
    assert isinstance(got_np, np.ndarray) and got_np.shape == (len(ts), *shape)
    np.testing.assert_allclose(got_np, ref, rtol=1e-13, atol=1e-13)
    got_t = df.euler_maruyama(lambda x, t: torch.sin(x) - t * x, diffusion, torch.from_numpy(x0),
                              torch.from_numpy(ts), torch.from_numpy(dw))
    assert got_t.dtype == F64
    np.testing.assert_allclose(got_t.numpy(), ref, rtol=1e-13, atol=1e-13)


def test_em_rejects_wrong_dw_and_draws_reproducible_increments() -> None:
    x0 = torch.zeros(3, dtype=F64)
    with pytest.raises(ValueError):
        df.euler_maruyama(lambda x, t: x, lambda t: 1.0, x0, [0.0, 0.5, 1.0], torch.zeros(3, 3))
    ts = torch.linspace(1, 0, 51, dtype=F64)  # backwards: the increments have variance |Δt|
    torch.manual_seed(5)
    a = df.euler_maruyama(lambda x, t: 0 * x, lambda t: 1.0, torch.zeros(20000, dtype=F64), ts)
    torch.manual_seed(5)
    b = df.euler_maruyama(lambda x, t: 0 * x, lambda t: 1.0, torch.zeros(20000, dtype=F64), ts)
    assert torch.equal(a, b)
    assert abs(a[-1].var().item() - 1.0) < 0.04  # Brownian motion over |ΔT| = 1


@pytest.mark.parametrize("theta,sig", [(1.0, 0.5), (3.0, 1.2)])
def test_ornstein_uhlenbeck_moments(theta: float, sig: float) -> None:
    """dx = −θx dt + σ dW from x0 = 2: mean 2e^{−θt}, variance σ²(1 − e^{−2θt})/(2θ)."""
    n, steps, T = 20000, 400, 1.0
    gen = torch.Generator().manual_seed(6)
    ts = torch.linspace(0, T, steps + 1, dtype=F64)
    dw = torch.randn(steps, n, generator=gen, dtype=F64) * math.sqrt(T / steps)
    path = df.euler_maruyama(lambda x, t: -theta * x, lambda t: sig, torch.full((n,), 2.0, dtype=F64),
                             ts, dw)
    for k in (100, 400):
        t = float(ts[k])
        mean, var = 2 * math.exp(-theta * t), sig**2 * (1 - math.exp(-2 * theta * t)) / (2 * theta)
        bias = 2 * theta * T / steps  # first-order weak error of Euler–Maruyama
        assert abs(path[k].mean().item() - mean) < 4 * math.sqrt(var / n) + bias * mean
        assert abs(path[k].var().item() - var) < 4 * var * math.sqrt(2 / n) + bias * var


# ------------------------------------------------------------------------- VP process


def test_eqn_diffusion_sde_vp_against_solve_ivp() -> None:
    """α_t and σ_t² solve the moment ODEs m' = −½β m, v' = −β v + β (scipy's integrator)."""
    sol = integrate.solve_ivp(lambda t, y: [-0.5 * VP.beta(t) * y[0], -VP.beta(t) * y[1] + VP.beta(t)],
                              (0, 1), [1.0, 0.0], t_eval=[0.05, 0.3, 0.7, 1.0], rtol=1e-11, atol=1e-13)
    for t, m, v in zip(sol.t, sol.y[0], sol.y[1], strict=True):
        assert math.isclose(VP.alpha(t), m, rel_tol=1e-8)
        assert math.isclose(VP.sigma(t) ** 2, v, rel_tol=1e-8)
        assert math.isclose(VP.integral(t), integrate.quad(VP.beta, 0, t)[0], rel_tol=1e-12)


def test_eqn_diffusion_sde_forward_em_reaches_the_vp_marginal() -> None:
    n, steps = 20000, 1000
    gen = torch.Generator().manual_seed(7)
    ts = torch.linspace(0, 1, steps + 1, dtype=F64)
    x0 = DATA1.sample(n, gen)
    dw = torch.randn(steps, n, 1, generator=gen, dtype=F64) / math.sqrt(steps)
    path = df.euler_maruyama(VP.drift, VP.diffusion, x0, ts, dw)
    for k in (200, 500):
        ref = VP.marginal(DATA1, float(ts[k]))
        w1 = df.w1_to_cdf(path[k], ref.cdf, -8, 8).item()
        assert w1 < 0.03  # sampling noise ~ 1/sqrt(n) plus the O(Δt) step error


# ------------------------------------------------------------------------- reverse step


def test_eqn_diffusion_sde_step_and_bayes_against_scipy_quad() -> None:
    y, t = 0.5, 0.3
    for dt in (3e-2, 3e-3, 3e-4):
        (m, v), (am, av) = df.reverse_step_moments(VP, DATA1, y, t, dt)
        # Eq. (bayes) integrated independently with scipy.integrate.quad
        def w(x: float, dt: float = dt) -> float:
            p = math.exp(float(VP.marginal(DATA1, t).log_prob(torch.tensor([[x]], dtype=F64))))
            return stats.norm.pdf(y, x + float(VP.drift(torch.tensor(x), t)) * dt,
                                  math.sqrt(VP.beta(t) * dt)) * p
        sd = math.sqrt(VP.beta(t + dt) * dt)
        lo, hi = y - 12 * sd, y + 12 * sd
        z = integrate.quad(w, lo, hi, limit=200, epsabs=0)[0]
        m_ref = integrate.quad(lambda x: x * w(x), lo, hi, limit=200, epsabs=0)[0] / z
        v_ref = integrate.quad(lambda x, m_ref=m_ref: (x - m_ref) ** 2 * w(x), lo, hi,
                               limit=200, epsabs=0)[0] / z
        assert abs(m - m_ref) < 1e-8 and abs(v / v_ref - 1) < 1e-7
        # Eq. (step): the mean error is O(Δt²), the variance error O(Δt)
        assert abs(m - am) < 2 * dt**2 and abs(v / av - 1) < 4 * dt


# ------------------------------------------------------------------------- Fokker–Planck


@pytest.mark.parametrize("t", [0.05, 0.4])
def test_eqn_diffusion_sde_fp_against_autograd(t: float) -> None:
    x = torch.linspace(-4, 4, 81, dtype=F64)
    dp, tr, dif = df.fokker_planck_terms(VP.density(DATA1), VP.drift, VP.beta, x, t)
    # the same three terms with torch.autograd (time enters through α_t, σ_t)
    xg = x.clone().requires_grad_(True)
    p = VP.density(DATA1)(xg, t)
    (px,) = torch.autograd.grad(p.sum(), xg, create_graph=True)
    dpdt = torch.autograd.functional.jacobian(lambda s: VP.density(DATA1)(x, s),
                                              torch.tensor(t, dtype=F64))
    pxx = torch.autograd.grad(px.sum(), xg)[0]
    f = VP.drift(x, t)
    tr_ref = -(-0.5 * VP.beta(t) * p.detach() + f * px.detach())  # −∂x(f p), ∂x f = −½β
    dif_ref = 0.5 * VP.beta(t) * pxx
    torch.testing.assert_close(dp, dpdt, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(tr, tr_ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(dif, dif_ref, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(dpdt, tr_ref + dif_ref, atol=1e-10, rtol=1e-10)  # the equation


@pytest.mark.parametrize("lam", [0.0, 0.5, 1.0, 2.0])
def test_eqn_diffusion_sde_family_same_fokker_planck(lam: float) -> None:
    """−∇·([f − ½(1−λ²)g²∇log p] p) + ½λ²g²Δp equals ∂_t p for every λ (torch autograd)."""
    t = 0.25
    x = torch.linspace(-4, 4, 61, dtype=F64)
    dpdt = torch.autograd.functional.jacobian(lambda s: VP.density(DATA1)(x, s),
                                              torch.tensor(t, dtype=F64))
    pt = VP.marginal(DATA1, t)
    xg = x.clone().requires_grad_(True)
    p = pt.log_prob(xg[:, None]).exp()
    v = VP.drift(xg, t) - 0.5 * (1 - lam**2) * VP.beta(t) * pt.score(xg[:, None])[:, 0]
    flux_div = torch.autograd.grad((v * p).sum(), xg, create_graph=True)[0]
    px = torch.autograd.grad(p.sum(), xg, create_graph=True)[0]
    pxx = torch.autograd.grad(px.sum(), xg)[0]
    torch.testing.assert_close(-flux_div.detach() + 0.5 * lam**2 * VP.beta(t) * pxx, dpdt,
                               atol=1e-10, rtol=1e-10)


# ------------------------------------------------------------------------- score matching


def test_eqn_diffusion_sde_dsm_and_decomp() -> None:
    t, n = 0.3, 100_000
    gen = torch.Generator().manual_seed(8)
    a, s = VP.alpha(t), VP.sigma(t)
    x0 = DATA2.sample(n, gen)
    eps = torch.randn(n, 2, generator=gen, dtype=F64)
    xt = VP.noisy(x0, eps, t)
    torch.testing.assert_close(xt, a * x0 + s * eps)
    exact = VP.marginal(DATA2, t).score(xt)
    # the loss as written: σ² |s − ∇log p(x_t|x_0)|² with the conditional score −(x_t − αx_0)/σ²
    cond = -(xt - a * x0) / s**2
    assert math.isclose(df.dsm_loss(exact, eps, s).item(),
                        (s**2 * ((exact - cond) ** 2).sum(-1)).mean().item(), rel_tol=1e-12)
    # least squares for c in c·s*: the minimiser of Eq. (dsm) over this family is c = 1
    c = -(eps * exact).sum() / (s * (exact**2).sum())
    assert abs(c.item() - 1) < 0.01
    base = df.dsm_loss(exact, eps, s).item()
    assert abs(base - (2 - s**2 * (exact**2).sum(-1).mean().item())) < 0.01
    other = VP.marginal(DATA2, 0.5).score(xt)
    gap = s**2 * ((other - exact) ** 2).sum(-1).mean().item()
    assert abs(df.dsm_loss(other, eps, s).item() - base - gap) < 0.01


# ------------------------------------------------------------------------- distances, sampling


def test_w1_to_cdf_and_sliced_w1_against_scipy() -> None:
    gen = torch.Generator().manual_seed(9)
    xs = DATA1.sample(3000, gen)[:, 0]
    # scipy: W1 between the sample and a very fine quantile grid of the mixture
    u = (np.arange(200_000) + 0.5) / 200_000
    grid = np.linspace(-6, 6, 400_001)
    q = np.interp(u, DATA1.cdf(torch.from_numpy(grid)).numpy(), grid)
    ref = stats.wasserstein_distance(xs.numpy(), q)
    assert abs(df.w1_to_cdf(xs, DATA1.cdf, -7, 7).item() - ref) < 2e-4
    # sliced: the average over directions of the same scipy distance of the projections
    x2 = DATA2.sample(2000, gen)
    m = 8
    total = 0.0
    for j in range(m):
        th = j * math.pi / m
        udir = torch.tensor([math.cos(th), math.sin(th)], dtype=F64)
        line = df.GaussianMixture(DATA2.weights, (DATA2.means @ udir)[:, None], DATA2.stds)
        g = np.linspace(-9, 9, 400_001)
        qj = np.interp(u, line.cdf(torch.from_numpy(g)).numpy(), g)
        total += stats.wasserstein_distance((x2 @ udir).numpy(), qj)
    assert abs(df.sliced_w1(x2, DATA2, n_dirs=m).item() - total / m) < 3e-4


def test_eqn_diffusion_sde_reverse_samples_the_data() -> None:
    """Reverse SDE and probability-flow ODE with the exact score reach the 1-D mixture."""
    n, steps = 20000, 300
    gen = torch.Generator().manual_seed(10)
    ts = torch.linspace(1.0, 1e-3, steps + 1, dtype=F64)
    x1 = torch.randn(n, 1, generator=gen, dtype=F64)
    dw = torch.randn(steps, n, 1, generator=gen, dtype=F64) * math.sqrt((1 - 1e-3) / steps)
    floor = df.w1_to_cdf(DATA1.sample(n, gen), DATA1.cdf, -6, 6).item()
    for lam, g in ((1.0, VP.diffusion), (0.0, 0.0)):
        x = df.euler_maruyama(VP.reverse_drift(DATA1, lam), g, x1, ts, dw)[-1]
        assert df.w1_to_cdf(x, DATA1.cdf, -6, 6).item() < max(3 * floor, 0.02)
    wrong = df.euler_maruyama(VP.reverse_drift(DATA1, 0.0), VP.diffusion, x1, ts, dw)[-1]
    assert df.w1_to_cdf(wrong, DATA1.cdf, -6, 6).item() > 0.3


# ------------------------------------------------------------------------- the ODE post

VE = df.VESchedule(T=20.0)


def test_rk4_is_fourth_order_and_the_grid_ends_at_zero() -> None:
    f = lambda x, t: -t * x  # noqa: E731  x(t) = x0 exp(−t²/2)
    errs = [abs(df.rk4(f, torch.ones(1, dtype=F64), torch.linspace(0, 2, n + 1).tolist())[-1].item()
                - math.exp(-2.0)) for n in (10, 20, 40)]
    assert 14 < errs[0] / errs[1] < 18 and 14 < errs[1] / errs[2] < 18
    g = VE.grid(16)
    assert g[0] == VE.T and g[-1] == 0.0 and all(a > b for a, b in itertools.pairwise(g))


def test_quantiles_invert_the_cdf() -> None:
    q = DATA1.quantiles(1000)
    u = (torch.arange(1000, dtype=F64) + 0.5) / 1000
    torch.testing.assert_close(DATA1.cdf(q[:, 0]), u, atol=1e-12, rtol=0)
    wide = df.GaussianMixture.of([1.0], [0.0], [20.0]).quantiles(7)[:, 0]
    np.testing.assert_allclose(wide.numpy(), stats.norm.ppf((np.arange(7) + 0.5) / 7, 0, 20),
                               rtol=1e-10, atol=1e-12)


def test_eqn_diffusion_ode_jacobian_in_two_dimensions() -> None:
    """log|det(I + Δt ∂f/∂x)| from torch's Jacobian and slogdet is Δt ∇·f + O(Δt²)."""
    data = DATA2
    f, div = VE.velocity(data), VE.velocity_divergence(data)
    t = 0.7
    pts = torch.randn(20, 2, generator=torch.Generator().manual_seed(11), dtype=F64) * 2
    for dt in (1e-2, 1e-3):
        for x in pts:
            jac = torch.autograd.functional.jacobian(lambda z: f(z[None], t)[0], x)
            logdet = torch.linalg.slogdet(torch.eye(2, dtype=F64) + dt * jac).logabsdet
            assert abs(logdet.item() - dt * div(x[None], t).item()) < 5 * dt**2 * (1 + jac.norm() ** 2)
            # the divergence is the trace of torch's Jacobian
            assert abs(jac.trace().item() - div(x[None], t).item()) < 1e-10


@pytest.mark.parametrize("t", [0.3, 2.0, 8.0])
def test_eqn_diffusion_ode_heat_continuity_and_ve_by_autograd(t: float) -> None:
    x = torch.linspace(-5, 5, 41, dtype=F64)
    dpdt = torch.autograd.functional.jacobian(lambda s: VE.density(DATA1)(x, s),
                                              torch.tensor(t, dtype=F64))
    xg = x.clone().requires_grad_(True)
    p = VE.density(DATA1)(xg, t)
    px = torch.autograd.grad(p.sum(), xg, create_graph=True)[0]
    pxx = torch.autograd.grad(px.sum(), xg, retain_graph=True)[0]
    torch.testing.assert_close(dpdt, 0.5 * VE.g2(t) * pxx, atol=1e-12, rtol=1e-10)  # heat
    flux = VE.velocity(DATA1)(xg, t) * p
    div_flux = torch.autograd.grad(flux.sum(), xg)[0]
    torch.testing.assert_close(dpdt, -div_flux, atol=1e-12, rtol=1e-10)  # continuity with (ve)
    # the finite-difference helper agrees with autograd
    dp, tr, _ = df.fokker_planck_terms(VE.density(DATA1), VE.velocity(DATA1), None, x, t)
    torch.testing.assert_close(dp, dpdt, atol=1e-7, rtol=1e-6)
    torch.testing.assert_close(tr, -div_flux, atol=1e-6, rtol=1e-5)


def test_eqn_diffusion_ode_linear_against_solve_ivp() -> None:
    s = 0.5
    gauss = df.GaussianMixture.of([1.0], [0.0], [s])
    xT = torch.tensor([[-30.0], [-3.0], [7.0], [41.0]], dtype=F64)
    ours = df.rk4(VE.velocity(gauss), xT, VE.grid(256))[-1]
    formula = xT * s / math.sqrt(s**2 + VE.T**2)
    torch.testing.assert_close(ours, formula, atol=1e-7, rtol=0)
    for x, ref in zip(xT[:, 0].tolist(), formula[:, 0].tolist(), strict=True):
        sol = integrate.solve_ivp(lambda t, y: t * y / (s**2 + t**2), (VE.T, 0.0), [x],
                                  rtol=1e-12, atol=1e-12)
        assert abs(sol.y[0, -1] - ref) < 1e-9


def test_eqn_diffusion_ode_ode_is_invertible() -> None:
    x0 = DATA1.quantiles(50)
    grid = VE.grid(256)
    xT = df.rk4(VE.velocity(DATA1), x0, grid[::-1])[-1]
    back = df.rk4(VE.velocity(DATA1), xT, grid)[-1]
    torch.testing.assert_close(back, x0, atol=1e-5, rtol=0)
    assert bool((xT[1:] > xT[:-1]).all())  # order is kept: trajectories never cross


def test_eqn_diffusion_ode_cov_and_loglik_against_solve_ivp() -> None:
    """The augmented ODE (x, ℓ) integrated by scipy's RK45 gives the same x_T and ∫∇·f, and
    log p_T(x_T) + ∫∇·f is the closed-form log p_0(x_0)."""
    f, div = VE.velocity(DATA1), VE.velocity_divergence(DATA1)
    x0 = torch.tensor([[-2.3], [-0.4], [1.1], [2.6]], dtype=F64)
    xT, integral = df.flow_log_density(f, div, x0, VE.grid(1024)[::-1])

    def rhs(t: float, y: np.ndarray) -> list[float]:
        z = torch.tensor([[y[0]]], dtype=F64)
        return [float(f(z, t)[0, 0]), float(div(z, t)[0])]

    for i in range(4):
        sol = integrate.solve_ivp(rhs, (0.0, VE.T), [float(x0[i, 0]), 0.0], method="RK45",
                                  rtol=1e-11, atol=1e-11)
        assert abs(sol.y[0, -1] - float(xT[i, 0])) < 1e-6
        assert abs(sol.y[1, -1] - float(integral[i])) < 1e-6
    est = VE.marginal(DATA1, VE.T).log_prob(xT) + integral
    torch.testing.assert_close(est, DATA1.log_prob(x0), atol=1e-6, rtol=0)
    # and backwards: from x_T down to 0 the same bookkeeping recovers log p_T from log p_0
    x_back, integral_back = df.flow_log_density(f, div, xT, VE.grid(1024))
    torch.testing.assert_close(x_back, x0, atol=1e-6, rtol=0)
    torch.testing.assert_close(integral_back, -integral, atol=1e-6, rtol=0)
