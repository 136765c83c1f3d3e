"""blogkit.entropy against slow loops (math module), scipy and torch, plus limits and bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, optimize, special, stats

from blogkit import entropy as en

LAMS = [0.0, 0.1, 0.5, 1.0, 2.5, 7.0, 30.0]
NS = [1, 2, 5, 64, 300]


def rows(n: int, batch: int = 3, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed + 1000 * n).standard_normal((batch, n))


def oracle_entropy(s: list[float], lam: float) -> float:
    """-Σ p_i log p_i with p_i = e^{λ s_i} / Σ_j e^{λ s_j}, one element at a time (no shift)."""
    w = [math.exp(lam * x) for x in s]
    z = math.fsum(w)
    return -math.fsum((wi / z) * math.log(wi / z) for wi in w if wi > 0)


# -- Eq. (entropy-softmax-entropy) ------------------------------------------------------------------
@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("lam", LAMS)
def test_eqn_entropy_softmax_entropy_matches_loop_oracle(n: int, lam: float) -> None:
    s = rows(n)
    ours = en.softmax_entropy(s, lam)
    ref = [oracle_entropy(list(r), lam) for r in s]
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("n", [2, 7, 128, 1000])
@pytest.mark.parametrize("lam", [0.0, 0.3, 3.0, 40.0, 500.0])
def test_entropy_matches_scipy_stats_on_softmax(n: int, lam: float) -> None:
    s = rows(n, batch=4, seed=1)
    p = special.softmax(lam * s, axis=-1)
    ref = stats.entropy(p, axis=-1)
    np.testing.assert_allclose(en.softmax_entropy(s, lam), ref, rtol=1e-10, atol=1e-12)


def test_entropy_and_derivative_match_torch_autograd() -> None:
    s = rows(50, batch=6, seed=2)
    for lam in [0.2, 1.0, 4.0]:
        lam_t = torch.tensor(lam, dtype=torch.float64, requires_grad=True)
        h = torch.distributions.Categorical(logits=lam_t * torch.from_numpy(s)).entropy()
        np.testing.assert_allclose(en.softmax_entropy(s, lam), h.detach().numpy(), rtol=1e-12)
        # dH/dλ row by row through autograd
        grads = [torch.autograd.grad(h[i], lam_t, retain_graph=True)[0].item() for i in range(len(s))]
        np.testing.assert_allclose(en.entropy_derivative(s, lam), grads, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n", [2, 10, 200])
def test_eqn_entropy_softmax_dH_matches_finite_differences(n: int) -> None:
    s = rows(n, seed=3)
    for lam in [0.0, 0.4, 2.0, 9.0]:
        h = 1e-5
        fd = (en.softmax_entropy(s, lam + h) - en.softmax_entropy(s, lam - h)) / (2 * h)
        np.testing.assert_allclose(en.entropy_derivative(s, lam), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("n", [1, 2, 5, 64, 300])
def test_bounds_zero_and_log_n(n: int) -> None:
    s = rows(n, batch=8, seed=4)
    lam = np.array([0.0, 1e-8, 0.1, 1.0, 10.0, 1e3, 1e6])[:, None, None]
    h = en.softmax_entropy(s[None], lam)
    assert h.shape == (7, 8)
    assert np.all(h >= 0)
    assert np.all(h <= math.log(n) * (1 + 1e-14) + 1e-15)


@pytest.mark.parametrize("n", [1, 2, 5, 64, 4096])
def test_lambda_zero_gives_log_n(n: int) -> None:
    s = rows(n, seed=5) * 10
    np.testing.assert_allclose(en.softmax_entropy(s, 0.0), math.log(n), rtol=1e-15, atol=0)


@pytest.mark.parametrize("n", [2, 5, 64, 300])
def test_entropy_decreases_in_lambda(n: int) -> None:
    s = rows(n, batch=5, seed=6)
    grid = np.linspace(0, 40, 401)[:, None, None]
    h = en.softmax_entropy(s[None], grid)
    assert np.all(np.diff(h, axis=0) <= 1e-13)
    assert np.all(h[-1] < h[0])  # strictly, as no row is constant
    assert np.all(en.entropy_derivative(s[None], grid) <= 0)


@pytest.mark.parametrize("ties", [1, 2, 3, 7])
def test_large_lambda_limit_is_log_of_number_of_maxima(ties: int) -> None:
    rng = np.random.default_rng(ties)
    s = np.concatenate([np.full(ties, 1.5), rng.uniform(-3, 1.0, 20)])
    rng.shuffle(s)
    for lam in [1e3, 1e5, 1e9]:
        h = float(en.softmax_entropy(s, lam))
        assert math.isfinite(h)
        assert abs(h - math.log(ties)) < 1e-12


def test_dtype_and_shape() -> None:
    s64 = rows(16, batch=6).reshape(2, 3, 16)
    h64 = en.softmax_entropy(s64, 2.0)
    assert h64.dtype == np.float64 and h64.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert h64[i, j] == pytest.approx(oracle_entropy(list(s64[i, j]), 2.0), rel=1e-12)
    s32 = s64.astype(np.float32)
    h32 = en.softmax_entropy(s32, 2.0)
    assert h32.dtype == np.float32
    np.testing.assert_allclose(h32, h64, rtol=1e-5)
    assert en.entropy_derivative(s32, 2.0).dtype == np.float32
    assert en.quick_entropy_approx(s32, 2.0).dtype == np.float32
    with pytest.raises(ValueError):
        en.softmax_entropy(np.array([0.0, np.inf]), 1.0)


# -- lambda_for_entropy -----------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 16, 512])
@pytest.mark.parametrize("lam", [0.05, 0.7, 3.0, 12.0])
def test_lambda_for_entropy_inverts_softmax_entropy(n: int, lam: float) -> None:
    s = rows(n, batch=8, seed=7)
    target = en.mean_entropy(s, lam)
    got = en.lambda_for_entropy(s, target)
    assert got == pytest.approx(lam, rel=1e-8)
    assert en.mean_entropy(s, got) == pytest.approx(target, abs=1e-11)


@pytest.mark.parametrize("target", [0.3, 1.0, 2.0, 3.5])
def test_lambda_for_entropy_matches_scipy_brentq(target: float) -> None:
    s = rows(64, batch=8, seed=8)
    ref = optimize.brentq(lambda x: float(np.mean(stats.entropy(special.softmax(x * s, axis=-1),
                                                                  axis=-1))) - target,
                          0.0, 1e3, xtol=1e-14, rtol=1e-14)
    assert en.lambda_for_entropy(s, target) == pytest.approx(ref, rel=1e-9)


def test_lambda_for_entropy_float32_and_errors() -> None:
    s = rows(64, batch=8, seed=9)
    lam64 = en.lambda_for_entropy(s, 2.0)
    assert en.lambda_for_entropy(s.astype(np.float32), 2.0) == pytest.approx(lam64, rel=1e-4)
    assert en.lambda_for_entropy(s, math.log(64)) == 0.0
    with pytest.raises(ValueError):
        en.lambda_for_entropy(s, math.log(64) + 0.01)  # above the maximum log n
    with pytest.raises(ValueError):
        en.lambda_for_entropy(s, 0.0)  # the λ → ∞ limit is never reached
    tied = np.array([[1.0, 1.0, 0.0, -1.0]])
    with pytest.raises(ValueError):
        en.lambda_for_entropy(tied, math.log(2))  # the floor is log(#maxima) = log 2
    assert en.mean_entropy(tied, en.lambda_for_entropy(tied, 0.8)) == pytest.approx(0.8, abs=1e-11)


# -- Eq. (entropy-softmax-approx): the quick approximation -----------------------------------------
@pytest.mark.parametrize("n", [2, 5, 64, 300])
def test_eqn_entropy_softmax_approx_is_a_lower_bound_exact_at_zero(n: int) -> None:
    s = rows(n, batch=6, seed=10)
    grid = np.linspace(0, 20, 201)[:, None]
    h = en.softmax_entropy(s[None], grid[..., None])
    approx = en.quick_entropy_approx(s[None], grid)
    assert np.all(h >= approx - 1e-12)
    np.testing.assert_allclose(approx[0], math.log(n), rtol=1e-15)
    # slope of the approximation is -(s_max - s̄); the true slope at 0 is 0 (Eq. entropy-softmax-dH)
    spread = s.max(axis=1) - s.mean(axis=1)
    np.testing.assert_allclose(approx[1] - approx[0], -spread * 0.1, rtol=1e-10)
    assert np.all(en.entropy_derivative(s, 0.0) == 0)
    # it fails at large λ: the bound goes negative while H stays >= log(#maxima) >= 0
    lam_big = 2 * math.log(n) / spread.min()
    assert np.all(en.quick_entropy_approx(s, lam_big) < 0)


def test_quick_approx_exact_for_constant_rows() -> None:
    const = np.full((2, 9), 0.7)
    for lam in [0.0, 1.0, 100.0]:
        np.testing.assert_allclose(en.quick_entropy_approx(const, lam), en.softmax_entropy(const, lam))
    with pytest.raises(ValueError):
        en.quick_lambda(const, 1.0)


@pytest.mark.parametrize("target", [0.5, 1.5, 2.5])
def test_quick_lambda_is_a_lower_bound_of_lambda_star(target: float) -> None:
    for n in [16, 64, 512]:  # log n > target
        s = rows(n, batch=8, seed=11)
        q = en.quick_lambda(s, target)
        assert en.mean_entropy(s, q) >= target - 1e-12
        assert q <= en.lambda_for_entropy(s, target)
    assert en.score_spread(np.array([[0.0, 3.0], [1.0, 2.0]])) == pytest.approx((1.5 + 0.5) / 2)


# -- Eq. (entropy-softmax-attention) and the fit ---------------------------------------------------
def test_eqn_entropy_softmax_attention_scale_properties() -> None:
    """κ log n / d characterised by properties, not by its formula: zero at n = 1, additive over
    products of lengths (the functional equation of the logarithm), increasing in n, linear in κ,
    inversely proportional to d, and equal to 1/sqrt(d) at the calibration length."""
    rng = np.random.default_rng(17)
    a, b = rng.integers(1, 5000, 50), rng.integers(1, 5000, 50)
    f = lambda n: en.entropy_invariant_scale(n, 32, 1.7)  # noqa: E731
    assert f(1) == 0.0
    np.testing.assert_allclose(f(a * b), f(a) + f(b), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(f(a**3), 3 * f(a), rtol=1e-12, atol=1e-15)
    grid = np.arange(1, 10_000)
    assert np.all(np.diff(f(grid)) > 0)
    np.testing.assert_allclose(en.entropy_invariant_scale(grid, 64, 2.0),
                               2 * en.entropy_invariant_scale(grid, 128, 2.0), rtol=1e-14)
    np.testing.assert_allclose(en.entropy_invariant_scale(grid, 64, 3.0),
                               3 * en.entropy_invariant_scale(grid, 64, 1.0), rtol=1e-14)
    # calibrated to the usual 1/sqrt(d) at n0, it agrees there and grows by log n / log n0
    for d, n0 in [(64, 512), (128, 4096), (16, 2)]:
        kappa = en.kappa_for_scale(1 / math.sqrt(d), n0, d)
        assert en.entropy_invariant_scale(n0, d, kappa) == pytest.approx(1 / math.sqrt(d), rel=1e-14)
        # doubling n0 twice: torch's own log2 as the reference for the ratio
        ratio = en.entropy_invariant_scale(4 * n0, d, kappa) * math.sqrt(d)
        ref = float(torch.log2(torch.tensor(4.0 * n0, dtype=torch.float64))
                     / torch.log2(torch.tensor(float(n0), dtype=torch.float64)))
        assert ratio == pytest.approx(ref, rel=1e-13)
    with pytest.raises(ValueError):
        en.entropy_invariant_scale(0, 64, 1.0)
    with pytest.raises(ValueError):
        en.kappa_for_scale(0.1, 1, 64)


def test_eqn_entropy_softmax_attention_in_torch_sdpa() -> None:
    """The scale used as the softmax temperature of torch's own attention gives rows whose
    entropy is what softmax_entropy predicts for the scores q·k_i at λ = κ log n / d."""
    torch.manual_seed(0)
    d, n, kappa = 16, 300, 0.9
    q = torch.randn(1, 1, 4, d, dtype=torch.float64)
    k = torch.randn(1, 1, n, d, dtype=torch.float64)
    lam = en.entropy_invariant_scale(n, d, kappa)
    # V = identity picks the attention weights themselves out of the attention output
    eye = torch.eye(n, dtype=torch.float64)[None, None]
    p = torch.nn.functional.scaled_dot_product_attention(q, k, eye, scale=lam)[0, 0]
    h_torch = -(p * p.log()).sum(-1).numpy()
    scores = (q[0, 0] @ k[0, 0].T).numpy()
    np.testing.assert_allclose(en.softmax_entropy(scores, lam), h_torch, rtol=1e-10)


def test_fit_log_law_against_scipy_linregress() -> None:
    ns = 2 ** np.arange(6, 13)
    a, b, r2 = en.fit_log_law(ns, 0.3 + 0.7 * np.log(ns))
    assert (a, b, r2) == (pytest.approx(0.3), pytest.approx(0.7), pytest.approx(1.0))
    noisy = 0.3 + 0.7 * np.log(ns) + np.random.default_rng(12).normal(0, 0.2, ns.size)
    for power in [1.0, 0.5]:
        ref = stats.linregress(np.log(ns) ** power, noisy)
        a, b, r2 = en.fit_log_law(ns, noisy, power)
        assert a == pytest.approx(ref.intercept, rel=1e-10)
        assert b == pytest.approx(ref.slope, rel=1e-10)
        assert r2 == pytest.approx(ref.rvalue**2, rel=1e-10)
    np.testing.assert_allclose(en.growth_ratios([1.0, 2.0, 3.0]), [2.0, 1.5])
    r = en.growth_ratios([1.0, 3.0, 2.0, 9.0])
    assert en.mean_growth([1.0, 3.0, 2.0, 9.0]) == pytest.approx(stats.gmean(r), rel=1e-14)


# -- bounded scores: Eqs. (entropy-softmax-meanfield) and (entropy-softmax-linear) -----------------
@pytest.mark.parametrize("lam", [0.3, 2.0, 10.0, 60.0])
def test_eqn_entropy_softmax_meanfield_closed_form_matches_quadrature(lam: float) -> None:
    n = 1000
    z = integrate.quad(lambda x: math.exp(lam * (x - 1)) / 2, -1, 1, epsabs=0, epsrel=1e-13)[0]
    m1 = integrate.quad(lambda x: x * math.exp(lam * (x - 1)) / 2, -1, 1, epsabs=0, epsrel=1e-13)[0]
    # log n - [λ E_q(s) - log E e^{λ s}], with the shift e^{-λ} taken out of both integrals
    ref = math.log(n) - (lam * m1 / z - (math.log(z) + lam))
    assert float(en.uniform_mean_field_entropy(n, lam)) == pytest.approx(ref, rel=1e-10)


def test_meanfield_matches_monte_carlo_when_many_scores_share_the_mass() -> None:
    s = np.random.default_rng(13).uniform(-1, 1, (8, 20000))
    for lam in [0.5, 3.0, 30.0, 300.0]:
        assert en.mean_entropy(s, lam) == pytest.approx(float(en.uniform_mean_field_entropy(20000, lam)),
                                                        abs=0.02)


def test_gaussian_mean_field_lambda_matches_monte_carlo_in_the_many_scores_regime() -> None:
    # high target entropy: λ small against sqrt(2 log n), where the mean field holds
    n, target = 50000, math.log(50000) - 0.5
    lam = en.gaussian_mean_field_lambda(n, target)
    assert lam == pytest.approx(1.0, rel=1e-12)
    s = np.random.default_rng(16).standard_normal((8, n))
    assert en.lambda_for_entropy(s, target) == pytest.approx(lam, rel=0.03)
    assert en.gaussian_mean_field_lambda(n, target, sigma=2.0) == pytest.approx(0.5, rel=1e-12)
    with pytest.raises(ValueError):
        en.gaussian_mean_field_lambda(4, 2.0)


def test_eqn_entropy_softmax_linear_is_the_large_lambda_meanfield_root() -> None:
    for n in [2**10, 2**14, 2**20]:
        for target in [1.5, 2.0, 3.0]:
            lam = en.bounded_lambda_asymptotic(n, target)
            assert lam == pytest.approx(n / 2 * math.exp(1 - target), rel=1e-15)
            assert float(en.uniform_mean_field_entropy(n, lam)) == pytest.approx(target, abs=1e-9)


def test_uniform_lambda_star_doubles_with_n_gaussian_does_not() -> None:
    rng = np.random.default_rng(14)
    ns = 2 ** np.arange(6, 13)
    uni = rng.uniform(-1, 1, (32, 4096))
    gau = rng.standard_normal((32, 4096))
    lam_u = np.array([en.lambda_for_entropy(uni[:, :n], 2.0) for n in ns])
    lam_g = np.array([en.lambda_for_entropy(gau[:, :n], 2.0) for n in ns])
    ratios = en.growth_ratios(lam_u)
    # over ten seeds of 32 rows each, single ratios stayed in [1.68, 2.25], the mean over six
    # doublings in [1.93, 2.02] and λ*/asymptote in [0.88, 1.19]; tolerances leave room
    assert np.all((ratios > 1.6) & (ratios < 2.4))
    assert abs(en.mean_growth(lam_u) - 2) < 0.1
    np.testing.assert_allclose(lam_u / en.bounded_lambda_asymptotic(ns, 2.0), 1, atol=0.25)
    assert np.all(en.growth_ratios(lam_g) < 1.5)  # Gaussian: slow, logarithmic-type growth


def test_sample_scores_kinds() -> None:
    g = en.sample_scores("gaussian", 4, 3000, seed=15)
    u = en.sample_scores("uniform", 4, 3000, seed=15)
    qk = en.sample_scores("qk", 4, 3000, seed=15, d=16)
    assert g.shape == u.shape == qk.shape == (4, 3000)
    assert np.all(np.abs(u) <= 1) and abs(u.std() - 1 / math.sqrt(3)) < 0.02
    assert abs(g.std() - 1) < 0.03
    # q·k/√d: given q, the scores are N(0, |q|²/d); recompute with an explicit loop
    rng = np.random.default_rng(15)
    q = rng.standard_normal((4, 16))
    k = rng.standard_normal((4, 3000, 16))
    assert qk[2, 7] == pytest.approx(math.fsum(q[2, j] * k[2, 7, j] for j in range(16)) / 4, rel=1e-12)
    with pytest.raises(ValueError):
        en.sample_scores("cauchy", 1, 2)


# -- Eq. (entropy-softmax-generic): the size of s_max - s̄ for q·k -----------------------------------
@pytest.mark.parametrize("d", [1, 2, 7, 64, 500])
def test_chi_mean_against_scipy(d: int) -> None:
    assert en.chi_mean(d) == pytest.approx(stats.chi(d).mean(), rel=1e-12)
    assert en.chi_mean(d) < math.sqrt(d)


@pytest.mark.parametrize("n", [1, 2, 3, 10, 100, 4096, 10**6])
def test_gaussian_max_mean_against_scipy_quad(n: int) -> None:
    ref = integrate.quad(lambda x: x * n * stats.norm.pdf(x) * stats.norm.cdf(x) ** (n - 1),
                         -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    assert en.gaussian_max_mean(n) == pytest.approx(ref, abs=1e-9)
    if n >= 2:
        assert en.gaussian_max_mean(n) < math.sqrt(2 * math.log(n))
    # closed forms for n = 2 and 3: 1/sqrt(pi) and 3/(2 sqrt(pi))
    closed = {2: 1 / math.sqrt(math.pi), 3: 3 / (2 * math.sqrt(math.pi))}
    if n in closed:
        assert en.gaussian_max_mean(n) == pytest.approx(closed[n], rel=1e-12)


def test_eqn_entropy_softmax_generic_against_monte_carlo() -> None:
    """E[s_max - s̄] = E|q| · E max Z for raw q·k with many rows (torch's own generator)."""
    g = torch.Generator().manual_seed(3)
    # rows per case: the largest draws 250 x 1000 x 200 keys (400 MB), not 3.2 GB; the
    # tolerance is in standard errors of the rows drawn
    for d, n, rows in [(8, 50, 2000), (64, 400, 1000), (200, 1000, 250)]:
        q = torch.randn(rows, 1, d, generator=g, dtype=torch.float64)
        k = torch.randn(rows, n, d, generator=g, dtype=torch.float64)
        s = (q * k).sum(-1)
        spread = (s.max(-1).values - s.mean(-1)).numpy()
        se = spread.std() / math.sqrt(spread.size)
        assert abs(spread.mean() - en.qk_spread_expected(n, d)) < 5 * se
    # the asymptotic form sqrt(d) sqrt(2 log n) is approached from below
    r = [en.qk_spread_expected(n, 64) / math.sqrt(64 * 2 * math.log(n)) for n in (10, 10**3, 10**6)]
    assert r[0] < r[1] < r[2] < 1


def test_eqn_entropy_softmax_cs_row_by_row() -> None:
    """The Cauchy–Schwarz bound holds for every single row (batch = 1); it is approached only
    when one key points along the query and all the others against it, as n grows."""
    for seed in range(30):
        spread, bound = en.qk_spread([2, 16, 128], 8, batch=1, seed=seed)
        assert np.all(spread <= bound * (1 + 1e-6))
    q = np.array([1.0, 2.0, 2.0])  # |q| = 3
    for n in [2, 10, 1000]:
        keys = np.stack([2 * q / 3] + [-2 * q / 3] * (n - 1))  # |k_i| = 2: scores +6, then -6
        s = keys @ q
        assert s.max() - s.mean() == pytest.approx(12 * (n - 1) / n)  # -> 2·|q|·max|k_i| = 12


def test_qk_spread_bound_and_scaling() -> None:
    spread, bound = en.qk_spread([8, 64, 512], 32, batch=40, seed=4)
    assert np.all(bound > spread) and np.all(np.diff(spread) > 0)
    # the Cauchy–Schwarz bound is of order d (2d to 3d here), the spread of order sqrt(d)
    assert np.all((bound / 32 > 2) & (bound / 32 < 3.5))
    np.testing.assert_allclose(spread, [en.qk_spread_expected(n, 32) for n in (8, 64, 512)], rtol=0.12)
