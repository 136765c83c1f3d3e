r"""Discrete distributions from the argmax of noisy scores (reparameterisation).

Implements the post ``argmax-reparam`` (from 苏剑林,《从重参数的角度看离散概率分布的构建》,
2022-05-25): perturb the scores :math:`\mu\in\mathbb{R}^n` with i.i.d. noise
:math:`\varepsilon_j` and take :math:`p_i = P[\arg\max_j(\mu_j+\varepsilon_j) = i]`, which is

.. math::
    p_i = \int f(\varepsilon)\prod_{j\ne i} F(\mu_i-\mu_j+\varepsilon)\,d\varepsilon

for noise with density :math:`f` and distribution function :math:`F`. Three noises:

* ``"gumbel"``: standard Gumbel, :math:`F(x)=e^{-e^{-x}}`; gives the softmax exactly;
* ``"gaussian"``: standard normal; a multinomial probit, no closed form for :math:`n>2`;
* ``"uniform"``: uniform on :math:`[0, 1]`; bounded, so :math:`p_i=0` whenever
  :math:`\mu_i\le\max_j\mu_j-1` (a sparse distribution).

Arrays are numpy float64 with the classes on the last axis; a torch tensor in gives a tensor
out (same dtype and device). All probabilities are computed by closed form or by quadrature
that is exact to rounding, never by sampling; :func:`argmax_frequencies` samples, for checks.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["NOISES", "argmax_frequencies", "argmax_probs", "argmax_probs_quad", "noise_cdf",
           "noise_pdf", "softmax"]

NOISES = ("gumbel", "gaussian", "uniform")

# Gauss-Legendre rule: with _GL_NODES nodes it integrates polynomials of degree < 2*_GL_NODES
# exactly, so on the pieces of the uniform case (degree n - 1) it is exact up to n = 2*_GL_NODES.
_GL_NODES = 32
_GL_X, _GL_W = np.polynomial.legendre.leggauss(_GL_NODES)


def noise_pdf(noise: str, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Density of the standard noise: Gumbel(0, 1), N(0, 1) or U[0, 1]."""
    x = np.asarray(x, dtype=np.float64)
    if noise == "gumbel":
        # f(x) = exp(−x − e^{−x})
        return np.exp(-x - np.exp(-x))
    if noise == "gaussian":
        return np.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    if noise == "uniform":
        return ((x >= 0) & (x <= 1)).astype(np.float64)
    raise ValueError(f"noise must be one of {NOISES}, got {noise!r}")


def noise_cdf(noise: str, x: NDArray[np.float64]) -> NDArray[np.float64]:
    """Distribution function of the standard noise."""
    x = np.asarray(x, dtype=np.float64)
    if noise == "gumbel":
        # F(x) = exp(−e^{−x})
        return np.exp(-np.exp(-x))
    if noise == "gaussian":
        from scipy.special import ndtr

        return ndtr(x)
    if noise == "uniform":
        return np.clip(x, 0.0, 1.0)
    raise ValueError(f"noise must be one of {NOISES}, got {noise!r}")


def softmax(mu: ArrayLike) -> NDArray[np.float64]:
    r""":math:`e^{\mu_i}/\sum_j e^{\mu_j}` over the last axis (shifted by the max)."""
    mu = np.asarray(mu, dtype=np.float64)
    e = np.exp(mu - mu.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _support(noise: str) -> tuple[float, float]:
    # where the density is above ~1e-20 (Gumbel: e^{x} e^{-e^{x}} at x = -4 is ~1e-22 ... )
    return {"gumbel": (-4.5, 50.0), "gaussian": (-9.5, 9.5), "uniform": (0.0, 1.0)}[noise]


def argmax_probs_quad(mu: ArrayLike, noise: str, panels: int = 64) -> NDArray[np.float64]:
    r""":math:`p_i` by composite Gauss-Legendre quadrature of the integral, for a 1-D ``mu``.

    Implements Eq. \eqref{eq:argmax-reparam-integral} of the post argmax-reparam:

    .. math::
        p_i = \int f(\varepsilon)\prod_{j\ne i} F(\mu_i-\mu_j+\varepsilon)\,d\varepsilon .

    The integration range (the noise's support, truncated where the density is below about
    :math:`10^{-20}`) is cut at every kink of the integrand, the points where some
    :math:`\mu_i-\mu_j+\varepsilon` hits an end of the support, and each piece gets ``panels``
    panels of 32 nodes. For the uniform noise each piece is a polynomial of degree at most
    ``n - 1``, so the rule is exact to rounding for ``n <= 64``.
    """
    mu = np.asarray(mu, dtype=np.float64)
    if mu.ndim != 1:
        raise ValueError("argmax_probs_quad takes one score vector")
    lo, hi = _support(noise)
    out = np.empty_like(mu)
    for i in range(mu.size):
        d = np.delete(mu[i] - mu, i)  # μ_i − μ_j, j ≠ i
        cuts = {lo, hi}
        if noise == "uniform":  # F(d + ε) has kinks at ε = −d and ε = 1 − d
            cuts |= {c for c in np.concatenate([-d, 1 - d]) if lo < c < hi}
        edges = np.array(sorted(cuts))
        total = 0.0
        for a, b in itertools.pairwise(edges):
            grid = np.linspace(a, b, panels + 1)
            half = (grid[1:] - grid[:-1])[:, None] / 2  # (panels, 1)
            eps = (grid[:-1, None] + grid[1:, None]) / 2 + half * _GL_X  # (panels, nodes)
            # f(ε) Π_{j≠i} F(μ_i − μ_j + ε)
            integrand = noise_pdf(noise, eps) * np.prod(noise_cdf(noise, eps[..., None] + d), -1)
            total += float(np.sum(half * _GL_W * integrand))
        out[i] = total
    return out


def argmax_probs(mu: Any, noise: str = "gumbel") -> Any:
    r"""The exact probability that each component of ``mu + noise`` is the largest.

    Implements Eq. \eqref{eq:argmax-reparam-integral} of the post argmax-reparam, with
    i.i.d. standard noise: ``"gumbel"`` (closed form, the softmax of Eq.
    \eqref{eq:argmax-reparam-softmax}), ``"gaussian"`` or ``"uniform"`` on [0, 1] (quadrature
    that is exact to rounding, :func:`argmax_probs_quad`).

    Args:
        mu: scores, shape ``(..., n)``: a numpy array (or anything ``np.asarray`` takes) or a
            torch tensor.
        noise: ``"gumbel"``, ``"gaussian"`` or ``"uniform"``.

    Returns:
        Probabilities of the same shape, summing to 1 over the last axis; a torch tensor (same
        dtype and device) when ``mu`` is one, float64 numpy otherwise.
    """
    if noise not in NOISES:
        raise ValueError(f"noise must be one of {NOISES}, got {noise!r}")
    is_torch = type(mu).__module__.startswith("torch")
    arr = np.asarray(mu.detach().cpu().double() if is_torch else mu, dtype=np.float64)
    if noise == "gumbel":
        p = softmax(arr)  # Eq. (argmax-reparam-softmax)
    else:
        flat = arr.reshape(-1, arr.shape[-1])  # (batch, n)
        p = np.stack([argmax_probs_quad(row, noise) for row in flat]).reshape(arr.shape)
    if is_torch:
        import torch

        return torch.as_tensor(p).to(dtype=mu.dtype, device=mu.device)
    return p


def argmax_frequencies(mu: ArrayLike, noise: str, draws: int, seed: int) -> NDArray[np.float64]:
    """Monte Carlo: how often each component of ``mu + noise`` is the largest (1-D ``mu``)."""
    mu = np.asarray(mu, dtype=np.float64)
    rng = np.random.default_rng(seed)
    shape = (draws, mu.size)
    if noise == "gumbel":
        eps = rng.gumbel(size=shape)
    elif noise == "gaussian":
        eps = rng.standard_normal(shape)
    elif noise == "uniform":
        eps = rng.random(shape)
    else:
        raise ValueError(f"noise must be one of {NOISES}, got {noise!r}")
    winners = np.argmax(mu + eps, axis=1)  # (draws,)
    return np.bincount(winners, minlength=mu.size) / draws
