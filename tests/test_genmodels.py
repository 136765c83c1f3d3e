"""blogkit.genmodels against scipy (entropy, quad, norm.fit), sklearn and slow obvious oracles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from blogkit import genmodels as gm

W, M, S = [0.3, 0.7], [-2.0, 2.0], [0.6, 0.6]


def _target(x: np.ndarray) -> np.ndarray:
    return gm.gmm_logpdf(x, W, M, S)


def _scipy_gmm_pdf(x: float, w=W, m=M, s=S) -> float:
    return sum(wk * stats.norm.pdf(x, mk, sk) for wk, mk, sk in zip(w, m, s, strict=True))


def _scipy_gmm_logpdf(x: float) -> float:
    return float(special.logsumexp([stats.norm.logpdf(x, mk, sk) for mk, sk in zip(M, S, strict=True)],
                                   b=W))


# ------------------------------------------------------------------ genmodels-intro


@pytest.mark.parametrize("seed", range(6))
def test_eqn_genmodels_intro_kl_matches_scipy_and_is_nonnegative(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(7)), rng.dirichlet(np.ones(7))
    assert math.isclose(gm.kl_discrete(p, q), stats.entropy(p, q), rel_tol=1e-12)
    assert gm.kl_discrete(p, q) > 0 and gm.kl_discrete(p, p) == 0
    # 0 log 0 = 0, and +inf where q misses a point of p's support
    p0 = np.append(p, 0.0)
    q0 = np.append(q * 0.9, 0.1)
    assert math.isclose(gm.kl_discrete(p0, q0), stats.entropy(p0, q0), rel_tol=1e-12)
    assert gm.kl_discrete(q0, p0) == math.inf == stats.entropy(q0, p0)


def test_eqn_genmodels_intro_decomp() -> None:
    """KL(p‖q) = −H(p) − E_p log q, with H from scipy."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        cross = -float(np.sum(p * np.log(q)))
        assert math.isclose(gm.kl_discrete(p, q), cross - stats.entropy(p), rel_tol=1e-10, abs_tol=1e-14)


def test_gmm_logpdf_and_moments_against_scipy() -> None:
    x = np.linspace(-7, 7, 57)
    np.testing.assert_allclose(np.exp(_target(x)), [_scipy_gmm_pdf(v) for v in x], rtol=1e-12)
    # far in the tail the log-sum-exp stays finite where the density underflows
    assert np.isfinite(_target(np.array([-60.0, 60.0]))).all()
    mean, var = gm.gmm_moments(W, M, S)
    m1 = integrate.quad(lambda v: v * _scipy_gmm_pdf(v), -20, 20, points=M)[0]
    m2 = integrate.quad(lambda v: (v - m1) ** 2 * _scipy_gmm_pdf(v), -20, 20, points=M)[0]
    assert math.isclose(mean, m1, rel_tol=1e-9) and math.isclose(var, m2, rel_tol=1e-9)
    x = gm.gmm_sample(200_000, W, M, S, np.random.default_rng(0))
    assert abs(x.mean() - mean) < 0.02 and abs(x.var() / var - 1) < 0.01
    assert abs(np.mean(x < 0) - W[0]) < 0.005


def _neg_entropy() -> float:
    return integrate.quad(lambda v: _scipy_gmm_pdf(v) * math.log(_scipy_gmm_pdf(v)), -15, 15,
                          points=M, limit=200)[0]


@pytest.mark.parametrize("mu", [-3.0, -1.0, 0.0, 0.8, 2.5])
@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.5])
def test_eqn_genmodels_intro_gauss_fwd_against_quad(mu: float, sigma: float) -> None:
    mean, var = gm.gmm_moments(W, M, S)
    ours = float(gm.gaussian_forward_kl(mean, var, _neg_entropy(), mu, sigma))
    ref = integrate.quad(lambda v: _scipy_gmm_pdf(v) * (math.log(_scipy_gmm_pdf(v))
                                                         - stats.norm.logpdf(v, mu, sigma)),
                         -15, 15, points=M, limit=200)[0]
    assert math.isclose(ours, ref, rel_tol=1e-7, abs_tol=1e-9)
    # and the trapezoidal helper agrees on a fine grid
    grid = np.linspace(-15, 15, 30001)
    assert math.isclose(gm.kl_quadrature(_target(grid), gm.gaussian_logpdf(grid, mu, sigma), grid),
                        ref, rel_tol=1e-7, abs_tol=1e-9)


@pytest.mark.parametrize("mu", [-2.0, 0.0, 0.8, 2.0])
@pytest.mark.parametrize("sigma", [0.3, 0.6, 1.5, 2.5])
def test_eqn_genmodels_intro_gauss_rev_against_quad(mu: float, sigma: float) -> None:
    ours = float(gm.gaussian_reverse_kl(_target, mu, sigma, np.linspace(-20, 20, 2001)))
    ref = integrate.quad(lambda v: stats.norm.pdf(v, mu, sigma)
                         * (stats.norm.logpdf(v, mu, sigma) - _scipy_gmm_logpdf(v)),
                         mu - 12 * sigma, mu + 12 * sigma, limit=200)[0]
    assert math.isclose(ours, ref, rel_tol=1e-8, abs_tol=1e-10)


def test_forward_kl_minimum_is_moment_matching() -> None:
    mean, var = gm.gmm_moments(W, M, S)
    mu, sigma, _ = gm.refine_minimum(lambda a, b: gm.gaussian_forward_kl(mean, var, 0.0, a, b),
                                     0.0, 1.0, 1.5, rounds=10)
    assert abs(mu - mean) < 1e-6 and abs(sigma - math.sqrt(var)) < 1e-6


def test_reverse_kl_minima_sit_on_the_modes() -> None:
    grid = np.linspace(-12, 12, 1201)
    f = lambda a, b: gm.gaussian_reverse_kl(_target, a, b, grid)  # noqa: E731
    right, left = gm.refine_minimum(f, 1.0, 1.0, 1.0), gm.refine_minimum(f, -1.0, 1.0, 1.0)
    assert abs(right[0] - 2) < 0.02 and abs(left[0] + 2) < 0.02
    # the well-separated-modes estimate −log w_k, slightly above the true floor
    assert -math.log(0.7) - 0.01 < right[2] < -math.log(0.7)
    assert -math.log(0.3) - 0.01 < left[2] < -math.log(0.3)


@pytest.mark.parametrize("seed", range(4))
def test_eqn_genmodels_intro_mle_matches_scipy_norm_fit(seed: int) -> None:
    x = gm.gmm_sample(500, W, M, S, np.random.default_rng(seed))
    mu, sigma = gm.mle_gaussian(x)
    loc, scale = stats.norm.fit(x)  # scipy's maximum-likelihood fit
    assert math.isclose(mu, loc, rel_tol=1e-9) and math.isclose(sigma, scale, rel_tol=1e-9)
    nll = lambda a, b: gm.empirical_nll(lambda z: stats.norm.logpdf(z, a, b), x)  # noqa: E731
    best = nll(mu, sigma)
    for da, db in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        assert nll(mu + da, sigma + db) > best


def test_argmin_nll_is_argmin_kl_on_a_grid() -> None:
    mean, var = gm.gmm_moments(W, M, S)
    x = gm.gmm_sample(50_000, W, M, S, np.random.default_rng(3))
    mus, sigmas = np.linspace(-1, 2, 31), np.linspace(1.0, 3.0, 21)
    nll = np.array([[gm.empirical_nll(lambda z, a=a, b=b: gm.gaussian_logpdf(z, a, b), x)
                     for b in sigmas] for a in mus])
    kl = gm.gaussian_forward_kl(mean, var, 0.0, mus[:, None], sigmas[None, :])
    i, j = np.unravel_index(nll.argmin(), nll.shape)
    k, l = np.unravel_index(kl.argmin(), kl.shape)
    assert abs(i - k) <= 1 and abs(j - l) <= 1  # same cell up to sampling noise
