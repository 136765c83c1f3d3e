"""blogkit.stochastic (post path-integral-thesis) against scipy.stats, sympy and brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from scipy import stats

from blogkit import stochastic as st


@pytest.mark.parametrize("n,p", [(1, 0.5), (10, 0.3), (100, 0.6), (1000, 0.51)])
def test_eqn_path_integral_thesis_pmf_and_moments(n: int, p: float) -> None:
    k, pmf = st.rw_pmf(n, p)
    r = (k + n) // 2
    np.testing.assert_allclose(pmf, stats.binom.pmf(r, n, p), rtol=1e-10, atol=1e-300)
    assert abs(pmf.sum() - 1) < 1e-12
    mean = (k * pmf).sum()
    assert math.isclose(mean, (2 * p - 1) * n, rel_tol=1e-10, abs_tol=1e-10)
    assert math.isclose((k**2 * pmf).sum() - mean**2, 4 * p * (1 - p) * n, rel_tol=1e-9)


def test_random_walk_moments() -> None:
    S = st.random_walk(0.6, 50, 40000, np.random.default_rng(0))
    assert S.shape == (40000, 51) and (S[:, 0] == 0).all()
    assert set(np.unique(np.diff(S, axis=1))) == {-1, 1}
    assert abs(S[:, -1].mean() - 10) < 4 * math.sqrt(48 / 40000)
    assert abs(S[:, -1].var() - 48) < 4 * 48 * math.sqrt(2 / 40000)


def _brute_force(n: int, p: float, dx: float, dt: float, V, f) -> float:
    total = 0.0
    for steps in itertools.product((1, -1), repeat=n):
        x, w = 0.0, 1.0
        for s in steps:
            x += s * dx
            w *= (p if s == 1 else 1 - p) * math.exp(-V(np.array(x)) * dt)
        total += w * f(np.array(x))
    return total


@pytest.mark.parametrize("p", [0.5, 0.7])
def test_eqn_path_integral_thesis_pathsum_against_all_paths(p: float) -> None:
    V = st.harmonic_potential(1.3)
    f = np.cos
    for n in (1, 4, 9):
        assert math.isclose(st.lattice_path_sum(n, p, 0.3, 0.09, V, f),
                            _brute_force(n, p, 0.3, 0.09, V, f), rel_tol=1e-12)
    # without a potential, the summed weights are the law of S_n
    np.testing.assert_allclose(st.lattice_path_sum(12, p, 1.0, 1.0), st.rw_pmf(12, p)[1],
                               rtol=1e-12)


def test_eqn_path_integral_thesis_master_is_the_recursion() -> None:
    """One more step of Eq. (master) on the exact law: u_{n+1}(k) = p u_n(k−1) + q u_n(k+1)."""
    p, n = 0.35, 20
    _, u = st.rw_pmf(n, p)
    _, u1 = st.rw_pmf(n + 1, p)
    padded = np.concatenate([[0.0], u, [0.0]])
    np.testing.assert_allclose(u1, p * padded[:-1] + (1 - p) * padded[1:], rtol=1e-12)


def test_eqn_path_integral_thesis_harmonic_solves_the_pde_sympy() -> None:
    x, t, w = sp.symbols("x t omega", positive=True)
    u = sp.exp(-w * x**2 / 2 * sp.tanh(w * t)) / sp.sqrt(sp.cosh(w * t))
    residual = sp.diff(u, t) - sp.diff(u, x, 2) / 2 + w**2 * x**2 / 2 * u
    assert sp.simplify(residual / u) == 0
    assert sp.simplify(u.subs(t, 0)) == 1
    val = float(u.subs({x: 0.7, t: 1.5, w: 0.8}))
    assert math.isclose(float(st.harmonic_fk_closed(0.8, 1.5, 0.7)), val, rel_tol=1e-14)


def test_eqn_path_integral_thesis_fk_heat_kernel_and_harmonic() -> None:
    rng = np.random.default_rng(1)
    # V = 0: E f(x + W_t) is the heat-kernel convolution; for f = e^{−x²/2} it is closed form
    zero = lambda y: np.zeros_like(y)  # noqa: E731
    f = lambda y: np.exp(-(y**2) / 2)  # noqa: E731
    for x0, t in ((0.0, 1.0), (1.2, 0.5)):
        est, se = st.feynman_kac_mc(zero, f, x0, t, 4, 40000, rng)
        exact = math.exp(-(x0**2) / (2 * (1 + t))) / math.sqrt(1 + t)
        assert abs(est - exact) < 4 * se
    # the harmonic potential with many steps: only Monte Carlo noise and a small bias remain
    V = st.harmonic_potential(1.0)
    est, se = st.feynman_kac_mc(V, np.ones_like, 0.0, 2.0, 1000, 20000, rng)
    assert abs(est - st.harmonic_fk_closed(1.0, 2.0)) < 4 * se + 2e-3
    # lattice path sums converge at first order to the same number
    errs = [abs(st.lattice_path_sum(n, 0.5, math.sqrt(2 / n), 2 / n, V, np.ones_like)
                - st.harmonic_fk_closed(1.0, 2.0)) for n in (100, 400)]
    assert 3 < errs[0] / errs[1] < 5 and errs[1] < 2e-3
