r"""Contrastive learning: the InfoNCE loss and its mutual-information bound.

Implements the post ``self-supervised`` (from an undated note of a second Chinese ML blog,
《自监督学习》; the InfoNCE objective of van den Oord, Li & Vinyals, *Representation Learning with
Contrastive Predictive Coding*, 2018; the bound as in Poole et al., *On Variational Bounds of
Mutual Information*, ICML 2019).

For a critic :math:`s(x, y)` and a batch of :math:`N` pairs :math:`(x_i, y_i)` drawn from
:math:`p(x, y)`, each :math:`y_j` with :math:`j\ne i` serves as a negative for :math:`x_i`:

.. math::
    \mathcal L_N = -\frac1N\sum_{i=1}^N\log\frac{e^{s(x_i,y_i)}}{\sum_{j=1}^N e^{s(x_i,y_j)}},
    \qquad I(X;Y)\ \ge\ \log N-\mathbb E\,\mathcal L_N .

The test case is a pair of correlated Gaussian vectors, whose mutual information and optimal
critic (the log density ratio) are known in closed form. Everything is numpy, float64.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "fit_quadratic_critic",
    "gaussian_mi",
    "info_nce",
    "optimal_critic",
    "optimal_quadratic_coefficients",
    "quadratic_critic",
    "sample_correlated",
]


def info_nce(scores: ArrayLike) -> float:
    r"""The InfoNCE loss of score matrices ``scores[..., i, j]`` :math:`=s(x_i, y_j)`, positives on
    the diagonal, averaged over rows and over any leading batch dimensions.

    Implements Eq. (eq:self-supervised-infonce) of the post self-supervised:
    :math:`\mathcal L=-\frac1N\sum_i\big[s_{ii}-\log\sum_j e^{s_{ij}}\big]`. Always :math:`\ge 0`.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim < 2 or s.shape[-1] != s.shape[-2]:
        raise ValueError("scores must be square in its last two dimensions")
    top = s.max(axis=-1, keepdims=True)
    lse = (top + np.log(np.exp(s - top).sum(axis=-1, keepdims=True)))[..., 0]  # (..., N)
    diag = np.diagonal(s, axis1=-2, axis2=-1)  # (..., N)
    # −log softmax_j(s_i·)[i] = log Σ_j e^{s_ij} − s_ii
    return float(np.mean(lse - diag))


def gaussian_mi(rho: float, d: int) -> float:
    r"""Mutual information of :math:`X\sim\mathcal N(0,I_d)`, :math:`Y=\rho X+\sqrt{1-\rho^2}\,\varepsilon`:
    :math:`I(X;Y)=-\tfrac d2\log(1-\rho^2)` nats.

    Implements Eq. (eq:self-supervised-gauss-mi) of the post self-supervised."""
    return -0.5 * d * math.log1p(-rho * rho)


def sample_correlated(n: int, d: int, rho: float,
                      rng: np.random.Generator) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""``n`` pairs :math:`x\sim\mathcal N(0,I_d)`, :math:`y=\rho x+\sqrt{1-\rho^2}\,\varepsilon`;
    returns arrays of shape ``(n, d)``. Each coordinate of :math:`y` has variance 1 and
    correlation :math:`\rho` with the same coordinate of :math:`x`."""
    x = rng.standard_normal((n, d))
    eps = rng.standard_normal((n, d))
    return x, rho * x + math.sqrt(1 - rho * rho) * eps


def optimal_critic(x: ArrayLike, y: ArrayLike, rho: float) -> NDArray[np.float64]:
    r"""The log density ratio :math:`\log\frac{p(y\mid x)}{p(y)}` of :func:`sample_correlated`,
    for every pair: ``x`` of shape ``(..., n, 1, d)`` against ``y`` of shape ``(..., 1, n, d)``
    gives the ``(..., n, n)`` score matrix (any broadcastable shapes work).

    Implements Eq. (eq:self-supervised-critic) of the post self-supervised:

    .. math::
        \log\frac{p(y\mid x)}{p(y)}=\sum_{k=1}^d\Big[-\frac{(y_k-\rho x_k)^2}{2(1-\rho^2)}
        +\frac{y_k^2}{2}\Big]-\frac d2\log(1-\rho^2).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    v = 1 - rho * rho
    d = x.shape[-1]
    # Σ_k [ −(y_k − ρ x_k)² / (2(1 − ρ²)) + y_k² / 2 ] − (d/2) log(1 − ρ²)
    return (-((y - rho * x) ** 2) / (2 * v) + y**2 / 2).sum(-1) - 0.5 * d * math.log(v)


def quadratic_critic(x: ArrayLike, y: ArrayLike, a: float, b: float) -> NDArray[np.float64]:
    r"""Score matrix of the two-parameter critic :math:`s(x, y)=a\,x\cdot y+b\,\lVert y\rVert^2`:
    ``x`` and ``y`` of shape ``(..., n, d)`` give ``(..., n, n)`` with entry ``[i, j]`` =
    :math:`s(x_i, y_j)` (a matrix product). Terms that depend on :math:`x` alone cancel in InfoNCE,
    so with :func:`optimal_quadratic_coefficients` it is as good as :func:`optimal_critic`."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    # a x_i · y_j + b ‖y_j‖²                                                 (..., n, n)
    return a * (x @ np.swapaxes(y, -1, -2)) + b * (y**2).sum(-1)[..., None, :]


def optimal_quadratic_coefficients(rho: float) -> tuple[float, float]:
    r"""The :math:`(a, b)` for which :func:`quadratic_critic` equals :func:`optimal_critic` up to a
    function of :math:`x`: expanding Eq. (eq:self-supervised-critic),
    :math:`a=\frac{\rho}{1-\rho^2}`, :math:`b=-\frac{\rho^2}{2(1-\rho^2)}`."""
    v = 1 - rho * rho
    return rho / v, -rho * rho / (2 * v)


def fit_quadratic_critic(d: int, rho: float, n: int, steps: int, lr: float,
                         rng: np.random.Generator, train_b: bool = True
                         ) -> tuple[list[float], list[float], list[float]]:
    r"""Learn :math:`(a, b)` of :func:`quadratic_critic` by gradient descent on InfoNCE.

    Each step draws a fresh batch of ``n`` pairs and moves :math:`(a, b)` against the exact
    gradient :math:`\partial\mathcal L/\partial a=\frac1n\sum_i\big[\sum_j P_{ij}f_{ij}-f_{ii}\big]`
    with :math:`P=\mathrm{softmax}_j(s_{ij})` and :math:`f_{ij}=x_i\cdot y_j` (for :math:`b`,
    :math:`f_{ij}=\lVert y_j\rVert^2`). With ``train_b=False``, :math:`b` stays 0 (a bilinear
    critic). Starts from :math:`a=b=0`; returns the paths ``(a, b, losses)``: the coefficients
    before the first and after every step (``steps + 1`` values each) and the loss of every step.
    """
    a = b = 0.0
    a_path, b_path, losses = [a], [b], []
    for _ in range(steps):
        x, y = sample_correlated(n, d, rho, rng)
        fa = x @ y.T  # (n, n) x_i · y_j
        fb = np.broadcast_to((y**2).sum(-1), (n, n))  # (n, n) ‖y_j‖²
        s = a * fa + b * fb
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)  # softmax over j
        losses.append(info_nce(s))
        # ∂L/∂θ = mean_i [ Σ_j P_ij f_ij − f_ii ]
        a -= lr * float(np.mean((p * fa).sum(1) - np.diagonal(fa)))
        if train_b:
            b -= lr * float(np.mean((p * fb).sum(1) - np.diagonal(fb)))
        a_path.append(a)
        b_path.append(b)
    return a_path, b_path, losses
