r"""``torch.nn.Xxx`` modules next to ``torch.nn.functional.xxx`` functions: same math, different state.

Implements the post ``nn-functional`` (from the second blog's note on ``nn.Xxx`` versus
``nn.functional.xxx``).

A module holds its parameters and buffers and reads the flag ``training`` that ``train()`` and
``eval()`` set; the functional form is stateless and gets everything as arguments. Where a layer has
no state the two compute the same numbers; the differences are in Dropout (which must be told
whether it is training) and BatchNorm (batch statistics while training, running averages after).
This module writes those two layers out from their formulas:

* inverted dropout :math:`y = m\odot x/(1-p)`, :math:`m_i\sim\mathrm{Bernoulli}(1-p)`
  (:func:`dropout`);
* batch normalisation with the biased batch variance, and running statistics updated with the
  unbiased one (:func:`batch_norm_train`, :func:`batch_norm_eval`, :func:`ema_closed_form`);
* :func:`functional_forward`: a module's forward pass through the functional interface, with the
  module's own parameters passed in explicitly.

Everything computes in the dtype and on the device of its inputs.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "batch_norm_eval",
    "batch_norm_train",
    "dropout",
    "ema_closed_form",
    "functional_forward",
    "state_names",
]


def dropout(x: torch.Tensor, p: float, training: bool,
            generator: torch.Generator | None = None) -> torch.Tensor:
    r"""Inverted dropout, Eq. (eq:nn-functional-dropout) of the post nn-functional.

    .. math:: y = \frac{m\odot x}{1-p},\quad m_i\sim\mathrm{Bernoulli}(1-p),\qquad
        \mathbb{E}[y] = x.

    When ``training`` is false it is the identity. ``p = 1`` gives zeros.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return torch.zeros_like(x)
    keep = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) >= p  # m
    # y = m ⊙ x / (1 − p)
    return x * keep / (1.0 - p)


def batch_norm_train(x: torch.Tensor, running_mean: torch.Tensor, running_var: torch.Tensor,
                     weight: torch.Tensor | None = None, bias: torch.Tensor | None = None,
                     momentum: float = 0.1, eps: float = 1e-5
                     ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""BatchNorm in training mode on ``x`` of shape ``(n, C)`` or ``(n, C, L)``.

    Implements Eqs. (eq:nn-functional-bn) and (eq:nn-functional-running) of the post
    nn-functional: normalise with the batch mean :math:`\mu_B` and the *biased* batch variance
    :math:`\sigma_B^2`, then

    .. math::
        \hat\mu \leftarrow (1-m)\hat\mu + m\,\mu_B,\qquad
        \hat\sigma^2 \leftarrow (1-m)\hat\sigma^2 + m\,\frac{N}{N-1}\sigma_B^2,

    with :math:`N` the number of values per channel. Returns ``(y, new_mean, new_var)``; the
    inputs are not modified.
    """
    dims = [0, *range(2, x.dim())]  # every axis but the channels
    shape = [1, -1] + [1] * (x.dim() - 2)
    n = x.numel() // x.shape[1]  # values per channel
    mu = x.mean(dim=dims)  # μ_B, (C,)
    var = ((x - mu.view(shape)) ** 2).mean(dim=dims)  # σ_B², biased, (C,)
    # y = γ (x − μ_B) / sqrt(σ_B² + ε) + β
    y = (x - mu.view(shape)) / torch.sqrt(var.view(shape) + eps)
    if weight is not None:
        y = y * weight.view(shape)
    if bias is not None:
        y = y + bias.view(shape)
    # running averages: the mean of μ_B, and of the unbiased N/(N−1) σ_B²
    new_mean = (1 - momentum) * running_mean + momentum * mu
    new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    return y, new_mean, new_var


def batch_norm_eval(x: torch.Tensor, running_mean: torch.Tensor, running_var: torch.Tensor,
                    weight: torch.Tensor | None = None, bias: torch.Tensor | None = None,
                    eps: float = 1e-5) -> torch.Tensor:
    r"""BatchNorm in evaluation mode: Eq. (eq:nn-functional-bn) with the running statistics
    :math:`\hat\mu, \hat\sigma^2` in place of the batch's, so each sample is transformed alone."""
    shape = [1, -1] + [1] * (x.dim() - 2)
    # y = γ (x − μ̂) / sqrt(σ̂² + ε) + β
    y = (x - running_mean.view(shape)) / torch.sqrt(running_var.view(shape) + eps)
    if weight is not None:
        y = y * weight.view(shape)
    if bias is not None:
        y = y + bias.view(shape)
    return y


def ema_closed_form(r0: float, target: float, momentum: float, steps: int) -> float:
    r"""Running average after ``steps`` updates towards a constant ``target``: Eq.
    (eq:nn-functional-ema) of the post nn-functional,
    :math:`\hat r_t = (1-m)^t r_0 + \bigl(1-(1-m)^t\bigr)\,\text{target}`."""
    decay = (1.0 - momentum) ** steps
    return decay * r0 + (1.0 - decay) * target


def functional_forward(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The forward pass of ``module`` written with ``torch.nn.functional`` and the module's own
    tensors passed in as arguments (Conv2d, Linear, BatchNorm1d/2d, Dropout, ReLU, MaxPool2d).

    For BatchNorm in training mode this updates the module's running buffers, as the module
    itself would; Dropout reads ``module.training``, which is what a functional call in a
    ``forward`` method must do by hand.
    """
    if isinstance(module, nn.Conv2d):
        return F.conv2d(x, module.weight, module.bias, module.stride, module.padding,
                        module.dilation, module.groups)
    if isinstance(module, nn.Linear):
        return F.linear(x, module.weight, module.bias)
    if isinstance(module, nn.BatchNorm1d | nn.BatchNorm2d):
        if module.training and module.num_batches_tracked is not None:
            module.num_batches_tracked.add_(1)
        return F.batch_norm(x, module.running_mean, module.running_var, module.weight, module.bias,
                            module.training, module.momentum, module.eps)
    if isinstance(module, nn.Dropout):
        return F.dropout(x, module.p, module.training)
    if isinstance(module, nn.ReLU):
        return F.relu(x)
    if isinstance(module, nn.MaxPool2d):
        return F.max_pool2d(x, module.kernel_size, module.stride, module.padding, module.dilation,
                            ceil_mode=module.ceil_mode)
    raise TypeError(f"no functional form for {type(module).__name__}")


def state_names(module: nn.Module) -> tuple[list[str], list[str]]:
    """Names of the module's learnable parameters and of its other saved state (buffers)."""
    params = [n for n, _ in module.named_parameters()]
    buffers = [n for n, _ in module.named_buffers()]
    return params, buffers
