r"""A smooth maximum: from a smooth absolute value to log-sum-exp.

Implements the post ``smooth-max`` (from 苏剑林,《寻求一个光滑的最大值函数》, 2015-05-02).

The two-argument maximum is an absolute value in disguise, :math:`\max(x,y)=\tfrac12(x+y+|x-y|)`.
Smoothing :math:`|z|` by :math:`A_k(z)=\tfrac1k\ln(e^{kz}+e^{-kz})` turns it into
:math:`\tfrac1{2k}\ln(e^{2kx}+e^{2ky})`, and nesting gives the log-sum-exp family

.. math:: \operatorname{smax}_k(x_1,\dots,x_n)=\frac1k\ln\sum_{i=1}^n e^{kx_i},

with :math:`\max_i x_i\le\operatorname{smax}_k(x)\le\max_i x_i+\ln n/k` and gradient
:math:`\operatorname{softmax}(kx)`.

Functions accept numpy arrays (or anything ``numpy.asarray`` takes) and torch tensors, and
compute in the floating dtype they are given (integers are promoted to float64 / torch's default
float). Reductions run along ``axis`` (default: the last one); the other axes are batch axes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "max_from_abs",
    "smooth_abs",
    "smooth_max",
    "smooth_max_entropy",
    "smooth_max_grad",
    "smooth_max_naive",
]

Array = Any  # a numpy array or a torch tensor


def _is_torch(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _float(x: Any) -> Array:
    """``x`` as a floating numpy array or torch tensor (integers promoted)."""
    if _is_torch(x):
        import torch

        return x if torch.is_floating_point(x) else x.to(torch.get_default_dtype())
    arr = np.asarray(x)
    return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(np.float64)


def _check_k(k: float) -> float:
    k = float(k)
    if not k > 0 or not math.isfinite(k):
        raise ValueError(f"the sharpness k must be a positive finite number, got {k}")
    return k


def smooth_abs(x: Any, k: float) -> Array:
    r"""Smooth absolute value :math:`A_k(x)=\tfrac1k\ln(e^{kx}+e^{-kx})`, elementwise.

    Implements Eq. (eq:smooth-max-abs) of the post smooth-max. Its derivative is
    :math:`\tanh(kx)`, a smooth sign. Computed as :math:`|x|+\tfrac1k\ln(1+e^{-2k|x|})`, which
    never overflows; the correction is the whole error and lies in :math:`(0,\ln 2/k]`.
    """
    k = _check_k(k)
    x = _float(x)
    if _is_torch(x):
        import torch

        a = x.abs()
        # A_k(x) = |x| + log1p(e^{-2k|x|}) / k
        return a + torch.log1p(torch.exp(-2 * k * a)) / k
    a = np.abs(x)
    # A_k(x) = |x| + log1p(e^{-2k|x|}) / k
    return a + np.log1p(np.exp(-2 * k * a)) / k


def max_from_abs(x: Any, y: Any, abs_fn: Callable[[Any], Any] = np.abs, *,
                 form: str = "general") -> Array:
    r"""The maximum of two numbers written with an absolute value.

    ``form="general"``: :math:`\tfrac12\big(x+y+|x-y|\big)`, equal to :math:`\max(x,y)` for all
    real numbers (Eq. (eq:smooth-max-max2) of the post smooth-max).
    ``form="nonneg"``: :math:`\tfrac12\big(|x+y|+|x-y|\big)`, which is :math:`\max(|x|,|y|)` and
    so equals :math:`\max(x,y)` only when :math:`x,y\ge0` (Eq. (eq:smooth-max-max2-nonneg)).

    ``abs_fn`` replaces :math:`|\cdot|`; with ``functools.partial(smooth_abs, k=k)`` the general
    form is exactly ``smooth_max([x, y], 2 * k)`` (Eq. (eq:smooth-max-two)).
    """
    x, y = _float(x), _float(y)
    if form == "general":
        # max(x, y) = (x + y + |x − y|) / 2
        return (x + y + abs_fn(x - y)) / 2
    if form == "nonneg":
        # max(|x|, |y|) = (|x + y| + |x − y|) / 2
        return (abs_fn(x + y) + abs_fn(x - y)) / 2
    raise ValueError(f"form must be 'general' or 'nonneg', got {form!r}")


def smooth_max(x: Any, k: float, axis: int = -1) -> Array:
    r"""Log-sum-exp smooth maximum :math:`\tfrac1k\ln\sum_i e^{kx_i}` along ``axis``.

    Implements Eq. (eq:smooth-max-lse) of the post smooth-max, numerically stable: with
    :math:`m=\max_i x_i`,

    .. math:: \operatorname{smax}_k(x)=m+\frac1k\ln\sum_i e^{k(x_i-m)},

    so every exponent is :math:`\le0` and the sum lies in :math:`[1,n]`: no overflow for any
    :math:`k x`, no ``log(0)``. The term of one maximal entry is exactly 1 and the rest goes
    through ``log1p``, so ``smax - max`` keeps its relative accuracy even when it is tiny.
    Bounds (Eq. (eq:smooth-max-bound)): :math:`\max_i x_i\le\operatorname{smax}_k(x)\le\max_i x_i+\ln n/k`.

    Args:
        x: numpy array or torch tensor, reduced along ``axis``; other axes are batch axes.
        k: sharpness, ``k > 0``; ``k -> inf`` gives the maximum.
        axis: the axis to reduce.

    Returns:
        ``x``'s shape without ``axis``, in ``x``'s floating dtype (numpy in, numpy out; torch in,
        torch out). Entries of ``-inf`` count as absent; a row of only ``-inf`` gives ``-inf``.
    """
    k = _check_k(k)
    x = _float(x)
    if _is_torch(x):
        import torch

        m_raw = x.amax(dim=axis, keepdim=True)
        m = torch.where(torch.isfinite(m_raw), m_raw, torch.zeros_like(m_raw))
        e = torch.exp(k * (x - m))  # every exponent <= 0
        # drop one maximal entry (its term is exactly 1): Σ_i e_i = 1 + tail
        e = e.scatter(axis, x.argmax(dim=axis, keepdim=True), 0.0)
        # smax_k(x) = m + log(1 + Σ_{i≠argmax} exp(k (x_i − m))) / k
        out = m + torch.log1p(e.sum(dim=axis, keepdim=True)) / k
        out = torch.where(torch.isfinite(m_raw), out, m_raw)  # rows of ±inf
        return out.squeeze(axis)
    m_raw = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m_raw), m_raw, 0).astype(x.dtype)
    e = np.exp(k * (x - m))  # every exponent <= 0
    # drop one maximal entry (its term is exactly 1): Σ_i e_i = 1 + tail
    np.put_along_axis(e, np.argmax(x, axis=axis, keepdims=True), 0, axis=axis)
    # smax_k(x) = m + log(1 + Σ_{i≠argmax} exp(k (x_i − m))) / k
    out = m + np.log1p(np.sum(e, axis=axis, keepdims=True)) / k
    out = np.where(np.isfinite(m_raw), out, m_raw)  # rows of ±inf
    return np.squeeze(out, axis=axis).astype(x.dtype, copy=False)


def smooth_max_naive(x: Any, k: float, axis: int = -1) -> Array:
    r""":math:`\tfrac1k\ln\sum_i e^{kx_i}` evaluated as written, without the shift by the maximum.

    The textbook formula of Eq. (eq:smooth-max-lse); it overflows once :math:`k x_i` passes the
    largest exponent of the dtype (about 709.8 in float64, 88.7 in float32) and underflows to
    ``-inf`` when every :math:`k x_i` is very negative. A negative control for :func:`smooth_max`.
    """
    k = _check_k(k)
    x = _float(x)
    if _is_torch(x):
        import torch

        return torch.log(torch.exp(k * x).sum(dim=axis)) / k
    with np.errstate(over="ignore", divide="ignore"):
        return (np.log(np.sum(np.exp(k * x), axis=axis)) / k).astype(x.dtype, copy=False)


def smooth_max_grad(x: Any, k: float, axis: int = -1) -> Array:
    r"""Gradient of :func:`smooth_max` with respect to ``x``: :math:`\operatorname{softmax}(kx)`.

    Implements Eq. (eq:smooth-max-grad) of the post smooth-max,
    :math:`\partial\operatorname{smax}_k/\partial x_i=e^{kx_i}/\sum_j e^{kx_j}`: a probability
    vector along ``axis`` (same shape as ``x``), concentrating on the argmax as ``k`` grows.
    """
    k = _check_k(k)
    x = _float(x)
    if _is_torch(x):
        import torch

        m = x.amax(dim=axis, keepdim=True)
        e = torch.exp(k * (x - m))
        return e / e.sum(dim=axis, keepdim=True)
    m = np.max(x, axis=axis, keepdims=True)
    # p_i = e^{k(x_i − m)} / Σ_j e^{k(x_j − m)}
    e = np.exp(k * (x - m))
    return e / np.sum(e, axis=axis, keepdims=True)


def smooth_max_entropy(x: Any, k: float, axis: int = -1) -> Array:
    r"""Entropy :math:`H(p)=-\sum_i p_i\ln p_i` of :math:`p=\operatorname{softmax}(kx)` along ``axis``.

    It is the gap in Eq. (eq:smooth-max-gibbs) of the post smooth-max,
    :math:`\operatorname{smax}_k(x)=\sum_i p_ix_i+H(p)/k`, and gives the slope in ``k``:
    :math:`\partial\operatorname{smax}_k/\partial k=-H(p)/k^2`.
    """
    p = smooth_max_grad(x, k, axis)
    if _is_torch(p):
        import torch

        return -torch.special.xlogy(p, p).sum(dim=axis)
    # −Σ p log p, with 0 log 0 = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0)
    return -np.sum(plogp, axis=axis)
