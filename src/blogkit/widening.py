r"""Function-preserving widening of a Transformer block, width :math:`d \to 2d`.

Implements the post ``lossless-widening`` (from 苏剑林,《我们可以无损放大一个Transformer模型吗(一)》,
2021-06-02). The idea goes back to Net2Net's "Net2WiderNet" (T. Chen, Goodfellow, Shlens,
ICLR 2016) and was applied to BERT/GPT pre-training by bert2BERT (C. Chen et al., ACL 2022).

Every hidden vector :math:`x\in\mathbb{R}^d` of the small model is represented in the wide model
by its duplicate :math:`[x, x]\in\mathbb{R}^{2d}`; each layer is widened so that it maps
duplicates to duplicates:

* linear layer :math:`W \mapsto \tfrac12\begin{pmatrix}W&W\\W&W\end{pmatrix}`, :math:`b\mapsto[b,b]`
  (:func:`widen_linear`);
* LayerNorm: :math:`\gamma\mapsto[\gamma,\gamma]`, :math:`\beta\mapsto[\beta,\beta]`, the same
  :math:`\epsilon` (:func:`widen_layernorm`);
* FFN: its hidden neurons are duplicated, which is :func:`widen_linear` on both of its layers;
* attention, two strategies (:func:`widen_block`): ``"heads"`` doubles the number of heads and
  keeps the head size (exact as is); ``"head_dim"`` keeps the heads and doubles their size, which
  doubles every :math:`q\cdot k`, so the scale :math:`1/\sqrt{d_h}` has to become
  :math:`1/(2\sqrt{d_h})` (or :math:`1/\sqrt2` is folded into :math:`W_q`).

A duplicated model stays duplicated under gradient descent (:func:`duplication_defect`,
:func:`sgd_step`); :func:`add_symmetry_noise` breaks the symmetry.

The block :class:`TinyBlock` is a pre-LN Transformer block written out by hand (its attention
is cross-checked against ``torch.nn.MultiheadAttention`` in the tests). Everything computes in
the dtype and on the device of its inputs; float64 is the intended dtype for the exactness
checks.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Literal

import torch
from torch import nn

__all__ = [
    "Activation",
    "NoiseMode",
    "ScaleFix",
    "Strategy",
    "TinyBlock",
    "add_symmetry_noise",
    "count_parameters",
    "duplication_defect",
    "head_dim_perm",
    "layer_norm",
    "loglog_slope",
    "param_count",
    "readout_loss",
    "sgd_step",
    "widen_block",
    "widen_input",
    "widen_layernorm",
    "widen_linear",
    "widening_error",
]

Strategy = Literal["heads", "head_dim"]
ScaleFix = Literal["fold", "scale", "none"]
NoiseMode = Literal["iid", "split"]
Activation = Literal["gelu", "relu"]


# ---------------------------------------------------------------------------------------------
# The small block
# ---------------------------------------------------------------------------------------------


class TinyBlock(nn.Module):
    r"""A pre-LN Transformer block: :math:`h = x + \mathrm{MHA}(\mathrm{LN}_1(x))`,
    :math:`y = h + \mathrm{FFN}(\mathrm{LN}_2(h))`.

    Args:
        d: model width.
        heads: number of attention heads (must divide ``d``); ``head_dim = d // heads``.
        d_ff: FFN hidden width.
        activation: ``"gelu"`` (exact, erf form) or ``"relu"``.
        causal: mask attention to earlier positions.
        scale: the logit scale; ``None`` means :math:`1/\sqrt{d_h}`.
        eps: the LayerNorm :math:`\epsilon`.
        dtype, device: of the parameters.
        generator: a CPU generator for the random initialisation (``None``: the global RNG).

    Parameters are initialised at random, LayerNorm's included (so that tests see non-trivial
    :math:`\gamma,\beta`): weights :math:`\mathcal N(0, 1/\text{fan-in})`, biases and
    :math:`\beta` :math:`\mathcal N(0, 0.1^2)`, :math:`\gamma` :math:`1+\mathcal N(0, 0.1^2)`.
    """

    def __init__(self, d: int, heads: int, d_ff: int, *, activation: Activation = "gelu",
                 causal: bool = False, scale: float | None = None, eps: float = 1e-5,
                 dtype: torch.dtype = torch.float64, device: torch.device | str | None = None,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        if d % heads:
            raise ValueError(f"heads={heads} must divide d={d}")
        if activation not in ("gelu", "relu"):
            raise ValueError(f"activation must be 'gelu' or 'relu', got {activation!r}")
        self.d, self.heads, self.d_ff = d, heads, d_ff
        self.head_dim = d // heads
        self.activation: Activation = activation
        self.causal = causal
        self.eps = eps
        self.scale = 1.0 / math.sqrt(self.head_dim) if scale is None else float(scale)
        kw = {"dtype": dtype, "device": device}
        self.ln1 = nn.LayerNorm(d, eps=eps, **kw)
        self.q = nn.Linear(d, d, **kw)
        self.k = nn.Linear(d, d, **kw)
        self.v = nn.Linear(d, d, **kw)
        self.o = nn.Linear(d, d, **kw)
        self.ln2 = nn.LayerNorm(d, eps=eps, **kw)
        self.ff1 = nn.Linear(d, d_ff, **kw)
        self.ff2 = nn.Linear(d_ff, d, **kw)
        self.reset_parameters(generator)

    @torch.no_grad()
    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """Random parameters, drawn on the CPU (so they do not depend on the device)."""
        for name, p in self.named_parameters():
            noise = torch.randn(p.shape, generator=generator, dtype=torch.float64)
            if name.startswith("ln") and name.endswith("weight"):
                val = 1.0 + 0.1 * noise
            elif name.endswith("weight"):
                val = noise / math.sqrt(p.shape[1])
            else:
                val = 0.1 * noise
            p.copy_(val.to(dtype=p.dtype, device=p.device))

    def attention(self, z: torch.Tensor) -> torch.Tensor:
        r"""Multi-head self-attention of ``z`` (shape ``(..., L, d)``):
        :math:`\mathrm{softmax}(s\,q_i k_i^\top)v_i` per head, concatenated, then :math:`W_o`."""
        *lead, L, _ = z.shape

        def split(t: torch.Tensor) -> torch.Tensor:  # (..., L, d) -> (..., heads, L, head_dim)
            return t.reshape(*lead, L, self.heads, self.head_dim).transpose(-2, -3)

        q, k, v = split(self.q(z)), split(self.k(z)), split(self.v(z))
        # logits = s · q kᵀ, s = 1/√d_h unless set otherwise
        logits = self.scale * (q @ k.transpose(-1, -2))
        if self.causal:
            mask = torch.ones(L, L, dtype=torch.bool, device=z.device).triu(1)
            logits = logits.masked_fill(mask, float("-inf"))
        out = torch.softmax(logits, dim=-1) @ v
        return self.o(out.transpose(-2, -3).reshape(*lead, L, self.d))

    def ffn(self, z: torch.Tensor) -> torch.Tensor:
        """The feed-forward layer: ``ff2(act(ff1(z)))``."""
        h = self.ff1(z)
        h = torch.nn.functional.gelu(h) if self.activation == "gelu" else torch.relu(h)
        return self.ff2(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-LN residual block; ``x`` has shape ``(..., L, d)``."""
        h = x + self.attention(self.ln1(x))
        return h + self.ffn(self.ln2(h))


# ---------------------------------------------------------------------------------------------
# The widening maps
# ---------------------------------------------------------------------------------------------


def widen_input(x: torch.Tensor) -> torch.Tensor:
    r"""The duplicate :math:`x\mapsto[x, x]` along the last axis.

    Implements Eq. \eqref{eq:lossless-widening-dup} of the post lossless-widening.
    """
    return torch.cat([x, x], dim=-1)


def widen_linear(weight: torch.Tensor, bias: torch.Tensor | None = None, *, inputs: bool = True,
                 outputs: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
    r"""Widen a linear layer :math:`y = Wx + b` (``weight`` of shape ``(d_out, d_in)``).

    With both sides widened, :math:`W' = \tfrac12\begin{pmatrix}W&W\\W&W\end{pmatrix}` and
    :math:`b'=[b,b]`, so that :math:`W'[x,x]+b' = [y, y]`.
    ``inputs=False`` keeps the input width (:math:`W'=\begin{pmatrix}W\\W\end{pmatrix}`, an
    embedding-like layer); ``outputs=False`` keeps the output width
    (:math:`W'=\tfrac12(W\ W)`, :math:`b'=b`, a read-out layer).

    Implements Eq. \eqref{eq:lossless-widening-linear} of the post lossless-widening.
    """
    w = weight
    if inputs:
        # each duplicated input feature carries half of the old weight: ½ (W W)
        w = torch.cat([w, w], dim=1) / 2
    b = bias
    if outputs:
        # each output is computed twice: (W'; W'), b' = [b, b]
        w = torch.cat([w, w], dim=0)
        b = None if bias is None else torch.cat([bias, bias])
    return w, b


def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5, *,
               unbiased: bool = False) -> torch.Tensor:
    r"""LayerNorm over the last axis, written out:
    :math:`\gamma\odot(x-\mu)/\sqrt{\sigma^2+\epsilon}+\beta`.

    :math:`\sigma^2` is the population variance (divide by :math:`n`, as ``nn.LayerNorm``);
    ``unbiased=True`` divides by :math:`n-1` instead (a variant that does *not* survive
    duplication).

    Implements Eq. \eqref{eq:lossless-widening-ln} of the post lossless-widening.
    """
    n = x.shape[-1]
    mu = x.mean(dim=-1, keepdim=True)
    # σ² = (1/n) Σ (x_i − μ)²   (or 1/(n−1))
    var = ((x - mu) ** 2).sum(dim=-1, keepdim=True) / (n - 1 if unbiased else n)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


def widen_layernorm(gamma: torch.Tensor, beta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Widen LayerNorm: :math:`\gamma\mapsto[\gamma,\gamma]`, :math:`\beta\mapsto[\beta,\beta]`
    (the mean and the variance of :math:`[x,x]` equal those of :math:`x`, so :math:`\epsilon`
    stays as it is).

    Implements Eq. \eqref{eq:lossless-widening-ln-dup} of the post lossless-widening.
    """
    return torch.cat([gamma, gamma]), torch.cat([beta, beta])


def head_dim_perm(heads: int, head_dim: int) -> torch.Tensor:
    r"""Index map from the concatenated layout :math:`[q, q]` to the per-head layout
    :math:`[q_1, q_1, q_2, q_2, \dots]` used by the ``"head_dim"`` strategy.

    Returns ``perm`` of length :math:`2\,\text{heads}\cdot\text{head\_dim}` with
    ``[q, q][perm]`` = per-head duplicates: wide head :math:`i` holds :math:`[q_i, q_i]`.
    """
    d = heads * head_dim
    i = torch.arange(heads).repeat_interleave(head_dim)
    j = torch.arange(head_dim).repeat(heads)
    first = i * head_dim + j                 # q_i[j] in the first copy of [q, q]
    perm = torch.empty(2 * d, dtype=torch.long)
    perm[i * 2 * head_dim + j] = first
    perm[i * 2 * head_dim + head_dim + j] = d + first  # ... and in the second copy
    return perm


@torch.no_grad()
def widen_block(block: TinyBlock, strategy: Strategy = "heads", *,
                scale_fix: ScaleFix = "fold") -> TinyBlock:
    r"""The widened block ``TinyBlock(2d, ·, 2 d_ff)`` with ``wide([x, x]) == [block(x), block(x)]``.

    ``strategy="heads"``: :math:`2h` heads of size :math:`d_h` (the scale is unchanged).
    ``strategy="head_dim"``: :math:`h` heads of size :math:`2d_h`; head :math:`i` sees
    :math:`[q_i, q_i]` and :math:`[k_i, k_i]`, whose inner product is :math:`2\,q_i\cdot k_i`.
    ``scale_fix`` says how that factor 2 is undone:

    * ``"fold"``: the wide block uses the standard :math:`1/\sqrt{2d_h}` (more generally the old
      scale over :math:`\sqrt2`) and :math:`W_q, b_q` are multiplied by :math:`1/\sqrt2`;
    * ``"scale"``: :math:`W_q` is untouched and the scale becomes :math:`s/2`;
    * ``"none"``: no fix, the standard scale :math:`s/\sqrt2`: every logit is :math:`\sqrt2`
      times too large (for comparison only).

    The input block is not modified. Implements Eq. \eqref{eq:lossless-widening-scale} of the
    post lossless-widening.
    """
    if strategy not in ("heads", "head_dim"):
        raise ValueError(f"strategy must be 'heads' or 'head_dim', got {strategy!r}")
    if scale_fix not in ("fold", "scale", "none"):
        raise ValueError(f"scale_fix must be 'fold', 'scale' or 'none', got {scale_fix!r}")
    s = block.scale
    q_factor = 1.0
    if strategy == "heads":
        heads, scale = 2 * block.heads, s
    else:
        heads = block.heads
        # s' · (2 q·k) = s · q·k  ⇔  s' = s/2 = (s/√2)·(1/√2)
        if scale_fix == "fold":
            scale, q_factor = s / math.sqrt(2.0), 1.0 / math.sqrt(2.0)
        elif scale_fix == "scale":
            scale = s / 2
        else:
            scale = s / math.sqrt(2.0)
    p0 = block.q.weight
    wide = TinyBlock(2 * block.d, heads, 2 * block.d_ff, activation=block.activation,
                     causal=block.causal, scale=scale, eps=block.eps, dtype=p0.dtype,
                     device=p0.device, generator=torch.Generator().manual_seed(0))
    perm = (head_dim_perm(block.heads, block.head_dim).to(p0.device)
            if strategy == "head_dim" else None)

    for ln in ("ln1", "ln2"):
        g, b = widen_layernorm(getattr(block, ln).weight, getattr(block, ln).bias)
        getattr(wide, ln).weight.copy_(g)
        getattr(wide, ln).bias.copy_(b)
    for name in ("q", "k", "v", "o", "ff1", "ff2"):
        w, b = widen_linear(getattr(block, name).weight, getattr(block, name).bias)
        if perm is not None and name in ("q", "k", "v"):
            w, b = w[perm], b[perm]           # outputs in the per-head layout
        elif perm is not None and name == "o":
            w = w[:, perm]                    # inputs come in the per-head layout
        if name == "q":
            w, b = w * q_factor, b * q_factor
        getattr(wide, name).weight.copy_(w)
        getattr(wide, name).bias.copy_(b)
    return wide


# ---------------------------------------------------------------------------------------------
# Checks and measurements
# ---------------------------------------------------------------------------------------------


def widening_error(small: Callable[[torch.Tensor], torch.Tensor],
                   wide: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, *,
                   times: int = 1) -> float:
    r""":math:`\max\lvert [f(x), f(x)] - F([x, x])\rvert` for a small map ``f`` and its
    widened version ``F``; ``times=t`` duplicates :math:`t` times (width :math:`2^t d`)."""

    def dup(t: torch.Tensor) -> torch.Tensor:
        for _ in range(times):
            t = widen_input(t)
        return t

    with torch.no_grad():
        return float((dup(small(x)) - wide(dup(x))).abs().max())


# How each parameter's axes are laid out in a widened block: "res" the residual stream
# [x, x], "hid" the FFN hidden layer [h, h], "head" the attention features (concatenated for
# the "heads" strategy, per-head for "head_dim").
_AXES: dict[str, tuple[str, ...]] = {
    "ln1.weight": ("res",), "ln1.bias": ("res",), "ln2.weight": ("res",), "ln2.bias": ("res",),
    "q.weight": ("head", "res"), "q.bias": ("head",),
    "k.weight": ("head", "res"), "k.bias": ("head",),
    "v.weight": ("head", "res"), "v.bias": ("head",),
    "o.weight": ("res", "head"), "o.bias": ("res",),
    "ff1.weight": ("hid", "res"), "ff1.bias": ("hid",),
    "ff2.weight": ("res", "hid"), "ff2.bias": ("res",),
}


def _partners(kind: str, n: int, block: TinyBlock,
              strategy: Strategy) -> tuple[torch.Tensor, torch.Tensor]:
    """Positions (first copy, second copy) of the duplicated features along one axis."""
    if kind == "head" and strategy == "head_dim":
        perm = head_dim_perm(block.heads, block.head_dim // 2)
        pos = torch.argsort(perm)  # pos[c] = where feature c of [q, q] sits in the wide layout
        return pos[: n // 2], pos[n // 2:]
    return torch.arange(n // 2), torch.arange(n // 2, n)


def duplication_defect(block: TinyBlock, strategy: Strategy = "heads", *, grads: bool = False,
                       since: TinyBlock | None = None) -> dict[str, float]:
    r"""How far each parameter (or its gradient, ``grads=True``) of a wide block is from the
    duplicated structure that :func:`widen_block` produces.

    For a vector: :math:`\max\lvert t_{(2)} - t_{(1)}\rvert` over its two copies; for a weight
    matrix: the largest difference between its four blocks (rows: output copies, columns: input
    copies). Zero means the two halves are identical. ``since=start`` measures the change
    :math:`\theta - \theta_{\text{start}}` instead (how asymmetric the training updates are).
    """
    start = dict(since.named_parameters()) if since is not None else {}
    out: dict[str, float] = {}
    for name, p in block.named_parameters():
        t = p.grad if grads else p
        if t is None:
            raise ValueError(f"{name} has no gradient")
        t = t.detach()
        if since is not None:
            t = t - start[name].detach()
        idx = [_partners(kind, t.shape[a], block, strategy) for a, kind in enumerate(_AXES[name])]
        if t.ndim == 1:
            (f, s), = idx
            out[name] = float((t[s.to(t.device)] - t[f.to(t.device)]).abs().max())
        else:
            (fr, sr), (fc, sc) = ([i.to(t.device) for i in pair] for pair in idx)
            ref = t[fr][:, fc]
            out[name] = max(float((t[r][:, c] - ref).abs().max())
                            for r, c in ((fr, sc), (sr, fc), (sr, sc)))
    return out


@torch.no_grad()
def add_symmetry_noise(block: TinyBlock, eps: float, generator: torch.Generator, *,
                       mode: NoiseMode = "iid", strategy: Strategy = "heads") -> TinyBlock:
    r"""A copy of ``block`` with noise of size ``eps`` that breaks the duplication symmetry.

    ``mode="iid"``: every parameter gets :math:`\epsilon\,\mathcal N(0,1)` added; the output
    drifts by :math:`O(\epsilon)`.
    ``mode="split"``: only the weight matrices change, and only *within* each pair of duplicated
    input columns: :math:`W'_{:,j} \mathrel{+}= \epsilon n`, :math:`W'_{:,j'} \mathrel{-}=
    \epsilon n` (a different :math:`n` for every row). Since the inputs of every linear layer are
    duplicates, :math:`x_j = x_{j'}`, the function is unchanged (up to rounding), while the two
    output copies no longer share their weights. ``strategy`` tells where the copies of the
    attention features sit.

    The noise is drawn on the CPU from ``generator`` (device-independent).
    """
    if mode not in ("iid", "split"):
        raise ValueError(f"mode must be 'iid' or 'split', got {mode!r}")
    noisy = copy.deepcopy(block)
    for name, p in noisy.named_parameters():
        if mode == "iid":
            n = torch.randn(p.shape, generator=generator, dtype=torch.float64)
            p.add_(eps * n.to(dtype=p.dtype, device=p.device))
        elif p.ndim == 2:
            f, s = _partners(_AXES[name][1], p.shape[1], block, strategy)
            n = torch.randn(p.shape[0], len(f), generator=generator, dtype=torch.float64)
            n = (eps * n).to(dtype=p.dtype, device=p.device)
            p[:, f.to(p.device)] += n
            p[:, s.to(p.device)] -= n
    return noisy


def readout_loss(block: TinyBlock, x: torch.Tensor, readout: torch.Tensor,
                 target: torch.Tensor) -> torch.Tensor:
    r"""A toy training loss: :math:`\mathcal L = \tfrac12\,\mathrm{mean}\,\lVert R\,
    \mathrm{block}(x) - t\rVert^2` with a fixed read-out matrix :math:`R` (``(c, d)``).

    For a widened block use the widened read-out ``widen_linear(R, outputs=False)[0]``: the loss
    is then the same number as the small model's.
    """
    y = block(x) @ readout.T
    return 0.5 * ((y - target) ** 2).mean()


def sgd_step(block: TinyBlock, x: torch.Tensor, readout: torch.Tensor, target: torch.Tensor,
             lr: float) -> float:
    r"""One in-place SGD step :math:`\theta \leftarrow \theta - \eta\nabla_\theta\mathcal L`
    on :func:`readout_loss`. Leaves the gradients (at the old parameters) in ``.grad``;
    returns the loss before the step."""
    block.zero_grad(set_to_none=True)
    loss = readout_loss(block, x, readout, target)
    loss.backward()
    with torch.no_grad():
        for p in block.parameters():
            p -= lr * p.grad
    return float(loss.detach())


def loglog_slope(x: torch.Tensor, y: torch.Tensor) -> float:
    r"""Least-squares slope of :math:`\log y` against :math:`\log x` (the exponent of a power
    law)."""
    lx, ly = torch.log(x.double()), torch.log(y.double())
    lx_c, ly_c = lx - lx.mean(), ly - ly.mean()
    return float((lx_c * ly_c).sum() / (lx_c**2).sum())


# ---------------------------------------------------------------------------------------------
# Parameter counts
# ---------------------------------------------------------------------------------------------


def param_count(d: int, d_ff: int) -> int:
    r"""Parameters of ``TinyBlock(d, ·, d_ff)``: :math:`4d^2 + 2 d\,d_{ff} + 9d + d_{ff}`
    (two LayerNorms :math:`4d`, attention :math:`4(d^2+d)`, FFN :math:`2 d\,d_{ff}+d_{ff}+d`;
    the number of heads does not enter).

    Implements Eq. \eqref{eq:lossless-widening-params} of the post lossless-widening.
    """
    # 4d² + 2 d d_ff + 9d + d_ff
    return 4 * d * d + 2 * d * d_ff + 9 * d + d_ff


def count_parameters(module: nn.Module) -> int:
    """``sum(p.numel())`` over the module's parameters."""
    return sum(p.numel() for p in module.parameters())
