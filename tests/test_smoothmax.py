"""blogkit.smoothmax against scipy, torch, mpmath (high precision) and slow loops."""

from __future__ import annotations

import math
from functools import partial

import mpmath
import numpy as np
import pytest
import torch
from scipy import special, stats

from blogkit import smoothmax as sm

KS = [0.05, 0.7, 1.0, 3.0, 25.0, 400.0]


def oracle_lse(row: list[float], k: float) -> float:
    """(1/k) ln Σ e^{k x_i} in 60-digit arithmetic, one element at a time."""
    with mpmath.workdps(60):
        return float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(k) * mpmath.mpf(x)) for x in row)) / k)


def oracle_gap(row: list[float], k: float) -> float:
    """smax_k(x) − max(x) in 200-digit arithmetic: enough digits for gaps down to 1e-150."""
    with mpmath.workdps(200):
        s = mpmath.fsum(mpmath.exp(mpmath.mpf(k) * mpmath.mpf(x)) for x in row)
        return float(mpmath.log(s) / k - mpmath.mpf(max(row)))


# -- Eq. (smooth-max-lse) ------------------------------------------------------------------------
@pytest.mark.parametrize("k", KS)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_eqn_smooth_max_lse_matches_scipy_logsumexp(k: float, axis: int) -> None:
    x = np.random.default_rng(3).normal(scale=4.0, size=(6, 7, 5))
    ours = sm.smooth_max(x, k, axis=axis)
    ref = special.logsumexp(k * x, axis=axis) / k
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("k", [0.5, 8.0, 1e4])
def test_torch_input_matches_torch_logsumexp(dtype: torch.dtype, k: float) -> None:
    x = torch.randn(4, 9, generator=torch.Generator().manual_seed(0), dtype=torch.float64).to(dtype)
    for dim in (0, 1):
        ours = sm.smooth_max(x, k, axis=dim)
        assert isinstance(ours, torch.Tensor) and ours.dtype == dtype
        ref = torch.logsumexp(k * x, dim=dim) / k
        tol = 1e-6 if dtype == torch.float32 else 1e-13
        torch.testing.assert_close(ours, ref, rtol=tol, atol=tol)
    # the numpy path gives the same numbers
    np.testing.assert_allclose(sm.smooth_max(x.numpy(), k), sm.smooth_max(x, k).numpy(),
                               rtol=1e-6 if dtype == torch.float32 else 1e-15)


@pytest.mark.parametrize("k", KS)
def test_eqn_smooth_max_lse_matches_high_precision_oracle(k: float) -> None:
    rng = np.random.default_rng(int(100 * k))
    for row in rng.normal(scale=30.0, size=(20, 6)):
        assert math.isclose(float(sm.smooth_max(row, k)), oracle_lse(list(row), k),
                            rel_tol=1e-14, abs_tol=1e-13)


@pytest.mark.parametrize("k", [1.0, 10.0, 60.0])
def test_eqn_smooth_max_stable_keeps_the_small_gap_accurate(k: float) -> None:
    """smax − max is computed to full relative accuracy even when it is ~1e-20 (log1p)."""
    rng = np.random.default_rng(7)
    for row in rng.normal(size=(30, 4)):
        row = row - row.max()  # max = 0, so the output *is* the gap
        ref = oracle_gap(list(row), k)
        assert math.isclose(float(sm.smooth_max(row, k)), ref, rel_tol=1e-12)


def test_no_overflow_where_the_naive_formula_fails() -> None:
    x = np.array([[1000.0, 999.0, -5.0], [-1e4, -1e4 - 1, -1e4 - 3]])
    ref = special.logsumexp(x, axis=-1)
    np.testing.assert_allclose(sm.smooth_max(x, 1.0), ref, rtol=1e-15)
    naive = sm.smooth_max_naive(x, 1.0)
    assert naive[0] == np.inf and naive[1] == -np.inf  # the negative control really breaks
    x32 = np.array([3.0, 2.0, 1.0], dtype=np.float32)
    assert sm.smooth_max(x32, 50.0).dtype == np.float32
    assert np.isfinite(sm.smooth_max(x32, 50.0)) and not np.isfinite(sm.smooth_max_naive(x32, 50.0))


def test_minus_infinity_entries_count_as_absent() -> None:
    x = np.array([[0.5, -np.inf, 1.5], [-np.inf, -np.inf, -np.inf]])
    out = sm.smooth_max(x, 2.0)
    assert math.isclose(out[0], float(special.logsumexp([1.0, 3.0]) / 2), rel_tol=1e-15)
    assert out[1] == -np.inf
    t = sm.smooth_max(torch.from_numpy(x), 2.0)
    assert t[1].item() == -math.inf and math.isclose(t[0].item(), out[0], rel_tol=1e-15)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_rejects_bad_sharpness(bad: float) -> None:
    with pytest.raises(ValueError):
        sm.smooth_max(np.ones(3), bad)


# -- Eq. (smooth-max-bound) ----------------------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 5, 50])
@pytest.mark.parametrize("k", KS)
def test_eqn_smooth_max_bound(n: int, k: float) -> None:
    x = np.random.default_rng(n).normal(size=(2000, n))
    gap = sm.smooth_max(x, k) - x.max(-1)
    assert gap.min() >= 0 and gap.max() <= math.log(n) / k * (1 + 1e-14)
    tie = sm.smooth_max(np.full((3, n), 1.25), k) - 1.25  # attained when all entries are equal
    np.testing.assert_allclose(tie, math.log(n) / k, rtol=1e-12, atol=1e-15)


def test_decreasing_in_k_and_converging_to_max_and_translation_equivariant() -> None:
    x = np.random.default_rng(5).normal(size=(50, 8))
    ks = np.geomspace(0.01, 1e4, 60)
    vals = np.stack([sm.smooth_max(x, k) for k in ks])
    assert np.all(np.diff(vals, axis=0) <= 1e-15)
    np.testing.assert_allclose(vals[-1], x.max(-1), atol=math.log(8) / 1e4)
    c = np.random.default_rng(6).normal(size=(50, 1)) * 100
    np.testing.assert_allclose(sm.smooth_max(x + c, 3.0), sm.smooth_max(x, 3.0) + c[:, 0], rtol=1e-13)


# -- Eq. (smooth-max-abs), (smooth-max-max2), (smooth-max-max2-nonneg), (smooth-max-two) ---------
@pytest.mark.parametrize("k", [0.3, 1.0, 7.0])
def test_eqn_smooth_max_abs_matches_loop_and_has_tanh_derivative(k: float) -> None:
    xs = np.linspace(-20 / k, 20 / k, 401)
    ref = [math.log(math.exp(k * x) + math.exp(-k * x)) / k for x in xs]
    np.testing.assert_allclose(sm.smooth_abs(xs, k), ref, rtol=1e-14, atol=1e-14)
    t = torch.tensor(xs, requires_grad=True)
    sm.smooth_abs(t, k).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), np.tanh(k * xs), atol=1e-14)
    assert sm.smooth_abs(np.array([1e5]), k)[0] == 1e5  # no overflow far out


def test_eqn_smooth_max_max2_and_nonneg_form() -> None:
    x, y = np.random.default_rng(8).normal(size=(2, 10_000))
    np.testing.assert_allclose(sm.max_from_abs(x, y), np.maximum(x, y), atol=1e-15)
    np.testing.assert_allclose(sm.max_from_abs(x, y, form="nonneg"),
                               np.maximum(np.abs(x), np.abs(y)), atol=1e-15)
    ax, ay = np.abs(x), np.abs(y)
    np.testing.assert_allclose(sm.max_from_abs(ax, ay, form="nonneg"), np.maximum(ax, ay), atol=1e-15)
    with pytest.raises(ValueError):
        sm.max_from_abs(x, y, form="other")


@pytest.mark.parametrize("k", [0.2, 1.0, 9.0])
def test_eqn_smooth_max_two_is_logsumexp_with_twice_the_sharpness(k: float) -> None:
    x, y = np.random.default_rng(9).normal(scale=5.0, size=(2, 1000))
    a_k = partial(sm.smooth_abs, k=k)
    ref = special.logsumexp(np.stack([2 * k * x, 2 * k * y]), axis=0) / (2 * k)
    np.testing.assert_allclose(sm.max_from_abs(x, y, a_k), ref, rtol=1e-13, atol=1e-13)
    ref4 = special.logsumexp(np.stack([2 * k * x, 2 * k * y, -2 * k * x, -2 * k * y]), axis=0) / (2 * k)
    np.testing.assert_allclose(sm.max_from_abs(x, y, a_k, form="nonneg"), ref4, rtol=1e-13, atol=1e-13)


# -- Eq. (smooth-max-grad), (smooth-max-gibbs) ----------------------------------------------------
@pytest.mark.parametrize("k", [0.1, 1.0, 30.0])
def test_eqn_smooth_max_grad_matches_autograd_and_scipy_softmax(k: float) -> None:
    x = torch.randn(5, 6, generator=torch.Generator().manual_seed(1), dtype=torch.float64,
                    requires_grad=True)
    (torch.logsumexp(k * x, dim=-1) / k).sum().backward()
    p = sm.smooth_max_grad(x.detach().numpy(), k)
    np.testing.assert_allclose(p, x.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(p, special.softmax(k * x.detach().numpy(), axis=-1), rtol=1e-12, atol=1e-15)
    pt = sm.smooth_max_grad(x.detach(), k, axis=0)
    torch.testing.assert_close(pt, torch.softmax(k * x.detach(), dim=0))


@pytest.mark.parametrize("k", [0.1, 1.0, 30.0])
def test_eqn_smooth_max_gibbs_with_scipy_entropy(k: float) -> None:
    x = np.random.default_rng(11).normal(size=(40, 7))
    p = special.softmax(k * x, axis=-1)
    h = stats.entropy(p, axis=-1)
    np.testing.assert_allclose(sm.smooth_max_entropy(x, k), h, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(sm.smooth_max(x, k), (p * x).sum(-1) + h / k, rtol=1e-12, atol=1e-12)
    t = torch.from_numpy(x)
    np.testing.assert_allclose(sm.smooth_max_entropy(t, k).numpy(), h, rtol=1e-10, atol=1e-14)


def test_derivative_in_k_is_minus_entropy_over_k_squared() -> None:
    x = torch.randn(3, 5, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    for k0 in (0.5, 2.0, 10.0):
        k = torch.tensor(k0, dtype=torch.float64, requires_grad=True)
        out = torch.logsumexp(k * x, dim=-1) / k
        grads = [torch.autograd.grad(out[i], k, retain_graph=True)[0].item() for i in range(3)]
        np.testing.assert_allclose(grads, -sm.smooth_max_entropy(x.numpy(), k0) / k0**2, rtol=1e-10)
