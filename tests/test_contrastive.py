"""blogkit.contrastive against torch's cross-entropy and autograd, and scipy's Gaussian densities."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from blogkit import contrastive as ct


@pytest.mark.parametrize("n", [1, 2, 7, 64])
@pytest.mark.parametrize("seed", range(3))
def test_eqn_self_supervised_infonce_is_torch_cross_entropy(n: int, seed: int) -> None:
    s = np.random.default_rng(seed).normal(0, 3, (4, n, n))
    ref = np.mean([F.cross_entropy(torch.tensor(m), torch.arange(n)).item() for m in s])
    assert math.isclose(ct.info_nce(s), ref, rel_tol=1e-12, abs_tol=1e-14)
    # a loss of a classification: never negative, so the bound never exceeds log N
    assert ct.info_nce(s) >= 0 and math.log(n) - ct.info_nce(s) <= math.log(n)


def test_infonce_is_stable_and_shift_invariant_per_row() -> None:
    rng = np.random.default_rng(0)
    s = rng.normal(0, 1, (5, 5))
    shifted = s + 1000 * rng.normal(size=(5, 1))  # adding a function of x_i alone changes nothing
    assert math.isclose(ct.info_nce(s), ct.info_nce(shifted), rel_tol=1e-9)
    with pytest.raises(ValueError):
        ct.info_nce(np.zeros((3, 4)))


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("d", [1, 3])
def test_eqn_self_supervised_gauss_mi_from_scipy_entropies(rho: float, d: int) -> None:
    cov = np.block([[np.eye(d), rho * np.eye(d)], [rho * np.eye(d), np.eye(d)]])
    hx = stats.multivariate_normal(np.zeros(d), np.eye(d)).entropy()
    hxy = stats.multivariate_normal(np.zeros(2 * d), cov).entropy()
    assert math.isclose(ct.gaussian_mi(rho, d), 2 * hx - hxy, rel_tol=1e-10)


@pytest.mark.parametrize("rho", [0.3, 0.9])
@pytest.mark.parametrize("d", [1, 4])
def test_eqn_self_supervised_critic_is_scipy_log_density_ratio(rho: float, d: int) -> None:
    x, y = ct.sample_correlated(6, d, rho, np.random.default_rng(1))
    ours = ct.optimal_critic(x[:, None, :], y[None, :, :], rho)  # (6, 6)
    for i in range(6):
        for j in range(6):
            cond = stats.multivariate_normal(rho * x[i], (1 - rho**2) * np.eye(d)).logpdf(y[j])
            marg = stats.multivariate_normal(np.zeros(d), np.eye(d)).logpdf(y[j])
            assert math.isclose(ours[i, j], cond - marg, rel_tol=1e-10, abs_tol=1e-10)


def test_samples_have_the_stated_correlation() -> None:
    x, y = ct.sample_correlated(200_000, 2, 0.7, np.random.default_rng(2))
    c = np.corrcoef(np.concatenate([x, y], 1).T)
    np.testing.assert_allclose(c, [[1, 0, 0.7, 0], [0, 1, 0, 0.7], [0.7, 0, 1, 0], [0, 0.7, 0, 1]],
                               atol=0.01)


@pytest.mark.parametrize("rho", [-0.6, 0.2, 0.9])
def test_quadratic_critic_with_optimal_coefficients_differs_by_a_function_of_x(rho: float) -> None:
    x, y = ct.sample_correlated(8, 3, rho, np.random.default_rng(3))
    a, b = ct.optimal_quadratic_coefficients(rho)
    diff = ct.optimal_critic(x[:, None, :], y[None, :, :], rho) - ct.quadratic_critic(x, y, a, b)
    assert np.abs(diff - diff[:, :1]).max() < 1e-10  # constant along each row
    # the quadratic critic itself, entry by entry
    q = ct.quadratic_critic(x, y, 0.3, -0.2)
    assert math.isclose(q[2, 5], 0.3 * x[2] @ y[5] - 0.2 * y[5] @ y[5], rel_tol=1e-12)


def test_eqn_self_supervised_bound_below_mi_and_log_n_and_growing() -> None:
    rho, d = 0.8, 2
    mi = ct.gaussian_mi(rho, d)
    a, b = ct.optimal_quadratic_coefficients(rho)
    est = []
    for n in (2, 8, 32):
        x, y = ct.sample_correlated(40_000 - 40_000 % n, d, rho, np.random.default_rng(n))
        est.append(math.log(n) - ct.info_nce(ct.quadratic_critic(x.reshape(-1, n, d),
                                                                 y.reshape(-1, n, d), a, b)))
    assert all(e <= min(mi, math.log(n)) + 0.01 for e, n in zip(est, (2, 8, 32), strict=True))
    assert est[0] < est[1] < est[2]
    # and any other critic does no better
    x, y = ct.sample_correlated(32_000, d, rho, np.random.default_rng(9))
    worse = math.log(32) - ct.info_nce(ct.quadratic_critic(x.reshape(-1, 32, d), y.reshape(-1, 32, d),
                                                           0.5 * a, b))
    assert worse < est[2]


def test_fit_step_is_the_autograd_gradient() -> None:
    d, rho, n = 2, 0.8, 16
    a_path, b_path, losses = ct.fit_quadratic_critic(d, rho, n, steps=2, lr=0.1,
                                                     rng=np.random.default_rng(5))
    rng = np.random.default_rng(5)
    params = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    for step in range(2):
        x, y = (torch.tensor(t) for t in ct.sample_correlated(n, d, rho, rng))
        s = params[0] * x @ y.T + params[1] * (y**2).sum(-1)[None, :]
        loss = F.cross_entropy(s, torch.arange(n))
        (grad,) = torch.autograd.grad(loss, params)
        assert math.isclose(losses[step], loss.item(), rel_tol=1e-12)
        with torch.no_grad():
            params -= 0.1 * grad
        assert math.isclose(a_path[step + 1], params[0].item(), rel_tol=1e-10, abs_tol=1e-14)
        assert math.isclose(b_path[step + 1], params[1].item(), rel_tol=1e-10, abs_tol=1e-14)


def test_training_recovers_the_optimal_coefficients() -> None:
    a_path, b_path, _ = ct.fit_quadratic_critic(1, 0.8, 64, 400, 1.0, np.random.default_rng(0))
    a, b = ct.optimal_quadratic_coefficients(0.8)
    assert abs(a_path[-1] / a - 1) < 0.05 and abs(b_path[-1] / b - 1) < 0.05
