r"""Rotary position embedding (RoPE) and its relatives.

Implements the post ``rope`` (from 苏剑林,《Transformer升级之路:2、博采众长的旋转式位置编码》,
2021-03-23; Su et al., RoFormer, arXiv 2104.09864). Later posts of the series add their
variants here.

RoPE multiplies each pair of features of a query or key at position :math:`m` by a rotation
:math:`\mathcal{R}(m\theta_i)`, :math:`\theta_i = b^{-2i/d}`, so that the inner product of a
rotated query and key depends on the positions only through :math:`n-m`.

Two layouts pair the features differently (both are in use):

* ``"interleaved"``: pairs :math:`(2i, 2i+1)`, as in the RoFormer paper and
  rotary-embedding-torch;
* ``"half"``: pairs :math:`(i, i+d/2)`, the "rotate half" convention of GPT-NeoX and Llama.

They are the same map up to a fixed permutation of the features
(:func:`interleaved_to_half_perm`). Everything computes in the dtype and on the device of
its input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import torch

__all__ = [
    "apply_rope",
    "apply_rope_2d",
    "apply_rope_axes",
    "apply_rope_complex",
    "apply_rope_tie",
    "commutator",
    "corner_positions",
    "elu_feature",
    "exp_commutator_quotient",
    "exp_rotation",
    "hat3",
    "interleaved_to_half_perm",
    "relativity_defect",
    "rerope_decode_logits",
    "rerope_logits",
    "rerope_relative_positions",
    "rope_2d_axis_frequencies",
    "rope_2d_rotation_gaps",
    "rope_abel_bound",
    "rope_abel_sum",
    "rope_angles",
    "rope_decay_bound",
    "rope_freqs",
    "rope_generators_2d",
    "rope_linear_attention",
    "rope_linear_attention_weights",
    "rope_matrix",
    "rope_pair_products",
    "rope_relative_sum",
    "rope_score_sum",
    "skew_commutant_dim",
]

Layout = Literal["interleaved", "half"]


def rope_freqs(d: int, base: float = 10000.0, dtype: torch.dtype = torch.float64,
               device: torch.device | str | None = None) -> torch.Tensor:
    r"""The frequencies :math:`\theta_i = b^{-2i/d}`, :math:`i = 0, \dots, d/2-1`.

    Implements Eq. \eqref{eq:rope-theta} of the post rope.
    """
    if d % 2:
        raise ValueError(f"RoPE needs an even feature size, got d={d}")
    i = torch.arange(d // 2, dtype=dtype, device=device)
    # θ_i = base^{-2i/d}
    return base ** (-2.0 * i / d)


def rope_angles(positions: torch.Tensor | Sequence[float], d: int, base: float = 10000.0,
                dtype: torch.dtype = torch.float64,
                device: torch.device | str | None = None) -> torch.Tensor:
    r"""The angles :math:`m\theta_i` for every position: shape ``(seq, d/2)``."""
    pos = torch.as_tensor(positions, device=device).to(dtype)
    return pos[:, None] * rope_freqs(d, base, dtype, pos.device)[None, :]  # (seq, d/2)


def apply_rope(x: torch.Tensor, positions: torch.Tensor | Sequence[float], base: float = 10000.0,
               layout: Layout = "interleaved") -> torch.Tensor:
    r"""Rotate queries or keys ``x`` of shape ``(..., seq, d)`` by their positions.

    Implements Eq. \eqref{eq:rope-fast} of the post rope: for each pair :math:`(x_a, x_b)`
    (``(2i, 2i+1)`` for ``layout="interleaved"``, ``(i, i+d/2)`` for ``"half"``)

    .. math::
        \begin{pmatrix} x_a' \\ x_b' \end{pmatrix} =
        \begin{pmatrix} x_a\cos m\theta_i - x_b\sin m\theta_i \\
                        x_a\sin m\theta_i + x_b\cos m\theta_i \end{pmatrix}.

    Args:
        x: ``(..., seq, d)`` real tensor, ``d`` even.
        positions: ``(seq,)`` positions (integers or reals), a tensor or a sequence.
        base: :math:`b` in :math:`\theta_i = b^{-2i/d}`.
        layout: ``"interleaved"`` or ``"half"``.

    Returns:
        A tensor of the same shape, dtype and device as ``x``.
    """
    d = x.shape[-1]
    if not x.is_floating_point():
        raise TypeError("apply_rope needs a floating-point tensor")
    angles = rope_angles(positions, d, base, x.dtype, x.device)  # (seq, d/2)
    if angles.shape[0] != x.shape[-2]:
        raise ValueError(f"{angles.shape[0]} positions for a sequence of {x.shape[-2]}")
    if layout == "interleaved":
        return _rotate_pairs(x, angles)
    if layout == "half":
        cos, sin = angles.cos(), angles.sin()  # (seq, d/2)
        x1, x2 = x[..., : d // 2], x[..., d // 2:]
        return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    raise ValueError(f"layout must be 'interleaved' or 'half', got {layout!r}")


def _rotate_pairs(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """Rotate each interleaved pair (2i, 2i+1) of ``x`` (..., seq, d) by ``angles`` (seq, d/2)."""
    cos, sin = angles.cos(), angles.sin()  # (seq, d/2)
    x1, x2 = x[..., 0::2], x[..., 1::2]  # (..., seq, d/2) each
    # (x1, x2) -> (x1 cos - x2 sin, x1 sin + x2 cos), pairs kept side by side
    return torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1).flatten(-2)


def rope_matrix(m: float, d: int, base: float = 10000.0,
                dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""The dense ``(d, d)`` matrix :math:`\mathcal{R}_m` of the interleaved layout.

    Implements Eq. \eqref{eq:rope-block} of the post rope: block-diagonal with 2x2 rotations
    :math:`\mathcal{R}(m\theta_i)`. Slow and obvious, for tests and illustrations.
    """
    r = torch.zeros(d, d, dtype=dtype)
    for i, theta in enumerate(rope_freqs(d, base, dtype).tolist()):
        c = torch.cos(torch.tensor(m * theta, dtype=dtype))
        s = torch.sin(torch.tensor(m * theta, dtype=dtype))
        r[2 * i: 2 * i + 2, 2 * i: 2 * i + 2] = torch.stack((torch.stack((c, -s)),
                                                                torch.stack((s, c))))
    return r


def apply_rope_complex(x: torch.Tensor, positions: torch.Tensor | Sequence[float],
                       base: float = 10000.0) -> torch.Tensor:
    r"""RoPE in complex form: each pair as a complex number, multiplied by :math:`e^{\mathrm{i}m\theta_i}`.

    Implements Eq. \eqref{eq:rope-complex} of the post rope: the pair :math:`(x_{2i}, x_{2i+1})` is
    :math:`z_i = x_{2i} + \mathrm{i}\,x_{2i+1}` and becomes :math:`z_i e^{\mathrm{i}m\theta_i}`. The
    same map as :func:`apply_rope` with ``layout="interleaved"``, by another route (complex
    multiplication instead of cos/sin bookkeeping).

    Args:
        x: ``(..., seq, d)`` real float32 or float64 tensor, ``d`` even.
        positions: ``(seq,)`` positions.

    Returns:
        A real tensor of the same shape, dtype and device as ``x``.
    """
    d = x.shape[-1]
    angles = rope_angles(positions, d, base, x.dtype, x.device)  # (seq, d/2)
    z = torch.view_as_complex(x.reshape(*x.shape[:-1], d // 2, 2).contiguous())  # (..., seq, d/2)
    # z_i e^{i m θ_i}
    rotated = z * torch.polar(torch.ones_like(angles), angles)
    return torch.view_as_real(rotated).reshape(x.shape)


def rope_pair_products(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    r""":math:`h_i = \tilde q_i\,\overline{\tilde k_i}`, the pairs taken as complex numbers
    :math:`\tilde x_i = x_{2i} + \mathrm{i}\,x_{2i+1}`.

    The complex numbers of the long-range decay argument of the post rope (before
    Eq. \eqref{eq:rope-score}). ``q``, ``k``: ``(..., d)`` real; returns ``(..., d/2)`` complex.
    """
    d = q.shape[-1]
    qc = torch.view_as_complex(q.reshape(*q.shape[:-1], d // 2, 2).contiguous())  # (..., d/2)
    kc = torch.view_as_complex(k.reshape(*k.shape[:-1], d // 2, 2).contiguous())
    # h_i = q̃_i conj(k̃_i)
    return qc * kc.conj()


def rope_relative_sum(h: torch.Tensor, r: float, base: float = 10000.0) -> torch.Tensor:
    r""":math:`\sum_{i=0}^{d/2-1} h_i e^{\mathrm{i}r\theta_i}` for ``h`` of shape ``(..., d/2)`` (complex).

    The complex sum inside Eq. \eqref{eq:rope-score} and Eq. \eqref{eq:rope-abel} of the post
    rope, with :math:`r = m - n`. Returns ``(...)`` complex.
    """
    theta = rope_freqs(2 * h.shape[-1], base, h.real.dtype, h.device)  # (d/2,)
    # Σ_i h_i e^{i r θ_i}
    return (h * torch.polar(torch.ones_like(theta), r * theta)).sum(-1)


def rope_score_sum(q: torch.Tensor, k: torch.Tensor, m: float, n: float,
                   base: float = 10000.0) -> torch.Tensor:
    r"""The score of query ``q`` at position ``m`` and key ``k`` at ``n`` as a sum over pairs.

    Implements Eq. \eqref{eq:rope-score} of the post rope:

    .. math:: (\mathcal{R}_m\boldsymbol{q})^{\top}(\mathcal{R}_n\boldsymbol{k})
              = \operatorname{Re}\sum_{i=0}^{d/2-1} h_i\, e^{\mathrm{i}(m-n)\theta_i},
              \qquad h_i = \tilde q_i\,\overline{\tilde k_i}.

    ``q``, ``k``: ``(..., d)``; returns ``(...)`` real.
    """
    # Re Σ_i h_i e^{i (m - n) θ_i}
    return rope_relative_sum(rope_pair_products(q, k), m - n, base).real


def _abel_partial_sums(r: float, half: int, base: float, dtype: torch.dtype) -> torch.Tensor:
    """S_j = Σ_{i<j} e^{i r θ_i} for j = 1..half (θ_i of a d = 2·half RoPE): shape (half,)."""
    theta = rope_freqs(2 * half, base, dtype)
    return torch.cumsum(torch.polar(torch.ones_like(theta), r * theta), dim=0)


def rope_abel_sum(h: torch.Tensor, r: float, base: float = 10000.0) -> torch.Tensor:
    r"""The Abel (summation by parts) form of :math:`\sum_i h_i e^{\mathrm{i}r\theta_i}`.

    Implements the identity in Eq. \eqref{eq:rope-abel} of the post rope:

    .. math:: \sum_{i=0}^{d/2-1} h_i e^{\mathrm{i}r\theta_i}
              = -\sum_{i=0}^{d/2-1} S_{i+1}\,(h_{i+1} - h_i),\qquad
              S_j = \sum_{i<j} e^{\mathrm{i}r\theta_i},\quad h_{d/2} = 0.

    ``h``: ``(d/2,)`` complex (float64 parts); returns a complex scalar tensor.
    """
    half = h.shape[-1]
    partial = _abel_partial_sums(r, half, base, h.real.dtype)  # S_1..S_{d/2}: (d/2,)
    h_next = torch.cat((h[1:], torch.zeros(1, dtype=h.dtype)))  # h_{i+1}, with h_{d/2} = 0
    # -Σ_i S_{i+1} (h_{i+1} - h_i)
    return -(partial * (h_next - h)).sum()


def rope_abel_bound(h: torch.Tensor, r: float, base: float = 10000.0) -> torch.Tensor:
    r"""The right-hand side of Eq. \eqref{eq:rope-abel-bound} of the post rope:
    :math:`(\max_i |h_{i+1}-h_i|)\sum_{j=1}^{d/2}|S_j|`, with :math:`h_{d/2} = 0`.

    ``h``: ``(d/2,)`` complex; returns a real scalar tensor.
    """
    half = h.shape[-1]
    partial = _abel_partial_sums(r, half, base, h.real.dtype)  # (d/2,)
    h_next = torch.cat((h[1:], torch.zeros(1, dtype=h.dtype)))
    # (max_i |h_{i+1} - h_i|) Σ_j |S_j|
    return (h_next - h).abs().max() * partial.abs().sum()


def elu_feature(x: torch.Tensor) -> torch.Tensor:
    r"""The non-negative feature map :math:`\phi(x) = \operatorname{elu}(x) + 1` of linear
    attention (Katharopoulos et al. 2020), elementwise; values in :math:`(0, \infty)`."""
    return torch.nn.functional.elu(x) + 1


def rope_linear_attention_weights(q: torch.Tensor, k: torch.Tensor,
                                  feature: Callable[[torch.Tensor], torch.Tensor] = elu_feature,
                                  base: float = 10000.0) -> torch.Tensor:
    r"""The ``(n, n)`` weights of Eq. \eqref{eq:rope-linear} of the post rope, pair by pair:

    .. math:: a_{mn} = \frac{(\mathcal{R}_m\phi(\boldsymbol{q}_m))^{\top}
                            (\mathcal{R}_n\phi(\boldsymbol{k}_n))}
                            {\sum_{n'}\phi(\boldsymbol{q}_m)^{\top}\phi(\boldsymbol{k}_{n'})}.

    Quadratic in the length: the direct reading of the equation. ``q``, ``k``: ``(n, d)``.
    """
    pos = torch.arange(q.shape[-2], device=q.device)
    fq, fk = feature(q), feature(k)  # (n, d), non-negative
    numer = apply_rope(fq, pos, base) @ apply_rope(fk, pos, base).transpose(-1, -2)  # (n, n)
    denom = fq @ fk.sum(-2)  # (n,): Σ_n' φ(q_m)ᵀφ(k_n')
    return numer / denom[..., :, None]


def rope_linear_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                          feature: Callable[[torch.Tensor], torch.Tensor] = elu_feature,
                          base: float = 10000.0) -> torch.Tensor:
    r"""Linear attention with RoPE in the numerator only, in linear time.

    Implements Eq. \eqref{eq:rope-linear} of the post rope by associativity: the sums
    :math:`\sum_n (\mathcal{R}_n\phi(\boldsymbol{k}_n))\boldsymbol{v}_n^{\top}` (``(d, d_v)``) and
    :math:`\sum_n\phi(\boldsymbol{k}_n)` (``(d,)``) are formed once and shared by every query,
    so the cost is :math:`O(n\,d\,d_v)` instead of :math:`O(n^2)`.

    Args:
        q, k: ``(n, d)``; v: ``(n, d_v)``.

    Returns:
        ``(n, d_v)``.
    """
    pos = torch.arange(q.shape[-2], device=q.device)
    fq, fk = feature(q), feature(k)  # (n, d)
    kv = apply_rope(fk, pos, base).transpose(-1, -2) @ v  # Σ_n R_n φ(k_n) v_nᵀ: (d, d_v)
    numer = apply_rope(fq, pos, base) @ kv  # (n, d_v)
    denom = fq @ fk.sum(-2)  # (n,)
    return numer / denom[..., :, None]


def interleaved_to_half_perm(d: int) -> torch.Tensor:
    r"""The permutation :math:`P` with ``apply_rope(x, p, layout="interleaved")[..., P] ==
    apply_rope(x[..., P], p, layout="half")``: even features first, then odd ones.

    Implements Eq. \eqref{eq:rope-perm} of the post rope.
    """
    return torch.cat((torch.arange(0, d, 2), torch.arange(1, d, 2)))


def rope_decay_bound(d: int, max_dist: int, base: float = 10000.0) -> torch.Tensor:
    r"""The long-range decay curve :math:`\frac{1}{d/2}\sum_{j=1}^{d/2}|S_j(r)|`, for
    :math:`r = 0, \dots,` ``max_dist``.

    Implements the distance factor of Eq. \eqref{eq:rope-abel-bound} of the post rope, with
    :math:`S_j(r) = \sum_{i<j} e^{\mathrm{i} r\theta_i}`. By Abel summation
    :math:`|\sum_i h_i e^{\mathrm{i} r\theta_i}| \le (\max_i |h_{i+1}-h_i|)\sum_j |S_j(r)|`.

    Returns:
        ``(max_dist + 1,)`` float64 tensor.
    """
    r = torch.arange(max_dist + 1, dtype=torch.float64)
    theta = rope_freqs(d, base, torch.float64)
    phase = torch.polar(torch.ones(len(r), len(theta), dtype=torch.float64),
                        r[:, None] * theta[None, :])  # e^{i r θ_i}: (R, d/2)
    partial = torch.cumsum(phase, dim=1)  # S_j = Σ_{i<j} e^{i r θ_i}, j = 1..d/2: (R, d/2)
    return partial.abs().mean(dim=1)


def apply_rope_2d(x: torch.Tensor, rows: torch.Tensor | Sequence[float],
                  cols: torch.Tensor | Sequence[float], base: float = 10000.0) -> torch.Tensor:
    r"""Two-dimensional RoPE for ``x`` of shape ``(..., n, d)`` at grid positions (row, col).

    The first ``d/2`` features are rotated by the row index, the last ``d/2`` by the column
    index, each half as a one-dimensional RoPE of size ``d/2`` with interleaved pairs. The two
    halves act on disjoint features, so their generators commute and
    :math:`\mathcal{R}_{(x_1,y_1)}^{\top}\mathcal{R}_{(x_2,y_2)} = \mathcal{R}_{(x_2-x_1,\,y_2-y_1)}`.
    ``d`` must be a multiple of 4.
    """
    d = x.shape[-1]
    if d % 4:
        raise ValueError(f"2-D RoPE needs d divisible by 4, got d={d}")
    h = d // 2
    # one pass over all pairs: the first d/4 pairs turn with the row, the last d/4 with the column
    angles = torch.cat((rope_angles(rows, h, base, x.dtype, x.device),
                        rope_angles(cols, h, base, x.dtype, x.device)), dim=-1)  # (seq, d/2)
    return _rotate_pairs(x, angles)


def rerope_relative_positions(n: int, window: int, leaky_k: float | None = None) -> torch.Tensor:
    r"""The ``(n, n)`` matrix of relative positions seen by query ``m`` and key ``j <= m``.

    RoPE sees :math:`m-j`; ReRoPE (``leaky_k=None``) caps it at the window,
    :math:`\min(m-j, w)`; Leaky ReRoPE continues past the window with slope :math:`1/k`,
    :math:`w + (m-j-w)/k`. Entries above the diagonal (future keys) are 0.
    """
    m = torch.arange(n, dtype=torch.float64)
    r = (m[:, None] - m[None, :]).clamp(min=0)  # m - j for j <= m
    if leaky_k is None:
        far = torch.full_like(r, float(window))
    else:
        far = window + (r - window) / leaky_k
    return torch.where(r < window, r, far)


def rerope_logits(q: torch.Tensor, k: torch.Tensor, window: int,
                  leaky_k: float | None = None, base: float = 10000.0) -> torch.Tensor:
    r"""Causal attention logits under ReRoPE / Leaky ReRoPE, computed with two passes.

    ``q``, ``k``: ``(..., n, d)``. Returns ``(..., n, n)`` logits
    :math:`(\mathcal{R}_{a}\boldsymbol{q}_m)^{\top}(\mathcal{R}_{b}\boldsymbol{k}_j)/\sqrt{d}
    = \boldsymbol{q}_m^{\top}\mathcal{R}_{-r'(m,j)}\boldsymbol{k}_j/\sqrt{d}` with
    :math:`a - b = r'(m, j)`, for
    :math:`j \le m` and :math:`-\infty` above the diagonal, where :math:`r'` is
    :func:`rerope_relative_positions`. Inside the window the usual RoPE pass is used; outside,
    ReRoPE rotates every query by :math:`w` and leaves keys unrotated, and Leaky ReRoPE rotates
    query :math:`m` by :math:`m/k + w(1-1/k)` and key :math:`j` by :math:`j/k`, so that the
    difference is :math:`w + (m-j-w)/k`.
    """
    n, d = q.shape[-2], q.shape[-1]
    pos = torch.arange(n, device=q.device, dtype=q.dtype)
    scale = d ** -0.5
    # pass 1: ordinary RoPE, relative position m - j
    inside = apply_rope(q, pos, base) @ apply_rope(k, pos, base).transpose(-1, -2)
    # pass 2: the position outside the window
    if leaky_k is None:
        q2 = apply_rope(q, torch.full_like(pos, float(window)), base)
        k2 = k
    else:
        q2 = apply_rope(q, pos / leaky_k + window * (1 - 1 / leaky_k), base)
        k2 = apply_rope(k, pos / leaky_k, base)
    outside = q2 @ k2.transpose(-1, -2)
    rel = pos[:, None] - pos[None, :]  # (n, n): m - j
    logits = torch.where(rel < window, inside, outside) * scale
    return logits.masked_fill(rel < 0, float("-inf"))


def rerope_decode_logits(q: torch.Tensor, k: torch.Tensor, window: int,
                         leaky_k: float | None = None, base: float = 10000.0,
                         cache_k: float | None = None) -> tuple[torch.Tensor, int]:
    r"""Causal ReRoPE / Leaky ReRoPE logits produced token by token with two key caches.

    Decoding as in the post rerope-inverse (Eq. \eqref{eq:rerope-twopass}): when key :math:`j`
    arrives it is rotated once and stored twice, as :math:`\mathcal{R}_j\boldsymbol{k}_j`
    (window pass) and as :math:`\mathcal{R}_{j/k}\boldsymbol{k}_j` (Leaky) or
    :math:`\boldsymbol{k}_j` (ReRoPE); neither depends on later query positions. Query :math:`m`
    is rotated by :math:`m` and by :math:`m/k + w(1-1/k)` (or :math:`w`) and meets both caches.

    ``cache_k`` (default ``leaky_k``) is the slope used when keys enter the second cache; passing a
    different value simulates reusing keys cached under an old :math:`k` after :math:`k` changed.

    ``q``, ``k``: ``(n, d)``. Returns ``(logits, cached_vectors)``: the ``(n, n)`` logits (``-inf``
    above the diagonal, scaled by :math:`1/\sqrt{d}`) and the number of key vectors held in the
    caches at the end.
    """
    n, d = q.shape
    ck = leaky_k if cache_k is None else cache_k
    scale = d ** -0.5
    near_cache: list[torch.Tensor] = []  # R_j k_j
    far_cache: list[torch.Tensor] = []  # R_{j/k} k_j, or k_j for ReRoPE
    out = torch.full((n, n), float("-inf"), dtype=q.dtype, device=q.device)
    for m in range(n):
        kj = k[m:m + 1]  # (1, d): the new key, rotated once and cached twice
        near_cache.append(apply_rope(kj, [float(m)], base)[0])
        far_cache.append(kj[0] if ck is None else apply_rope(kj, [m / ck], base)[0])
        qm = q[m:m + 1]
        q_near = apply_rope(qm, [float(m)], base)[0]  # rotated by m
        far_pos = float(window) if leaky_k is None else m / leaky_k + window * (1 - 1 / leaky_k)
        q_far = apply_rope(qm, [far_pos], base)[0]
        near = torch.stack(near_cache) @ q_near  # (m + 1,): relative position m - j
        far = torch.stack(far_cache) @ q_far  # (m + 1,): w + (m - j - w)/k, or w
        rel = m - torch.arange(m + 1, device=q.device)
        out[m, : m + 1] = torch.where(rel < window, near, far) * scale
    return out, len(near_cache) + len(far_cache)


def rope_generators_2d(d: int, base: float = 10000.0,
                       dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Skew-symmetric generators :math:`A, B` with
    :math:`\mathcal{R}_{(x,y)} = \exp(xA + yB)` for :func:`apply_rope_2d`.

    Implements Eq. \eqref{eq:rope2d-exp} of the post rope-2d,
    :math:`\mathcal{R}_{(x,y)} = e^{xA}e^{yB} = e^{xA+yB}`: :math:`A` rotates the pairs of the
    first half with frequencies :math:`\theta_i`, :math:`B` those of the second half; they act
    on disjoint features, so :math:`[A, B] = 0`.
    """
    if d % 4:
        raise ValueError(f"2-D RoPE needs d divisible by 4, got d={d}")
    h = d // 2
    theta = rope_freqs(h, base, dtype)
    a = torch.zeros(d, d, dtype=dtype)
    b = torch.zeros(d, d, dtype=dtype)
    for i, t in enumerate(theta.tolist()):
        # the generator of a 2x2 rotation by angle t: [[0, -t], [t, 0]]
        a[2 * i, 2 * i + 1], a[2 * i + 1, 2 * i] = -t, t
        b[h + 2 * i, h + 2 * i + 1], b[h + 2 * i + 1, h + 2 * i] = -t, t
    return a, b


def skew_commutant_dim(a: torch.Tensor, tol: float = 1e-10) -> int:
    r"""Dimension of :math:`\{B \in \mathfrak{so}(d) : AB = BA\}`, the skew-symmetric matrices that
    commute with ``a`` (``(d, d)``).

    Used in the post rope-2d (Eq. \eqref{eq:rope2d-commute}): a second generator :math:`B` must
    lie in this space. The map :math:`B \mapsto AB - BA` is applied to the basis
    :math:`E_{ij} - E_{ji}` (:math:`i < j`) of :math:`\mathfrak{so}(d)`; the answer is
    :math:`d(d-1)/2` minus its rank.
    """
    d = a.shape[-1]
    cols = []
    for i in range(d):
        for j in range(i + 1, d):
            e = torch.zeros(d, d, dtype=a.dtype)
            e[i, j], e[j, i] = 1.0, -1.0
            cols.append((a @ e - e @ a).flatten())  # [A, E_ij - E_ji]
    if not cols:
        return 0
    m = torch.stack(cols, dim=1)  # (d², d(d-1)/2)
    return len(cols) - int(torch.linalg.matrix_rank(m, atol=tol).item())


def hat3(v: torch.Tensor) -> torch.Tensor:
    r"""The skew-symmetric matrix :math:`\hat v` with :math:`\hat v\,w = v \times w` (``v``: ``(3,)``).

    In the post rope-2d: every :math:`3\times3` skew-symmetric matrix is some :math:`\hat a`, and
    :math:`[\hat a, \hat b] = \widehat{a\times b}`, so two of them commute exactly when
    :math:`a \times b = 0`.
    """
    z = torch.zeros((), dtype=v.dtype)
    # [[0, -v3, v2], [v3, 0, -v1], [-v2, v1, 0]]
    return torch.stack((torch.stack((z, -v[2], v[1])), torch.stack((v[2], z, -v[0])),
                        torch.stack((-v[1], v[0], z))))


def rope_2d_rotation_gaps(rows: torch.Tensor | Sequence[float], cols: torch.Tensor | Sequence[float],
                          d: int, base: float = 10000.0) -> torch.Tensor:
    r"""Frobenius distances :math:`\|\mathcal{R}_p - \mathcal{R}_{p'}\|_F` between the rotations
    that :func:`apply_rope_2d` gives to every pair of positions :math:`p = (x, y)`.

    The post rope-2d uses it to check that distinct grid positions get distinct rotations
    (Eq. \eqref{eq:rope2d-block}). Each :math:`\mathcal{R}_p` is read off as ``apply_rope_2d``
    of the identity. Returns ``(n, n)`` float64.
    """
    rows_t = torch.as_tensor(rows, dtype=torch.float64)
    cols_t = torch.as_tensor(cols, dtype=torch.float64)
    n = rows_t.shape[0]
    eye = torch.eye(d, dtype=torch.float64)[:, None, :].expand(d, n, d)  # e_j at every position
    columns = apply_rope_2d(eye, rows_t, cols_t)  # [j, p, :] = R_p e_j: (d, n, d)
    mats = columns.permute(1, 0, 2).reshape(n, d * d)  # (n, d²), R_p flattened
    return torch.cdist(mats, mats)  # (n, n)


def commutator(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r""":math:`[A, B] = AB - BA` (Eq. \eqref{eq:rope2d-commute} of the post rope-2d)."""
    return a @ b - b @ a


def exp_commutator_quotient(a: torch.Tensor, b: torch.Tensor, x: float, y: float) -> torch.Tensor:
    r"""The necessity step of the post rope-2d (before Eq. \eqref{eq:rope2d-commute}):

    .. math:: \frac{e^{xA}e^{yB} - e^{yB}e^{xA}}{xy}
              = [A, B] + O(|x| + |y|)\quad (x, y \to 0),

    since :math:`e^{xA}e^{yB} = I + xA + yB + xy\,AB + \dots`. If the two one-parameter groups
    commute for all :math:`x, y`, the left side is zero, hence so is :math:`[A, B]`.
    """
    ex, ey = torch.linalg.matrix_exp(x * a), torch.linalg.matrix_exp(y * b)
    # (e^{xA} e^{yB} - e^{yB} e^{xA}) / (x y)
    return (ex @ ey - ey @ ex) / (x * y)


def exp_rotation(x: float, y: float, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    r""":math:`\exp(xA + yB)`: the rotation a 2-D position :math:`(x, y)` gets from generators
    :math:`A, B`; equal to :math:`e^{xA}e^{yB}` of Eq. \eqref{eq:rope2d-exp} of the post rope-2d
    when :math:`[A, B] = 0`."""
    return torch.linalg.matrix_exp(x * a + y * b)


def relativity_defect(a: torch.Tensor, b: torch.Tensor, p1: tuple[float, float],
                      p2: tuple[float, float]) -> float:
    r"""How far :math:`\mathcal{R}_{p_1}^{\top}\mathcal{R}_{p_2}` is from
    :math:`\mathcal{R}_{p_2-p_1}` (max abs entry), with :math:`\mathcal{R}_p = \exp(p_xA+p_yB)`.

    Zero for all positions exactly when the relative-position property of Eq.
    \eqref{eq:rope2d-goal} of the post rope-2d holds; it does when :math:`[A, B] = 0`.
    """
    lhs = exp_rotation(*p1, a, b).T @ exp_rotation(*p2, a, b)
    rhs = exp_rotation(p2[0] - p1[0], p2[1] - p1[1], a, b)
    return (lhs - rhs).abs().max().item()


def apply_rope_tie(x: torch.Tensor, px: torch.Tensor | Sequence[float],
                   py: torch.Tensor | Sequence[float], base: float = 10000.0) -> torch.Tensor:
    r"""RoPE-Tie: 2-D RoPE whose axes alternate over the pairs, for mixed text and image sequences.

    Implements Eq. \eqref{eq:ropetie-rot} of the post rope-tie (the source's frequency
    assignment): pair :math:`i` (features
    :math:`2i, 2i+1`) is rotated by :math:`p_x\theta_i` if :math:`i` is even and by
    :math:`p_y\theta_i` if :math:`i` is odd, with the one-dimensional frequencies
    :math:`\theta_i = b^{-2i/d}`. A token at :math:`(n, n)` is therefore rotated exactly as
    one-dimensional RoPE at position :math:`n`.
    """
    d = x.shape[-1]
    if d % 4:
        raise ValueError(f"RoPE-Tie needs d divisible by 4, got d={d}")
    theta = rope_freqs(d, base, x.dtype, x.device)  # (d/2,)
    pxt = torch.as_tensor(px, device=x.device).to(x.dtype)
    pyt = torch.as_tensor(py, device=x.device).to(x.dtype)
    use_x = (torch.arange(d // 2, device=x.device) % 2 == 0)  # (d/2,)
    angles = torch.where(use_x, pxt[:, None], pyt[:, None]) * theta  # (seq, d/2)
    return _rotate_pairs(x, angles)


def rope_2d_axis_frequencies(d: int, scheme: Literal["alternate", "half", "split-band"],
                             base: float = 10000.0,
                             dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Which axis turns each interleaved pair :math:`(2i, 2i+1)`, and at which frequency.

    Used in the post rope-tie (Eq. \eqref{eq:ropetie-rot}) to compare three ways of sharing the
    ``d/2`` pairs between the axes :math:`x` (0) and :math:`y` (1):

    * ``"alternate"`` (RoPE-Tie): pair :math:`i` follows :math:`x` if :math:`i` is even, :math:`y` if
      odd, at the one-dimensional frequency :math:`\theta_i = b^{-2i/d}`;
    * ``"half"`` (the RoPE-2D of :func:`apply_rope_2d`): the first ``d/4`` pairs follow :math:`x`, the
      last ``d/4`` follow :math:`y`, each half at the frequencies :math:`b^{-2j/(d/2)}` of a
      ``d/2``-dimensional RoPE;
    * ``"split-band"``: first half :math:`x`, second half :math:`y`, at the one-dimensional
      :math:`\theta_i`.

    Returns:
        ``(axis, theta)``: int64 and ``dtype`` tensors of shape ``(d/2,)``.
    """
    if d % 4:
        raise ValueError(f"two axes need d divisible by 4, got d={d}")
    i = torch.arange(d // 2)
    if scheme == "alternate":
        return i % 2, rope_freqs(d, base, dtype)
    if scheme == "split-band":
        return (i >= d // 4).long(), rope_freqs(d, base, dtype)
    if scheme == "half":
        half = rope_freqs(d // 2, base, dtype)  # b^{-2j/(d/2)}, j < d/4
        return (i >= d // 4).long(), torch.cat((half, half))
    raise ValueError(f"unknown scheme {scheme!r}")


def apply_rope_axes(x: torch.Tensor, px: torch.Tensor | Sequence[float],
                    py: torch.Tensor | Sequence[float], axis: torch.Tensor,
                    theta: torch.Tensor) -> torch.Tensor:
    r"""Two-axis RoPE with an explicit pair-to-axis assignment.

    Pair :math:`i` of ``x`` (``(..., seq, d)``) is rotated by :math:`p_x\theta_i` if
    ``axis[i] == 0`` and by :math:`p_y\theta_i` otherwise (Eq. \eqref{eq:ropetie-rot} of the post
    rope-tie for the assignments of :func:`rope_2d_axis_frequencies`).
    """
    pxt = torch.as_tensor(px, device=x.device).to(x.dtype)
    pyt = torch.as_tensor(py, device=x.device).to(x.dtype)
    th = theta.to(device=x.device, dtype=x.dtype)  # (d/2,)
    angles = torch.where(axis.to(x.device) == 0, pxt[:, None], pyt[:, None]) * th  # (seq, d/2)
    return _rotate_pairs(x, angles)


def corner_positions(segments: Sequence[tuple]) -> tuple[torch.Tensor, list[str]]:
    r"""2-D positions for a sequence of text runs and images, in reading order ("corner placement").

    The post rope-tie's own extension (its 延伸 section), not the source's image placement.
    ``segments``: ``("text", n)`` for ``n`` text tokens, ``("image", h, w)`` for an image of
    ``h`` x ``w`` patches. Implements Eq. \eqref{eq:ropetie-corner} of the post rope-tie: text
    token number :math:`t` gets :math:`(t, t)`; an image that starts after position :math:`L`
    places patch :math:`(r, c)` at :math:`(L + r, L + c)` (rows on the first axis), and the
    text after it continues from :math:`L + \max(h, w)`, beyond every patch on both axes.

    Returns ``(positions, kinds)``: a ``(N, 2)`` float64 tensor and the kind of each token.
    """
    pos: list[tuple[float, float]] = []
    kinds: list[str] = []
    nxt = 0.0  # the next free position on both axes
    for seg in segments:
        if seg[0] == "text":
            for _ in range(int(seg[1])):
                pos.append((nxt, nxt))
                kinds.append("text")
                nxt += 1
        elif seg[0] == "image":
            h, w = int(seg[1]), int(seg[2])
            for r in range(h):
                for c in range(w):
                    pos.append((nxt + r, nxt + c))
                    kinds.append("image")
            nxt += max(h, w)
        else:
            raise ValueError(f"unknown segment {seg!r}")
    return torch.tensor(pos, dtype=torch.float64).reshape(-1, 2), kinds
