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

from collections.abc import Sequence
from typing import Literal

import torch

__all__ = [
    "apply_rope",
    "interleaved_to_half_perm",
    "rope_angles",
    "rope_decay_bound",
    "rope_freqs",
    "rope_matrix",
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
    cos, sin = angles.cos(), angles.sin()  # (seq, d/2)
    if layout == "interleaved":
        x1, x2 = x[..., 0::2], x[..., 1::2]  # (..., seq, d/2) each
        # (x1, x2) -> (x1 cos - x2 sin, x1 sin + x2 cos), pairs kept side by side
        return torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1).flatten(-2)
    if layout == "half":
        x1, x2 = x[..., : d // 2], x[..., d // 2:]
        return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    raise ValueError(f"layout must be 'interleaved' or 'half', got {layout!r}")


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


def interleaved_to_half_perm(d: int) -> torch.Tensor:
    r"""The permutation :math:`P` with ``apply_rope(x, p, layout="interleaved")[..., P] ==
    apply_rope(x[..., P], p, layout="half")``: even features first, then odd ones.

    Implements Eq. \eqref{eq:rope-perm} of the post rope.
    """
    return torch.cat((torch.arange(0, d, 2), torch.arange(1, d, 2)))


def rope_decay_bound(d: int, max_dist: int, base: float = 10000.0) -> torch.Tensor:
    r"""The long-range decay curve :math:`\frac{1}{d/2}\sum_{j=1}^{d/2}|S_j(r)|`, for
    :math:`r = 0, \dots,` ``max_dist``.

    Implements Eq. \eqref{eq:rope-abel} of the post rope, with
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
