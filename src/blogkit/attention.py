r"""Performer's positive random features and Transformer-VQ: two ways to linearise ``exp(q·k)``.

Implements the post ``performer-vq`` (from 苏剑林,《我在Performer中发现了Transformer-VQ的踪迹》,
2023-11-29).

* Performer: for :math:`\omega\sim\mathcal N(0,I_d)`,
  :math:`e^{q\cdot k}=\mathbb E_\omega\big[e^{\omega\cdot q-|q|^2/2}\,e^{\omega\cdot k-|k|^2/2}\big]`;
  with :math:`m` draws stacked as the rows of :math:`W` the features
  :math:`\varphi(x)=e^{Wx-|x|^2/2}/\sqrt m` give the unbiased estimate
  :math:`\varphi(q)\cdot\varphi(k)` whose relative variance is :math:`(e^{|q+k|^2}-1)/m`.
* Transformer-VQ: keys replaced by their nearest codewords, :math:`\hat K=\Delta C` with a one-hot
  :math:`\Delta`, so :math:`\exp(Q\hat K^\top)V=\exp(QC^\top)(\Delta^\top V)`, linear in the length.
* The link: the Performer estimate *is* a codebook attention with the codebook :math:`W` and a soft
  assignment :math:`\operatorname{softmax}_j(\omega_j\cdot k)`; weighting finitely many nodes
  :math:`c_j` by the Gaussian density instead gives the assignment
  :math:`\operatorname{softmax}_j\big((k\cdot c_j-|c_j|^2/2)/\tau\big)`, whose hard limit
  :math:`\tau\to0` is the nearest codeword, i.e. VQ.

Inputs are numpy arrays or torch tensors; each function returns the kind (and dtype, and device)
of its first array argument and computes in its floating dtype (float64 in, float64 out; integer
inputs are promoted to float64). Attention functions take ``q`` (..., n_q, d), ``k`` (..., n_k, d),
``v`` (..., n_k, d_v) and apply no ``1/sqrt(d)`` scale: fold it into ``q`` if wanted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "codebook_weights",
    "error_summary",
    "favor_attention",
    "gaussian_projection",
    "kernel_estimates",
    "max_inner_product_assign",
    "orthogonal_gaussian",
    "performer_as_soft_vq",
    "performer_features",
    "power_law_slope",
    "prf_relative_variance",
    "prf_rms_error",
    "relative_errors",
    "soft_vq_attention",
    "softmax_attention",
    "unit_pair",
    "vq_assign",
    "vq_attention",
    "vq_margin",
]

Array = Any  # a numpy array or a torch tensor


# -- numpy / torch plumbing --------------------------------------------------------------------------


def _is_torch(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _float(x: Any) -> Array:
    """``x`` as a floating array of its own kind (integers and lists become float64)."""
    if _is_torch(x):
        import torch

        return x if torch.is_floating_point(x) else x.to(torch.float64)
    a = np.asarray(x)
    return a if np.issubdtype(a.dtype, np.floating) else a.astype(np.float64)


def _like(a: Any, ref: Array) -> Array:
    """``a`` converted to the kind, dtype and device of the floating array ``ref``."""
    if _is_torch(ref):
        import torch

        return torch.as_tensor(a, dtype=ref.dtype, device=ref.device)
    if _is_torch(a):
        a = a.detach().cpu().numpy()
    return np.asarray(a, dtype=ref.dtype)


def _sq_norm(x: Array) -> Array:
    """|x|^2 over the last axis, keeping it (shape (..., 1))."""
    if _is_torch(x):
        return (x * x).sum(dim=-1, keepdim=True)
    return (x * x).sum(axis=-1, keepdims=True)


def _t(x: Array) -> Array:
    return x.transpose(-1, -2) if _is_torch(x) else np.swapaxes(x, -1, -2)


def _exp(x: Array) -> Array:
    return x.exp() if _is_torch(x) else np.exp(x)


def _max_last(x: Array) -> Array:
    return x.amax(dim=-1, keepdim=True) if _is_torch(x) else x.max(axis=-1, keepdims=True)


def _softmax_last(z: Array) -> Array:
    e = _exp(z - _max_last(z))  # shifting by the row maximum changes nothing but the overflow
    return e / (e.sum(dim=-1, keepdim=True) if _is_torch(e) else e.sum(axis=-1, keepdims=True))


def _ones_col(v: Array) -> Array:
    """A column of ones shaped like ``v[..., :1]`` (same kind, dtype and device)."""
    if _is_torch(v):
        import torch

        return torch.ones_like(v[..., :1])
    return np.ones_like(v[..., :1])


def _argmax_last(x: Array) -> Array:
    return x.argmax(dim=-1) if _is_torch(x) else np.argmax(x, axis=-1)


def _rng(seed: int | np.random.Generator) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


# -- projections -------------------------------------------------------------------------------------


def gaussian_projection(m: int, d: int, seed: int | np.random.Generator = 0) -> NDArray[np.float64]:
    r"""``m`` independent draws :math:`\omega_j\sim\mathcal N(0,I_d)` as the rows of an (m, d) array."""
    return _rng(seed).standard_normal((m, d))


def orthogonal_gaussian(m: int, d: int, seed: int | np.random.Generator = 0) -> NDArray[np.float64]:
    r"""Performer's orthogonal random features: (m, d) rows, each marginally :math:`\mathcal N(0,I_d)`.

    The rows come in blocks of ``d``: inside a block the directions are an orthonormal basis drawn
    from the Haar measure (QR of a Gaussian matrix with the signs of ``diag(R)`` fixed) and each
    row gets an independent :math:`\chi_d` length (the norm of a fresh Gaussian vector), so one
    row alone is distributed exactly as a Gaussian vector, while rows of a block are orthogonal.
    """
    rng = _rng(seed)
    nb = -(-m // d)
    q, r = np.linalg.qr(rng.standard_normal((nb, d, d)))
    q = q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]  # Haar-distributed blocks
    lengths = np.linalg.norm(rng.standard_normal((nb, d, d)), axis=-1)  # chi_d row lengths
    return (np.swapaxes(q, -1, -2) * lengths[..., None]).reshape(nb * d, d)[:m]


# -- Performer ---------------------------------------------------------------------------------------


def performer_features(x: Array, w: Array) -> Array:
    r"""Positive random features :math:`\varphi(x)=e^{Wx-|x|^2/2}/\sqrt m`.

    Implements Eq. \eqref{eq:performer-vq-features} of the post performer-vq. ``x`` has shape
    (..., d) and ``w`` (m, d), one draw :math:`\omega_j` per row; the result has shape (..., m), is
    positive, and :math:`\varphi(q)\cdot\varphi(k)` is an unbiased estimate of :math:`e^{q\cdot k}`
    when the rows of ``w`` are :math:`\mathcal N(0,I_d)`. numpy in, numpy out; torch in, torch out.
    """
    x = _float(x)
    w = _like(w, x)
    m = w.shape[-2]
    # φ(x) = exp(W x − |x|²/2) / √m
    return _exp(x @ _t(w) - _sq_norm(x) / 2) / math.sqrt(m)


def kernel_estimates(q: Array, k: Array, ms: int | list[int], reps: int,
                     seed: int | np.random.Generator = 0, orthogonal: bool = False
                     ) -> NDArray[np.floating]:
    r"""Independent Performer estimates :math:`\varphi(q)\cdot\varphi(k)` of :math:`e^{q\cdot k}`.

    Each of the ``reps`` repetitions draws one projection with ``max(ms)`` rows (i.i.d. Gaussian,
    or orthogonal blocks with ``orthogonal=True``) and estimates with its first ``m`` rows for every
    ``m`` in ``ms`` (nested feature sets: "adding features" to the same draw). ``q`` and ``k``
    have shape (..., d); the result has shape (reps, len(ms), ...), or (reps, ...) for an integer
    ``ms``. numpy only; the same ``seed`` gives the same projections whatever the pairs are.
    """
    q = np.asarray(_float(q))
    k = np.asarray(k, dtype=q.dtype)
    sizes = [ms] if isinstance(ms, int) else list(ms)
    rng = _rng(seed)
    draw = orthogonal_gaussian if orthogonal else gaussian_projection
    out = np.empty((reps, len(sizes), *np.broadcast_shapes(q.shape, k.shape)[:-1]), dtype=q.dtype)
    for r in range(reps):
        w = draw(max(sizes), q.shape[-1], rng).astype(q.dtype)
        for i, m in enumerate(sizes):
            out[r, i] = (performer_features(q, w[:m]) * performer_features(k, w[:m])).sum(axis=-1)
    return out[:, 0] if isinstance(ms, int) else out


def relative_errors(q: Array, k: Array, ms: int | list[int], reps: int,
                    seed: int | np.random.Generator = 0, orthogonal: bool = False
                    ) -> NDArray[np.floating]:
    r"""Relative errors :math:`\varphi(q)\cdot\varphi(k)/e^{q\cdot k}-1` of :func:`kernel_estimates`."""
    est = kernel_estimates(q, k, ms, reps, seed, orthogonal)
    q, k = np.asarray(_float(q)), np.asarray(_float(k))
    # relative error = estimate / e^{q·k} − 1
    return est / np.exp((q * k).sum(axis=-1)) - 1


def error_summary(errors: Array) -> tuple[NDArray[np.floating], NDArray[np.floating], NDArray[np.floating]]:
    r"""``(mean, standard error of the mean, root mean square)`` of ``errors`` over the first axis.

    The standard error is :math:`s/\sqrt{R}` with the sample standard deviation :math:`s`
    (``ddof=1``) of the :math:`R` repetitions.
    """
    e = np.asarray(errors)
    reps = e.shape[0]
    return e.mean(axis=0), e.std(axis=0, ddof=1) / math.sqrt(reps), np.sqrt((e * e).mean(axis=0))


def power_law_slope(x: Array, y: Array) -> float:
    r"""Least-squares slope of :math:`\log y` against :math:`\log x` (the exponent of y ∝ x^p)."""
    lx, ly = np.log(np.asarray(x, dtype=np.float64)), np.log(np.asarray(y, dtype=np.float64))
    # p = Σ (log x − mean)(log y − mean) / Σ (log x − mean)²
    dx = lx - lx.mean()
    return float((dx * (ly - ly.mean())).sum() / (dx * dx).sum())


def prf_relative_variance(q: Array, k: Array) -> Array:
    r"""Relative variance of one positive random feature product: :math:`e^{|q+k|^2}-1`.

    Implements Eq. \eqref{eq:performer-vq-variance} of the post performer-vq: with
    :math:`X=e^{\omega\cdot(q+k)-|q|^2/2-|k|^2/2}` and :math:`\omega\sim\mathcal N(0,I)`,
    :math:`\operatorname{Var}X/(\mathbb EX)^2=e^{|q+k|^2}-1`.
    """
    q = _float(q)
    s = q + _like(k, q)
    # Var X / (E X)² = e^{|q+k|²} − 1
    return _exp(_sq_norm(s)[..., 0]) - 1


def prf_rms_error(q: Array, k: Array, m: int) -> Array:
    r"""Root-mean-square relative error of the m-feature estimate: :math:`\sqrt{(e^{|q+k|^2}-1)/m}`.

    Implements Eq. \eqref{eq:performer-vq-rms} of the post performer-vq (for i.i.d. Gaussian rows;
    the m feature products are independent, so the variance of their mean is divided by m).
    """
    # RMS relative error = √((e^{|q+k|²} − 1) / m)
    return (prf_relative_variance(q, k) / m) ** 0.5


def unit_pair(d: int, cos: float, seed: int | np.random.Generator = 0
              ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""Two unit vectors ``q, k`` in :math:`\mathbb R^d` with :math:`q\cdot k=` ``cos`` (random directions).

    ``q`` is a random direction; ``k = cos·q + sin·u`` with ``u`` a random unit vector orthogonal
    to ``q`` (Gram–Schmidt), so :math:`|q+k|^2=2+2\cos`.
    """
    if not -1.0 <= cos <= 1.0:
        raise ValueError("cos must lie in [-1, 1]")
    rng = _rng(seed)
    g = rng.standard_normal((2, d))
    q = g[0] / np.linalg.norm(g[0])
    u = g[1] - (g[1] @ q) * q
    u /= np.linalg.norm(u)
    return q, cos * q + math.sqrt(1.0 - cos * cos) * u


# -- attention ---------------------------------------------------------------------------------------


def softmax_attention(q: Array, k: Array, v: Array) -> Array:
    r"""Exact attention :math:`\operatorname{softmax}(QK^\top)V` (rows of the softmax sum to one).

    Implements Eq. \eqref{eq:performer-vq-attention} of the post performer-vq; no scale is applied.
    """
    q = _float(q)
    k, v = _like(k, q), _like(v, q)
    # softmax over the keys of Q Kᵀ, then times V
    return _softmax_last(q @ _t(k)) @ v


def favor_attention(q: Array, k: Array, v: Array, w: Array) -> Array:
    r"""Performer (FAVOR+) attention with the features of :func:`performer_features`, linear in n.

    :math:`\varphi(Q)\big(\varphi(K)^\top V\big)\big/\varphi(Q)\big(\varphi(K)^\top\mathbf 1\big)`:
    the n×n matrix is never formed.
    """
    q = _float(q)
    k, v = _like(k, q), _like(v, q)
    fq, fk = performer_features(q, w), performer_features(k, w)
    ones = _ones_col(fk)
    # numerator φ(Q)(φ(K)ᵀ V), denominator φ(Q)(φ(K)ᵀ 1)
    return (fq @ (_t(fk) @ v)) / (fq @ (_t(fk) @ ones))


def performer_as_soft_vq(k: Array, w: Array) -> tuple[Array, Array]:
    r"""The Performer keys rewritten as a soft codebook assignment: ``(assign, key_weights)``.

    Implements Eqs. \eqref{eq:performer-vq-assign} and \eqref{eq:performer-vq-softvq} of the post
    performer-vq:
    :math:`\varphi_j(k)=s(k)\,a_j(k)` with :math:`a_j(k)=\operatorname{softmax}_j(\omega_j\cdot k)`
    (the :math:`|k|^2/2` cancels inside the softmax) and :math:`s(k)=\sum_j\varphi_j(k)`. Hence
    ``favor_attention(q, k, v, w)`` equals ``soft_vq_attention(q, w, assign, v, key_weights)``
    exactly: Performer is a codebook attention whose codebook is :math:`W`.
    """
    k = _float(k)
    w = _like(w, k)
    assign = _softmax_last(k @ _t(w))  # a_j(k) = softmax_j(ω_j · k)
    f = performer_features(k, w)
    key_weights = f.sum(dim=-1) if _is_torch(f) else f.sum(axis=-1)  # s(k) = Σ_j φ_j(k)
    return assign, key_weights


def codebook_weights(k: Array, codebook: Array, tau: float = 1.0, bias: bool = True) -> Array:
    r"""Soft assignment of keys to codewords, :math:`\operatorname{softmax}_j((k\cdot c_j-|c_j|^2/2)/\tau)`.

    Implements Eq. \eqref{eq:performer-vq-density} of the post performer-vq: normalising the
    Gaussian weights :math:`\mathcal N(c_j;k,\tau I)` over the codewords gives exactly
    :math:`\operatorname{softmax}_j(-|k-c_j|^2/2\tau)`, and :math:`|k|^2` cancels. With
    ``bias=False`` the :math:`-|c_j|^2/2` term is dropped (the assignment that the Monte Carlo
    form :func:`performer_as_soft_vq` has, for ``tau=1``). ``k`` (..., d), ``codebook`` (c, d).
    """
    k = _float(k)
    c = _like(codebook, k)
    logits = k @ _t(c)
    if bias:
        logits = logits - _t(_sq_norm(c)) / 2  # k·c_j − |c_j|²/2 = −|k − c_j|²/2 + |k|²/2
    return _softmax_last(logits / tau)


def vq_assign(k: Array, codebook: Array) -> Array:
    r"""Index of the nearest codeword, :math:`\operatorname{argmin}_j|k-c_j|`, for keys (..., d).

    Implements Eq. \eqref{eq:performer-vq-argmax} of the post performer-vq: it computes
    :math:`\operatorname{argmax}_j(k\cdot c_j-|c_j|^2/2)`, the same index since
    :math:`|k-c_j|^2=|k|^2-2(k\cdot c_j-|c_j|^2/2)`. Returns integer indices of shape (...,):
    a numpy ``intp`` array for numpy input, an ``int64`` tensor for torch input.
    """
    k = _float(k)
    c = _like(codebook, k)
    # argmin_j |k − c_j|² = argmax_j (k·c_j − |c_j|²/2)
    return _argmax_last(k @ _t(c) - _t(_sq_norm(c)) / 2)


def vq_margin(k: Array, codebook: Array) -> Array:
    r"""Gap between the runner-up and the nearest codeword, :math:`(|k-c_{(2)}|^2-|k-c_{(1)}|^2)/2`.

    The soft assignment :func:`codebook_weights` at temperature :math:`\tau` leaves the weight
    ratio :math:`e^{-\text{margin}/\tau}` on the runner-up, so it is close to one-hot only for
    :math:`\tau\ll` margin. Needs at least two codewords; returns shape (...,).
    """
    k = _float(k)
    c = _like(codebook, k)
    score = k @ _t(c) - _t(_sq_norm(c)) / 2  # = −|k − c_j|²/2 + |k|²/2
    if _is_torch(score):
        top = score.topk(2, dim=-1).values
        return top[..., 0] - top[..., 1]
    top = np.sort(score, axis=-1)
    return top[..., -1] - top[..., -2]


def max_inner_product_assign(k: Array, codebook: Array) -> Array:
    r""":math:`\operatorname{argmax}_j\,k\cdot c_j`: the hard limit of the Monte Carlo assignment.

    It agrees with :func:`vq_assign` when all codewords have the same norm, not in general.
    """
    k = _float(k)
    return _argmax_last(k @ _t(_like(codebook, k)))


def soft_vq_attention(q: Array, codebook: Array, assign: Array, v: Array,
                      key_weights: Array | None = None) -> Array:
    r"""Codebook attention :math:`\exp(QC^\top)(A^\top GV)\big/\exp(QC^\top)(A^\top G\mathbf 1)`.

    Implements Eqs. \eqref{eq:performer-vq-linear} and \eqref{eq:performer-vq-codebook} of the post
    performer-vq with the one-hot
    :math:`\Delta` generalised to any assignment ``assign`` = :math:`A` (..., n_k, c) and optional
    per-key weights ``key_weights`` = :math:`\operatorname{diag}G` (..., n_k). Cost
    :math:`O((n_q+n_k)\,c\,d)`: no n×n matrix is formed.
    """
    q = _float(q)
    c = _like(codebook, q)
    a, v = _like(assign, q), _like(v, q)
    if key_weights is not None:
        a = a * _like(key_weights, q)[..., None]  # G A: weight every key's row
    logits = q @ _t(c)
    e = _exp(logits - _max_last(logits))  # a per-query constant cancels between num and den
    ones = _ones_col(v)
    # exp(Q Cᵀ)(Aᵀ G V) / exp(Q Cᵀ)(Aᵀ G 1)
    return (e @ (_t(a) @ v)) / (e @ (_t(a) @ ones))


def vq_attention(q: Array, codebook: Array, idx: Array, v: Array) -> Array:
    r"""Transformer-VQ attention :math:`\exp(QC^\top)(\Delta^\top V)/\exp(QC^\top)(\Delta^\top\mathbf 1)`.

    Implements Eq. \eqref{eq:performer-vq-linear} of the post performer-vq: ``idx`` (..., n_k) are
    the codeword indices of the keys (e.g. from :func:`vq_assign`) and :math:`\Delta` is their
    one-hot matrix, so the result equals :func:`softmax_attention` with the quantised keys
    :math:`\hat K=\Delta C` (Eq. \eqref{eq:performer-vq-vq}), at a cost linear in the length.
    """
    q = _float(q)
    c = _like(codebook, q)
    n_codes = c.shape[-2]
    if _is_torch(q):
        import torch

        delta = torch.nn.functional.one_hot(torch.as_tensor(idx, device=q.device).long(),
                                            n_codes).to(q.dtype)
    else:
        delta = (np.asarray(idx)[..., None] == np.arange(n_codes)).astype(q.dtype)  # one-hot Δ
    # Codes no key uses get Δ-column zero; the per-query shift then must come from used codes
    # only, or a large unused logit could underflow every used one.
    used = delta.reshape(-1, n_codes).sum(0)  # how many keys (over all batches) use each code
    logits = q @ _t(c)
    if _is_torch(logits):
        shift = logits.masked_fill(used == 0, float("-inf")).amax(dim=-1, keepdim=True)
    else:
        shift = np.where(used == 0, -np.inf, logits).max(axis=-1, keepdims=True)
    e = _exp(logits - shift)
    v = _like(v, q)
    ones = _ones_col(v)
    # exp(Q Cᵀ)(Δᵀ V) / exp(Q Cᵀ)(Δᵀ 1)
    return (e @ (_t(delta) @ v)) / (e @ (_t(delta) @ ones))
