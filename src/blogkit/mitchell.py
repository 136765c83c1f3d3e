r"""Mitchell's approximation: multiplication and division by adding logarithms.

Implements the post ``mitchell`` (from 苏剑林,《Mitchell近似:乘法变为加法,误差不超过1/9》,
2020-12-14; J. N. Mitchell, IRE Trans. Electronic Computers EC-11, 1962).

Write a positive number as :math:`a = 2^{k}(1+x)` with integer :math:`k` and mantissa
:math:`x\in[0,1)`. Mitchell replaces :math:`\log_2(1+x)` by :math:`x`, so
:math:`\log_2 a \approx k + x`, adds (or subtracts) these approximate logarithms and maps the
result back with the same linear rule. For IEEE float32 the approximate logarithm is, up to
scale and offset, the bit pattern itself, so the product is one integer addition.

All functions are elementwise on numpy arrays of positive numbers and compute in the dtype they
are given (float64 in, float64 out; float32 in, float32 out).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LOG_ERROR_ARGMAX",
    "benford_density",
    "decompose",
    "div_rel_error",
    "float32_bitdiv",
    "float32_bitmul",
    "log_error",
    "mean_rel_error",
    "mitchell_antilog2",
    "mitchell_div",
    "mitchell_log2",
    "mitchell_mul",
    "mul_rel_error",
]

# x* = 1/ln 2 - 1, where log2(1+x) - x is largest (Eq. \eqref{eq:mitchell-logmax}).
LOG_ERROR_ARGMAX = 1.0 / math.log(2.0) - 1.0
_ONE_BITS = 0x3F800000  # bit pattern of float32 1.0: exponent bias 127 << 23


def _positive(a: ArrayLike) -> NDArray[np.floating]:
    arr = np.asarray(a)
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if np.any(~(arr > 0)) or np.any(~np.isfinite(arr)):
        raise ValueError("Mitchell's approximation needs finite positive numbers")
    return arr


def decompose(a: ArrayLike) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    r"""Split :math:`a = 2^{k}(1+x)` (Eq. \eqref{eq:mitchell-split} of the post mitchell).

    Returns ``(k, x)`` in ``a``'s dtype, ``k`` integral and ``0 <= x < 1``.
    """
    arr = _positive(a)
    m, e = np.frexp(arr)  # a = m 2^e with m in [1/2, 1)
    # a = 2^{e-1} (2m) = 2^{k} (1 + x),  k = e - 1,  x = 2m - 1
    k = (e - 1).astype(arr.dtype)
    x = (2 * m - 1).astype(arr.dtype)
    return k, x


def mitchell_log2(a: ArrayLike) -> NDArray[np.floating]:
    r"""The approximate logarithm :math:`k + x` (Eq. \eqref{eq:mitchell-log} of the post mitchell)."""
    k, x = decompose(a)
    # log2 a = k + log2(1 + x) ≈ k + x
    return k + x


def mitchell_antilog2(s: ArrayLike) -> NDArray[np.floating]:
    r"""Inverse of :func:`mitchell_log2`: :math:`2^{\lfloor s\rfloor}(1 + s - \lfloor s\rfloor)`."""
    s = np.asarray(s)
    if not np.issubdtype(s.dtype, np.floating):
        s = s.astype(np.float64)
    n = np.floor(s)
    # 2^s ≈ 2^{n} (1 + (s - n))
    return np.ldexp(1 + (s - n), n.astype(np.int64)).astype(s.dtype)


def _split_int(a: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.floating]]:
    arr = _positive(a)
    m, e = np.frexp(arr)
    return (e - 1).astype(np.int64), (2 * m - 1).astype(arr.dtype)


def mitchell_mul(a: ArrayLike, b: ArrayLike) -> NDArray[np.floating]:
    r"""Mitchell's product (Eq. \eqref{eq:mitchell-mul} of the post mitchell).

    .. math::
        ab \approx \begin{cases} 2^{k_1+k_2}(1+x_1+x_2), & x_1+x_2<1,\\
        2^{k_1+k_2+1}(x_1+x_2), & x_1+x_2\ge 1.\end{cases}

    Never above the exact product; relative error at most 1/9. The exponents are kept as
    integers, so the result is exact in the input dtype (float32 included).
    """
    k1, x1 = _split_int(a)
    k2, x2 = _split_int(b)
    s = x1 + x2
    carry = s >= 1
    # x1 + x2 < 1: 2^{k1+k2} (1 + x1 + x2);  x1 + x2 >= 1: 2^{k1+k2+1} (x1 + x2)
    return np.ldexp(np.where(carry, s, 1 + s), k1 + k2 + carry)


def mitchell_div(a: ArrayLike, b: ArrayLike) -> NDArray[np.floating]:
    r"""Mitchell's quotient (Eq. \eqref{eq:mitchell-div} of the post mitchell).

    .. math::
        \frac{a}{b} \approx \begin{cases} 2^{k_1-k_2}(1+x_1-x_2), & x_1\ge x_2,\\
        2^{k_1-k_2-1}(2+x_1-x_2), & x_1< x_2.\end{cases}

    Never below the exact quotient; relative error at most 1/8.
    """
    k1, x1 = _split_int(a)
    k2, x2 = _split_int(b)
    d = x1 - x2
    borrow = d < 0
    # x1 >= x2: 2^{k1-k2} (1 + x1 - x2);  x1 < x2: 2^{k1-k2-1} (2 + x1 - x2)
    return np.ldexp(np.where(borrow, 2 + d, 1 + d), k1 - k2 - borrow)


def float32_bitmul(a: ArrayLike, b: ArrayLike) -> NDArray[np.float32]:
    r"""Mitchell's product of float32 numbers by one integer addition of their bit patterns.

    Implements Eq. \eqref{eq:mitchell-bits} of the post mitchell: the bits of a normal float32
    are :math:`2^{23}(k + 127 + x)`, an affine function of Mitchell's logarithm, so
    ``bits(a) + bits(b) - bits(1.0)`` are the bits of :func:`mitchell_mul` ``(a, b)``.
    Valid while the result stays a normal float32.
    """
    ia = np.asarray(a, dtype=np.float32).view(np.int32)
    ib = np.asarray(b, dtype=np.float32).view(np.int32)
    # bits(ab) ≈ bits(a) + bits(b) - bits(1)
    return (ia + ib - np.int32(_ONE_BITS)).view(np.float32)


def float32_bitdiv(a: ArrayLike, b: ArrayLike) -> NDArray[np.float32]:
    r"""Mitchell's quotient of float32 numbers: ``bits(a) - bits(b) + bits(1.0)``."""
    ia = np.asarray(a, dtype=np.float32).view(np.int32)
    ib = np.asarray(b, dtype=np.float32).view(np.int32)
    return (ia - ib + np.int32(_ONE_BITS)).view(np.float32)


def mul_rel_error(x1: ArrayLike, x2: ArrayLike) -> NDArray[np.floating]:
    r"""Relative error of the product for mantissas :math:`x_1, x_2\in[0,1)`, in closed form.

    Implements Eq. \eqref{eq:mitchell-mulerr} of the post mitchell:

    .. math::
        \frac{\widetilde{ab}}{ab} - 1 = \begin{cases}
        -\dfrac{x_1x_2}{(1+x_1)(1+x_2)}, & x_1+x_2<1,\\[1ex]
        -\dfrac{(1-x_1)(1-x_2)}{(1+x_1)(1+x_2)}, & x_1+x_2\ge 1.\end{cases}
    """
    x1, x2 = np.broadcast_arrays(np.asarray(x1, dtype=float), np.asarray(x2, dtype=float))
    den = (1 + x1) * (1 + x2)
    return np.where(x1 + x2 < 1, -x1 * x2 / den, -(1 - x1) * (1 - x2) / den)


def div_rel_error(x1: ArrayLike, x2: ArrayLike) -> NDArray[np.floating]:
    r"""Relative error of the quotient for mantissas :math:`x_1, x_2\in[0,1)`, in closed form.

    Implements Eq. \eqref{eq:mitchell-diverr} of the post mitchell:

    .. math::
        \frac{\widetilde{a/b}}{a/b} - 1 = \begin{cases}
        \dfrac{x_2(x_1-x_2)}{1+x_1}, & x_1\ge x_2,\\[1ex]
        \dfrac{(x_2-x_1)(1-x_2)}{2(1+x_1)}, & x_1< x_2.\end{cases}
    """
    x1, x2 = np.broadcast_arrays(np.asarray(x1, dtype=float), np.asarray(x2, dtype=float))
    return np.where(x1 >= x2, x2 * (x1 - x2) / (1 + x1), (x2 - x1) * (1 - x2) / (2 * (1 + x1)))


def log_error(x: ArrayLike) -> NDArray[np.floating]:
    r""":math:`\log_2(1+x) - x` on :math:`[0,1]`: the error of Eq. \eqref{eq:mitchell-log}.

    Largest at :math:`x^* = 1/\ln 2 - 1` (Eq. \eqref{eq:mitchell-logmax} of the post mitchell).
    """
    x = np.asarray(x, dtype=float)
    return np.log2(1 + x) - x


def benford_density(x: ArrayLike) -> NDArray[np.floating]:
    r"""Density of the mantissa :math:`x` of a log-uniform number (Eq. \eqref{eq:mitchell-benford}).

    Implements Eq. \eqref{eq:mitchell-benford} of the post mitchell. If :math:`\log_2 a` is
    uniform over a whole number of octaves, :math:`u=\log_2(1+x)` is uniform on :math:`[0,1)`,
    so :math:`P(x\le t)=\log_2(1+t)` and

    .. math:: p(x) = \frac{1}{(1+x)\ln 2},\qquad x\in[0,1).
    """
    x = np.asarray(x, dtype=float)
    # p(x) = d/dx log2(1 + x)
    return 1.0 / ((1.0 + x) * math.log(2.0))


def _gauss01(n: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gauss-Legendre nodes and weights on [0, 1]."""
    t, w = np.polynomial.legendre.leggauss(n)
    return (t + 1) / 2, w / 2


def mean_rel_error(op: Literal["mul", "div"] = "mul",
                   density: Callable[[NDArray[np.float64]], NDArray[np.float64]] | None = None,
                   n: int = 48) -> tuple[float, float]:
    r"""Mean relative error of Mitchell's product or quotient, split by the two cases.

    Implements the means of Eq. \eqref{eq:mitchell-meanerr} of the post mitchell: with
    :math:`x_1, x_2` independent with density ``density`` on :math:`[0,1)` (uniform when
    ``None``; :func:`benford_density` for log-uniform operands),

    .. math:: \mathbb{E}[\varepsilon] = \iint_{D_1}\varepsilon\,p(x_1)p(x_2)
              + \iint_{D_2}\varepsilon\,p(x_1)p(x_2),

    where :math:`\varepsilon` is :func:`mul_rel_error` (``op="mul"``, :math:`D_1 = \{x_1+x_2<1\}`)
    or :func:`div_rel_error` (``op="div"``, :math:`D_1 = \{x_1\ge x_2\}`). The integrand is
    smooth on each piece, so a tensor Gauss-Legendre rule with ``n`` nodes per axis, mapped to
    each triangle, converges exponentially. Returns the two pieces ``(case 1, case 2)``, signed
    (the product's are negative).
    """
    if op not in ("mul", "div"):
        raise ValueError("op must be 'mul' or 'div'")
    p = density if density is not None else (lambda x: np.ones_like(x))
    t, w = _gauss01(n)
    s, v = t[:, None], t[None, :]  # (n, 1), (1, n): outer variable x1 = s, inner parameter v
    ws = w[:, None] * w[None, :]  # (n, n)
    if op == "mul":
        # D1: 0 <= x2 < 1 - x1;  D2: 1 - x1 <= x2 < 1
        lo1, hi1 = 0.0 * s, 1 - s
        lo2, hi2 = 1 - s, 1.0 + 0.0 * s
        err: Callable[[ArrayLike, ArrayLike], NDArray[np.floating]] = mul_rel_error
    else:
        # D1: 0 <= x2 <= x1;  D2: x1 < x2 < 1
        lo1, hi1 = 0.0 * s, s
        lo2, hi2 = s, 1.0 + 0.0 * s
        err = div_rel_error
    parts = []
    for lo, hi in ((lo1, hi1), (lo2, hi2)):
        x2 = lo + (hi - lo) * v  # (n, n) nodes of the inner interval [lo(x1), hi(x1)]
        x1 = np.broadcast_to(s, x2.shape)
        # both branches agree on the boundary line, so ε is continuous and smooth on each piece
        e = err(x1, x2)
        # ∫_0^1 p(x1) ∫_lo^hi ε p(x2) dx2 dx1, with dx2 = (hi - lo) dv
        parts.append(float(np.sum(ws * e * p(x1) * p(x2) * (hi - lo))))
    return parts[0], parts[1]

