"""blogkit.calcvar (posts brachistochrone and extremum-analysis) against scipy and sympy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
import torch
from scipy import integrate

from blogkit import calcvar as cv

# -- brachistochrone ---------------------------------------------------------------------------


def _quad_cycloid_time(r: float, th0: float, th1: float, g: float) -> float:
    """∫ ds / √(2g(y − y0)) along the cycloid, by scipy.integrate.quad (singular at th0)."""
    y0 = r * (1 - math.cos(th0))

    def integrand(th: float) -> float:
        ds = r * math.hypot(1 - math.cos(th), math.sin(th))  # |d(x, y)/dθ|
        return ds / math.sqrt(2 * g * (r * (1 - math.cos(th)) - y0))

    val, err = integrate.quad(integrand, th0, th1, limit=200, epsabs=1e-12, epsrel=1e-12)
    assert err < 1e-8
    return val


@pytest.mark.parametrize("r", [0.3, 1.0, 2.5])
@pytest.mark.parametrize("g", [0.5, 1.0, 9.81])
def test_eqn_brachistochrone_cycloid_time_against_quad(r: float, g: float) -> None:
    for th1 in (0.7, math.pi, 4.5):
        ref = _quad_cycloid_time(r, 0.0, th1, g)
        assert abs(ref - th1 * math.sqrt(r / g)) < 1e-9 * ref  # T = θ₁ √(r/g)
        # the polyline time converges to it from above, error ∝ n^-2
        errs = []
        for n in (200, 400, 800):
            x, y = cv.cycloid(r, np.linspace(0, th1, n + 1))
            errs.append(cv.descent_time(x, y, g) - ref)
        assert errs[0] > errs[1] > errs[2] > 0
        assert 3.5 < errs[0] / errs[1] < 4.5 and 3.5 < errs[1] / errs[2] < 4.5


@pytest.mark.parametrize("th0", [0.0, 0.3, 1.0, 2.0, 2.8, 3.1])
def test_eqn_brachistochrone_tautochrone_against_quad(th0: float) -> None:
    for r, g in ((1.0, 1.0), (0.4, 9.81)):
        assert abs(_quad_cycloid_time(r, th0, math.pi, g) - math.pi * math.sqrt(r / g)) < 1e-8
        s = np.linspace(0, 1, 3001)
        x, y = cv.cycloid(r, th0 + (math.pi - th0) * s**2)
        t = cv.descent_time(x - x[0], y - y[0], g)
        assert abs(t - math.pi * math.sqrt(r / g)) < 1e-6


def test_eqn_brachistochrone_segment_against_ode() -> None:
    """Each segment is uniformly accelerated motion: integrate s'' = g·Δy/ℓ with scipy."""
    rng = np.random.default_rng(0)
    for _ in range(20):
        y0, g = rng.uniform(0, 2), rng.uniform(0.5, 10)
        dx, dy = rng.uniform(0.1, 2), rng.uniform(-y0 + 0.05, 2)
        ell = math.hypot(dx, dy)
        acc, v0 = g * dy / ell, math.sqrt(2 * g * y0)
        done = lambda t, z, ell=ell: z[0] - ell  # noqa: E731
        done.terminal = True
        # max_step: the motion is a parabola in t, which RK45 integrates exactly with huge steps
        # that would jump over both crossings of s = ℓ when the bead climbs
        sol = integrate.solve_ivp(lambda t, z, acc=acc: [z[1], acc], (0, 100), [0.0, v0], events=done,
                                  rtol=1e-12, atol=1e-14, max_step=0.01)
        t_ode = sol.t_events[0][0]
        t = cv.descent_time(np.array([0.0, dx]), np.array([y0, y0 + dy]), g)
        assert abs(t - t_ode) < 1e-8 * t_ode


def test_descent_time_torch_matches_numpy_and_has_gradients() -> None:
    x = np.linspace(0, 2, 9)
    y = np.sqrt(x) * 1.3
    t_np = cv.descent_time(x, y, 2.0)
    xt = torch.tensor(x)
    yt = torch.tensor(y, requires_grad=True)
    t_t = cv.descent_time(xt, yt, 2.0)
    assert abs(t_t.item() - t_np) < 1e-14
    t_t.backward()
    assert torch.isfinite(yt.grad).all()  # finite at the point of rest as well
    # interior gradient against central differences
    for i in (2, 5, 7):
        h = 1e-6
        yp, ym = y.copy(), y.copy()
        yp[i] += h
        ym[i] -= h
        fd = (cv.descent_time(x, yp, 2.0) - cv.descent_time(x, ym, 2.0)) / (2 * h)
        assert abs(float(yt.grad[i]) - fd) < 1e-6


def test_descent_time_rejects_rising_above_the_start() -> None:
    with pytest.raises(ValueError):
        cv.descent_time(np.array([0.0, 1.0, 2.0]), np.array([0.0, -0.1, 1.0]))


def test_cycloid_beats_other_curves_and_scales() -> None:
    s = np.linspace(0, 1, 4001)
    for a, b in ((math.pi, 2.0), (1.0, 1.0), (3.0, 0.5), (0.5, 2.0)):
        r, th = cv.cycloid_through(a, b)
        x, y = cv.cycloid(r, th * s)
        assert abs(x[-1] - a) < 1e-9 and abs(y[-1] - b) < 1e-9
        assert (th > math.pi) == (a / b > math.pi / 2)  # dips below the end point
        T = cv.descent_time(x, y)
        for p in (0.3, 0.5, 0.7, 1.0):  # y = b (x/a)^p, sampled densely near the start
            xs = a * s ** (1 / p) if p < 1 else a * s
            assert cv.descent_time(xs, b * (xs / a) ** p) > T
        # T ∝ √(r/g): scale the whole picture by λ and g by μ
        for lam, mu in ((4.0, 1.0), (1.0, 9.0), (2.0, 0.25)):
            xx, yy = cv.cycloid(lam * r, th * s)
            assert abs(cv.descent_time(xx, yy, mu) - T * math.sqrt(lam / mu)) < 1e-9 * T


def test_cycloid_depth_at_inverts_the_parametrisation() -> None:
    th = np.linspace(0, 2 * math.pi, 101)
    x, y = cv.cycloid(1.7, th)
    np.testing.assert_allclose(cv.cycloid_depth_at(1.7, x), y, atol=1e-9)


def test_eqn_brachistochrone_snell_and_first_integral_along_cycloid() -> None:
    r, g = 0.8, 3.0
    x, y = cv.cycloid(r, np.linspace(0.5, 5.5, 20001))
    ratio = cv.snell_ratio(x, y, g)
    np.testing.assert_allclose(ratio, 1 / (2 * math.sqrt(g * r)), rtol=1e-6)  # sin α / v
    yp = np.gradient(y, x)
    np.testing.assert_allclose((y * (1 + yp**2))[5:-5], 2 * r, rtol=1e-5)


@pytest.mark.parametrize("n", [16, 64, 512])
def test_discrete_optimum_converges_to_the_cycloid(n: int) -> None:
    x, y, T, iterates = cv.optimize_descent_path(math.pi, 2.0, n)
    assert T > math.pi and T - math.pi < 0.6 / n  # T_N − π ≈ 0.28/N on this end point
    assert abs(T - cv.descent_time(x, y)) < 1e-14 and iterates.shape[1] == n + 1
    times = [cv.descent_time(x, it) for it in iterates]
    assert np.all(np.diff(times) <= 1e-14)  # each Newton step descends
    # stationarity: a small perturbation of any interior depth makes it slower
    rng = np.random.default_rng(n)
    for _ in range(5):
        bump = np.zeros_like(y)
        bump[1:-1] = rng.normal(size=n - 1) * 1e-4
        assert cv.descent_time(x, y + bump) > T
    assert np.abs(y - cv.cycloid_depth_at(1.0, x)).max() < 0.7 * n ** (-2 / 3)


def test_discrete_optimum_halves_with_n_at_large_sizes() -> None:
    """The claims of the post at sizes beyond the build's: T_N − π ∝ 1/N, error shrinking."""
    ex, er = [], []
    for n in (128, 256, 512):
        x, y, T, _ = cv.optimize_descent_path(math.pi, 2.0, n)
        ex.append(T - math.pi)
        er.append(np.abs(y - cv.cycloid_depth_at(1.0, x)).max())
    assert abs(ex[1] / ex[0] - 0.5) < 0.05 and abs(ex[2] / ex[1] - 0.5) < 0.05
    assert er[0] > er[1] > er[2]


def test_eqn_brachistochrone_harmonic_symbolically() -> None:
    th, r, g, t = sp.symbols("theta r g t", positive=True)
    s = 4 * r * sp.cos(th / 2)  # arc length from the bottom
    h = r * (1 + sp.cos(th))  # height above the bottom
    assert sp.simplify(h - s**2 / (8 * r)) == 0
    # energy ½ṡ² + g s²/(8r) conserved ⇒ s̈ = −g s/(4r): check with a solution of the ODE
    S = sp.Function("S")(t)
    sol = sp.dsolve(sp.Eq(S.diff(t, 2), -g / (4 * r) * S), S, ics={S.subs(t, 0): 1,
                                                                    S.diff(t).subs(t, 0): 0})
    energy = sp.Rational(1, 2) * sol.rhs.diff(t) ** 2 + g * sol.rhs**2 / (8 * r)
    assert sp.simplify(energy.diff(t)) == 0
    # quarter period π√(r/g): the bead is at the bottom then
    assert sp.simplify(sol.rhs.subs(t, sp.pi * sp.sqrt(r / g))) == 0
