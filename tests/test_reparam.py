"""blogkit.reparam against scipy quadrature, scipy's multivariate normal CDF, torch.softmax,
closed forms for two classes and Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import integrate, special, stats

from blogkit import reparam as rp

MUS = [np.array([1.2, 0.5, -0.3, 2.0]), np.array([0.0, 0.1]), np.array([3.0, -1.0, 0.4, 0.39, 2.2]),
       np.array([-2.0, 5.0, 4.5]), np.linspace(-1, 1, 7)]
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")
DISTS = {"gumbel": stats.gumbel_r(), "gaussian": stats.norm(), "uniform": stats.uniform(0, 1)}


def scipy_probs(mu: np.ndarray, noise: str) -> np.ndarray:
    """Oracle: scipy.integrate.quad of f(ε) Π F(μ_i − μ_j + ε), with scipy.stats' f and F."""
    dist = DISTS[noise]
    lo, hi = (0.0, 1.0) if noise == "uniform" else (-np.inf, np.inf)
    out = []
    for i in range(mu.size):
        d = np.delete(mu[i] - mu, i)
        kinks = sorted({float(c) for c in np.concatenate([-d, 1 - d]) if 0 < c < 1}) \
            if noise == "uniform" else None
        val = integrate.quad(lambda e, d=d: dist.pdf(e) * np.prod(dist.cdf(d + e)), lo, hi,
                             points=kinks, epsabs=1e-14, epsrel=1e-12, limit=500)[0]
        out.append(val)
    return np.array(out)


@pytest.mark.parametrize("noise", rp.NOISES)
@pytest.mark.parametrize("k", range(len(MUS)))
def test_eqn_argmax_reparam_integral_against_scipy_quad(noise: str, k: int) -> None:
    mu = MUS[k]
    np.testing.assert_allclose(rp.argmax_probs(mu, noise), scipy_probs(mu, noise), rtol=0,
                               atol=1e-9)
    np.testing.assert_allclose(rp.argmax_probs_quad(mu, noise), scipy_probs(mu, noise), rtol=0,
                               atol=1e-9)


@pytest.mark.parametrize("k", range(len(MUS)))
def test_eqn_argmax_reparam_softmax(k: int) -> None:
    """Gumbel-max: the integral equals torch's softmax."""
    mu = MUS[k]
    ref = torch.softmax(torch.tensor(mu), dim=0).numpy()
    np.testing.assert_allclose(rp.argmax_probs_quad(mu, "gumbel"), ref, rtol=0, atol=1e-13)
    np.testing.assert_allclose(rp.argmax_probs(mu, "gumbel"), ref, rtol=0, atol=1e-15)


@pytest.mark.parametrize("k", [0, 2, 3])
def test_gaussian_is_multinomial_probit_scipy_mvn(k: int) -> None:
    """P(i wins) = P(ε_j − ε_i < μ_i − μ_j ∀ j≠i): an (n−1)-dim normal with covariance I + 11ᵀ."""
    mu = MUS[k]
    n = mu.size
    p = rp.argmax_probs(mu, "gaussian")
    for i in range(n):
        cov = np.eye(n - 1) + np.ones((n - 1, n - 1))
        ref = stats.multivariate_normal(np.zeros(n - 1), cov).cdf(np.delete(mu[i] - mu, i))
        assert abs(p[i] - ref) < 2e-5


@pytest.mark.parametrize("delta", [0.0, 0.1, 0.5, 0.9, 1.0, 1.7])
def test_two_classes_closed_forms(delta: float) -> None:
    mu = np.array([delta, 0.0])
    assert abs(rp.argmax_probs(mu, "gumbel")[0] - special.expit(delta)) < 1e-15
    assert abs(rp.argmax_probs(mu, "gaussian")[0] - stats.norm.cdf(delta / np.sqrt(2))) < 1e-12
    tri = stats.triang(c=0.5, loc=-1, scale=2)  # ε₂ − ε₁ for two U[0, 1]
    assert abs(rp.argmax_probs(mu, "uniform")[0] - tri.cdf(delta)) < 1e-13


@pytest.mark.parametrize("noise", rp.NOISES)
def test_three_requirements_and_translation(noise: str) -> None:
    rng = np.random.default_rng(5)
    for _ in range(10):
        mu = rng.normal(size=6) * 1.5
        p = rp.argmax_probs(mu, noise)
        assert np.all(p >= 0) and abs(p.sum() - 1) < 1e-12
        order = np.argsort(mu)
        assert np.all(np.diff(p[order]) >= -1e-15)  # μ_i ≥ μ_j ⇒ p_i ≥ p_j
        np.testing.assert_allclose(rp.argmax_probs(mu + 3.7, noise), p, atol=1e-12)


def test_uniform_sparsity_rule() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        mu = rng.normal(size=8)
        p = rp.argmax_probs(mu, "uniform")
        zero = mu <= mu.max() - 1
        assert np.all(p[zero] == 0) and np.all(p[~zero] > 0)
        assert np.all(rp.argmax_probs(mu, "gaussian") > 0)


@pytest.mark.parametrize("noise", rp.NOISES)
def test_monte_carlo_agrees(noise: str) -> None:
    mu = MUS[0]
    p = rp.argmax_probs(mu, noise)
    freq = rp.argmax_frequencies(mu, noise, 400_000, seed=11)
    sd = np.sqrt(p * (1 - p) / 400_000)
    assert np.all(np.abs(freq - p) <= 5 * sd + 1e-12)


def test_batches_and_torch_in_torch_out() -> None:
    mu = np.stack([MUS[0], MUS[0][::-1]])
    p = rp.argmax_probs(mu, "uniform")
    assert p.shape == (2, 4)
    np.testing.assert_allclose(p[1], p[0][::-1], atol=1e-15)
    t = rp.argmax_probs(torch.tensor(mu, dtype=torch.float32), "gaussian")
    assert isinstance(t, torch.Tensor) and t.dtype == torch.float32 and t.shape == (2, 4)
    np.testing.assert_allclose(t.numpy(), rp.argmax_probs(mu, "gaussian"), atol=1e-6)
    with pytest.raises(ValueError):
        rp.argmax_probs(mu, "laplace")
