"""Mixture-of-experts routing and load balancing (post ``moe-balance``).

Top-k routing :math:`y = \\sum_{i\\in\\mathrm{argtop}_k\\rho}\\rho_i e_i`, the loads :math:`F_i` and
mean router probabilities :math:`P_i`, the auxiliary balancing loss in the Switch Transformer form
:math:`N\\sum_i F_iP_i` (Fedus, Zoph & Shazeer 2021), the straight-through loss it comes from,
and the loss-free balancing of Wang et al. 2024 (arXiv 2408.15664): a per-expert bias that only
changes which experts are selected, updated by :math:`b \\leftarrow b - \\alpha\\,\\mathrm{sign}(F-Q)`.

Functions take torch tensors (``aux_loss`` also numpy arrays) and compute in the dtype given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = [
    "BalancingRun",
    "aux_loss",
    "load_fractions",
    "loss_free_update",
    "max_violation",
    "sampling_floor",
    "simulate_balancing",
    "ste_balance_loss",
    "topk_route",
]


def topk_route(scores: torch.Tensor, k: int,
               bias: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Top-k routing, with an optional selection bias that does not enter the gates.

    Implements Eq. \eqref{eq:moe-balance-route} and Eq. \eqref{eq:moe-balance-bias-route} of the
    post moe-balance: the experts are :math:`\mathrm{argtop}_k(\rho + b)` and their gates are
    :math:`\rho_i` (not :math:`\rho_i + b_i`).

    Args:
        scores: router scores :math:`\rho`, shape ``(tokens, n_experts)``.
        k: experts per token.
        bias: :math:`b`, shape ``(n_experts,)``, or ``None`` for no bias.

    Returns:
        ``(index, gates)``, both ``(tokens, k)``: the chosen experts and their scores.
    """
    select = scores if bias is None else scores + bias  # (tokens, n)
    index = select.topk(k, dim=-1).indices  # (tokens, k)
    return index, scores.gather(-1, index)


def load_fractions(index: torch.Tensor, n_experts: int) -> torch.Tensor:
    r"""Fraction :math:`F_i` of all token-to-expert assignments that go to expert :math:`i`.

    ``index`` is ``(tokens,)`` (top-1) or ``(tokens, k)``; the counts are divided by
    ``tokens * k`` so that :math:`\sum_i F_i = 1` and a perfectly balanced load is
    :math:`F_i = Q = 1/n`. Returns float64 ``(n_experts,)``.
    """
    counts = torch.bincount(index.reshape(-1), minlength=n_experts).to(torch.float64)
    return counts / index.numel()


def aux_loss(router_probs: Any, expert_index: Any, n_experts: int) -> Any:
    r"""The auxiliary load-balancing loss in the Switch Transformer form.

    Implements Eq. \eqref{eq:moe-balance-aux} of the post moe-balance:

    .. math:: \mathcal{L}_{\mathrm{aux}} = N\sum_{i=1}^{N} f_i P_i,\qquad
              f_i = \frac{\#\{t: \text{token } t \text{ goes to } i\}}{T},\quad
              P_i = \frac1T\sum_t p_{t,i},

    with ``router_probs`` :math:`p` of shape ``(tokens, N)`` and the top-1 ``expert_index`` of
    shape ``(tokens,)``. :math:`f` is a count and carries no gradient; :math:`P` does. Equals 1
    when :math:`f = P` is uniform. Torch in, a differentiable 0-d tensor out (in the dtype of
    ``router_probs``); numpy in, a float out.
    """
    if not isinstance(router_probs, torch.Tensor):
        return float(aux_loss(torch.as_tensor(np.asarray(router_probs)),
                              torch.as_tensor(np.asarray(expert_index)), n_experts))
    f = load_fractions(expert_index, n_experts).to(router_probs.dtype)  # (N,), no gradient
    p = router_probs.mean(0)  # (N,)
    # N Σ_i f_i P_i
    return n_experts * (f * p).sum()


def ste_balance_loss(mean_probs: torch.Tensor, loads: torch.Tensor) -> torch.Tensor:
    r"""The straight-through balancing loss :math:`\tfrac12\Vert P + \mathrm{sg}[F - P] - Q\Vert^2`.

    Implements Eq. \eqref{eq:moe-balance-ste} of the post moe-balance: its value is
    :math:`\tfrac12\Vert F - Q\Vert^2` (with :math:`Q = 1/n`), and its gradient with respect to
    :math:`P` is :math:`F - Q`, the gradient of :math:`\sum_i \mathrm{sg}[F_i]P_i` on the simplex.
    """
    q = 1.0 / mean_probs.shape[-1]
    # ½ ‖P + sg[F - P] - Q‖²
    ste = mean_probs + (loads - mean_probs).detach()
    return 0.5 * (ste - q).square().sum()


def max_violation(loads: torch.Tensor) -> float:
    r"""MaxVio of Wang et al. 2024: :math:`\max_i F_i / \bar F - 1 = n\max_i F_i - 1`.

    Implements Eq. \eqref{eq:moe-balance-maxvio} of the post moe-balance (``loads`` sums to 1).
    """
    n = loads.shape[-1]
    # n max_i F_i - 1
    return float(n * loads.max() - 1)


def loss_free_update(bias: torch.Tensor, loads: torch.Tensor, lr: float, mode: str = "sign") -> torch.Tensor:
    r"""One update of the loss-free balancing bias.

    Implements Eq. \eqref{eq:moe-balance-lossfree} of the post moe-balance, with
    :math:`Q = 1/n`:

    * ``"sign"``: :math:`b \leftarrow b - \alpha\,\mathrm{sign}(F - Q)`;
    * ``"rms"``: :math:`b \leftarrow b - \alpha\,(F - Q)/\mathrm{RMS}(F - Q)`.

    Returns a new tensor in the dtype of ``bias``.
    """
    err = (loads - 1.0 / loads.shape[-1]).to(bias.dtype)  # F - Q
    if mode == "sign":
        step = torch.sign(err)
    elif mode == "rms":
        rms = err.square().mean().sqrt()
        step = err / rms if rms > 0 else err
    else:
        raise ValueError(f"unknown mode {mode!r}")
    return bias - lr * step


@dataclass
class BalancingRun:
    """What :func:`simulate_balancing` recorded."""

    maxvio: list[float]  # MaxVio of each step's batch, before that step's update
    first_loads: torch.Tensor  # (n,) F of the first batch
    last_loads: torch.Tensor  # (n,) F of the last batch
    gate_change: float  # mean |Δρ| of the scores (the gates) on a fixed probe batch
    bias: torch.Tensor  # (n,) the final bias (zeros unless loss-free)


def simulate_balancing(n_experts: int, k: int, tokens: int, steps: int, method: str, lr: float,
                       seed: int = 0, dim: int = 16, skew: float = 2.0,
                       device: torch.device | str | None = None) -> BalancingRun:
    r"""A routing simulation: a skewed softmax router sees a fresh batch of tokens at every step.

    Tokens are :math:`x \sim N(0, I_{\text{dim}})`, the router logits are
    :math:`z = xW/\sqrt{\text{dim}} + c` with random :math:`W` and a skew :math:`c_i` spread evenly
    over :math:`[-\text{skew}, \text{skew}]`, so a few experts are popular. The scores are
    :math:`\rho = \sigma(z)` (sigmoid, as in DeepSeek-V3) and the router probabilities of the
    auxiliary loss are :math:`p = \mathrm{softmax}(z)`; both order the experts of a token the
    same way. Each step routes the batch top-k by :math:`\rho + b` and then balances with
    ``method``:

    * ``"none"``: nothing;
    * ``"aux"``: one SGD step of size ``lr`` on :math:`(W, c)` for the loss :math:`n\sum_i F_iP_i`
      (Eq. \eqref{eq:moe-balance-aux} of the post moe-balance, with :math:`F` from all ``k``
      choices) and nothing else;
    * ``"sign"`` / ``"rms"``: the loss-free bias of :func:`loss_free_update` with step ``lr``;
      the router itself never changes.

    Computes in float64.
    """
    gen = torch.Generator(device=device or "cpu").manual_seed(seed)
    kw = {"dtype": torch.float64, "device": device}
    w = torch.randn(dim, n_experts, generator=gen, **kw)
    c = torch.linspace(-skew, skew, n_experts, **kw)
    probe = torch.randn(2048, dim, generator=gen, **kw)
    if method == "aux":
        w.requires_grad_(True)
        c.requires_grad_(True)

    def logits(x: torch.Tensor) -> torch.Tensor:
        # z = x W / sqrt(dim) + c
        return x @ w / dim**0.5 + c

    with torch.no_grad():
        probe0 = torch.sigmoid(logits(probe))
    bias = torch.zeros(n_experts, **kw)
    vio, first = [], None
    loads = torch.zeros(n_experts, **kw)
    for _ in range(steps):
        x = torch.randn(tokens, dim, generator=gen, **kw)
        z = logits(x)  # (tokens, n)
        index, _ = topk_route(torch.sigmoid(z).detach(), k, bias if method in ("sign", "rms") else None)
        loads = load_fractions(index, n_experts)
        first = loads if first is None else first
        vio.append(max_violation(loads))
        if method == "aux":
            # n Σ F_i P_i, F without gradient, P the mean of softmax(z)
            loss = n_experts * (loads * torch.softmax(z, dim=-1).mean(0)).sum()
            gw, gc = torch.autograd.grad(loss, (w, c))
            with torch.no_grad():
                w -= lr * gw
                c -= lr * gc
        elif method in ("sign", "rms"):
            bias = loss_free_update(bias, loads, lr, method)
        elif method != "none":
            raise ValueError(f"unknown method {method!r}")
    with torch.no_grad():
        change = float((torch.sigmoid(logits(probe)) - probe0).abs().mean())
    return BalancingRun(vio, first.cpu(), loads.cpu(), change, bias.detach().cpu())


def sampling_floor(n_experts: int, k: int, tokens: int, draws: int, seed: int = 0) -> float:
    r"""Mean MaxVio of a perfectly balanced router: every token picks ``k`` distinct experts
    uniformly at random. This is the part of MaxVio that per-batch counting alone produces."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(draws):
        index = torch.rand(tokens, n_experts, generator=gen).topk(k, dim=-1).indices
        out.append(max_violation(load_fractions(index, n_experts)))
    return float(np.mean(out))
