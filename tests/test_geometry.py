"""blogkit.geometry (the post fermat-point) against scipy's optimiser, brute force and sympy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp
from scipy import optimize

from blogkit import geometry as gm

TRI = np.array([[0.0, 0.0], [4.0, 0.0], [1.0, 3.0]])


def _random_triangles(n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, 2)) * rng.uniform(0.5, 5) for _ in range(n)]


def _scipy_min(T: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, float]:
    """Nelder–Mead from several starts, then the best vertex: nobody here wrote it."""
    f = lambda p: float(np.sum(k * np.hypot(*(T - p).T)))  # noqa: E731
    best = min((optimize.minimize(f, s, method="Nelder-Mead",
                                  options={"xatol": 1e-11, "fatol": 1e-13, "maxiter": 20000})
                for s in [T.mean(0), *T * 0.9 + 0.1 * T.mean(0)]), key=lambda r: r.fun)
    vert = min(range(3), key=lambda i: f(T[i]))
    if f(T[vert]) < best.fun:
        return T[vert], f(T[vert])
    return best.x, float(best.fun)


@pytest.mark.parametrize("seed", range(6))
def test_fermat_point_matches_scipy_minimize(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    for T in _random_triangles(8, seed):
        k = rng.uniform(0.3, 2.0, 3) if seed % 2 else None
        kk = np.ones(3) if k is None else k
        P = gm.fermat_point(T, k)
        ref, fref = _scipy_min(T, kk)
        ours = float(gm.fermat_cost(P, T, k))
        assert ours <= fref + 1e-9  # never worse than the independent optimiser
        assert abs(ours - fref) < 1e-8 * max(1.0, fref)
        assert np.linalg.norm(P - ref) < 1e-4 * max(1.0, np.ptp(T))


def test_fermat_point_beats_a_brute_force_grid() -> None:
    for T in _random_triangles(5, 7):
        lo, hi = T.min(0), T.max(0)
        g = np.stack(np.meshgrid(np.linspace(lo[0], hi[0], 301), np.linspace(lo[1], hi[1], 301)),
                     axis=-1)
        grid_min = gm.fermat_cost(g, T).min()
        ours = gm.fermat_cost(gm.fermat_point(T), T)
        assert ours <= grid_min + 1e-12
        assert grid_min - ours < 0.02 * np.ptp(T)  # the grid gets close: same minimum


def test_eqn_fermat_point_balance_and_120_degrees() -> None:
    for T in _random_triangles(40, 3):
        P = gm.fermat_point(T)
        if gm.vertex_angles(T).max() >= 120:
            assert any(np.array_equal(P, a) for a in T)
            continue
        u = gm.unit_vectors(P, T)
        assert np.linalg.norm(u.sum(0)) < 1e-10
        np.testing.assert_allclose(gm.angles_at(P, T), 120.0, atol=1e-7)


def test_eqn_fermat_point_angle_law_on_weight_grid() -> None:
    for k in itertools.product([1.0, 1.5, 2.0, 2.5], repeat=3):
        k = np.array(k)
        if np.any(2 * k >= k.sum()):
            with pytest.raises(ValueError):
                gm.angle_law(k)
            continue
        law = gm.angle_law(k)
        assert abs(law.sum() - 360) < 1e-9  # the three directions go once round the point
        # a large triangle so that the balance point is interior
        T = np.array([[0.0, 0.0], [10.0, 0.0], [5.0, 9.0]])
        P = gm.fermat_point(T, k)
        if not any(np.array_equal(P, a) for a in T):
            np.testing.assert_allclose(gm.angles_at(P, T), law, atol=1e-7)


def test_eqn_fermat_point_snell_on_every_mirror() -> None:
    rng = np.random.default_rng(5)
    for T in _random_triangles(10, 11):
        k = rng.uniform(0.8, 1.2, 3)
        P = gm.fermat_point(T, k)
        if any(np.array_equal(P, a) for a in T):
            continue
        for c in range(3):
            i, j = (n for n in range(3) if n != c)
            a = np.radians(gm.mirror_angles(P, T, c))
            assert abs(k[i] * np.sin(a[0]) - k[j] * np.sin(a[1])) < 1e-9


def test_weighted_example_is_the_rational_point_exactly() -> None:
    P = gm.fermat_point(TRI, [3, 4, 5])
    assert np.abs(P - [50 / 37, 70 / 37]).max() < 1e-13
    dist, cost, bal = gm.exact_balance((sp.Rational(50, 37), sp.Rational(70, 37)),
                                       [(0, 0), (4, 0), (1, 3)], [3, 4, 5])
    assert bal == (0, 0) and sp.simplify(cost - 3 * sp.sqrt(74)) == 0
    assert [sp.simplify(d / sp.sqrt(74)) for d in dist] == [sp.Rational(10, 37),
                                                           sp.Rational(14, 37),
                                                           sp.Rational(5, 37)]
    # a nearby rational point is not balanced
    _, _, off = gm.exact_balance((sp.Rational(4, 3), sp.Rational(70, 37)),
                                 [(0, 0), (4, 0), (1, 3)], [3, 4, 5])
    assert off != (0, 0)


def test_eqn_fermat_point_vertex_rule() -> None:
    # isosceles, apex angle just below / at / above 120 degrees
    for phi, at_vertex in [(119.5, False), (120.0, True), (120.5, True), (150.0, True)]:
        T = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1 / np.tan(np.radians(phi) / 2)]])
        assert np.array_equal(gm.fermat_point(T), T[2]) == at_vertex
    # a dominant weight wins whatever the shape
    for T in _random_triangles(10, 9):
        assert np.array_equal(gm.fermat_point(T, [1.0, 1.0, 2.0]), T[2])
        assert np.array_equal(gm.fermat_point(T, [3.0, 1.0, 1.5]), T[0])
    # and the vertex returned really is optimal: scipy finds nothing better
    T = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 0.5]])
    _, fref = _scipy_min(T, np.ones(3))
    assert gm.fermat_cost(gm.fermat_point(T), T) <= fref + 1e-12


def test_invariant_under_rigid_motions_and_scaling() -> None:
    rng = np.random.default_rng(2)
    for T in _random_triangles(10, 4):
        k = rng.uniform(0.5, 1.5, 3)
        P = gm.fermat_point(T, k)
        th = rng.uniform(0, 2 * np.pi)
        R = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        t, s = rng.normal(size=2), rng.uniform(0.2, 5)
        Q = gm.fermat_point(s * T @ R.T + t, k)
        np.testing.assert_allclose(Q, s * P @ R.T + t, atol=1e-9 * s * max(1, np.abs(T).max()))
        np.testing.assert_allclose(gm.fermat_point(T, 7 * k), P, atol=1e-12)  # only ratios count
        perm = rng.permutation(3)
        np.testing.assert_allclose(gm.fermat_point(T[perm], k[perm]), P, atol=1e-10)


def test_eqn_fermat_point_min_closed_form() -> None:
    for T in _random_triangles(30, 6):
        ours = float(gm.fermat_cost(gm.fermat_point(T), T))
        closed = gm.fermat_min_closed(T)
        if gm.vertex_angles(T).max() < 120:
            assert abs(ours - closed) < 1e-10 * max(1, ours)
        else:
            assert closed < ours  # a lower bound that is not reached
    # the equilateral triangle of side 1: sqrt(3)
    eq = np.array([[0, 0], [1, 0], [0.5, np.sqrt(3) / 2]])
    assert abs(gm.fermat_min_closed(eq) - np.sqrt(3)) < 1e-14


def test_eqn_fermat_point_weiszfeld_fixed_point_and_descent() -> None:
    T, k = TRI, np.array([3.0, 4.0, 5.0])
    P = gm.fermat_point(T, k)
    path = gm.weiszfeld(T, k, start=P, steps=3)
    np.testing.assert_allclose(path, np.repeat(P[None], 4, axis=0), atol=1e-12)  # a fixed point
    path = gm.weiszfeld(T, k, steps=60)
    cost = gm.fermat_cost(path, T, k)
    assert np.all(np.diff(cost) <= 1e-12)  # the cost never goes up (Weiszfeld's theorem)
    # one step by hand, written out with a loop
    P0 = np.array([1.0, 1.0])
    num, den = np.zeros(2), 0.0
    for a, w in zip(T, k, strict=True):
        d = np.sqrt((a[0] - P0[0]) ** 2 + (a[1] - P0[1]) ** 2)
        num += w * a / d
        den += w / d
    np.testing.assert_allclose(gm.weiszfeld(T, k, start=P0, steps=1)[1], num / den, rtol=1e-14)


def test_input_validation() -> None:
    with pytest.raises(ValueError):
        gm.fermat_point(np.zeros((3, 3)))
    with pytest.raises(ValueError):
        gm.fermat_point(TRI, [1, -1, 1])
    with pytest.raises(ValueError):
        gm.fermat_point(TRI, [1, 1])
