r"""Random walks, the diffusion equation and the Feynman–Kac formula as a sum over paths.

Implements the post ``path-integral-thesis`` (from 苏剑林,《路径积分系列:1.我的毕业论文》; the
thesis 《随机游走、随机微分方程与偏微分方程的路径积分方法》).

* the asymmetric random walk: :func:`random_walk`, its exact law :func:`rw_pmf`;
* the path sum on the lattice, :func:`lattice_path_sum`: the sum over all :math:`2^n` paths of
  the product of step probabilities and potential weights, done by dynamic programming;
* the Feynman–Kac Monte Carlo estimate :func:`feynman_kac_mc` and the closed form
  :func:`harmonic_fk_closed` for the harmonic potential.

Everything is numpy, float64.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "feynman_kac_mc",
    "harmonic_fk_closed",
    "harmonic_potential",
    "lattice_path_sum",
    "random_walk",
    "rw_pmf",
]

Array = NDArray[np.float64]


def random_walk(p: float, n: int, paths: int, rng: np.random.Generator) -> NDArray[np.int64]:
    r"""``paths`` walks of ``n`` steps :math:`\pm1` (right with probability ``p``), from 0.

    Returns the positions :math:`S_0=0,S_1,\dots,S_n`, shape (paths, n + 1).
    """
    steps = np.where(rng.random((paths, n)) < p, 1, -1)
    return np.concatenate([np.zeros((paths, 1), dtype=np.int64), np.cumsum(steps, 1)], 1)


def rw_pmf(n: int, p: float) -> tuple[NDArray[np.int64], Array]:
    r"""The exact law of :math:`S_n`, Eq. (eq:path-integral-thesis-pmf) of the post:
    :math:`P(S_n=k)=\binom{n}{(n+k)/2}p^{(n+k)/2}q^{(n-k)/2}` for :math:`k=-n,-n+2,\dots,n`.

    Returns ``(k, pmf)``, both of length n + 1.
    """
    r = np.arange(n + 1)  # number of right steps
    k = 2 * r - n
    q = 1 - p
    # log C(n, r) + r log p + (n − r) log q, by lgamma (no overflow for large n)
    logc = np.array([math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) for i in r])
    with np.errstate(divide="ignore"):
        logpmf = logc + r * np.log(p) + (n - r) * np.log(q)
    return k, np.exp(logpmf)


def lattice_path_sum(n: int, p: float, dx: float, dt: float,
                     V: Callable[[Array], Array] | None = None,
                     f: Callable[[Array], Array] | None = None, x0: float = 0.0) -> Array | float:
    r"""The sum over all :math:`2^n` lattice paths from ``x0``, by dynamic programming.

    Implements Eq. (eq:path-integral-thesis-pathsum) of the post path-integral-thesis: each path
    :math:`x_0,x_1,\dots,x_n` (steps :math:`\pm dx`) carries the weight
    :math:`\prod_j p^{[\text{right}]}q^{[\text{left}]}\,\prod_{j=1}^{n}e^{-V(x_j)\,dt}`, and the sum of
    weight times :math:`f(x_n)` is returned. With ``f`` omitted the result is the vector of
    summed weights over the end points :math:`x_0+k\,dx`, :math:`k=-n,-n+2,\dots,n`
    (with ``V`` omitted too, that is :func:`rw_pmf`).
    """
    q = 1 - p
    w = np.array([1.0])  # summed weights at the positions x0 + (2r − j) dx, r = 0..j
    for j in range(1, n + 1):
        new = np.zeros(j + 1)
        new[1:] += p * w  # one more right step
        new[:-1] += q * w  # one more left step
        if V is not None:
            xs = x0 + (2 * np.arange(j + 1) - j) * dx
            new *= np.exp(-V(xs) * dt)
        w = new
    if f is None:
        return w
    xs = x0 + (2 * np.arange(n + 1) - n) * dx
    return float((w * f(xs)).sum())


def feynman_kac_mc(V: Callable[[Array], Array], f: Callable[[Array], Array], x: float, t: float,
                   steps: int, paths: int, rng: np.random.Generator) -> tuple[float, float]:
    r"""Monte Carlo for :math:`u(x,t)=\mathbb E\big[e^{-\int_0^tV(x+W_s)ds}f(x+W_t)\big]`.

    Implements Eq. (eq:path-integral-thesis-fk) of the post path-integral-thesis, the solution of
    :math:`\partial_tu=\tfrac12\partial_x^2u-Vu`, :math:`u(x,0)=f(x)`. Brownian paths on
    ``steps`` equal steps; the time integral by the trapezoid rule.

    Returns ``(estimate, standard error)``.
    """
    dt = t / steps
    w = x + np.concatenate([np.zeros((paths, 1)), np.cumsum(
        rng.normal(0.0, math.sqrt(dt), (paths, steps)), 1)], 1)  # (paths, steps + 1)
    v = V(w)
    # ∫_0^t V ds ≈ dt [½V(w_0) + V(w_1) + … + V(w_{n−1}) + ½V(w_n)]
    integral = dt * (v.sum(1) - 0.5 * (v[:, 0] + v[:, -1]))
    vals = np.exp(-integral) * f(w[:, -1])
    return float(vals.mean()), float(vals.std(ddof=1) / math.sqrt(paths))


def harmonic_fk_closed(omega: float, t: float, x: float | Array = 0.0) -> float | Array:
    r"""Closed form for :math:`V=\tfrac12\omega^2x^2`, :math:`f=1`, Eq.
    (eq:path-integral-thesis-harmonic) of the post:
    :math:`u(x,t)=(\cosh\omega t)^{-1/2}\exp\!\big(-\tfrac12\omega x^2\tanh\omega t\big)`."""
    return np.exp(-0.5 * omega * np.asarray(x) ** 2 * math.tanh(omega * t)) / math.sqrt(
        math.cosh(omega * t))


def harmonic_potential(omega: float) -> Callable[[Array], Array]:
    r"""The potential :math:`V(x)=\tfrac12\omega^2x^2`, as a function of an array."""

    def V(x: Array) -> Array:
        return 0.5 * omega**2 * np.asarray(x) ** 2

    return V
