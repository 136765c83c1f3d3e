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


# -- extremum analysis ---------------------------------------------------------------------------
X = sp.Symbol("x")
Y = sp.Function("y")(X)
YP, YPP = Y.diff(X), Y.diff(X, 2)
LAGRANGIANS = [
    sp.sqrt(1 + YP**2),
    sp.sqrt((1 + YP**2) / Y),
    Y * sp.sqrt(1 + YP**2),
    YP**2 / 2 - Y**2 / 2,
    X**2 * YP**2 + sp.sin(X) * Y,  # explicit x
    sp.exp(X) * (YP**2 - Y**2),
    YPP**2 / 2 - Y,  # a beam: fourth order
    YPP**2 + Y * YP + X * Y**3,
]


@pytest.mark.parametrize("L", LAGRANGIANS, ids=range(len(LAGRANGIANS)))
def test_eqn_extremum_analysis_el_higher_matches_sympy_euler_equations(L) -> None:
    from sympy.calculus.euler import euler_equations

    ours = cv.euler_lagrange(L, Y, X)
    ref = euler_equations(L, Y, X)[0].lhs
    assert sp.simplify(ours - ref) == 0


def test_eqn_extremum_analysis_first_variation_and_by_parts_numerically() -> None:
    """φ′(0) by finite differences of a scipy-quad functional equals ∫ E[y] η dx."""
    L = Y * sp.sqrt(1 + YP**2) + X * YP**2
    E = cv.euler_lagrange(L, Y, X)
    Ycand = 1 + X**2 / 3 + sp.sin(X) / 5
    eta = X * (1 - X) ** 2  # zero at 0 and 1
    e = sp.Symbol("e")
    Z = Ycand + e * eta
    f = sp.lambdify((X, e), L.subs(YP, Z.diff(X)).subs(Y, Z), "math")

    def J(eps: float) -> float:
        return integrate.quad(lambda t: f(t, eps), 0, 1, epsabs=1e-13, epsrel=1e-13)[0]

    h = 1e-4
    fd = (J(h) - J(-h)) / (2 * h)
    g = sp.lambdify(X, (E.subs(Y, Ycand).doit() * eta), "math")
    by_parts = integrate.quad(g, 0, 1, epsabs=1e-13, epsrel=1e-13)[0]
    v = sp.Function("v")(X)
    raw = cv.first_variation(L, Y, X, v).subs(v, eta).doit().subs(Y, Ycand).doit()
    direct = integrate.quad(sp.lambdify(X, raw, "math"), 0, 1, epsabs=1e-13)[0]
    assert abs(fd - by_parts) < 1e-7 and abs(direct - by_parts) < 1e-10
    # and the profile helper agrees with scipy
    prof = cv.variation_profile(L, Y, X, Ycand, eta, 0, 1, [-0.2, 0.0, 0.3])
    np.testing.assert_allclose(prof, [J(-0.2), J(0.0), J(0.3)], rtol=1e-12)


def test_eqn_extremum_analysis_beltrami_with_and_without_explicit_x() -> None:
    for L in LAGRANGIANS[:6]:
        E = cv.euler_lagrange(L, Y, X)
        # ∂L/∂x with y, y′ held fixed
        a, p = sp.symbols("a p")
        Lx = L.subs(YP, p).subs(Y, a).diff(X).subs({p: YP, a: Y})
        assert sp.simplify(cv.beltrami(L, Y, X).diff(X) - (Lx + YP * E)) == 0


def test_eqn_extremum_analysis_second_variation_straight_line_positive() -> None:
    v = sp.Function("v")(X)
    d2 = cv.second_variation(sp.sqrt(1 + YP**2), Y, X, v)
    rng = np.random.default_rng(3)
    for _ in range(10):
        slope = rng.normal()
        coeffs = rng.normal(size=3)
        eta = sum(c * sp.sin((j + 1) * sp.pi * X) for j, c in enumerate(coeffs))
        val = cv.integrate_expr(d2.subs(v, eta).doit().subs(Y, slope * X).doit(), X, 0, 1)
        # η′²/(1+y′²)^{3/2}, integrated: Σ c_j² (jπ)²/2 / (1+s²)^{3/2}
        ref = integrate.quad(sp.lambdify(X, eta.diff(X) ** 2, "math"), 0, 1)[0] / (
            1 + slope**2) ** 1.5
        assert val > 0 and abs(val - ref) < 1e-10


def test_eqn_extremum_analysis_second_variation_oscillator_sign_change() -> None:
    t = sp.Symbol("t")
    q, v = sp.Function("q")(t), sp.Function("v")(t)
    d2 = cv.second_variation(q.diff(t) ** 2 / 2 - q**2 / 2, q, t, v)
    for T, positive in ((0.8 * np.pi, True), (1.2 * np.pi, False)):
        eta = sp.sin(sp.pi * t / T)
        val = cv.integrate_expr(d2.subs(v, eta).doit(), t, 0, T)
        ref = integrate.quad(lambda s, T=T: (np.pi / T * np.cos(np.pi * s / T)) ** 2
                             - np.sin(np.pi * s / T) ** 2, 0, T)[0]
        assert abs(val - ref) < 1e-10 and (val > 0) == positive


def test_eqn_extremum_analysis_hessian_classification_against_numpy() -> None:
    x, y = sp.symbols("x y")
    cases = {
        x**4 + y**4 - 4 * x * y: ["极小", "鞍点", "极小"],
        x**2 - y**2: ["鞍点"],
        -(x**2) - 3 * y**2 + x * y: ["极大"],
        x**3 + y**2: ["待定"],
    }
    for f, kinds in cases.items():
        found = cv.classify_critical_points(f, [x, y])
        assert [k for _, _, k in found] == kinds
        fn = sp.lambdify((x, y), f, "numpy")
        for pt, ev, _ in found:
            p = np.array([float(pt[x]), float(pt[y])])
            h = 1e-4
            H = np.empty((2, 2))  # Hessian by central differences
            for i in range(2):
                for j in range(2):
                    ei, ej = np.eye(2)[i] * h, np.eye(2)[j] * h
                    H[i, j] = (fn(*(p + ei + ej)) - fn(*(p + ei - ej)) - fn(*(p - ei + ej))
                               + fn(*(p - ei - ej))) / (4 * h * h)
            np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(H)), [float(e) for e in ev],
                                       atol=1e-5)


def test_integrate_expr_matches_quad_and_param_family() -> None:
    e = sp.exp(-X) * sp.cos(3 * X) + X**5
    ref = integrate.quad(sp.lambdify(X, e, "math"), -0.5, 2.0)[0]
    assert abs(cv.integrate_expr(e, X, -0.5, 2.0) - ref) < 1e-12
    T = sp.Symbol("T", positive=True)
    vals = cv.integrate_expr(sp.sin(X * T), X, 0, T, param=T, values=[0.5, 1.0, 2.0])
    for Tv, got in zip([0.5, 1.0, 2.0], vals, strict=True):
        assert abs(got - (1 - np.cos(Tv * Tv)) / Tv) < 1e-12
