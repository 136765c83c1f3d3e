"""blogkit.dynamics against scipy (solve_ivp, approx_fprime, fsolve) and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import differentiate, optimize
from scipy import integrate as si

from blogkit import dynamics as dy


def params(seed: int) -> dy.Competition:
    rng = np.random.default_rng(seed)
    r1, r2 = rng.uniform(0.3, 2.0, 2)
    n1, n2 = rng.uniform(20, 200, 2)
    s1, s2 = rng.choice([0.3, 0.6, 0.85, 1.2, 1.7, 2.5], 2)  # σ's away from 1
    return dy.Competition(r1, r2, n1, n2, s1 * r1 / n2, s2 * r2 / n1)


PARAMS = [params(s) for s in range(24)]


def solve(p: dy.Competition, x0, t_end: float) -> np.ndarray:
    sol = si.solve_ivp(lambda t, x: dy.rhs(p, x), (0, t_end), x0, method="LSODA", rtol=1e-10, atol=1e-12)
    assert sol.success
    return sol.y[:, -1]


def outcome(p: dy.Competition) -> str:
    return dy.competition_outcome(p.r1, p.r2, p.n1, p.n2, p.a1, p.a2)


@pytest.mark.parametrize("p", PARAMS, ids=lambda p: f"s1={p.sigma1:.2f},s2={p.sigma2:.2f}")
def test_eqn_competition_outcomes_match_solve_ivp_long_time(p: dy.Competition) -> None:
    eq = dy.equilibria(p)
    rng = np.random.default_rng(0)
    starts = rng.uniform(0.05, 1.5, (6, 2)) * [p.n1, p.n2]
    t_end = 400 / min(p.r1, p.r2)
    ends = np.array([solve(p, x0, t_end) for x0 in starts])
    case = outcome(p)
    if case == dy.COEXISTENCE:
        np.testing.assert_allclose(ends, np.broadcast_to(eq["E*"], ends.shape), rtol=1e-5)
    elif case == dy.SPECIES1:
        np.testing.assert_allclose(ends, np.broadcast_to(eq["E1"], ends.shape), atol=1e-5 * p.n1)
    elif case == dy.SPECIES2:
        np.testing.assert_allclose(ends, np.broadcast_to(eq["E2"], ends.shape), atol=1e-5 * p.n2)
    else:
        assert case == dy.BISTABLE
        near_e1 = solve(p, [0.9 * p.n1, 0.02 * p.n2], t_end)
        near_e2 = solve(p, [0.02 * p.n1, 0.9 * p.n2], t_end)
        np.testing.assert_allclose(near_e1, eq["E1"], atol=1e-5 * p.n1)
        np.testing.assert_allclose(near_e2, eq["E2"], atol=1e-5 * p.n2)
        for e in ends:
            assert min(np.abs(e - eq["E1"]).max(), np.abs(e - eq["E2"]).max()) < 1e-4 * max(p.n1, p.n2)


def test_all_four_cases_occur_in_the_grid() -> None:
    assert {outcome(p) for p in PARAMS} == {dy.COEXISTENCE, dy.SPECIES1, dy.SPECIES2, dy.BISTABLE}


def test_source_examples() -> None:
    """r = 1, N = 100: the coexistence point (200/3, 200/3) and the bistable run from (30, 40)."""
    p = dy.Competition(1, 1, 100, 100, 0.005, 0.005)
    np.testing.assert_allclose(dy.equilibria(p)["E*"], [200 / 3, 200 / 3], rtol=1e-14)
    q = dy.Competition(1, 1, 100, 100, 0.02, 0.02)
    assert outcome(q) == dy.BISTABLE
    np.testing.assert_allclose(solve(q, [30, 40], 300), [0, 100], atol=1e-6)
    assert outcome(dy.Competition(1, 1, 100, 100, 0.005, 0.015)) == dy.SPECIES1


def test_boundary_cases() -> None:
    # σ1 = 1 exactly (a1 N2 / r1 = 0.5·4/2), σ2 = 1.5: species 1 wins, slowly
    p = dy.Competition(2.0, 1.0, 4.0, 4.0, 0.5, 0.375)
    assert p.sigma1 == 1.0 and p.sigma2 == 1.5 and outcome(p) == dy.SPECIES1
    end = solve(p, [1.0, 3.0], 3000)
    assert abs(end[0] - 4.0) < 0.01 and end[1] < 0.01
    q = dy.Competition(1.0, 2.0, 4.0, 4.0, 0.375, 0.5)  # mirrored
    assert q.sigma2 == 1.0 and outcome(q) == dy.SPECIES2
    # σ1 = σ2 = 1: a segment of equilibria, the end depends on the start
    n = dy.Competition(1.0, 1.0, 4.0, 4.0, 0.25, 0.25)
    assert outcome(n) == dy.NEUTRAL
    ends = [solve(n, x0, 400) for x0 in ([1.0, 0.5], [0.5, 2.0])]
    for e in ends:
        assert abs(e[0] / 4 + e[1] / 4 - 1) < 1e-6
    assert abs(ends[0][0] - ends[1][0]) > 0.5


@pytest.mark.parametrize("p", PARAMS[:8])
def test_eqn_competition_scaled(p: dy.Competition) -> None:
    u = np.random.default_rng(1).uniform(0, 2, (50, 2))
    n = np.array([p.n1, p.n2])
    # dx/dt at x = N u equals r1 N du/dτ
    np.testing.assert_allclose(dy.rhs(p, u * n),
                               p.r1 * n * dy.scaled_rhs(p.sigma1, p.sigma2, p.r2 / p.r1, u), rtol=1e-12,
                               atol=1e-12 * max(p.n1, p.n2))


@pytest.mark.parametrize("p", PARAMS[:8])
def test_eqn_competition_jacobian_matches_scipy_differentiate(p: dy.Competition) -> None:
    for x in np.random.default_rng(2).uniform(0, 1.5, (5, 2)) * [p.n1, p.n2]:
        res = differentiate.jacobian(lambda z: np.moveaxis(dy.rhs(p, np.moveaxis(z, 0, -1)), -1, 0), x)
        assert np.all(res.success)
        np.testing.assert_allclose(dy.jacobian(p, x), res.df, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("p", PARAMS)
def test_eqn_competition_equilibria_are_zeros_and_fsolve_agrees(p: dy.Competition) -> None:
    eq = dy.equilibria(p)
    for e in eq.values():
        np.testing.assert_allclose(dy.rhs(p, e), 0, atol=1e-9 * max(p.n1, p.n2))
    inside = (p.sigma1 - 1) * (p.sigma2 - 1) > 0
    assert ("E*" in eq) == inside
    if inside:
        found = optimize.fsolve(lambda z: dy.rhs(p, z), eq["E*"] * 1.1, xtol=1e-13)
        np.testing.assert_allclose(found, eq["E*"], rtol=1e-8)
        lam = np.linalg.eigvals(dy.jacobian(p, eq["E*"]))
        assert np.all(lam.imag == 0)  # a node or a saddle, never a focus
        assert (np.all(lam.real < 0)) == (outcome(p) == dy.COEXISTENCE)


@pytest.mark.parametrize("p", PARAMS[:8])
def test_eqn_competition_dulac(p: dy.Competition) -> None:
    h = 1e-6
    for x in np.random.default_rng(3).uniform(0.05, 1.5, (5, 2)) * [p.n1, p.n2]:
        def bf(z: np.ndarray, i: int) -> float:
            return float(dy.rhs(p, z)[i] / (z[0] * z[1]))
        e = np.eye(2) * h * x
        div = sum((bf(x + e[i], i) - bf(x - e[i], i)) / (2 * e[i, i]) for i in range(2))
        assert div < 0
        np.testing.assert_allclose(dy.dulac_divergence(p, x), div, rtol=1e-6)


def test_rk4_matches_solve_ivp() -> None:
    p = PARAMS[3]
    x0 = [0.3 * p.n1, 0.7 * p.n2]
    t, path = dy.integrate(p, x0, 12.0, 0.01)
    sol = si.solve_ivp(lambda s, x: dy.rhs(p, x), (0, 12), x0, t_eval=t[::100], rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(path[::100], sol.y.T, rtol=1e-7, atol=1e-8 * max(p.n1, p.n2))
    assert np.all(path > 0)  # positivity is preserved


def test_separatrix_splits_the_basins() -> None:
    p = dy.Competition(1.0, 0.6, 120.0, 80.0, 0.02, 0.015)
    assert outcome(p) == dy.BISTABLE
    sep = dy.separatrix(p)
    eq = dy.equilibria(p)
    for point in sep[:: max(1, len(sep) // 6)]:
        if point.min() < 1:
            continue
        ends = [solve(p, point * (1 + s * np.array([1e-3, -1e-3])), 600) for s in (1, -1)]
        assert np.abs(ends[0] - eq["E1"]).max() < 1e-4 * p.n1
        assert np.abs(ends[1] - eq["E2"]).max() < 1e-4 * p.n2
    with pytest.raises(ValueError):
        dy.separatrix(dy.Competition(1, 1, 100, 100, 0.005, 0.005))


def test_rejects_bad_parameters() -> None:
    with pytest.raises(ValueError):
        dy.Competition(-1, 1, 1, 1, 0.1, 0.1)
    with pytest.raises(ValueError):
        dy.competition_outcome(1, 1, 0, 1, 0.1, 0.1)


@pytest.mark.parametrize("p", PARAMS[:8])
def test_nullclines_are_zero_growth(p: dy.Competition) -> None:
    x1 = np.linspace(0.01, 1.0, 30) * p.n1
    n1, n2 = dy.nullclines(p, x1)
    np.testing.assert_allclose(dy.rhs(p, np.stack([x1, n1], -1))[:, 0], 0, atol=1e-10 * p.n1 * p.n2)
    np.testing.assert_allclose(dy.rhs(p, np.stack([x1, n2], -1))[:, 1], 0, atol=1e-10 * p.n1 * p.n2)
    # intercepts: (0, N2/σ1) and (N1/σ2, 0)
    assert np.isclose(dy.nullclines(p, 0.0)[0], p.n2 / p.sigma1)
    assert np.isclose(dy.nullclines(p, p.n1 / p.sigma2)[1], 0, atol=1e-12 * p.n2)
