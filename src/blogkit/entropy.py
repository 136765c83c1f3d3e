r"""Entropy-invariant softmax: how the softmax temperature must grow with the length n.

Implements the post ``entropy-softmax`` (from 苏剑林,《熵不变性Softmax的一个快速推导》,
2022-04-11; companion article《从熵不变性看Attention的Scale操作》, 2021-12).

For scores :math:`s_1,\dots,s_n` and an inverse temperature :math:`\lambda\ge 0` let
:math:`p_i = e^{\lambda s_i}/\sum_j e^{\lambda s_j}`. Its entropy is

.. math:: H = \log\sum_i e^{\lambda s_i} - \lambda\sum_i p_i s_i ,

and the quick approximation :math:`\log\sum_i e^{\lambda s_i}\approx\log n+\lambda\bar s`,
:math:`\sum_i p_i s_i\approx s_{\max}` gives :math:`H\approx\log n-\lambda(s_{\max}-\bar s)`,
so a constant entropy asks for :math:`\lambda\propto\log n`, i.e. the attention scale
:math:`\kappa\log n/d`. Both approximations err on the same side, so the approximation is a
lower bound of :math:`H` for every :math:`\lambda\ge 0`.

Scores are numpy arrays; the softmax runs along the last axis and every leading axis is a
batch axis. Functions compute in the dtype they are given (float64 in, float64 out).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "bounded_lambda_asymptotic",
    "chi_mean",
    "entropy_derivative",
    "entropy_invariant_scale",
    "fit_log_law",
    "gaussian_max_mean",
    "gaussian_mean_field_lambda",
    "growth_ratios",
    "kappa_for_scale",
    "lambda_for_entropy",
    "mean_entropy",
    "mean_growth",
    "qk_spread",
    "qk_spread_expected",
    "quick_entropy_approx",
    "quick_lambda",
    "sample_scores",
    "score_spread",
    "softmax_entropy",
    "uniform_mean_field_entropy",
]


def _scores(scores: ArrayLike) -> NDArray[np.floating]:
    s = np.asarray(scores)
    if not np.issubdtype(s.dtype, np.floating):
        s = s.astype(np.float64)
    if s.ndim == 0 or s.shape[-1] == 0:
        raise ValueError("scores need a non-empty last axis")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite")
    return s


def _lam(lam: ArrayLike, dtype: np.dtype) -> NDArray[np.floating] | float:
    lam_arr = np.asarray(lam)
    if lam_arr.ndim == 0:
        return dtype.type(lam_arr)  # keep float32 scores in float32
    return lam_arr.astype(dtype)


def _softmax_parts(s: NDArray[np.floating], lam: ArrayLike
                   ) -> tuple[NDArray[np.floating], NDArray[np.floating], NDArray[np.floating]]:
    """``(p, log Z', gap)`` with ``z = λ s``, ``m = max z``, ``Z' = Σ e^{z - m}``, ``gap = m - z``."""
    z = _lam(lam, s.dtype) * s
    m = z.max(axis=-1, keepdims=True)
    gap = m - z  # >= 0: the log-sum-exp is shifted by the row maximum, nothing overflows
    e = np.exp(-gap)
    zsum = e.sum(axis=-1, keepdims=True)
    return e / zsum, np.log(zsum), gap


def softmax_entropy(scores: ArrayLike, lam: ArrayLike = 1.0) -> NDArray[np.floating]:
    r"""Entropy (nats) of :math:`\operatorname{softmax}(\lambda s)` along the last axis.

    Implements Eq. \eqref{eq:entropy-softmax-entropy} of the post entropy-softmax.
    ``lam`` is a scalar or an array that broadcasts against ``scores``; the result has the
    broadcast shape without the last axis.
    """
    s = _scores(scores)
    p, log_zsum, gap = _softmax_parts(s, lam)
    # H = log Σ_i e^{λ s_i} - λ Σ_i p_i s_i, with both terms shifted by m = max_i λ s_i:
    # H = log Σ_i e^{λ s_i - m} + Σ_i p_i (m - λ s_i), a sum of two non-negative terms.
    return log_zsum[..., 0] + (p * gap).sum(axis=-1)


def entropy_derivative(scores: ArrayLike, lam: ArrayLike = 1.0) -> NDArray[np.floating]:
    r""":math:`\mathrm{d}H/\mathrm{d}\lambda` along the last axis.

    Implements Eq. \eqref{eq:entropy-softmax-dH} of the post entropy-softmax:
    :math:`\mathrm{d}H/\mathrm{d}\lambda = -\lambda\operatorname{Var}_p(s)`, never positive
    for :math:`\lambda\ge 0`.
    """
    s = _scores(scores)
    p, _, _ = _softmax_parts(s, lam)
    mean = (p * s).sum(axis=-1, keepdims=True)
    # Var_p(s) = Σ_i p_i (s_i - Σ_j p_j s_j)^2
    var = (p * (s - mean) ** 2).sum(axis=-1)
    # dH/dλ = -λ Var_p(s)
    return -(_lam(lam, s.dtype) * var[..., None])[..., 0]


def mean_entropy(scores: ArrayLike, lam: float) -> float:
    """Entropy of the softmax of every row of ``scores``, averaged over all rows."""
    return float(np.mean(softmax_entropy(scores, lam)))


def quick_entropy_approx(scores: ArrayLike, lam: ArrayLike = 1.0) -> NDArray[np.floating]:
    r"""The quick approximation :math:`\log n - \lambda(s_{\max} - \bar s)` of the entropy.

    Implements Eq. \eqref{eq:entropy-softmax-approx} of the post entropy-softmax. It equals the
    entropy at :math:`\lambda = 0` and is a lower bound of it for every :math:`\lambda \ge 0`
    (Jensen for the log-sum-exp, :math:`\sum_i p_i s_i \le s_{\max}` for the rest); it is not a
    good approximation at either end: its slope at 0 is :math:`-(s_{\max}-\bar s)` instead of 0,
    and it goes to :math:`-\infty` where the entropy tends to the log of the number of maxima.
    """
    s = _scores(scores)
    n = s.shape[-1]
    spread = s.max(axis=-1) - s.mean(axis=-1)
    # H ≈ log n - λ (s_max - s̄)
    return s.dtype.type(math.log(n)) - _lam(lam, s.dtype) * spread


def score_spread(scores: ArrayLike) -> float:
    r"""The gap :math:`s_{\max}-\bar s` of every row, averaged over the rows.

    This is the quantity the quick approximation (Eq. \eqref{eq:entropy-softmax-approx} of the
    post entropy-softmax) treats as independent of :math:`n`.
    """
    s = _scores(scores)
    return float(np.mean(s.max(axis=-1) - s.mean(axis=-1)))


def quick_lambda(scores: ArrayLike, target: float) -> float:
    r"""The :math:`\lambda` at which the quick approximation of the mean entropy equals ``target``.

    Solves :math:`\log n - \lambda\,\overline{(s_{\max}-\bar s)} = H` (Eq.
    \eqref{eq:entropy-softmax-approx} averaged over the rows). Because the approximation is a
    lower bound, the result never exceeds :func:`lambda_for_entropy` of the same scores.
    """
    s = _scores(scores)
    n = s.shape[-1]
    spread = score_spread(s)
    if spread == 0.0:
        raise ValueError("all rows are constant: the entropy does not depend on λ")
    # λ = (log n - H) / (s_max - s̄)
    return (math.log(n) - target) / spread


def _mean_log_ties(s: NDArray[np.floating]) -> float:
    ties = (s == s.max(axis=-1, keepdims=True)).sum(axis=-1)
    return float(np.mean(np.log(ties)))


def lambda_for_entropy(scores: ArrayLike, target: float, *, rtol: float | None = None,
                       max_iter: int = 200) -> float:
    r"""The :math:`\lambda^*\ge 0` at which the mean softmax entropy of the rows equals ``target``.

    The mean entropy decreases in :math:`\lambda` (Eq. \eqref{eq:entropy-softmax-dH} of the post
    entropy-softmax) from :math:`\log n` at 0 to the mean log number of row maxima as
    :math:`\lambda\to\infty`, so the root is unique for any ``target`` strictly inside that range.
    It is found by Newton steps on the exact derivative, kept inside a shrinking bracket
    (bisection when a step leaves it), started from the lower bound :func:`quick_lambda`.

    Args:
        scores: array ``(..., n)``; every row is one softmax.
        target: the mean entropy to reach, in nats.
        rtol: relative width of the final bracket (default: 1e-12 in float64, 1e-5 in float32).
        max_iter: iteration cap.
    """
    s = _scores(scores)
    n = s.shape[-1]
    top, floor = math.log(n), _mean_log_ties(s)
    if not floor < target <= top + 1e-12 * max(1.0, top):
        raise ValueError(f"target {target} is outside ({floor:.6g}, log n = {top:.6g}]")
    if target >= top:
        return 0.0
    if rtol is None:
        rtol = 1e-12 if s.dtype == np.float64 else 100 * float(np.finfo(s.dtype).eps)

    def f(lam: float) -> float:
        return mean_entropy(s, lam) - target

    lo = max(0.0, quick_lambda(s, target))  # f(lo) >= 0: the quick approximation is a lower bound
    hi = 2 * lo if lo > 0 else 1.0
    while f(hi) > 0:
        lo, hi = hi, 2 * hi
        if hi > 1e300:
            raise RuntimeError("no bracket found")
    lam = lo
    for _ in range(max_iter):
        val = f(lam)
        if val == 0.0:
            return lam
        if val > 0:
            lo = lam
        else:
            hi = lam
        if hi - lo <= rtol * hi:
            break
        slope = float(np.mean(entropy_derivative(s, lam)))
        step = lam - val / slope if slope < 0 else math.nan
        if lo < step < hi:
            if abs(step - lam) <= 0.01 * rtol * step:  # Newton has converged from one side
                return step
            lam = step
        else:
            lam = 0.5 * (lo + hi)
    return 0.5 * (lo + hi)


def entropy_invariant_scale(n: ArrayLike, d: int, kappa: float) -> NDArray[np.float64] | float:
    r"""The attention scale :math:`\kappa\log n/d` that replaces :math:`1/\sqrt d`.

    Implements Eq. \eqref{eq:entropy-softmax-attention} of the post entropy-softmax.
    """
    n_arr = np.asarray(n, dtype=np.float64)
    if np.any(n_arr < 1) or d < 1:
        raise ValueError("n and d must be positive")
    # λ = κ log n / d
    out = kappa * np.log(n_arr) / d
    return float(out) if out.ndim == 0 else out


def kappa_for_scale(lam: float, n: int, d: int) -> float:
    r"""The :math:`\kappa` with :math:`\kappa\log n/d = \lambda` (calibrate the law at one length).

    With ``lam = 1/sqrt(d)`` this makes Eq. \eqref{eq:entropy-softmax-attention} agree with
    the usual scale at length ``n``.
    """
    if n < 2:
        raise ValueError("log n must be positive: n >= 2")
    # κ = λ d / log n
    return lam * d / math.log(n)


def fit_log_law(n: ArrayLike, lam: ArrayLike, power: float = 1.0) -> tuple[float, float, float]:
    r"""Least-squares fit :math:`\lambda \approx a + b(\log n)^{\text{power}}`.

    Returns ``(a, b, r2)`` with :math:`R^2 = 1 - \mathrm{SS}_{\rm res}/\mathrm{SS}_{\rm tot}`.
    """
    x = np.log(np.asarray(n, dtype=np.float64)) ** power
    y = np.asarray(lam, dtype=np.float64)
    design = np.stack([np.ones_like(x), x], axis=1)
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - (a + b * x)
    # R² = 1 - Σ resid² / Σ (y - ȳ)²
    r2 = 1.0 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    return float(a), float(b), r2


def growth_ratios(values: ArrayLike) -> NDArray[np.float64]:
    """Ratios of consecutive values, ``values[1:] / values[:-1]`` (e.g. λ*(2n)/λ*(n))."""
    v = np.asarray(values, dtype=np.float64)
    return v[1:] / v[:-1]


def mean_growth(values: ArrayLike) -> float:
    """Geometric mean of the consecutive ratios, ``(values[-1] / values[0]) ** (1 / (len - 1))``."""
    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        raise ValueError("need at least two values")
    return float((v[-1] / v[0]) ** (1.0 / (v.size - 1)))


def uniform_mean_field_entropy(n: ArrayLike, lam: ArrayLike) -> NDArray[np.float64]:
    r"""Mean-field entropy for i.i.d. Uniform[-1, 1] scores.

    Implements Eq. \eqref{eq:entropy-softmax-meanfield} of the post entropy-softmax with the
    cumulant generating function :math:`\psi(\lambda)=\log(\sinh\lambda/\lambda)`:
    :math:`H \approx \log n - [\lambda\psi'(\lambda) - \psi(\lambda)]`. Valid while many scores
    share the softmax mass (:math:`1 \ll \lambda \ll n` or :math:`\lambda` small).
    """
    n_arr = np.asarray(n, dtype=np.float64)
    lam_arr = np.asarray(lam, dtype=np.float64)
    if np.any(lam_arr <= 0):
        raise ValueError("lam must be positive")
    # ψ(λ) = log(sinh λ / λ) = λ + log1p(-e^{-2λ}) - log(2λ), stable for large λ
    psi = lam_arr + np.log1p(-np.exp(-2 * lam_arr)) - np.log(2 * lam_arr)
    # ψ'(λ) = coth λ - 1/λ
    dpsi = 1.0 / np.tanh(lam_arr) - 1.0 / lam_arr
    # H ≈ log n - (λ ψ'(λ) - ψ(λ))
    return np.log(n_arr) - (lam_arr * dpsi - psi)


def gaussian_mean_field_lambda(n: ArrayLike, target: float, sigma: float = 1.0
                               ) -> NDArray[np.float64] | float:
    r"""Root of Eq. \eqref{eq:entropy-softmax-meanfield} of the post entropy-softmax for N(0, σ²) scores.

    With :math:`\psi(\lambda)=\sigma^2\lambda^2/2` the bracket is :math:`\sigma^2\lambda^2/2`, so
    :math:`\lambda\approx\sqrt{2(\log n-H)}/\sigma`. Only trustworthy while many scores share the
    mass (:math:`\sigma\lambda` well below :math:`\sqrt{2\log n}`).
    """
    log_n = np.log(np.asarray(n, dtype=np.float64))
    if np.any(log_n < target):
        raise ValueError("target must not exceed log n")
    # λ ≈ sqrt(2 (log n - H)) / σ
    out = np.sqrt(2.0 * (log_n - target)) / sigma
    return float(out) if out.ndim == 0 else out


def bounded_lambda_asymptotic(n: ArrayLike, target: float, top_density: float = 0.5
                              ) -> NDArray[np.float64] | float:
    r""":math:`\lambda^*\approx n f(s_{\max})\,e^{1-H}` for bounded scores with density ``f`` at the top.

    Implements Eq. \eqref{eq:entropy-softmax-linear} of the post entropy-softmax; the default
    ``top_density = 1/2`` is Uniform[-1, 1].
    """
    n_arr = np.asarray(n, dtype=np.float64)
    # λ* ≈ n f e^{1 - H}
    out = n_arr * top_density * math.exp(1.0 - target)
    return float(out) if out.ndim == 0 else out


def sample_scores(kind: str, batch: int, n: int, seed: int = 0, d: int = 64) -> NDArray[np.float64]:
    r"""Random score rows ``(batch, n)`` for the experiments of the post entropy-softmax.

    ``kind``:

    * ``"gaussian"``: i.i.d. :math:`N(0,1)`;
    * ``"qk"``: :math:`q\cdot k_i/\sqrt d` with one query :math:`q\sim N(0,I_d)` per row and keys
      :math:`k_i\sim N(0,I_d)` (unbounded, conditionally Gaussian given :math:`q`);
    * ``"uniform"``: i.i.d. Uniform[-1, 1] (bounded).

    The first ``m`` columns of a draw are a draw for length ``m`` (the same queries, fewer keys),
    so one draw at the largest ``n`` serves every shorter length.
    """
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        return rng.standard_normal((batch, n))
    if kind == "uniform":
        return rng.uniform(-1.0, 1.0, (batch, n))
    if kind == "qk":
        q = rng.standard_normal((batch, d))
        k = rng.standard_normal((batch, n, d))
        # s_i = q · k_i / sqrt(d)
        return np.einsum("bd,bnd->bn", q, k) / math.sqrt(d)
    raise ValueError(f"unknown kind {kind!r}: use 'gaussian', 'qk' or 'uniform'")


def chi_mean(d: int) -> float:
    r""":math:`\mathbb{E}\lVert q\rVert` for :math:`q\sim N(0, I_d)`.

    Equals :math:`\sqrt2\,\Gamma(\frac{d+1}2)/\Gamma(\frac d2)` (the mean of the chi distribution).
    Close to :math:`\sqrt{d}` (from below) for large ``d``.
    """
    if d < 1:
        raise ValueError("d must be positive")
    # E|q| = sqrt(2) Γ((d+1)/2) / Γ(d/2), through log-gamma to avoid overflow
    return math.sqrt(2.0) * math.exp(math.lgamma((d + 1) / 2) - math.lgamma(d / 2))


def gaussian_max_mean(n: int, points: int = 8001) -> float:
    r""":math:`\mathbb{E}\max_{i\le n} Z_i` for i.i.d. standard normal :math:`Z_i`, by quadrature.

    .. math:: \mathbb{E}\max_i Z_i = \int_{-\infty}^{\infty} x\,n\,\varphi(x)\,\Phi(x)^{n-1}\,\mathrm{d}x ,

    integrated with the trapezoid rule on :math:`[-12, 12]` (the integrand is below
    :math:`10^{-30}` outside for every ``n`` up to :math:`10^{9}`). Grows like
    :math:`\sqrt{2\log n}` as :math:`n\to\infty`, slowly and from below.
    """
    if n < 1:
        raise ValueError("n must be positive")
    x = np.linspace(-12.0, 12.0, points)
    phi = np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    # Φ(x) = (1 + erf(x / sqrt 2)) / 2, and log Φ(x)^{n-1} = (n - 1) log Φ(x)
    cdf = 0.5 * (1.0 + np.array([math.erf(v / math.sqrt(2.0)) for v in x]))
    log_pow = (n - 1) * np.log(np.maximum(cdf, 1e-300))
    integrand = x * n * phi * np.exp(log_pow)
    return float(np.trapezoid(integrand, x))


def qk_spread_expected(n: int, d: int) -> float:
    r"""Expected :math:`s_{\max}-\bar s` of raw scores :math:`s_i = q\cdot k_i`, :math:`q,k_i\sim N(0,I_d)`.

    Implements Eq. \eqref{eq:entropy-softmax-generic} of the post entropy-softmax. Given
    :math:`q` the scores are i.i.d. :math:`N(0,\lVert q\rVert^2)` and :math:`\bar s` has mean
    zero, so

    .. math:: \mathbb{E}[s_{\max}-\bar s] = \mathbb{E}\lVert q\rVert\cdot\mathbb{E}\max_{i\le n}Z_i
              \approx \sqrt{d}\,\sqrt{2\log n}.
    """
    # E[s_max - s̄] = E|q| · E max_i Z_i
    return chi_mean(d) * gaussian_max_mean(n)


def qk_spread(ns: ArrayLike, d: int, batch: int = 16, seed: int = 0
              ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Measured :math:`s_{\max}-\bar s` of raw scores :math:`q\cdot k_i` and its worst-case bound.

    One query :math:`q\sim N(0,I_d)` per row and keys :math:`k_i\sim N(0,I_d)`, drawn in float32;
    length ``n`` uses the first ``n`` keys. Returns two arrays over ``ns``: the mean over rows of
    :math:`s_{\max}-\bar s`, and the mean of the Cauchy--Schwarz bound (Eq.
    \eqref{eq:entropy-softmax-cs} of the post entropy-softmax)
    :math:`2\lVert q\rVert\max_i\lVert k_i\rVert \ge s_{\max}-\bar s`, which is of order
    :math:`2d` whatever ``n``.
    """
    ns_arr = np.asarray(ns, dtype=np.int64)
    n_max = int(ns_arr.max())
    rng = np.random.default_rng(seed)
    spread = np.zeros((batch, ns_arr.size))
    bound = np.zeros((batch, ns_arr.size))
    for b in range(batch):  # one row at a time keeps the keys (n_max, d) small
        q = rng.standard_normal(d, dtype=np.float32)  # (d,)
        k = rng.standard_normal((n_max, d), dtype=np.float32)  # (n_max, d)
        s = (k @ q).astype(np.float64)  # (n_max,): raw scores, no 1/sqrt(d)
        kn = np.linalg.norm(k, axis=-1)  # (n_max,)
        for j, n in enumerate(ns_arr):
            spread[b, j] = s[:n].max() - s[:n].mean()
            # s_max - s̄ <= |s_max| + |s̄| <= 2 |q| max_i |k_i|
            bound[b, j] = 2 * float(np.linalg.norm(q)) * float(kn[:n].max())
    return spread.mean(axis=0), bound.mean(axis=0)
