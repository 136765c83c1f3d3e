r"""The (weighted) Fermat point of a triangle: the point with the least weighted distance sum.

Implements the post ``fermat-point`` (from 苏剑林,《〈自然极值〉系列——4.费马点问题》, 2010-11-28).

For vertices :math:`A_1, A_2, A_3` and positive weights :math:`k_1, k_2, k_3` the cost is

.. math::
    f(P) = \sum_i k_i\,\lvert P - A_i\rvert .

It is convex, so a point is optimal exactly when zero lies in its subdifferential: away from
the vertices the weighted unit vectors toward the vertices balance (the knot of a Varignon
frame), and a vertex :math:`A_i` is optimal when the pull of the other two is at most
:math:`k_i`. All functions take numpy arrays (float64); ``points`` has shape ``(n, 2)``
(``n = 3`` for a triangle, any ``n >= 1`` works where stated).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "angle_law",
    "angles_at",
    "exact_balance",
    "fermat_cost",
    "fermat_min_closed",
    "fermat_point",
    "mirror_angles",
    "pull_at_vertices",
    "unit_vectors",
    "vertex_angles",
    "weiszfeld",
]


def _points(points: ArrayLike) -> NDArray[np.float64]:
    A = np.asarray(points, dtype=np.float64)
    if A.ndim != 2 or A.shape[1] != 2 or A.shape[0] < 1:
        raise ValueError(f"points must have shape (n, 2), got {A.shape}")
    return A


def _weights(weights: ArrayLike | None, n: int) -> NDArray[np.float64]:
    if weights is None:
        return np.ones(n)
    k = np.asarray(weights, dtype=np.float64).reshape(-1)
    if k.shape != (n,) or np.any(~(k > 0)):
        raise ValueError(f"weights must be {n} positive numbers, got {weights!r}")
    return k


def fermat_cost(P: ArrayLike, points: ArrayLike, weights: ArrayLike | None = None) -> NDArray:
    r"""The weighted distance sum :math:`f(P)=\sum_i k_i\lvert P-A_i\rvert`.

    Implements Eq. (eq:fermat-point-cost) of the post fermat-point. ``P`` has shape ``(..., 2)``;
    the result has shape ``(...)``.
    """
    A = _points(points)
    k = _weights(weights, len(A))
    P = np.asarray(P, dtype=np.float64)
    d = np.linalg.norm(P[..., None, :] - A, axis=-1)  # (..., n)
    # f(P) = Σ k_i |P − A_i|
    return d @ k


def unit_vectors(P: ArrayLike, points: ArrayLike) -> NDArray[np.float64]:
    r"""Unit vectors :math:`u_i = (A_i - P)/\lvert A_i - P\rvert` from ``P`` to each point, (n, 2)."""
    A = _points(points)
    D = A - np.asarray(P, dtype=np.float64)  # (n, 2)
    return D / np.linalg.norm(D, axis=1, keepdims=True)


def _angle(u: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    """Angle between two plane vectors in degrees, via atan2 (accurate near 0° and 180°)."""
    return float(np.degrees(np.arctan2(abs(u[0] * v[1] - u[1] * v[0]), u @ v)))


def angles_at(P: ArrayLike, points: ArrayLike) -> NDArray[np.float64]:
    r"""Angles in degrees between the directions from ``P`` to the three vertices.

    Returns ``[∠A_2PA_3, ∠A_1PA_3, ∠A_1PA_2]``: entry ``l`` is the angle between
    :math:`u_i` and :math:`u_j` for :math:`\{i, j, l\} = \{1, 2, 3\}` (the angle "opposite"
    weight :math:`k_l` in Eq. (eq:fermat-point-angle) of the post fermat-point).
    """
    u = unit_vectors(P, points)
    if len(u) != 3:
        raise ValueError("angles_at needs a triangle")
    return np.array([_angle(u[i], u[j]) for i, j in ((1, 2), (0, 2), (0, 1))])


def angle_law(weights: ArrayLike) -> NDArray[np.float64]:
    r"""The angles (degrees) the force balance predicts between the unit vectors.

    Implements Eq. (eq:fermat-point-angle) of the post fermat-point: the angle between
    :math:`u_i` and :math:`u_j` satisfies

    .. math::
        \cos\theta_{ij} = \frac{k_l^2 - k_i^2 - k_j^2}{2k_ik_j},

    ordered like :func:`angles_at`. Needs the weights to satisfy the triangle inequality
    strictly (otherwise no interior balance exists and ``ValueError`` is raised).
    """
    k = _weights(weights, 3)
    if np.any(2 * k >= k.sum()):
        raise ValueError("no interior balance: one weight is at least the sum of the others")
    out = np.empty(3)
    for l, (i, j) in enumerate(((1, 2), (0, 2), (0, 1))):
        # cos θ_ij = (k_l² − k_i² − k_j²) / (2 k_i k_j)
        out[l] = np.degrees(np.arccos((k[l] ** 2 - k[i] ** 2 - k[j] ** 2) / (2 * k[i] * k[j])))
    return out


def mirror_angles(P: ArrayLike, points: ArrayLike, center: int) -> NDArray[np.float64]:
    r"""Angles (degrees) of the rays from ``P`` to the two other vertices with the mirror's normal.

    The mirror is the circle about ``points[center]`` through ``P``; its outward normal at
    ``P`` points from the centre through ``P``. Returns the two angles in the order of the
    remaining vertices: the :math:`lpha_i` of Eq. (eq:fermat-point-snell) of the post
    fermat-point.
    """
    A = _points(points)
    P = np.asarray(P, dtype=np.float64)
    normal = P - A[center]  # outward normal of the circle about A_center
    return np.array([_angle(A[i] - P, normal) for i in range(len(A)) if i != center])


def exact_balance(P: tuple, points: list, weights: list) -> tuple:
    r"""Exact (sympy) check of the balance at a point with rational coordinates.

    ``P``, ``points`` and ``weights`` are given as integers or ``sympy.Rational``. Returns
    ``(distances, cost, balance)``: the distances :math:`\lvert PA_i\rvert` in simplest radical
    form, the cost :math:`\sum k_i\lvert PA_i\rvert` and the simplified vector
    :math:`\sum_i k_iu_i` of Eq. (eq:fermat-point-balance) of the post fermat-point (zero at the
    weighted Fermat point).
    """
    import sympy as sp

    Px, Py = (sp.nsimplify(c) for c in P)
    dist, bal = [], [sp.Integer(0), sp.Integer(0)]
    for (ax, ay), k in zip(points, weights, strict=True):
        dx, dy = sp.nsimplify(ax) - Px, sp.nsimplify(ay) - Py
        d = sp.sqrt(dx**2 + dy**2)
        dist.append(sp.radsimp(d))
        # Σ k_i (A_i − P)/|A_i − P|
        bal[0] += sp.nsimplify(k) * dx / d
        bal[1] += sp.nsimplify(k) * dy / d
    cost = sp.radsimp(sum(sp.nsimplify(k) * d for k, d in zip(weights, dist, strict=True)))
    return dist, cost, tuple(sp.simplify(b) for b in bal)


def pull_at_vertices(points: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""At each vertex :math:`A_i`, the pull of the others, :math:`\lvert\sum_{j\ne i}k_ju_j(A_i)\rvert`.

    Implements Eq. (eq:fermat-point-vertex) of the post fermat-point: :math:`A_i` is the
    minimiser exactly when this is at most :math:`k_i`. Shape ``(n,)``. Coincident points are
    not allowed.
    """
    A = _points(points)
    k = _weights(weights, len(A))
    out = np.empty(len(A))
    for i in range(len(A)):
        others = np.arange(len(A)) != i
        D = A[others] - A[i]  # (n-1, 2)
        dist = np.linalg.norm(D, axis=1, keepdims=True)
        if np.any(dist == 0):
            raise ValueError("coincident points")
        # R_i = Σ_{j≠i} k_j (A_j − A_i)/|A_j − A_i|
        out[i] = np.linalg.norm((k[others, None] * D / dist).sum(axis=0))
    return out


def weiszfeld(points: ArrayLike, weights: ArrayLike | None = None, start: ArrayLike | None = None,
              steps: int = 50) -> NDArray[np.float64]:
    r"""Iterates of Weiszfeld's fixed-point map, shape ``(steps + 1, 2)``.

    Implements Eq. (eq:fermat-point-weiszfeld) of the post fermat-point:

    .. math::
        P_{t+1} = \frac{\sum_i k_iA_i/\lvert P_t-A_i\rvert}{\sum_i k_i/\lvert P_t-A_i\rvert},

    the force balance solved for :math:`P` with the distances frozen. Starts at the weighted
    centroid unless ``start`` is given; stops early (repeating the last point) on a vertex.
    """
    A = _points(points)
    k = _weights(weights, len(A))
    P = k @ A / k.sum() if start is None else np.asarray(start, dtype=np.float64)
    out = np.empty((steps + 1, 2))
    out[0] = P
    for t in range(steps):
        d = np.linalg.norm(A - P, axis=1)  # (n,)
        if np.any(d == 0):
            out[t + 1:] = P
            break
        w = k / d
        # P ← Σ w_i A_i / Σ w_i,  w_i = k_i / |P − A_i|
        P = w @ A / w.sum()
        out[t + 1] = P
    return out


def fermat_point(points: ArrayLike, weights: ArrayLike | None = None) -> NDArray[np.float64]:
    r"""The point :math:`P` minimising :math:`\sum_i k_i\lvert P-A_i\rvert`, shape ``(2,)``.

    ``points`` is a ``(3, 2)`` array of the triangle's vertices (any ``(n, 2)`` with distinct
    points works); ``weights`` are the positive :math:`k_i`, all 1 by default (the classical
    Fermat point).

    First the vertex rule (Eq. (eq:fermat-point-vertex) of the post fermat-point): a vertex
    whose pull from the others is at most its own weight is returned exactly. Otherwise the
    minimiser is interior to the hull and satisfies the force balance
    (Eq. (eq:fermat-point-balance)); Weiszfeld's iteration (Eq. (eq:fermat-point-weiszfeld))
    brings it close and Newton's method on the balance finishes to rounding level.
    """
    A = _points(points)
    k = _weights(weights, len(A))
    if len(A) == 1:
        return A[0].copy()
    pull = pull_at_vertices(A, k)
    ok = np.flatnonzero(pull <= k * (1 + 1e-12))
    if ok.size:
        return A[ok[0]].copy()
    scale = float(np.ptp(A, axis=0).max())
    P = k @ A / k.sum()
    for _ in range(20_000):
        d = np.linalg.norm(A - P, axis=1)
        w = k / d
        new = w @ A / w.sum()
        done = np.linalg.norm(new - P) <= 1e-9 * scale
        P = new
        if done:
            break
    for _ in range(8):  # Newton on the balance g(P) = Σ k_i (P − A_i)/|P − A_i| = 0
        D = P - A  # (n, 2)
        d = np.linalg.norm(D, axis=1)
        u = D / d[:, None]
        g = (k[:, None] * u).sum(axis=0)
        # Hessian of f: Σ k_i (I − u_i u_iᵀ) / |P − A_i|
        H = np.einsum("i,ijk->jk", k / d, np.eye(2) - u[:, :, None] * u[:, None, :])
        step = np.linalg.solve(H, g)
        P = P - step
        if np.linalg.norm(step) <= 1e-15 * scale:
            break
    return P


def vertex_angles(points: ArrayLike) -> NDArray[np.float64]:
    """Interior angles of the triangle in degrees, at ``A_1, A_2, A_3``."""
    A = _points(points)
    if len(A) != 3:
        raise ValueError("a triangle is needed")
    return np.array([_angle(A[(i + 1) % 3] - A[i], A[(i + 2) % 3] - A[i]) for i in range(3)])


def fermat_min_closed(points: ArrayLike) -> float:
    r"""Least value of :math:`PA+PB+PC` when every angle of the triangle is below 120°.

    Implements Eq. (eq:fermat-point-min) of the post fermat-point:

    .. math::
        \min_P\,(PA+PB+PC) = \sqrt{\tfrac12(a^2+b^2+c^2) + 2\sqrt3\,S},

    with :math:`a, b, c` the side lengths and :math:`S` the area.
    """
    A = _points(points)
    if len(A) != 3:
        raise ValueError("a triangle is needed")
    a2 = np.sum((A[1] - A[2]) ** 2)
    b2 = np.sum((A[0] - A[2]) ** 2)
    c2 = np.sum((A[0] - A[1]) ** 2)
    e1, e2 = A[1] - A[0], A[2] - A[0]
    S = 0.5 * abs(e1[0] * e2[1] - e1[1] * e2[0])
    # √((a² + b² + c²)/2 + 2√3 S)
    return float(np.sqrt((a2 + b2 + c2) / 2 + 2 * np.sqrt(3.0) * S))
