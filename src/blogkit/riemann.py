r"""Counting and computing curvature: the Riemann tensor's symmetries and symbolic curvature.

Implements the post ``riemann-curvature`` (from 苏剑林,《【理解黎曼几何】6. 曲率的计数与计算(Python)》,
2016-10-19).

Conventions (those of sympy.diffgeom and of most relativity texts):

.. math::
    \Gamma^a_{bc}=\tfrac12 g^{ad}(\partial_b g_{dc}+\partial_c g_{db}-\partial_d g_{bc}),\qquad
    R^a{}_{bcd}=\partial_c\Gamma^a_{db}-\partial_d\Gamma^a_{cb}
        +\Gamma^a_{ce}\Gamma^e_{db}-\Gamma^a_{de}\Gamma^e_{cb},

:math:`R_{abcd}=g_{ae}R^e{}_{bcd}`, Ricci :math:`R_{bd}=R^a{}_{bad}`, scalar
:math:`R=g^{bd}R_{bd}`. With them the unit sphere has :math:`R=+2`.

Two halves:

* counting (numpy): the symmetries of :math:`R_{abcd}` as linear equations on its :math:`n^4`
  components; the number of independent components is the dimension of the solution space,
  :math:`n^4-\operatorname{rank}`, computed, not typed in;
* computing (sympy): Christoffel symbols, Riemann, Ricci, scalar and Kretschmann invariants of
  a metric given as a sympy matrix, simplified with ``sympy.cancel`` (rational functions in the
  coordinates and in sines and cosines).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from numpy.typing import NDArray

__all__ = [
    "SYMMETRIES",
    "Curvature",
    "constraint_matrix",
    "curvature",
    "curvature_basis",
    "independent_components",
    "independent_components_formula",
    "pair_matrix",
    "ricci_rank",
    "solution_dimension",
    "symmetry_defects",
    "weyl_dimension",
]

# The four symmetries of R_{abcd} (Eq. (eq:riemann-curvature-symmetries) of the post):
#   "last":   R_{abcd} = -R_{abdc}        "first":  R_{abcd} = -R_{bacd}
#   "pair":   R_{abcd} =  R_{cdab}        "bianchi": R_{abcd} + R_{acdb} + R_{adbc} = 0
SYMMETRIES = ("last", "first", "pair", "bianchi")


def _flat(n: int, a: int, b: int, c: int, d: int) -> int:
    return ((a * n + b) * n + c) * n + d


def _constraint_rows(n: int, symmetries: Iterable[str]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The equations as ``(cols, vals)``, each of shape ``(rows, 3)`` (unused slots: value 0)."""
    symmetries = tuple(symmetries)
    unknown = set(symmetries) - set(SYMMETRIES)
    if unknown:
        raise ValueError(f"unknown symmetries {sorted(unknown)}; choose from {SYMMETRIES}")
    cols: list[list[int]] = []
    vals: list[list[float]] = []
    for a, b, c, d in itertools.product(range(n), repeat=4):
        f = _flat(n, a, b, c, d)
        for s in symmetries:
            if s == "last":  # R_abcd + R_abdc = 0
                terms = [(f, 1.0), (_flat(n, a, b, d, c), 1.0)]
            elif s == "first":  # R_abcd + R_bacd = 0
                terms = [(f, 1.0), (_flat(n, b, a, c, d), 1.0)]
            elif s == "pair":  # R_abcd − R_cdab = 0
                terms = [(f, 1.0), (_flat(n, c, d, a, b), -1.0)]
            else:  # R_abcd + R_acdb + R_adbc = 0
                terms = [(f, 1.0), (_flat(n, a, c, d, b), 1.0), (_flat(n, a, d, b, c), 1.0)]
            row: dict[int, float] = {}
            for j, v in terms:
                row[j] = row.get(j, 0.0) + v
            row = {j: v for j, v in row.items() if v != 0}
            if row:
                cols.append([*row, *[0] * (3 - len(row))])
                vals.append([*row.values(), *[0.0] * (3 - len(row))])
    return np.array(cols, dtype=np.int64).reshape(-1, 3), np.array(vals).reshape(-1, 3)


def constraint_matrix(n: int, symmetries: Iterable[str] = SYMMETRIES) -> NDArray[np.float64]:
    r"""The linear equations a set of symmetries imposes on the :math:`n^4` components of :math:`R_{abcd}`.

    One row per equation and index tuple ``(a, b, c, d)`` (duplicates included, trivial ``0 = 0``
    rows dropped), columns indexed by ``((a n + b) n + c) n + d``. The rows of
    Eq. (eq:riemann-curvature-symmetries) of the post riemann-curvature:

    * ``"last"``: :math:`R_{abcd}+R_{abdc}=0`;
    * ``"first"``: :math:`R_{abcd}+R_{bacd}=0`;
    * ``"pair"``: :math:`R_{abcd}-R_{cdab}=0`;
    * ``"bianchi"``: :math:`R_{abcd}+R_{acdb}+R_{adbc}=0` (first index fixed, the last three cycled).

    Returns an array of shape ``(rows, n**4)``.
    """
    cols, vals = _constraint_rows(n, symmetries)
    out = np.zeros((len(cols), n**4))
    np.add.at(out, (np.arange(len(cols))[:, None], cols), vals)
    return out


def _reduce(n: int, symmetries: Iterable[str]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Solve the two-term equations exactly, return the rest on the surviving unknowns.

    Every equation with two terms says :math:`x_i=\pm x_j`: a signed union–find merges such
    components into classes (a class forced to equal its own negative is zero). Returns
    ``(expand, rows)``: ``expand`` (``n**4 × classes``, entries 0/±1) writes every component in
    terms of one representative per surviving class, and ``rows`` are the remaining (three-term)
    equations in those representatives. The solution space is ``expand @ null(rows)``.
    """
    cols, vals = _constraint_rows(n, symmetries)
    size = n**4
    parent, parity = list(range(size)), [1.0] * size
    zero = [False] * size

    def find(i: int) -> tuple[int, float]:
        p = 1.0
        while parent[i] != i:
            p *= parity[i]
            i = parent[i]
        return i, p

    nterms = (vals != 0).sum(1)
    for (i, j, _), (vi, vj, _), k in zip(cols, vals, nterms, strict=True):
        if k == 1:  # v x_i = 0
            zero[find(int(i))[0]] = True
        elif k == 2:  # vi x_i + vj x_j = 0  ⇒  x_i = s x_j,  s = −vj / vi
            (ri, pi), (rj, pj) = find(int(i)), find(int(j))
            s = -vj / vi
            if ri == rj:
                if pi * s * pj != 1.0:  # x = −x
                    zero[ri] = True
            else:  # x_ri = pi s pj x_rj
                parent[ri], parity[ri] = rj, pi * s * pj
                zero[rj] = zero[rj] or zero[ri]
    roots = sorted({find(i)[0] for i in range(size)} - {i for i in range(size) if zero[i]})
    col_of = {r: c for c, r in enumerate(roots)}
    expand = np.zeros((size, len(roots)))
    for i in range(size):
        r, p = find(i)
        if r in col_of:
            expand[i, col_of[r]] = p
    rest = nterms > 2
    rows = np.zeros((int(rest.sum()), size))
    np.add.at(rows, (np.arange(len(rows))[:, None], cols[rest]), vals[rest])
    return expand, rows @ expand


def _rref(m: NDArray[np.float64], tol: float = 1e-9) -> tuple[NDArray[np.float64], list[int]]:
    """Reduced row echelon form by Gauss–Jordan elimination with partial pivoting.

    Plain numpy row operations, no LAPACK: the matrices are small and their entries small
    integers, and a threaded SVD stalls on a busy machine. Returns the nonzero rows and the pivots.
    """
    a = np.array(m, dtype=np.float64)
    rows, k = a.shape
    r, pivots = 0, []
    for c in range(k):
        if r == rows:
            break
        i = r + int(np.argmax(np.abs(a[r:, c])))
        if abs(a[i, c]) <= tol:
            continue
        a[[r, i]] = a[[i, r]]
        a[r] = a[r] / a[r, c]
        factors = a[:, c].copy()
        factors[r] = 0.0
        a -= factors[:, None] * a[r][None, :]  # eliminate column c everywhere else
        pivots.append(c)
        r += 1
    return a[:r], pivots


def _null_space(m: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """A basis of {x in R^k : m x = 0} from the reduced row echelon form, shape (k, dim)."""
    if len(m) == 0:
        return np.eye(k)
    red, pivots = _rref(m)
    free = [c for c in range(k) if c not in set(pivots)]
    basis = np.zeros((k, len(free)))
    for j, f in enumerate(free):
        basis[f, j] = 1.0
        # pivot variable p_i = −Σ_free red[i, f] x_f
        basis[pivots, j] = -red[:, f]
    return basis


def solution_dimension(n: int, symmetries: Iterable[str] = SYMMETRIES) -> int:
    r"""Dimension of the space of 4-index arrays obeying ``symmetries`` (``n**4`` minus the rank).

    Computed by solving the two-term equations (:math:`x_i=\pm x_j`) exactly with a signed
    union–find and taking the rank of the remaining equations on the surviving classes; the same
    number as ``n**4 - rank(constraint_matrix(n, symmetries))``, far cheaper.
    """
    if n < 1:
        raise ValueError("the dimension n must be at least 1")
    expand, rows = _reduce(n, symmetries)
    return _null_space(rows, expand.shape[1]).shape[1]


def independent_components(n: int) -> int:
    r"""Number of independent components of the Riemann tensor in dimension ``n``, by computation.

    The dimension of the solution space of all four symmetry equations of
    Eq. (eq:riemann-curvature-symmetries) (the first Bianchi identity included) of the post
    riemann-curvature (see :func:`solution_dimension`). It equals :math:`n^2(n^2-1)/12`
    (Eq. (eq:riemann-curvature-count)), which this function does not use.
    """
    return solution_dimension(n, SYMMETRIES)


def independent_components_formula(n: int) -> int:
    r"""The closed form :math:`n^2(n^2-1)/12`.

    Eq. (eq:riemann-curvature-count) of the post riemann-curvature, for comparison with the count.
    """
    return n * n * (n * n - 1) // 12


def curvature_basis(n: int) -> NDArray[np.float64]:
    r"""A basis of the algebraic curvature tensors, shape ``(n**4, dim)``.

    Each column, reshaped to ``(n, n, n, n)``, is an :math:`R_{abcd}` with all four symmetries.
    """
    expand, rows = _reduce(n, SYMMETRIES)
    return expand @ _null_space(rows, expand.shape[1])


def ricci_rank(n: int) -> int:
    r"""Rank of the contraction :math:`R_{abcd}\mapsto R_{bd}=\sum_a R_{abad}` on algebraic curvature tensors.

    Flat metric :math:`\delta_{ab}`; the rank is the number of Ricci components a curvature tensor
    can have independently, :math:`n(n+1)/2` for :math:`n\ge 3`.
    """
    basis = curvature_basis(n)  # (n⁴, dim)
    if basis.shape[1] == 0:
        return 0
    t = basis.T.reshape(-1, n, n, n, n)  # (dim, a, b, c, d)
    ric = np.einsum("kabad->kbd", t).reshape(len(t), -1)  # (dim, n²): R_bd = Σ_a R_abad
    return len(_rref(ric)[1])


def weyl_dimension(n: int) -> int:
    r"""Dimension of the curvature tensors with zero Ricci contraction (the Weyl part), by computation.

    :func:`independent_components` minus :func:`ricci_rank`.
    """
    return independent_components(n) - ricci_rank(n)


# -- symbolic curvature ---------------------------------------------------------------------------

Array4 = list[list[list[list[sp.Expr]]]]


@dataclass(frozen=True)
class Curvature:
    r"""Curvature of a metric: every field a sympy expression (or nested list / matrix of them).

    ``christoffel[a][b][c]`` is :math:`\Gamma^a_{bc}`; ``riemann[a][b][c][d]`` is
    :math:`R^a{}_{bcd}`; ``riemann_lower[a][b][c][d]`` is :math:`R_{abcd}`; ``ricci`` is the
    matrix :math:`R_{bd}`; ``ricci_scalar`` is :math:`R`. See the module docstring for the
    sign conventions.
    """

    metric: sp.Matrix
    coords: tuple[sp.Symbol, ...]
    inverse_metric: sp.Matrix
    christoffel: list[list[list[sp.Expr]]]
    riemann: Array4
    riemann_lower: Array4
    ricci: sp.Matrix
    ricci_scalar: sp.Expr

    @property
    def dim(self) -> int:
        return len(self.coords)

    def kretschmann(self) -> sp.Expr:
        r"""Kretschmann invariant :math:`R_{abcd}R^{abcd}`.

        Eq. (eq:riemann-curvature-kretschmann) of the post riemann-curvature.

        Indices raised one at a time with the inverse metric; the result brought to canonical form.
        """
        n, gi = self.dim, self.inverse_metric
        t = self.riemann  # R^a_bcd: raise b, c, d one at a time
        for slot in (1, 2, 3):
            t = _raise(t, gi, slot, n)
        rl = self.riemann_lower
        # K = Σ R_abcd R^abcd
        return sp.cancel(sp.Add(*[rl[a][b][c][d] * t[a][b][c][d]
                                  for a, b, c, d in itertools.product(range(n), repeat=4)]))

    def gaussian_curvature(self) -> sp.Expr:
        r"""For a surface: :math:`K=R_{1212}/\det g` (Eq. (eq:riemann-curvature-gauss) of the post)."""
        if self.dim != 2:
            raise ValueError("the Gaussian curvature is defined here for 2-dimensional metrics")
        # R_1212 = K det g
        return sp.cancel(self.riemann_lower[0][1][0][1] / self.metric.det())


def _raise(t: Array4, gi: sp.Matrix, slot: int, n: int) -> Array4:
    out = [[[[sp.S.Zero] * n for _ in range(n)] for _ in range(n)] for _ in range(n)]
    for idx in itertools.product(range(n), repeat=4):
        terms = []
        for e in range(n):
            if gi[idx[slot], e] != 0:
                j = list(idx)
                j[slot] = e
                terms.append(gi[idx[slot], e] * t[j[0]][j[1]][j[2]][j[3]])
        out[idx[0]][idx[1]][idx[2]][idx[3]] = sp.cancel(sp.Add(*terms))
    return out


def curvature(metric: sp.Matrix | Sequence[Sequence[sp.Expr]], coords: Sequence[sp.Symbol]) -> Curvature:
    r"""Christoffel symbols, Riemann and Ricci tensors and the Ricci scalar of ``metric``.

    Implements Eqs. (eq:riemann-curvature-christoffel), (eq:riemann-curvature-riemann),
    (eq:riemann-curvature-lower) and (eq:riemann-curvature-ricci) of the post riemann-curvature.
    ``metric`` is a symmetric ``n × n`` sympy matrix in the coordinates ``coords``; every
    component is brought to a canonical rational form with ``sympy.cancel``, so a tensor that
    vanishes comes out as exact zeros.
    """
    g = sp.Matrix(metric)
    xs = tuple(coords)
    n = len(xs)
    if g.shape != (n, n):
        raise ValueError(f"metric of shape {g.shape} for {n} coordinates")
    if g != g.T:
        raise ValueError("the metric must be symmetric")
    gi = g.inv().applyfunc(sp.cancel)
    dg = [[[sp.diff(g[a, b], x) for x in xs] for b in range(n)] for a in range(n)]  # dg[a][b][c] = ∂_c g_ab
    # Γ^a_bc = ½ g^ad (∂_b g_dc + ∂_c g_db − ∂_d g_bc)
    gam = [[[sp.cancel(sp.Add(*[gi[a, d] * (dg[d][c][b] + dg[d][b][c] - dg[b][c][d]) for d in range(n)
                                if gi[a, d] != 0]) / 2)
             for c in range(n)] for b in range(n)] for a in range(n)]
    zero = sp.S.Zero
    riem: Array4 = [[[[zero] * n for _ in range(n)] for _ in range(n)] for _ in range(n)]
    for a, b in itertools.product(range(n), repeat=2):
        for c, d in itertools.combinations(range(n), 2):  # antisymmetric in (c, d): compute c < d
            # R^a_bcd = ∂_c Γ^a_db − ∂_d Γ^a_cb + Γ^a_ce Γ^e_db − Γ^a_de Γ^e_cb
            val = sp.cancel(sp.diff(gam[a][d][b], xs[c]) - sp.diff(gam[a][c][b], xs[d])
                            + sp.Add(*[gam[a][c][e] * gam[e][d][b] - gam[a][d][e] * gam[e][c][b]
                                       for e in range(n)]))
            riem[a][b][c][d] = val
            riem[a][b][d][c] = -val
    # R_abcd = g_ae R^e_bcd
    low: Array4 = [[[[sp.cancel(sp.Add(*[g[a, e] * riem[e][b][c][d] for e in range(n) if g[a, e] != 0]))
                      for d in range(n)] for c in range(n)] for b in range(n)] for a in range(n)]
    # R_bd = R^a_bad
    ric = sp.Matrix(n, n, lambda b, d: sp.cancel(sp.Add(*[riem[a][b][a][d] for a in range(n)])))
    # R = g^bd R_bd
    scal = sp.cancel(sp.Add(*[gi[b, d] * ric[b, d] for b in range(n) for d in range(n)]))
    return Curvature(g, xs, gi, gam, riem, low, ric, scal)


def symmetry_defects(c: Curvature) -> dict[str, int]:
    r"""How many components of ``c.riemann_lower`` violate each symmetry.

    The four equations of Eq. (eq:riemann-curvature-symmetries) of the post riemann-curvature.

    Each entry counts the index tuples where the equation, written as in the post and brought to
    canonical form by ``sympy.cancel``, is not identically zero; a Riemann tensor gives zeros.
    """
    n, r = c.dim, c.riemann_lower
    out = dict.fromkeys(SYMMETRIES, 0)
    for a, b, cc, d in itertools.product(range(n), repeat=4):
        eqs = {
            "last": r[a][b][cc][d] + r[a][b][d][cc],
            "first": r[a][b][cc][d] + r[b][a][cc][d],
            "pair": r[a][b][cc][d] - r[cc][d][a][b],
            "bianchi": r[a][b][cc][d] + r[a][cc][d][b] + r[a][d][b][cc],
        }
        for k, e in eqs.items():
            if sp.cancel(e) != 0:
                out[k] += 1
    return out


def pair_matrix(c: Curvature, subs: dict[sp.Symbol, float], *,
                orthonormal: bool = False) -> tuple[NDArray[np.float64], list[tuple[int, int]]]:
    r""":math:`R_{abcd}` as a symmetric :math:`M\times M` matrix over index pairs :math:`a<b`, :math:`c<d`.

    :math:`M=n(n-1)/2`; pair symmetry makes it symmetric, so it has :math:`M(M+1)/2` entries before
    the Bianchi identity. Evaluated numerically at ``subs``. With ``orthonormal=True`` (diagonal
    metrics only) the components are taken in the orthonormal frame
    :math:`e_{\hat a}=|g_{aa}|^{-1/2}\partial_a`:
    :math:`R_{\hat a\hat b\hat c\hat d}=R_{abcd}/\sqrt{|g_{aa}g_{bb}g_{cc}g_{dd}|}`.
    Returns the matrix and the pairs.
    """
    pairs = list(itertools.combinations(range(c.dim), 2))
    if orthonormal and c.metric != sp.diag(*[c.metric[i, i] for i in range(c.dim)]):
        raise ValueError("the orthonormal frame is implemented for diagonal metrics")
    scale = [abs(float(c.metric[i, i].subs(subs))) ** 0.5 if orthonormal else 1.0 for i in range(c.dim)]
    # R_âb̂ĉd̂ = R_abcd / (|g_aa g_bb g_cc g_dd|)^{1/2}
    low = c.riemann_lower
    m = np.array([[float(low[a][b][cc][d].subs(subs)) / (scale[a] * scale[b] * scale[cc] * scale[d])
                   for cc, d in pairs] for a, b in pairs])
    return m, pairs
