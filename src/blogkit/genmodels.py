r"""Generative models of data: divergences, maximum likelihood, autoregressive and naive Bayes models.

Implements the series 生成模型笔记 (from three undated notes of a second Chinese ML blog, in the
style of Stanford CS236):

* the post ``genmodels-intro`` (《生成模型简介》): learning as :math:`\min_\theta d(p_{data}, p_\theta)`;
  with the KL divergence this is maximum likelihood (:func:`kl_discrete`, :func:`kl_quadrature`,
  :func:`mle_gaussian`, :func:`empirical_nll`, :func:`kl_landscape`);
* the post ``autoregressive-models`` (《自回归模型》): the chain rule
  :math:`p(x)=\prod_i p(x_i\mid x_{<i})` with logistic conditionals (:class:`FVSBN`) or a shared
  hidden layer (:class:`NADE`) on binary vectors;
* the post ``digits-naive-bayes`` (《MNIST generative representation p(X,Y)》): the joint
  :math:`p(x, y)` of binary pixels and a label, and the naive Bayes factorisation
  :math:`p(y)\prod_i p(x_i\mid y)` (:class:`BernoulliNaiveBayes`).

The 1-D divergence functions work on numpy arrays in float64. The autoregressive models are torch
modules that compute in the dtype and on the device of their parameters. Naive Bayes is numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "empirical_nll",
    "gaussian_forward_kl",
    "gaussian_logpdf",
    "gaussian_reverse_kl",
    "gmm_logpdf",
    "gmm_moments",
    "gmm_sample",
    "kl_discrete",
    "kl_quadrature",
    "mle_gaussian",
    "refine_minimum",
]

_LOG_2PI = math.log(2 * math.pi)


# ---------------------------------------------------------------------------------------------
# 《生成模型简介》: divergences and maximum likelihood
# ---------------------------------------------------------------------------------------------


def kl_discrete(p: ArrayLike, q: ArrayLike) -> float:
    r"""KL divergence of two distributions on a finite set.

    Implements Eq. (eq:genmodels-intro-kl) of the post genmodels-intro:
    :math:`\mathrm{KL}(p\,\|\,q)=\sum_x p(x)\log\frac{p(x)}{q(x)}`, with :math:`0\log 0 = 0` and
    :math:`+\infty` where :math:`q(x)=0<p(x)`. ``p`` and ``q`` are 1-D and each sums to 1.
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError("p and q must be 1-D arrays of the same length")
    if np.any(p < 0) or np.any(q < 0):
        raise ValueError("probabilities must be non-negative")
    support = p > 0
    if np.any(q[support] == 0):
        return math.inf
    # Σ_x p(x) log(p(x)/q(x)) over the support of p
    return float(np.sum(p[support] * (np.log(p[support]) - np.log(q[support]))))


def gaussian_logpdf(x: ArrayLike, mu: ArrayLike, sigma: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\log\mathcal N(x;\mu,\sigma^2) = -\tfrac12\log(2\pi\sigma^2)-\frac{(x-\mu)^2}{2\sigma^2}`,
    broadcast over ``x``, ``mu`` and ``sigma``."""
    x, mu, sigma = (np.asarray(a, dtype=float) for a in (x, mu, sigma))
    return -0.5 * _LOG_2PI - np.log(sigma) - (x - mu) ** 2 / (2 * sigma**2)


def gmm_logpdf(x: ArrayLike, weights: ArrayLike, means: ArrayLike,
               stds: ArrayLike) -> NDArray[np.float64]:
    r"""Log density of a 1-D Gaussian mixture :math:`\sum_k w_k\,\mathcal N(x;m_k,s_k^2)`,
    computed with log-sum-exp. ``x`` has any shape; the mixture parameters are 1-D."""
    x = np.asarray(x, dtype=float)
    w, m, s = (np.asarray(a, dtype=float) for a in (weights, means, stds))
    comp = np.log(w) + gaussian_logpdf(x[..., None], m, s)  # (..., K)
    top = comp.max(axis=-1, keepdims=True)
    return (top + np.log(np.exp(comp - top).sum(axis=-1, keepdims=True)))[..., 0]


def mle_gaussian(x: ArrayLike) -> tuple[float, float]:
    r"""Maximum-likelihood Gaussian for a sample: :math:`\hat\mu=\bar x`,
    :math:`\hat\sigma^2=\frac1N\sum_i(x_i-\bar x)^2` (divided by :math:`N`, not :math:`N-1`).

    Returns ``(mu, sigma)``. It minimises :func:`empirical_nll` of :func:`gaussian_logpdf`
    (Eq. (eq:genmodels-intro-mle) of the post genmodels-intro).
    """
    x = np.asarray(x, dtype=float).ravel()
    mu = float(x.mean())
    return mu, float(np.sqrt(np.mean((x - mu) ** 2)))


def empirical_nll(logpdf: Callable[[NDArray[np.float64]], ArrayLike], x: ArrayLike) -> float:
    r"""The Monte Carlo estimate :math:`-\frac1N\sum_{i=1}^N\log p_\theta(x_i)` of the cross-entropy
    :math:`-\mathbb E_{p_{data}}\log p_\theta` (Eq. (eq:genmodels-intro-mle) of the post
    genmodels-intro); ``logpdf`` maps an array of samples to their log densities."""
    x = np.asarray(x, dtype=float)
    return float(-np.mean(logpdf(x)))


def kl_quadrature(logp: ArrayLike, logq: ArrayLike, grid: ArrayLike) -> float:
    r""":math:`\mathrm{KL}(p\,\|\,q)=\int p(x)\,[\log p(x)-\log q(x)]\,dx` by the trapezoidal rule.

    ``logp`` and ``logq`` are the two log densities tabulated on the 1-D ``grid`` (which must
    cover the mass of ``p``). Eq. (eq:genmodels-intro-kl) of the post genmodels-intro, with the
    sum turned into an integral.
    """
    logp, logq, grid = (np.asarray(a, dtype=float) for a in (logp, logq, grid))
    integrand = np.exp(logp) * (logp - logq)
    return float(np.trapezoid(integrand, grid))


def gaussian_forward_kl(mean_p: float, var_p: float, neg_entropy_p: float, mu: ArrayLike,
                        sigma: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\mathrm{KL}(p\,\|\,\mathcal N(\mu,\sigma^2))` from the mean, variance and negative
    entropy :math:`\int p\log p` of the target :math:`p`.

    Implements Eq. (eq:genmodels-intro-gauss-fwd) of the post genmodels-intro:

    .. math::
        \mathrm{KL}(p\,\|\,q_{\mu,\sigma}) = \int p\log p + \tfrac12\log(2\pi\sigma^2)
        + \frac{\mathrm{Var}_p + (\mathbb E_p x-\mu)^2}{2\sigma^2},

    smallest at :math:`\mu=\mathbb E_p x`, :math:`\sigma^2=\mathrm{Var}_p` (moment matching).
    Broadcast over ``mu`` and ``sigma``.
    """
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    # −E_p log q = ½ log(2πσ²) + E_p (x − μ)² / (2σ²),   E_p (x − μ)² = Var_p + (E_p x − μ)²
    cross = 0.5 * (_LOG_2PI + 2 * np.log(sigma)) + (var_p + (mean_p - mu) ** 2) / (2 * sigma**2)
    return neg_entropy_p + cross


def gaussian_reverse_kl(target_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
                        mu: ArrayLike, sigma: ArrayLike, grid: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\mathrm{KL}(\mathcal N(\mu,\sigma^2)\,\|\,p)` for a target log density.

    Implements Eq. (eq:genmodels-intro-gauss-rev) of the post genmodels-intro:
    :math:`\mathrm{KL}(q_{\mu,\sigma}\,\|\,p) = -\tfrac12\log(2\pi e\sigma^2) - \mathbb E_{q}\log p`;
    the entropy in closed form, :math:`\mathbb E_q\log p` by the trapezoidal rule on the 1-D
    ``grid`` (which must cover the mass of every :math:`q`). Broadcast over ``mu`` and ``sigma``.
    """
    mu, sigma = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float))
    grid = np.asarray(grid, dtype=float)
    logp = target_logpdf(grid)  # (G,)
    q = np.exp(gaussian_logpdf(grid, mu[..., None], sigma[..., None]))  # (..., G)
    # E_q log p = ∫ q(x) log p(x) dx
    cross = -np.trapezoid(q * logp, grid, axis=-1)
    # −H(q) = −½ log(2π e σ²)
    return -0.5 * (_LOG_2PI + 1 + 2 * np.log(sigma)) + cross


def gmm_sample(n: int, weights: ArrayLike, means: ArrayLike, stds: ArrayLike,
               rng: np.random.Generator) -> NDArray[np.float64]:
    """``n`` draws from a 1-D Gaussian mixture: pick a component by its weight, then draw from it."""
    w, m, s = (np.asarray(a, dtype=float) for a in (weights, means, stds))
    k = rng.choice(len(w), size=n, p=w)  # (n,) component of each draw
    return m[k] + s[k] * rng.standard_normal(n)


def gmm_moments(weights: ArrayLike, means: ArrayLike, stds: ArrayLike) -> tuple[float, float]:
    r"""Mean and variance of a 1-D Gaussian mixture:
    :math:`\mathbb E x=\sum_k w_km_k`, :math:`\mathrm{Var}\,x=\sum_k w_k(s_k^2+m_k^2)-(\mathbb E x)^2`."""
    w, m, s = (np.asarray(a, dtype=float) for a in (weights, means, stds))
    mean = float(np.sum(w * m))
    return mean, float(np.sum(w * (s**2 + m**2)) - mean**2)


def refine_minimum(f: Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]],
                   mu: float, sigma: float, width: float, rounds: int = 6,
                   points: int = 21) -> tuple[float, float, float]:
    """Local minimum of ``f(mu, sigma)`` near a starting point, by zooming grids.

    Each round evaluates ``f`` on a ``points × points`` grid of half-width ``width`` around the
    current best point (``sigma`` kept positive) and shrinks the width fivefold. Returns
    ``(mu, sigma, f(mu, sigma))``.
    """
    for _ in range(rounds):
        mus = mu + np.linspace(-width, width, points)
        sigmas = np.clip(sigma + np.linspace(-width, width, points), 1e-3, None)
        vals = f(mus[:, None], sigmas[None, :])  # (points, points)
        i, j = np.unravel_index(np.argmin(vals), vals.shape)
        mu, sigma = float(mus[i]), float(sigmas[j])
        width /= 5
    return mu, sigma, float(f(np.array(mu), np.array(sigma)))
