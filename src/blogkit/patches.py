r"""Images as sequences of patches: lossless (continuous) versus lossy (vector-quantised) input.

Implements the post ``multimodal-lossless-input`` (from 苏剑林,
《“闭门造车”之多模态思路浅谈(一):无损输入》, 2024-02-21).

An image :math:`X\in\mathbb{R}^{H\times W\times c}` is cut into :math:`p\times p` patches, each
flattened to a vector of :math:`n = p^2c` numbers (:func:`patchify`, inverse
:func:`unpatchify`). Two ways of feeding a patch to a model are compared:

* **VQ**: the patch is replaced by the index of its nearest code vector in a codebook
  :math:`\mathcal{C}`, which carries at most :math:`\log_2|\mathcal{C}|` bits, against the
  :math:`p^2cb` bits of the raw patch at :math:`b` bits per channel (:func:`raw_bits`,
  :func:`vq_bits`, :func:`compression_ratio`). A numpy k-means (:func:`kmeans`) builds a toy
  codebook from patches (its assignment step is :func:`blogkit.attention.vq_assign`);
  :func:`psnr` measures what is lost.
* **continuous**: the patch goes through a linear map :math:`z = Wx` with
  :math:`W\in\mathbb{R}^{D\times n}`, which loses nothing exactly when :math:`\operatorname{rank}W = n`
  (:func:`embed`, :func:`recover`, :func:`embedding_rank`, :func:`null_space`,
  :func:`embedding_summary`).

Array functions accept numpy arrays; :func:`patchify` and :func:`unpatchify` also accept torch
tensors and return the same kind, dtype and device (torch is never imported here). Floating
inputs are computed in their own dtype; integer inputs (8-bit images) are promoted to float64
where arithmetic is needed.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

# The nearest codeword is the same step as Transformer-VQ's key quantisation: one function.
from blogkit.attention import vq_assign

__all__ = [
    "EmbeddingSummary",
    "compression_ratio",
    "condition_number",
    "embed",
    "embedding_rank",
    "embedding_summary",
    "kmeans",
    "null_space",
    "patchify",
    "psnr",
    "raw_bits",
    "recover",
    "synthetic_image",
    "unpatchify",
    "vq_bits",
    "vq_reconstruct",
]


# -- patches ------------------------------------------------------------------------------------
def _is_torch(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _permute(x: Any, perm: tuple[int, ...]) -> Any:
    return x.permute(*perm) if _is_torch(x) else np.transpose(x, perm)


def _check_patch(p: int) -> None:
    if not isinstance(p, int | np.integer) or p < 1:
        raise ValueError(f"the patch size must be a positive integer, got {p!r}")


def patchify(img: Any, p: int) -> Any:
    r"""Cut an image ``(..., H, W, c)`` into patches ``(..., (H/p)(W/p), p*p*c)``.

    Patches are numbered row by row (patch :math:`(i, j)` is number :math:`i\,W/p + j`); inside a
    patch the entries are ordered row, column, channel:

    .. math:: P_{iW/p+j,\;(up+v)c+k} = X_{ip+u,\;jp+v,\;k}.

    Leading axes are batch axes. Works on numpy arrays and torch tensors; the result has the
    input's kind, dtype and device. Raises ``ValueError`` if ``H`` or ``W`` is not divisible
    by ``p``.

    Implements Eq. \eqref{eq:multimodal-lossless-input-patchify} of the post
    multimodal-lossless-input.
    """
    _check_patch(p)
    if img.ndim < 3:
        raise ValueError(f"expected an image of shape (..., H, W, c), got shape {tuple(img.shape)}")
    *batch, h, w, c = img.shape
    if h % p or w % p:
        raise ValueError(f"image size {h}x{w} is not divisible by the patch size {p}")
    nb = len(batch)
    # P[i W/p + j, (u p + v) c + k] = X[i p + u, j p + v, k]:
    # (..., H/p, p, W/p, p, c) -> (..., H/p, W/p, p, p, c), then flatten
    x = img.reshape(*batch, h // p, p, w // p, p, c)
    x = _permute(x, (*range(nb), nb, nb + 2, nb + 1, nb + 3, nb + 4))
    return x.reshape(*batch, (h // p) * (w // p), p * p * c)


def unpatchify(patches: Any, p: int, height: int, width: int) -> Any:
    r"""Inverse of :func:`patchify`: ``(..., (H/p)(W/p), p*p*c)`` back to ``(..., H, W, c)``.

    The number of channels is read off the last axis. Same kind, dtype and device as the input.
    Raises ``ValueError`` if the sizes do not fit together.

    Implements the inverse of Eq. \eqref{eq:multimodal-lossless-input-patchify} of the post
    multimodal-lossless-input.
    """
    _check_patch(p)
    if height % p or width % p:
        raise ValueError(f"image size {height}x{width} is not divisible by the patch size {p}")
    if patches.ndim < 2:
        raise ValueError(f"expected patches of shape (..., N, p*p*c), got {tuple(patches.shape)}")
    *batch, num, dim = patches.shape
    hp, wp = height // p, width // p
    if num != hp * wp or dim % (p * p):
        raise ValueError(f"patches of shape {tuple(patches.shape)} do not tile a {height}x{width} "
                         f"image with patch size {p}")
    c = dim // (p * p)
    nb = len(batch)
    x = patches.reshape(*batch, hp, wp, p, p, c)
    x = _permute(x, (*range(nb), nb, nb + 2, nb + 1, nb + 3, nb + 4))
    return x.reshape(*batch, height, width, c)


# -- bits ---------------------------------------------------------------------------------------
def raw_bits(p: int, channels: int = 3, bitdepth: int = 8) -> int:
    r"""Bits of one raw :math:`p\times p` patch: :math:`p^2 c\,b`.

    Implements Eq. \eqref{eq:multimodal-lossless-input-bits} of the post multimodal-lossless-input.
    """
    _check_patch(p)
    if channels < 1 or bitdepth < 1:
        raise ValueError("channels and bitdepth must be positive")
    # p^2 c b
    return int(p) * int(p) * int(channels) * int(bitdepth)


def vq_bits(codebook_size: int, codes_per_patch: int = 1) -> float:
    r"""Bits carried by the VQ code(s) of one patch: :math:`\log_2|\mathcal{C}|` per code.

    Implements Eq. \eqref{eq:multimodal-lossless-input-bits} of the post multimodal-lossless-input.
    """
    if codebook_size < 1 or codes_per_patch < 1:
        raise ValueError("codebook_size and codes_per_patch must be positive")
    # log2 |C| per code
    return codes_per_patch * math.log2(codebook_size)


def compression_ratio(p: int, codebook_size: int, channels: int = 3, bitdepth: int = 8,
                      codes_per_patch: int = 1) -> float:
    r"""How many times fewer bits the VQ code has than the raw patch:
    :math:`p^2cb / \log_2|\mathcal{C}|` (``inf`` for a one-entry codebook).

    Implements Eq. \eqref{eq:multimodal-lossless-input-ratio} of the post multimodal-lossless-input.
    """
    bits = vq_bits(codebook_size, codes_per_patch)
    # p^2 c b / log2 |C|
    return math.inf if bits == 0 else raw_bits(p, channels, bitdepth) / bits


# -- vector quantisation --------------------------------------------------------------------------
def _float(x: ArrayLike) -> NDArray[np.floating]:
    a = np.asarray(x)
    return a if np.issubdtype(a.dtype, np.floating) else a.astype(np.float64)


def vq_reconstruct(codes: ArrayLike, codebook: ArrayLike) -> NDArray[Any]:
    """The code vectors ``codebook[codes]``: what a decoder that sees only the codes can know."""
    return np.asarray(codebook)[np.asarray(codes)]


def _kmeans_pp(x: NDArray[np.floating], k: int, rng: np.random.Generator) -> NDArray[np.floating]:
    """k-means++ seeding: each new centre drawn with probability ∝ squared distance to the nearest."""
    n = len(x)
    sq = (x * x).sum(axis=1)

    def dist2(i: int) -> NDArray[np.floating]:
        # ||x_j - x_i||^2 = ||x_j||^2 - 2 x_j.x_i + ||x_i||^2 (clipped at 0 against rounding)
        return np.maximum(sq - 2.0 * (x @ x[i]) + sq[i], 0.0)

    centres = [int(rng.integers(n))]
    d2 = dist2(centres[0])
    for _ in range(1, k):
        total = d2.sum()
        i = int(rng.integers(n)) if total <= 0 else int(rng.choice(n, p=d2 / total))
        centres.append(i)
        d2 = np.minimum(d2, dist2(i))
    return x[centres].copy()


def kmeans(x: ArrayLike, k: int, iters: int = 50, seed: int = 0,
           init: ArrayLike | None = None) -> tuple[NDArray[np.floating], NDArray[np.intp]]:
    r"""Lloyd's k-means: a codebook of ``k`` vectors for the rows of ``x``.

    Minimises :math:`\sum_i\lVert x_i - e_{q(x_i)}\rVert^2` by alternating the assignment
    :math:`q(x_i)=\arg\min_k\lVert x_i-e_k\rVert^2` and the update :math:`e_k=` mean of the rows
    assigned to :math:`k`. A code vector that receives no row keeps its value (as
    ``scipy.cluster.vq.kmeans2`` does). Starts from ``init`` if given, else from k-means++
    seeding drawn with ``numpy.random.default_rng(seed)``; stops after ``iters`` updates or
    when the assignment no longer changes (both give the same result).

    Returns ``(codebook, codes)``: the ``(k, d)`` codebook and the nearest code of every row
    under that codebook. Computes in the dtype of ``x`` (integers become float64).

    Implements Eq. \eqref{eq:multimodal-lossless-input-kmeans} of the post
    multimodal-lossless-input.
    """
    xs = _float(x)
    if xs.ndim != 2 or len(xs) == 0:
        raise ValueError(f"x must be a non-empty (N, d) array, got shape {xs.shape}")
    if init is not None:
        cb = _float(init).astype(xs.dtype, copy=True)
        if cb.ndim != 2 or cb.shape[1] != xs.shape[1]:
            raise ValueError(f"init must be (k, {xs.shape[1]}), got {cb.shape}")
        k = len(cb)
    else:
        if not 1 <= k <= len(xs):
            raise ValueError(f"need 1 <= k <= N = {len(xs)}, got k = {k}")
        cb = _kmeans_pp(xs, k, np.random.default_rng(seed))
    codes = vq_assign(xs, cb)
    for _ in range(iters):
        # e_k = mean of the rows with q(x_i) = k (empty clusters keep their vector)
        counts = np.bincount(codes, minlength=k)
        has = counts > 0
        order = np.argsort(codes, kind="stable")  # rows grouped by code, each group a slice
        starts = np.cumsum(counts) - counts
        sums = np.add.reduceat(xs[order], starts[has], axis=0)
        cb[has] = sums / counts[has, None].astype(xs.dtype)
        new = vq_assign(xs, cb)
        if np.array_equal(new, codes):
            break
        codes = new
    return cb, codes


def psnr(a: ArrayLike, b: ArrayLike, peak: float = 255.0) -> float:
    r"""Peak signal-to-noise ratio in dB, :math:`10\log_{10}(\text{peak}^2/\mathrm{MSE})`;
    ``inf`` when the two arrays are equal.

    Implements Eq. \eqref{eq:multimodal-lossless-input-psnr} of the post multimodal-lossless-input.
    """
    x, y = np.asarray(a), np.asarray(b)
    if x.shape != y.shape:
        raise ValueError(f"shapes differ: {x.shape} and {y.shape}")
    dtype = np.result_type(x.dtype, y.dtype)
    if not np.issubdtype(dtype, np.floating):
        dtype = np.dtype(np.float64)
    diff = x.astype(dtype) - y.astype(dtype)
    mse = float(np.mean(diff * diff))
    # PSNR = 10 log10(peak^2 / MSE)
    return math.inf if mse == 0 else 10.0 * math.log10(peak * peak / mse)


# -- continuous (linear) patch embedding ------------------------------------------------------------
def embed(x: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None) -> NDArray[np.floating]:
    r"""Linear patch embedding :math:`z = Wx + \beta` for each row ``x`` (``weight`` is ``(D, n)``).

    Implements Eq. \eqref{eq:multimodal-lossless-input-embed} of the post multimodal-lossless-input.
    """
    xs, w = _float(x), _float(weight)
    # z = W x (+ β), row by row
    z = xs @ w.T
    return z if bias is None else z + _float(bias)


def recover(z: ArrayLike, weight: ArrayLike, bias: ArrayLike | None = None) -> NDArray[np.floating]:
    r"""Least-squares inverse of :func:`embed`: :math:`\hat x = W^{+}(z-\beta)`.

    Equals ``x`` (up to rounding) for every ``x`` exactly when ``rank W = n``; otherwise it
    returns the minimum-norm least-squares preimage, and components of ``x`` in the null space
    are lost. A square ``W`` is inverted with ``numpy.linalg.solve`` (it must then be
    invertible); a tall ``W`` goes through a QR factorisation (falling back to
    ``numpy.linalg.lstsq`` when ``R`` is numerically singular); a wide one uses
    ``numpy.linalg.lstsq``.

    Implements the inverse of Eq. \eqref{eq:multimodal-lossless-input-embed} of the post
    multimodal-lossless-input.
    """
    zs, w = _float(z), _float(weight)
    if bias is not None:
        zs = zs - _float(bias)
    # x̂ = argmin_x ||W x - (z - β)||  (x̂ = W^{-1}(z - β) when W is square)
    d, n = w.shape
    if d == n:
        return np.linalg.solve(w, zs.T).T
    if d > n:  # W = QR with R (n, n) upper triangular: x̂ = R^{-1} Q^T (z - β)
        q, r = np.linalg.qr(w)
        diag = np.abs(np.diagonal(r))
        if diag.min() > diag.max() * d * np.finfo(w.dtype).eps:
            return np.linalg.solve(r, q.T @ zs.T).T
    return np.linalg.lstsq(w, zs.T, rcond=None)[0].T


def _svd(weight: ArrayLike) -> tuple[NDArray[np.floating], NDArray[np.floating], float]:
    w = _float(weight)
    if w.ndim != 2:
        raise ValueError(f"weight must be a (D, n) matrix, got shape {w.shape}")
    s = np.linalg.svd(w, compute_uv=False)
    tol = (s.max() if s.size else 0.0) * max(w.shape) * np.finfo(w.dtype).eps
    return w, s, float(tol)


def embedding_rank(weight: ArrayLike) -> int:
    r"""Numerical rank of ``weight``: the number of singular values above
    :math:`\sigma_{\max}\max(D,n)\,\varepsilon`.

    Implements the rank in Eq. \eqref{eq:multimodal-lossless-input-rank-nullity} of the post
    multimodal-lossless-input.
    """
    _, s, tol = _svd(weight)
    return int((s > tol).sum())


def null_space(weight: ArrayLike) -> NDArray[np.floating]:
    r"""An orthonormal basis ``(n, n - rank)`` of :math:`\ker W = \{x: Wx = 0\}`.

    By rank–nullity its width is :math:`n - \operatorname{rank}W \ge n - D`.

    Implements Eq. \eqref{eq:multimodal-lossless-input-rank-nullity} of the post
    multimodal-lossless-input.
    """
    w = _float(weight)
    if w.ndim != 2:
        raise ValueError(f"weight must be a (D, n) matrix, got shape {w.shape}")
    _, s, vh = np.linalg.svd(w, full_matrices=True)
    tol = (s.max() if s.size else 0.0) * max(w.shape) * np.finfo(w.dtype).eps
    # the right singular vectors beyond the rank span ker W
    return vh[int((s > tol).sum()):].T.copy()


def condition_number(weight: ArrayLike) -> float:
    r""":math:`\sigma_{\max}/\sigma_{\min}` over the :math:`\min(D, n)` singular values
    (``inf`` when the smallest is zero): how much :func:`recover` can amplify rounding errors."""
    _, s, _ = _svd(weight)
    return math.inf if s.min() == 0 else float(s.max() / s.min())


class EmbeddingSummary(NamedTuple):
    """What one SVD of a ``(D, n)`` embedding matrix tells: rank, nullity, condition number."""

    rank: int
    nullity: int  # n - rank = dim ker W
    condition: float  # sigma_max / sigma_min over the min(D, n) singular values


def embedding_summary(weight: ArrayLike) -> EmbeddingSummary:
    r"""``(rank, nullity, condition)`` of ``weight`` from a single SVD; the same values as
    :func:`embedding_rank`, ``n - rank`` and :func:`condition_number`. The map is injective
    exactly when ``nullity == 0``.

    Implements Eq. \eqref{eq:multimodal-lossless-input-rank-nullity} of the post
    multimodal-lossless-input.
    """
    w, s, tol = _svd(weight)
    rank = int((s > tol).sum())
    # dim ker W = n - rank W
    return EmbeddingSummary(rank, w.shape[1] - rank,
                            math.inf if s.min() == 0 else float(s.max() / s.min()))


# -- a test image -----------------------------------------------------------------------------------
def synthetic_image(height: int = 128, width: int = 128, seed: int = 0, channels: int = 3,
                    noise: float = 3.0) -> NDArray[np.uint8]:
    """A seeded 8-bit test image ``(height, width, channels)``: a smooth colour background
    (a few random low-frequency cosines), random discs and rectangles with sharp edges, and
    Gaussian pixel noise of standard deviation ``noise`` levels."""
    rng = np.random.default_rng(seed)
    yy, xx = np.meshgrid(np.linspace(0, 1, height), np.linspace(0, 1, width), indexing="ij")
    img = np.empty((height, width, channels))
    for k in range(channels):
        field = np.zeros((height, width))
        for _ in range(3):
            fy, fx = rng.uniform(0.3, 2.0, size=2)
            phase = rng.uniform(0, 2 * np.pi)
            field += np.cos(2 * np.pi * (fy * yy + fx * xx) + phase)
        img[..., k] = 128 + 30 * field
    for _ in range(int(rng.integers(5, 9))):
        colour = rng.uniform(20, 235, size=channels)
        cy, cx = rng.uniform(0, 1, size=2)
        r = rng.uniform(0.06, 0.22)
        if rng.random() < 0.5:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r * r
        else:
            mask = (abs(yy - cy) < r) & (abs(xx - cx) < r * rng.uniform(0.4, 1.6))
        img[mask] = colour
    img += noise * rng.standard_normal(img.shape)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)
