r"""Two competing species: the Lotka–Volterra competition model and its four outcomes.

Implements the post ``competition`` (from 苏剑林,《两生物种群竞争模型:LaTeX+Python》, ~2014-12-15).

The model (parameterisation of the source article):

.. math::
    \dot x_1=r_1x_1\Big(1-\frac{x_1}{N_1}\Big)-a_1x_1x_2,\qquad
    \dot x_2=r_2x_2\Big(1-\frac{x_2}{N_2}\Big)-a_2x_1x_2,

with growth rates :math:`r_i>0`, carrying capacities :math:`N_i>0` and competition coefficients
:math:`a_i\ge0`. Everything qualitative depends on two numbers,

.. math:: \sigma_1=\frac{a_1N_2}{r_1},\qquad \sigma_2=\frac{a_2N_1}{r_2},

the harm a full population of one species does to the other's growth, relative to that growth.
:func:`competition_outcome` classifies by them. States are numpy arrays whose last axis holds
:math:`(x_1,x_2)`; functions are vectorised over the leading axes and compute in float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "BISTABLE",
    "COEXISTENCE",
    "NEUTRAL",
    "OUTCOMES",
    "SPECIES1",
    "SPECIES2",
    "Competition",
    "competition_outcome",
    "dulac_divergence",
    "equilibria",
    "integrate",
    "jacobian",
    "nullclines",
    "rhs",
    "scaled_rhs",
    "separatrix",
]

COEXISTENCE = "coexistence"  # σ1 < 1 and σ2 < 1: the interior equilibrium attracts every interior orbit
SPECIES1 = "species 1 wins"  # σ1 ≤ 1 ≤ σ2 (not both = 1): x → (N1, 0)
SPECIES2 = "species 2 wins"  # σ2 ≤ 1 ≤ σ1 (not both = 1): x → (0, N2)
BISTABLE = "bistable"  # σ1 > 1 and σ2 > 1: (N1, 0) or (0, N2), decided by a separatrix
NEUTRAL = "neutral"  # σ1 = σ2 = 1: the nullclines coincide, a whole segment of equilibria
OUTCOMES = (COEXISTENCE, SPECIES1, SPECIES2, BISTABLE, NEUTRAL)


@dataclass(frozen=True)
class Competition:
    """Parameters of the competition model (Eq. (eq:competition-model) of the post competition)."""

    r1: float
    r2: float
    n1: float
    n2: float
    a1: float
    a2: float

    def __post_init__(self) -> None:
        if min(self.r1, self.r2, self.n1, self.n2) <= 0 or min(self.a1, self.a2) < 0:
            raise ValueError("need r_i > 0, N_i > 0 and a_i >= 0")

    @property
    def sigma1(self) -> float:
        r"""σ1 = a1 N2 / r1 (Eq. (eq:competition-sigma) of the post competition)."""
        return self.a1 * self.n2 / self.r1

    @property
    def sigma2(self) -> float:
        r"""σ2 = a2 N1 / r2 (Eq. (eq:competition-sigma) of the post competition)."""
        return self.a2 * self.n1 / self.r2


def rhs(p: Competition, x: ArrayLike) -> NDArray[np.float64]:
    r"""The vector field :math:`(\dot x_1,\dot x_2)` (Eq. (eq:competition-model) of the post competition).

    ``x``: shape ``(..., 2)``; returns the same shape.
    """
    x = np.asarray(x, dtype=np.float64)
    x1, x2 = x[..., 0], x[..., 1]
    # ẋ1 = r1 x1 (1 − x1/N1) − a1 x1 x2,  ẋ2 = r2 x2 (1 − x2/N2) − a2 x1 x2
    d1 = p.r1 * x1 * (1 - x1 / p.n1) - p.a1 * x1 * x2
    d2 = p.r2 * x2 * (1 - x2 / p.n2) - p.a2 * x1 * x2
    return np.stack([d1, d2], axis=-1)


def scaled_rhs(sigma1: float, sigma2: float, rho: float, u: ArrayLike) -> NDArray[np.float64]:
    r"""The model in units :math:`u_i=x_i/N_i`, :math:`\tau=r_1t` (Eq. (eq:competition-scaled) of the post).

    .. math:: u_1'=u_1(1-u_1-\sigma_1u_2),\qquad u_2'=\rho\,u_2(1-u_2-\sigma_2u_1),\qquad \rho=r_2/r_1.
    """
    u = np.asarray(u, dtype=np.float64)
    u1, u2 = u[..., 0], u[..., 1]
    return np.stack([u1 * (1 - u1 - sigma1 * u2), rho * u2 * (1 - u2 - sigma2 * u1)], axis=-1)


def nullclines(p: Competition, x1: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""The non-trivial zero-growth lines as functions of :math:`x_1`: ``(x2 where ẋ1 = 0, x2 where ẋ2 = 0)``.

    :math:`\dot x_1=0,\ x_1>0`: :math:`x_2=\frac{r_1}{a_1}(1-x_1/N_1)`, the segment from
    :math:`(N_1,0)` to :math:`(0,N_2/\sigma_1)`; :math:`\dot x_2=0,\ x_2>0`:
    :math:`x_2=N_2(1-a_2x_1/r_2)`, from :math:`(0,N_2)` to :math:`(N_1/\sigma_2,0)`. Needs :math:`a_1>0`.
    """
    x1 = np.asarray(x1, dtype=np.float64)
    return p.r1 / p.a1 * (1 - x1 / p.n1), p.n2 * (1 - p.a2 * x1 / p.r2)


def jacobian(p: Competition, x: ArrayLike) -> NDArray[np.float64]:
    r"""Jacobian of :func:`rhs` at ``x`` (shape ``(..., 2)``), shape ``(..., 2, 2)``.

    Implements Eq. (eq:competition-jacobian) of the post competition:

    .. math:: J=\begin{pmatrix} r_1-2r_1x_1/N_1-a_1x_2 & -a_1x_1\\
                                -a_2x_2 & r_2-2r_2x_2/N_2-a_2x_1\end{pmatrix}.
    """
    x = np.asarray(x, dtype=np.float64)
    x1, x2 = x[..., 0], x[..., 1]
    j = np.empty((*x.shape[:-1], 2, 2))
    j[..., 0, 0] = p.r1 - 2 * p.r1 * x1 / p.n1 - p.a1 * x2
    j[..., 0, 1] = -p.a1 * x1
    j[..., 1, 0] = -p.a2 * x2
    j[..., 1, 1] = p.r2 - 2 * p.r2 * x2 / p.n2 - p.a2 * x1
    return j


def equilibria(p: Competition) -> dict[str, NDArray[np.float64]]:
    r"""The equilibria in the closed first quadrant (Eq. (eq:competition-equilibria) of the post).

    Keys ``"E0"`` :math:`(0,0)`, ``"E1"`` :math:`(N_1,0)`, ``"E2"`` :math:`(0,N_2)` and, when
    :math:`\sigma_1\sigma_2\ne1` and it lies in the open quadrant, ``"E*"``

    .. math:: x^*=\frac{\big(N_1(1-\sigma_1),\ N_2(1-\sigma_2)\big)}{1-\sigma_1\sigma_2}.
    """
    out = {"E0": np.zeros(2), "E1": np.array([p.n1, 0.0]), "E2": np.array([0.0, p.n2])}
    s1, s2 = p.sigma1, p.sigma2
    if s1 * s2 != 1:
        # x* = (N1 (1 − σ1), N2 (1 − σ2)) / (1 − σ1 σ2)
        star = np.array([p.n1 * (1 - s1), p.n2 * (1 - s2)]) / (1 - s1 * s2)
        if np.all(star > 0):
            out["E*"] = star
    return out


def competition_outcome(r1: float, r2: float, n1: float, n2: float, a1: float, a2: float) -> str:
    r"""Which of the qualitative cases the competition model is in.

    Parameters as in the source article: :math:`\dot x_1=r_1x_1(1-x_1/N_1)-a_1x_1x_2`,
    :math:`\dot x_2=r_2x_2(1-x_2/N_2)-a_2x_1x_2` (``n1``, ``n2`` are :math:`N_1`, :math:`N_2`).
    With :math:`\sigma_1=a_1N_2/r_1`, :math:`\sigma_2=a_2N_1/r_2`
    (Eq. (eq:competition-outcomes) of the post competition):

    * ``"coexistence"`` (:data:`COEXISTENCE`): :math:`\sigma_1<1,\ \sigma_2<1`; every orbit starting
      with both species present tends to the interior equilibrium :math:`x^*`;
    * ``"species 1 wins"`` (:data:`SPECIES1`): :math:`\sigma_1\le1\le\sigma_2`, not both equal to 1;
      orbits with :math:`x_1(0)>0` tend to :math:`(N_1,0)`;
    * ``"species 2 wins"`` (:data:`SPECIES2`): :math:`\sigma_2\le1\le\sigma_1`, not both equal to 1;
      orbits with :math:`x_2(0)>0` tend to :math:`(0,N_2)`;
    * ``"bistable"`` (:data:`BISTABLE`): :math:`\sigma_1>1,\ \sigma_2>1`; :math:`(N_1,0)` and
      :math:`(0,N_2)` are both stable, the stable manifold of the saddle :math:`x^*` separates them;
    * ``"neutral"`` (:data:`NEUTRAL`): :math:`\sigma_1=\sigma_2=1` (a degenerate fifth case); the
      nullclines coincide and every point of the segment joining :math:`(N_1,0)` and
      :math:`(0,N_2)` is an equilibrium.

    The boundary cases :math:`\sigma_i=1` are decided by exact comparison of the floats.
    """
    p = Competition(r1, r2, n1, n2, a1, a2)
    s1, s2 = p.sigma1, p.sigma2
    if s1 == 1 and s2 == 1:
        return NEUTRAL
    if s1 < 1 and s2 < 1:
        return COEXISTENCE
    if s1 > 1 and s2 > 1:
        return BISTABLE
    if s1 <= 1 <= s2:
        return SPECIES1
    return SPECIES2


def integrate(p: Competition, x0: ArrayLike, t_end: float, dt: float = 0.01) -> tuple[NDArray[np.float64],
                                                                                      NDArray[np.float64]]:
    r"""Classical fourth-order Runge–Kutta for the model, from ``x0`` (shape ``(..., 2)``) to ``t_end``.

    Negative ``t_end`` integrates backwards in time. Returns ``(t, x)`` with ``t`` of shape
    ``(steps + 1,)`` and ``x`` of shape ``(steps + 1, ..., 2)``.
    """
    x = np.asarray(x0, dtype=np.float64)
    steps = max(1, round(abs(t_end) / dt))
    h = t_end / steps
    out = np.empty((steps + 1, *x.shape))
    out[0] = x
    for i in range(steps):
        # RK4: x ← x + h (k1 + 2 k2 + 2 k3 + k4) / 6
        k1 = rhs(p, x)
        k2 = rhs(p, x + h / 2 * k1)
        k3 = rhs(p, x + h / 2 * k2)
        k4 = rhs(p, x + h * k3)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out[i + 1] = x
    return np.linspace(0.0, t_end, steps + 1), out


def separatrix(p: Competition, t_back: float = 30.0, eps: float = 1e-6,
               dt: float = 0.02) -> NDArray[np.float64]:
    r"""The stable manifold of the saddle :math:`x^*` in the bistable case, shape ``(points, 2)``.

    Starts :math:`\pm\epsilon` along the eigenvector of the negative eigenvalue of
    :math:`J(x^*)` and integrates backwards in time; the two branches are joined through
    :math:`x^*` and clipped to the box :math:`[0,10N_1]\times[0,10N_2]`. Orbits on either side
    end at different stable equilibria.
    """
    eq = equilibria(p)
    if competition_outcome(p.r1, p.r2, p.n1, p.n2, p.a1, p.a2) != BISTABLE or "E*" not in eq:
        raise ValueError("the separatrix exists in the bistable case only")
    star = eq["E*"]
    w, v = np.linalg.eig(jacobian(p, star))
    stable = np.real(v[:, int(np.argmin(np.real(w)))])
    branches = []
    for sign in (-1.0, 1.0):
        with np.errstate(over="ignore", invalid="ignore"):  # backwards, orbits leave to infinity
            _, path = integrate(p, star + sign * eps * stable, -t_back, dt)
        inside = (np.all(np.isfinite(path), axis=-1) & np.all(path >= 0, axis=-1)
                  & (path[:, 0] <= 10 * p.n1) & (path[:, 1] <= 10 * p.n2))
        stop = int(np.argmin(inside)) if not inside.all() else len(path)
        branches.append(path[:stop])
    return np.concatenate([branches[0][::-1], star[None], branches[1]])


def dulac_divergence(p: Competition, x: ArrayLike) -> NDArray[np.float64]:
    r"""Divergence of :math:`f/(x_1x_2)` in the open quadrant (Eq. (eq:competition-dulac) of the post).

    .. math:: \nabla\cdot\frac{f}{x_1x_2}=-\frac{r_1}{N_1x_2}-\frac{r_2}{N_2x_1}<0,

    so by Dulac's criterion there is no closed orbit with both species present. ``x``: shape
    ``(..., 2)`` with positive entries; returns shape ``(...)``.
    """
    x = np.asarray(x, dtype=np.float64)
    # ∂/∂x1 [r1 (1 − x1/N1)/x2 − a1] + ∂/∂x2 [r2 (1 − x2/N2)/x1 − a2]
    return -p.r1 / (p.n1 * x[..., 1]) - p.r2 / (p.n2 * x[..., 0])
