"""blogkit.riemann against dense ranks (numpy, exact sympy), sympy.diffgeom and closed forms."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import sympy as sp
from sympy.diffgeom import (
    CoordSystem,
    Manifold,
    Patch,
    metric_to_Ricci_components,
    metric_to_Riemann_components,
)
from sympy.diffgeom import TensorProduct as TP

from blogkit import riemann as rm

SUBSETS = [("last",), ("first",), ("pair",), ("bianchi",), ("last", "first"), ("last", "first", "pair"),
           ("last", "first", "bianchi"), ("first", "pair"), rm.SYMMETRIES]


# -- counting ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", range(1, 8))
def test_eqn_riemann_curvature_count(n: int) -> None:
    assert rm.independent_components(n) == n * n * (n * n - 1) // 12 == rm.independent_components_formula(n)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("syms", SUBSETS)
def test_solution_dimension_matches_dense_rank(n: int, syms: tuple[str, ...]) -> None:
    """The union–find shortcut against the obvious route: n⁴ minus numpy's rank of all equations."""
    m = rm.constraint_matrix(n, syms)
    assert rm.solution_dimension(n, syms) == n**4 - np.linalg.matrix_rank(m)


def test_count_with_exact_rational_rank_in_sympy() -> None:
    m = rm.constraint_matrix(3)
    exact = sp.Matrix(m.astype(int)).rank()
    assert 81 - exact == rm.independent_components(3) == 6


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_eqn_riemann_curvature_symmetries_rows_and_basis(n: int) -> None:
    basis = rm.curvature_basis(n)
    assert basis.shape == (n**4, rm.independent_components(n))
    assert np.linalg.matrix_rank(basis) == basis.shape[1]
    np.testing.assert_allclose(rm.constraint_matrix(n) @ basis, 0, atol=1e-10)
    t = basis.T.reshape(-1, n, n, n, n)  # every basis tensor has the four symmetries, slot by slot
    np.testing.assert_allclose(t, -t.transpose(0, 1, 2, 4, 3), atol=1e-10)
    np.testing.assert_allclose(t, -t.transpose(0, 2, 1, 3, 4), atol=1e-10)
    np.testing.assert_allclose(t, t.transpose(0, 3, 4, 1, 2), atol=1e-10)
    np.testing.assert_allclose(t + t.transpose(0, 1, 3, 4, 2) + t.transpose(0, 1, 4, 2, 3), 0, atol=1e-10)


@pytest.mark.parametrize("n", range(3, 8))
def test_weyl_dimension_closed_form(n: int) -> None:
    assert rm.weyl_dimension(n) == n * (n + 1) * (n + 2) * (n - 3) // 12
    assert rm.ricci_rank(n) == n * (n + 1) // 2


def test_steps_of_the_count() -> None:
    for n in range(2, 7):
        m = n * (n - 1) // 2
        assert rm.solution_dimension(n, ("last", "first")) == m * m
        assert rm.solution_dimension(n, ("last", "first", "pair")) == m * (m + 1) // 2
        drop = rm.solution_dimension(n, ("last", "first", "pair")) - rm.independent_components(n)
        assert drop == math.comb(n, 4)


def test_unknown_symmetry_is_rejected() -> None:
    with pytest.raises(ValueError):
        rm.solution_dimension(3, ("cyclic",))


# -- symbolic curvature ----------------------------------------------------------------------------
def diffgeom(g: sp.Matrix, xs: tuple[sp.Symbol, ...]) -> tuple[sp.Array, sp.Array]:
    """Riemann R^a_bcd and Ricci R_bd from sympy.diffgeom, back in the plain symbols ``xs``."""
    n = len(xs)
    cs = CoordSystem("c", Patch("P", Manifold("M", n)), list(xs))
    fields, forms = cs.base_scalars(), cs.base_oneforms()
    to_fields = dict(zip(xs, fields, strict=True))
    metric = sp.Add(*[g[i, j].subs(to_fields, simultaneous=True) * TP(forms[i], forms[j])
                      for i in range(n) for j in range(n) if g[i, j] != 0])
    back = dict(zip(fields, xs, strict=True))
    return (metric_to_Riemann_components(metric).subs(back, simultaneous=True),
            metric_to_Ricci_components(metric).subs(back, simultaneous=True))


a, r, M = sp.symbols("a r M", positive=True)
x, y, z, t, th, ph, u, v = sp.symbols("x y z t theta phi u v", real=True)
METRICS = {
    "sphere": (sp.diag(a**2, a**2 * sp.sin(th) ** 2), (th, ph)),
    "half-plane": (sp.diag(1 / y**2, 1 / y**2), (x, y)),
    "non-diagonal": (sp.Matrix([[1 + u**2, u * v], [u * v, 2 + v**2]]), (u, v)),
    "3d-polynomial": (sp.Matrix([[1 + y**2, 0, 0], [0, 1 + z**2, x], [0, x, 2]]), (x, y, z)),
}


@pytest.mark.parametrize("name", ["sphere", "half-plane", "non-diagonal"])  # 3-d: slow in diffgeom
def test_eqn_riemann_curvature_riemann_and_ricci_match_sympy_diffgeom(name: str) -> None:
    g, xs = METRICS[name]
    c = rm.curvature(g, xs)
    riem, ric = diffgeom(g, xs)
    n = len(xs)
    for idx in itertools.product(range(n), repeat=4):
        assert sp.cancel(sp.together(c.riemann[idx[0]][idx[1]][idx[2]][idx[3]] - riem[idx])) == 0, idx
    for i, j in itertools.product(range(n), repeat=2):
        assert sp.cancel(sp.together(c.ricci[i, j] - ric[i, j])) == 0


@pytest.mark.parametrize("name", list(METRICS))
def test_computed_tensors_have_the_four_symmetries(name: str) -> None:
    g, xs = METRICS[name]
    assert set(rm.symmetry_defects(rm.curvature(g, xs)).values()) == {0}


def test_symmetry_defects_catch_a_tensor_without_the_symmetries() -> None:
    c = rm.curvature(*METRICS["sphere"])
    broken = [[[[sp.Integer((p * 7 + q * 3 + s * 5 + w) % 4) for w in range(2)] for s in range(2)]
               for q in range(2)] for p in range(2)]
    fake = rm.Curvature(c.metric, c.coords, c.inverse_metric, c.christoffel, c.riemann, broken,
                        c.ricci, c.ricci_scalar)
    assert min(rm.symmetry_defects(fake).values()) > 0


def test_eqn_riemann_curvature_gauss_for_conformal_metrics() -> None:
    """e^{2φ}(dx² + dy²) has K = −e^{−2φ} Δφ (a classical closed form)."""
    for phi in (x**2 * y, sp.sin(x) + y / 3, sp.log(1 + x**2 + y**2)):
        c = rm.curvature(sp.exp(2 * phi) * sp.eye(2), (x, y))
        k = -sp.exp(-2 * phi) * (sp.diff(phi, x, 2) + sp.diff(phi, y, 2))
        assert sp.simplify(c.gaussian_curvature() - k) == 0
        assert sp.simplify(c.ricci_scalar - 2 * k) == 0


def test_closed_forms_sphere_and_three_sphere_and_flat_spherical_coordinates() -> None:
    c = rm.curvature(*METRICS["sphere"])
    assert sp.simplify(c.ricci_scalar - 2 / a**2) == 0
    # the 3-sphere of radius a: R = n(n−1)/a² = 6/a², Ricci = 2 g / a²
    chi = sp.symbols("chi", real=True)
    g3 = a**2 * sp.diag(1, sp.sin(chi) ** 2, sp.sin(chi) ** 2 * sp.sin(th) ** 2)
    c3 = rm.curvature(g3, (chi, th, ph))
    assert sp.simplify(c3.ricci_scalar - 6 / a**2) == 0
    assert (c3.ricci - 2 * g3 / a**2).applyfunc(sp.simplify) == sp.zeros(3, 3)
    flat = rm.curvature(sp.diag(1, r**2, r**2 * sp.sin(th) ** 2), (r, th, ph))
    assert all(e == 0 for p in flat.riemann for q in p for s in q for e in s)


def test_eqn_riemann_curvature_kretschmann_schwarzschild() -> None:
    f = 1 - 2 * M / r
    g = sp.diag(-f, 1 / f, r**2, r**2 * sp.sin(th) ** 2)
    c = rm.curvature(g, (t, r, th, ph))
    assert c.ricci == sp.zeros(4, 4) and c.ricci_scalar == 0
    assert sp.simplify(c.kretschmann() - 48 * M**2 / r**6) == 0
    riem, ric = diffgeom(g, (t, r, th, ph))
    assert all(sp.simplify(ric[i, j]) == 0 for i, j in itertools.product(range(4), repeat=2))
    for idx in [(0, 1, 0, 1), (2, 3, 2, 3), (1, 2, 1, 2), (0, 3, 0, 3)]:
        assert sp.simplify(c.riemann[idx[0]][idx[1]][idx[2]][idx[3]] - riem[idx]) == 0


def test_rejects_bad_metrics() -> None:
    with pytest.raises(ValueError):
        rm.curvature(sp.Matrix([[1, x], [0, 1]]), (x, y))
    with pytest.raises(ValueError):
        rm.curvature(sp.eye(3), (x, y))
