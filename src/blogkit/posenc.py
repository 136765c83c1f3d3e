r"""A tour of Transformer position encodings: absolute, relative, and what the logits keep.

Implements the post ``posenc-survey`` (from 苏剑林,《让研究人员绞尽脑汁的Transformer位置编码》,
2021-02-03). Every function is a plain torch computation in the dtype it is given
(``float64`` in, ``float64`` out); position indices and bucket ids are ``torch.long``.

Conventions used throughout (the post uses the same symbols):

* queries sit at position :math:`i`, keys at position :math:`j`, and the *relative position*
  is ``rel = j - i`` (key minus query), as in T5's ``relative_position = memory_position -
  query_position`` and Shaw et al.'s :math:`\mathrm{clip}(j-i, k)`; the XLNet and DeBERTa
  formulas are written with :math:`i-j`, and the functions below follow each paper;
* inputs are ``x`` of shape ``(L, d_model)``; projections ``w_q``, ``w_k`` are
  ``(d_model, d_head)``; logits are ``(L, L)`` with rows indexed by the query :math:`i`,
  before any :math:`1/\sqrt{d}` scaling and softmax.

The sinusoidal encoding is returned as a torch tensor (``float64`` by default), row ``k`` being
:math:`\boldsymbol{p}_k` with sines on even and cosines on odd features.
"""

from __future__ import annotations

import math
import numbers
from typing import overload

import torch

__all__ = [
    "absolute_logits",
    "alibi_slopes",
    "deberta_delta",
    "deberta_logits",
    "expand_logits",
    "relative_positions",
    "shaw_clip",
    "shaw_logits",
    "sinusoidal_dot",
    "sinusoidal_encode",
    "sinusoidal_freqs",
    "sinusoidal_positions",
    "sinusoidal_shift_matrix",
    "t5_bucket",
    "t5_logits",
    "toeplitz_defect",
    "xlnet_logits",
]


# ----------------------------------------------------------------------------------------------
# Absolute: the sinusoidal encoding and its rotation property
# ----------------------------------------------------------------------------------------------

def sinusoidal_freqs(d: int, base: float = 10000.0, dtype: torch.dtype = torch.float64,
                     device: torch.device | str | None = None) -> torch.Tensor:
    r"""The frequencies :math:`\omega_i = b^{-2i/d}`, :math:`i = 0, \dots, d/2-1` (``(d/2,)``)."""
    if d <= 0 or d % 2:
        raise ValueError(f"the sinusoidal encoding needs an even feature size, got d={d}")
    i = torch.arange(d // 2, dtype=dtype, device=device)
    # ω_i = base^{-2i/d}
    return base ** (-2.0 * i / d)


def sinusoidal_encode(positions: torch.Tensor, d: int, base: float = 10000.0,
                      dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""Sinusoidal vectors of arbitrary (negative, fractional) positions: ``(*positions.shape, d)``.

    Implements Eq. \eqref{eq:posenc-survey-sin} of the post posenc-survey at every entry of
    ``positions`` (used as the relative encoding :math:`\boldsymbol{R}_{i-j}` of XLNet).
    """
    pos = torch.as_tensor(positions).to(dtype)
    angle = pos[..., None] * sinusoidal_freqs(d, base, dtype, pos.device)  # (..., d/2): k ω_i
    out = torch.empty(*pos.shape, d, dtype=dtype, device=pos.device)
    out[..., 0::2] = torch.sin(angle)  # p_{k,2i} = sin(k ω_i)
    out[..., 1::2] = torch.cos(angle)  # p_{k,2i+1} = cos(k ω_i)
    return out


def sinusoidal_positions(n: int, d: int, *, base: float = 10000.0,
                         dtype: torch.dtype = torch.float64,
                         device: torch.device | str | None = None) -> torch.Tensor:
    r"""The sinusoidal encodings of positions :math:`0, \dots, n-1` as a ``(n, d)`` torch tensor.

    Implements Eq. \eqref{eq:posenc-survey-sin} of the post posenc-survey:

    .. math::
        p_{k,2i} = \sin(k/b^{2i/d}), \qquad p_{k,2i+1} = \cos(k/b^{2i/d}),

    with :math:`b` = ``base`` (10000 in the original Transformer). Returns ``float64`` unless
    ``dtype`` says otherwise.
    """
    return sinusoidal_encode(torch.arange(n, device=device), d, base, dtype)


def sinusoidal_shift_matrix(delta: float, d: int, base: float = 10000.0,
                            dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""The ``(d, d)`` matrix :math:`M_\Delta` with :math:`p_{k+\Delta} = M_\Delta p_k`.

    Implements Eq. \eqref{eq:posenc-survey-shift} of the post posenc-survey: block diagonal,
    block :math:`i` acting on :math:`(p_{k,2i}, p_{k,2i+1}) = (\sin k\omega_i, \cos k\omega_i)`
    by the angle-addition formulas,

    .. math::
        \begin{pmatrix}\cos\Delta\omega_i & \sin\Delta\omega_i\\
        -\sin\Delta\omega_i & \cos\Delta\omega_i\end{pmatrix}.

    It does not depend on :math:`k`, and it is a rotation (orthogonal, determinant 1).
    """
    w = sinusoidal_freqs(d, base, dtype)
    c, s = torch.cos(delta * w), torch.sin(delta * w)  # (d/2,)
    m = torch.zeros(d, d, dtype=dtype)
    idx = torch.arange(0, d, 2)
    m[idx, idx] = c  # sin(a+Δω) = sin a cos Δω + cos a sin Δω
    m[idx, idx + 1] = s
    m[idx + 1, idx] = -s  # cos(a+Δω) = −sin a sin Δω + cos a cos Δω
    m[idx + 1, idx + 1] = c
    return m


def sinusoidal_dot(delta: torch.Tensor | float, d: int, base: float = 10000.0,
                   dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""The closed form :math:`\langle p_k, p_{k+\Delta}\rangle = \sum_i \cos\Delta\omega_i`.

    Implements Eq. \eqref{eq:posenc-survey-dot} of the post posenc-survey; ``delta`` may be a
    tensor of shifts, the result has its shape.
    """
    dl = torch.as_tensor(delta).to(dtype)
    # Σ_i cos(Δ ω_i)
    return torch.cos(dl[..., None] * sinusoidal_freqs(d, base, dtype, dl.device)).sum(-1)


def toeplitz_defect(s: torch.Tensor) -> float:
    """The largest spread ``max - min`` along any diagonal of a square matrix ``s``.

    Zero exactly when ``s[i, j]`` depends on ``j - i`` only (a Toeplitz matrix).
    """
    n = s.shape[-1]
    return max((torch.diagonal(s, off).max() - torch.diagonal(s, off).min()).item()
               for off in range(-n + 1, n))


# ----------------------------------------------------------------------------------------------
# From absolute to relative: the four terms of the logits
# ----------------------------------------------------------------------------------------------

def relative_positions(n: int, device: torch.device | str | None = None) -> torch.Tensor:
    """The ``(n, n)`` matrix ``rel[i, j] = j - i`` (key position minus query position)."""
    pos = torch.arange(n, device=device)
    return pos[None, :] - pos[:, None]


def absolute_logits(x: torch.Tensor, p: torch.Tensor, w_q: torch.Tensor,
                    w_k: torch.Tensor) -> torch.Tensor:
    r"""Logits :math:`(x_i+p_i)W_Q\big((x_j+p_j)W_K\big)^\top` of an additive absolute encoding.

    Returns ``(L, L)``; :func:`expand_logits` splits it into four terms.
    """
    h = x + p
    return (h @ w_q) @ (h @ w_k).T


def expand_logits(x: torch.Tensor, p: torch.Tensor, w_q: torch.Tensor,
                  w_k: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""The four terms of :func:`absolute_logits`, each ``(L, L)``.

    Implements Eq. \eqref{eq:posenc-survey-expand} of the post posenc-survey: content-content
    :math:`x_iW_QW_K^\top x_j^\top`, content-position :math:`x_iW_QW_K^\top p_j^\top`,
    position-content :math:`p_iW_QW_K^\top x_j^\top` and position-position
    :math:`p_iW_QW_K^\top p_j^\top`. Their sum is :func:`absolute_logits`.
    """
    qx, qp, kx, kp = x @ w_q, p @ w_q, x @ w_k, p @ w_k
    return qx @ kx.T, qx @ kp.T, qp @ kx.T, qp @ kp.T


@overload
def shaw_clip(rel: int, k: int) -> int: ...
@overload
def shaw_clip(rel: torch.Tensor, k: int) -> torch.Tensor: ...


def shaw_clip(rel: int | torch.Tensor, k: int) -> int | torch.Tensor:
    r""":math:`\mathrm{clip}(r, k) = \max(-k, \min(k, r))`: positions beyond :math:`\pm k` share one vector.

    Implements the clipping in Eq. \eqref{eq:posenc-survey-shaw} of the post posenc-survey.
    Ints give an int, tensors a tensor.
    """
    if k < 0:
        raise ValueError(f"k must be non-negative, got {k}")
    if isinstance(rel, numbers.Integral):
        return max(-k, min(k, int(rel)))
    return torch.clamp(rel, -k, k)


def shaw_logits(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, table_k: torch.Tensor,
                k: int) -> torch.Tensor:
    r"""Logits of Shaw et al.: :math:`x_iW_Q\,(x_jW_K + R^K_{i,j})^\top`, ``(L, L)``.

    Implements Eq. \eqref{eq:posenc-survey-shaw} of the post posenc-survey, with
    :math:`R^K_{i,j}` = ``table_k[clip(j - i, k) + k]`` and ``table_k`` of shape
    ``(2k + 1, d_head)`` (trainable in the paper).
    """
    if table_k.shape[0] != 2 * k + 1:
        raise ValueError(f"table_k needs 2k+1 = {2 * k + 1} rows, got {table_k.shape[0]}")
    L = x.shape[0]
    r = table_k[shaw_clip(relative_positions(L, x.device), k) + k]  # (L, L, d_head): R^K_{ij}
    q, kx = x @ w_q, x @ w_k
    # x_i W_Q (x_j W_K + R^K_{ij})^T
    return q @ kx.T + torch.einsum("id,ijd->ij", q, r)


def xlnet_logits(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_kr: torch.Tensor,
                 u: torch.Tensor, v: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    r"""Logits of Transformer-XL / XLNet, ``(L, L)``.

    Implements Eq. \eqref{eq:posenc-survey-xlnet} of the post posenc-survey:

    .. math::
        x_iW_QW_K^\top x_j^\top + x_iW_QW_{K,R}^\top R_{i-j}^\top + uW_K^\top x_j^\top
        + vW_{K,R}^\top R_{i-j}^\top,

    with :math:`R_{i-j}` the sinusoidal vector of the relative position :math:`i-j`
    (``(d_model,)`` each), ``w_kr`` of shape ``(d_model, d_head)`` and trainable ``u, v`` of
    shape ``(d_head,)``.
    """
    L, d = x.shape
    r = sinusoidal_encode(-relative_positions(L, x.device), d, base, x.dtype) @ w_kr  # R_{i-j} W_{K,R}
    q, kx = x @ w_q, x @ w_k
    return q @ kx.T + torch.einsum("id,ijd->ij", q, r) + (kx @ u)[None, :] + r @ v


@overload
def t5_bucket(relative_position: int, bidirectional: bool = True, num_buckets: int = 32,
              max_distance: int = 128) -> int: ...
@overload
def t5_bucket(relative_position: torch.Tensor, bidirectional: bool = True, num_buckets: int = 32,
              max_distance: int = 128) -> torch.Tensor: ...


def t5_bucket(relative_position: int | torch.Tensor, bidirectional: bool = True,
              num_buckets: int = 32, max_distance: int = 128) -> int | torch.Tensor:
    r"""T5's bucket id of a relative position ``j - i`` (key minus query), as in its
    ``_relative_position_bucket``.

    Implements Eq. \eqref{eq:posenc-survey-bucket} of the post posenc-survey. With
    :math:`n = i - j` (query minus key):

    * bidirectional: half of the buckets for each sign; keys after the query (:math:`n<0`)
      get an offset of ``num_buckets // 2``, and :math:`n \to |n|`, ``num_buckets //= 2``;
      unidirectional: :math:`n \to \max(n, 0)` (every future key falls in bucket 0);
    * with ``max_exact = num_buckets // 2``: :math:`n` itself when :math:`n <` ``max_exact``,
      otherwise ``max_exact + int(log(n / max_exact) / log(max_distance / max_exact) *
      (num_buckets - max_exact))``, at most ``num_buckets - 1``.

    Accepts a python int (returns an int) or an integer tensor (returns ``torch.long`` on
    its device). The logarithm is taken in float64.
    """
    if isinstance(relative_position, numbers.Integral):
        return int(t5_bucket(torch.tensor(int(relative_position)), bidirectional, num_buckets,
                             max_distance))
    rel = torch.as_tensor(relative_position)
    if rel.is_floating_point() or rel.is_complex() or rel.dtype == torch.bool:
        raise TypeError(f"relative positions must be integers, got {rel.dtype}")
    n = -rel.long()  # n = i - j
    ret = torch.zeros_like(n)
    if bidirectional:
        num_buckets //= 2
        ret = ret + (n < 0).long() * num_buckets  # keys after the query: upper half
        n = n.abs()
    else:
        n = n.clamp_min(0)
    max_exact = num_buckets // 2
    if max_exact < 1 or max_distance <= max_exact:
        raise ValueError(f"need num_buckets // {4 if bidirectional else 2} >= 1 and max_distance > "
                         f"{max_exact}, got num_buckets={num_buckets * (2 if bidirectional else 1)}, "
                         f"max_distance={max_distance}")
    nf = n.clamp_min(max_exact).to(torch.float64)  # the log branch is used only for n ≥ max_exact
    # max_exact + ⌊ log(n / max_exact) / log(max_distance / max_exact) · (num_buckets − max_exact) ⌋
    large = max_exact + (torch.log(nf / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).long()
    large = large.clamp_max(num_buckets - 1)
    return ret + torch.where(n < max_exact, n, large)


def t5_logits(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, bias: torch.Tensor,
              bidirectional: bool = True, max_distance: int = 128) -> torch.Tensor:
    r"""Logits of T5: :math:`x_iW_QW_K^\top x_j^\top + \beta_{b(j-i)}`, ``(L, L)``.

    Implements Eq. \eqref{eq:posenc-survey-t5} of the post posenc-survey; ``bias`` holds one
    scalar per bucket (``(num_buckets,)``) and :math:`b` is :func:`t5_bucket`.
    """
    b = t5_bucket(relative_positions(x.shape[0], x.device), bidirectional, bias.shape[0],
                  max_distance)
    return (x @ w_q) @ (x @ w_k).T + bias[b]


def deberta_delta(rel_query_minus_key: torch.Tensor, k: int) -> torch.Tensor:
    r"""DeBERTa's index :math:`\delta(i,j)` of the relative position :math:`i-j` in a table of ``2k`` rows.

    :math:`\delta(i,j) = 0` for :math:`i-j \le -k`, :math:`2k-1` for :math:`i-j \ge k`, and
    :math:`i-j+k` in between.
    """
    if k < 1:
        raise ValueError(f"k must be positive, got {k}")
    return torch.clamp(rel_query_minus_key + k, 0, 2 * k - 1)


def deberta_logits(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_qr: torch.Tensor,
                   w_kr: torch.Tensor, table: torch.Tensor, k: int) -> torch.Tensor:
    r"""Logits of DeBERTa's disentangled attention, ``(L, L)``.

    Implements Eq. \eqref{eq:posenc-survey-deberta} of the post posenc-survey:

    .. math::
        x_iW_QW_K^\top x_j^\top + x_iW_Q W_{K,R}^\top P_{\delta(i,j)}^\top
        + P_{\delta(j,i)}W_{Q,R}W_K^\top x_j^\top,

    i.e. content-to-content, content-to-position and position-to-content; the
    position-to-position term is dropped. ``table`` is the shared ``(2k, d_model)`` relative
    embedding :math:`P`; ``w_qr``, ``w_kr`` are ``(d_model, d_head)``.
    """
    if table.shape[0] != 2 * k:
        raise ValueError(f"table needs 2k = {2 * k} rows, got {table.shape[0]}")
    i_minus_j = -relative_positions(x.shape[0], x.device)
    kr = table[deberta_delta(i_minus_j, k)] @ w_kr  # (L, L, d_head): P_{δ(i,j)} W_{K,R}
    qr = table[deberta_delta(i_minus_j.T, k)] @ w_qr  # (L, L, d_head): P_{δ(j,i)} W_{Q,R}
    q, kx = x @ w_q, x @ w_k
    return q @ kx.T + torch.einsum("id,ijd->ij", q, kr) + torch.einsum("jd,ijd->ij", kx, qr)


def alibi_slopes(h: int, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""ALiBi's head slopes :math:`m_s = 2^{-8s/h}`, :math:`s = 1, \dots, h` (``(h,)``).

    A later development (Press et al., "Train Short, Test Long"): head :math:`s` adds
    :math:`-m_s\,|i-j|` to its logits. Only the rule for a power-of-two number of heads is
    implemented; other ``h`` raise ``ValueError``.
    """
    if h < 1 or h & (h - 1):
        raise ValueError(f"alibi_slopes implements power-of-two head counts only, got {h}")
    s = torch.arange(1, h + 1, dtype=dtype)
    # m_s = 2^{-8 s / h}
    return 2.0 ** (-8.0 * s / h)


# ----------------------------------------------------------------------------------------------
# Additions for the post posenc-survey (kept together so that they merge cleanly)
# ----------------------------------------------------------------------------------------------

__all__ += [
    "additive_scores",
    "rotary_scores",
    "sinusoidal_by_rotation",
    "t5_saturation_distance",
]


def t5_saturation_distance(num_buckets: int = 32, max_distance: int = 128,
                           bidirectional: bool = True) -> int:
    r"""The smallest distance :math:`|j-i|` that falls in T5's last bucket, in closed form.

    Implements Eq. \eqref{eq:posenc-survey-saturate} of the post posenc-survey. With
    :math:`N` buckets per direction (``num_buckets // 2`` when bidirectional),
    :math:`N_e = N/2` exact buckets and :math:`D` = ``max_distance``, the logarithmic buckets
    cut :math:`[N_e, D)` into :math:`N-N_e` pieces of equal log-width with boundaries
    :math:`N_e (D/N_e)^{t/(N-N_e)}`; the last piece, from :math:`t = N-N_e-1` up to :math:`D`,
    already is bucket :math:`N-1`, so the saturation starts at

    .. math:: n_{\rm sat} = \Big\lceil N_e\,(D/N_e)^{1-1/(N-N_e)} \Big\rceil < D.
    """
    per_dir = num_buckets // 2 if bidirectional else num_buckets
    exact = per_dir // 2
    if exact < 1 or max_distance <= exact:
        raise ValueError("need at least one exact bucket and max_distance above it")
    steps = per_dir - exact  # number of logarithmic buckets
    # n_sat = ⌈ N_e (D / N_e)^{1 - 1/(N - N_e)} ⌉
    edge = exact * (max_distance / exact) ** (1.0 - 1.0 / steps)
    n_sat = math.ceil(edge)
    if abs(edge - round(edge)) < 1e-9:  # an integer edge belongs to the last bucket itself
        n_sat = round(edge)
    return n_sat


def sinusoidal_by_rotation(n: int, d: int, base: float = 10000.0) -> torch.Tensor:
    r"""Rows :math:`M_k\,\boldsymbol{p}_0` for :math:`k = 0,\dots,n-1`: ``(n, d)``, float64.

    The sinusoidal encoding rebuilt by rotating :math:`\boldsymbol{p}_0 = (0, 1, 0, 1, \dots)`
    with the shift matrices of Eq. \eqref{eq:posenc-survey-shift} of the post posenc-survey;
    equal to :func:`sinusoidal_positions` ``(n, d)``.
    """
    p0 = sinusoidal_positions(1, d, base=base)[0]  # (d,): sin 0 = 0, cos 0 = 1
    # p_k = M_k p_0
    return torch.stack([sinusoidal_shift_matrix(k, d, base) @ p0 for k in range(n)])


def additive_scores(q: torch.Tensor, k: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    r"""Scores :math:`(\boldsymbol{q}+\boldsymbol{p}_m)^\top(\boldsymbol{k}+\boldsymbol{p}_n)`: ``(L, L)``.

    One query vector ``q`` and one key vector ``k`` (``(d,)``) placed at every position of the
    encoding ``p`` (``(L, d)``) by addition, as the additive absolute encodings of the post
    posenc-survey do; entry ``[m, n]`` is the score of position ``m`` against position ``n``.
    """
    # (q + p_m)·(k + p_n) for all m, n
    return (q + p) @ (k + p).T


def rotary_scores(q: torch.Tensor, k: torch.Tensor, n: int) -> torch.Tensor:
    r"""Scores :math:`(\mathcal{R}_m\boldsymbol{q})^\top(\mathcal{R}_n\boldsymbol{k})` for
    :math:`m, n < L` = ``n``: ``(n, n)``.

    The same vectors as :func:`additive_scores`, placed by rotation instead (RoPE, see the post
    rope). Implements Eq. \eqref{eq:posenc-survey-rotate} of the post posenc-survey pair by pair:
    with pairs as complex numbers the entry is :math:`\operatorname{Re}\sum_i q_i\overline{k_i}
    e^{\mathrm{i}(m-n)\theta_i}`, a function of :math:`m-n` only.
    """
    from blogkit.rope import apply_rope  # the rotation lives with the RoPE post

    d = q.shape[-1]
    pos = torch.arange(n, device=q.device)
    # (R_m q)·(R_n k)
    return apply_rope(q.expand(n, d), pos) @ apply_rope(k.expand(n, d), pos).T
