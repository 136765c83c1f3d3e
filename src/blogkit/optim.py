"""Optimisers discussed on the blog, as pure update functions plus thin ``torch.optim`` wrappers.

Layout (one section per optimiser, so that later posts can add their own):

* each optimiser has a *pure* update function ``<name>_update(param, grad, *state, **hparams)``
  that returns new tensors and never mutates its inputs; it is the reference the tests check
  against slow oracles;
* a thin ``torch.optim.Optimizer`` subclass whose ``step`` only manages state and copies the
  result of the pure function back into the parameters (the ``update_fn`` / ``Optimizer.step``
  split of lucidrains' ``lion_pytorch``);
* small closed-form helpers that the posts print and the tests check;
* at the end, test problems (objectives, toy data sets) that the optimiser posts share.

Everything computes in the dtype it is given: float64 in, float64 out.

Sections:

* **Lion** (post ``lion``; Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms",
  arXiv 2302.06675): :func:`lion_update`, :class:`Lion`, :func:`lion_momentum_weights`,
  :func:`lion_linf_envelope`, :func:`lion_trajectory` with :func:`cycle_onset` (a whole run and
  where it becomes periodic), and :func:`decoupled_update_direction` (the direction read off any
  step with decoupled weight decay, AdamW's included).
* **Test problems**: the Rosenbrock function :func:`rosenbrock` (and :func:`rosenbrock_grad`),
  the toy classification set :func:`spirals`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import torch

__all__ = [
    "Lion",
    "TrainingRun",
    "cycle_onset",
    "decoupled_update_direction",
    "lion_linf_envelope",
    "lion_momentum_share",
    "lion_momentum_weights",
    "lion_trajectory",
    "lion_update",
    "rosenbrock",
    "rosenbrock_grad",
    "rosenbrock_valley_gap",
    "spirals",
    "train_full_batch",
]


# ---------------------------------------------------------------------------------------------
# Lion: EvoLved Sign Momentum
# ---------------------------------------------------------------------------------------------


def lion_update(param: torch.Tensor, grad: torch.Tensor, exp_avg: torch.Tensor, lr: float,
                beta1: float, beta2: float,
                weight_decay: float) -> tuple[torch.Tensor, torch.Tensor]:
    r"""One Lion step, as a pure function.

    Implements Eq. \eqref{eq:lion-u}, Eq. \eqref{eq:lion-theta} and Eq. \eqref{eq:lion-m} of the
    post lion:

    .. math::
        u_t = \operatorname{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t),\quad
        \theta_t = \theta_{t-1} - \eta(u_t + \lambda\theta_{t-1}),\quad
        m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t.

    The weight decay is decoupled (it acts on the parameter, not on the gradient), as in the
    paper. ``torch.sign(0) = 0``: a coordinate whose interpolated momentum
    :math:`\beta_1 m_{t-1} + (1-\beta_1) g_t` is exactly zero gets no sign step, only the decay
    :math:`-\eta\lambda\theta_{t-1}`.

    Args:
        param: :math:`\theta_{t-1}`.
        grad: :math:`g_t`, same shape as ``param``.
        exp_avg: the momentum :math:`m_{t-1}` (zeros before the first step).
        lr: the learning rate :math:`\eta`.
        beta1: :math:`\beta_1`, weight of the momentum inside the sign.
        beta2: :math:`\beta_2`, decay of the momentum that is carried to the next step.
        weight_decay: :math:`\lambda`.

    Returns:
        ``(new_param, new_exp_avg)``: fresh tensors :math:`(\theta_t, m_t)` in the inputs' dtype;
        the inputs are left untouched.
    """
    # c_t = β1 m_{t-1} + (1 - β1) g_t   (interpolation between momentum and current gradient)
    interp = beta1 * exp_avg + (1 - beta1) * grad
    # u_t = sign(c_t)                   (torch.sign(0) = 0)
    update = torch.sign(interp)
    # θ_t = θ_{t-1} - η (u_t + λ θ_{t-1})
    new_param = param - lr * (update + weight_decay * param)
    # m_t = β2 m_{t-1} + (1 - β2) g_t
    new_exp_avg = beta2 * exp_avg + (1 - beta2) * grad
    return new_param, new_exp_avg


class Lion(torch.optim.Optimizer):
    r"""The Lion optimiser (Chen et al. 2023), a thin wrapper around :func:`lion_update`.

    Implements Eq. \eqref{eq:lion-u}, Eq. \eqref{eq:lion-theta} and Eq. \eqref{eq:lion-m} of the
    post lion, with decoupled weight decay :math:`\theta \leftarrow \theta - \eta(u + \lambda\theta)`.
    The defaults ``lr=1e-4``, ``betas=(0.9, 0.99)``, ``weight_decay=0.0`` are those of the authors'
    reference PyTorch implementation (``lion/lion_pytorch.py`` in the google/automl repository,
    also used by lucidrains' ``lion-pytorch``). The betas are the paper's recommended values; the
    paper sets the learning rate per task (3-10x below AdamW's), so ``lr=1e-4`` is a placeholder,
    not a recommendation. One state tensor per
    parameter (``exp_avg``), against AdamW's two. ``torch.sign(0) = 0``: a coordinate with a zero
    interpolated momentum is only decayed.

    ``step(closure)`` follows the ``torch.optim`` convention: the closure, if given, is evaluated
    with gradients enabled and its value is returned.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-4,
                 betas: tuple[float, float] = (0.9, 0.99), weight_decay: float = 0.0) -> None:
        if not lr >= 0.0:
            raise ValueError(f"invalid learning rate {lr}")
        if not all(0.0 <= b <= 1.0 for b in betas) or len(betas) != 2:
            raise ValueError(f"invalid betas {betas}")
        if not weight_decay >= 0.0:
            raise ValueError(f"invalid weight_decay {weight_decay}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """One Lion step for every parameter with a gradient; returns the closure's loss."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.grad.is_sparse:
                    raise RuntimeError("Lion does not support sparse gradients")
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                new_p, new_m = lion_update(p, p.grad, state["exp_avg"], group["lr"], beta1, beta2,
                                           group["weight_decay"])
                p.copy_(new_p)
                state["exp_avg"].copy_(new_m)
        return loss


def lion_trajectory(grad_fn: Callable[[torch.Tensor], torch.Tensor], start: torch.Tensor,
                    lr: float, beta1: float, beta2: float, steps: int,
                    weight_decay: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    r"""A whole Lion run from ``start`` with :math:`m_0 = 0`: iterates :func:`lion_update`.

    Each step applies Eq. \eqref{eq:lion-u}, Eq. \eqref{eq:lion-theta} and Eq. \eqref{eq:lion-m}
    of the post lion with the gradient ``grad_fn(theta)``; ``beta1 = beta2 = 0`` and
    ``weight_decay = 0`` is signSGD.

    Returns:
        ``(path, momenta)``: ``(steps + 1, *start.shape)`` tensors holding :math:`\theta_t` and
        :math:`m_t` for :math:`t = 0, \dots,` ``steps``, in ``start``'s dtype.
    """
    theta, m = start.clone(), torch.zeros_like(start)
    path, momenta = [theta], [m]
    for _ in range(steps):
        theta, m = lion_update(theta, grad_fn(theta), m, lr, beta1, beta2, weight_decay)
        path.append(theta)
        momenta.append(m)
    return torch.stack(path), torch.stack(momenta)  # (steps + 1, *shape) each


def cycle_onset(path: torch.Tensor, period: int = 2) -> int | None:
    r"""The first step :math:`t_0` from which ``path`` repeats exactly with the given period.

    :math:`t_0` is the smallest :math:`t` with :math:`\theta_s = \theta_{s+p}` (bitwise) for every
    :math:`s \ge t` up to the end of ``path`` (shape ``(T, ...)``); ``None`` when the last
    :math:`p + 1` points are not already periodic.
    """
    same = (path[period:] == path[:-period]).flatten(1).all(dim=1)  # (T - p,) θ_s == θ_{s+p}
    if same.numel() == 0 or not bool(same[-1]):
        return None
    broken = torch.nonzero(~same)  # indices s where the period is broken
    return 0 if broken.numel() == 0 else int(broken[-1].item()) + 1


def lion_momentum_share(exp_avg: torch.Tensor, grad: torch.Tensor, beta1: float) -> torch.Tensor:
    r"""How much the momentum weighs against the current gradient inside the sign, per coordinate.

    In Eq. \eqref{eq:lion-u} of the post lion the argument of the sign is
    :math:`\beta_1 m_{t-1} + (1-\beta_1) g_t`; the ratio

    .. math:: \rho = \frac{\beta_1\,|m_{t-1}|}{(1-\beta_1)\,|g_t|}

    is below 1 exactly when the current gradient alone decides the sign,
    :math:`u_t = \operatorname{sign}(g_t)`. Same shape as ``grad``.
    """
    # ρ = β1 |m_{t-1}| / ((1 - β1) |g_t|)
    return beta1 * exp_avg.abs() / ((1 - beta1) * grad.abs())


def decoupled_update_direction(param_before: torch.Tensor, param_after: torch.Tensor, lr: float,
                               weight_decay: float) -> torch.Tensor:
    r"""The update direction :math:`u` read off one step with decoupled weight decay.

    Any step of the form :math:`\theta_t = \theta_{t-1} - \eta(u_t + \lambda\theta_{t-1})`
    (Lion, Eq. \eqref{eq:lion-theta} of the post lion; AdamW, Eq. \eqref{eq:lion-adamw}) gives
    back

    .. math:: u_t = -\frac{\Delta\theta + \eta\lambda\theta_{t-1}}{\eta},

    whose size Eq. \eqref{eq:lion-geometry} of the post lion describes: every entry is
    :math:`\pm 1` for Lion.
    """
    # u_t = -(Δθ + ηλθ_{t-1}) / η
    return -((param_after - param_before) + lr * weight_decay * param_before) / lr


def lion_momentum_weights(beta1: float, beta2: float, n: int,
                          dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""Weights of past gradients inside Lion's sign, starting from :math:`m_0 = 0`.

    Implements Eq. \eqref{eq:lion-weights} of the post lion: unrolling Eq. \eqref{eq:lion-m},
    :math:`\beta_1 m_{t-1} + (1-\beta_1) g_t = \sum_{k\ge 0} w_k g_{t-k}` with

    .. math::
        w_0 = 1 - \beta_1,\qquad w_k = \beta_1 (1-\beta_2)\beta_2^{k-1}\quad (k \ge 1).

    Returns:
        ``[w_0, ..., w_{n-1}]`` as a 1-D tensor of length ``n``.
    """
    k = torch.arange(n, dtype=dtype)
    # w_k = β1 (1 - β2) β2^{k-1} for k ≥ 1
    w = beta1 * (1 - beta2) * torch.pow(torch.as_tensor(beta2, dtype=dtype), k - 1)
    # w_0 = 1 - β1
    w[0] = 1 - beta1
    return w


def lion_linf_envelope(theta0_inf: float, lr: float, weight_decay: float,
                       t: torch.Tensor) -> torch.Tensor:
    r"""Upper bound on :math:`\|\theta_t\|_\infty` for Lion with decoupled weight decay.

    Implements Eq. \eqref{eq:lion-envelope} of the post lion: for :math:`0 < \eta\lambda \le 1`,

    .. math::
        \|\theta_t\|_\infty \le \frac{1}{\lambda}
        + \Big(\|\theta_0\|_\infty - \frac{1}{\lambda}\Big)^+ (1 - \eta\lambda)^t,

    which is at most :math:`\max(\|\theta_0\|_\infty, 1/\lambda)` (Eq. \eqref{eq:lion-bound}).
    """
    if not 0.0 < lr * weight_decay <= 1.0:
        raise ValueError("the bound needs 0 < lr * weight_decay <= 1")
    t = torch.as_tensor(t)
    dtype = t.dtype if t.is_floating_point() else torch.float64
    # excess (|θ_0|_∞ - 1/λ)^+ contracts by (1 - ηλ) per step
    excess = max(theta0_inf - 1.0 / weight_decay, 0.0)
    return 1.0 / weight_decay + excess * torch.pow(torch.as_tensor(1.0 - lr * weight_decay,
                                                                   dtype=dtype), t.to(dtype))


# ---------------------------------------------------------------------------------------------
# Test problems shared by the optimiser posts
# ---------------------------------------------------------------------------------------------


def rosenbrock(theta: torch.Tensor, a: float = 1.0, b: float = 100.0) -> torch.Tensor:
    r"""The Rosenbrock test function on the last axis of size 2 (a standard optimiser benchmark).

    .. math:: f(x, y) = (a - x)^2 + b\,(y - x^2)^2,

    minimum 0 at :math:`(a, a^2)`, at the end of a long curved valley.
    """
    x, y = theta[..., 0], theta[..., 1]
    # f(x, y) = (a - x)^2 + b (y - x^2)^2
    return (a - x) ** 2 + b * (y - x**2) ** 2


def rosenbrock_grad(theta: torch.Tensor, a: float = 1.0, b: float = 100.0) -> torch.Tensor:
    r"""Gradient of :func:`rosenbrock` in closed form (cheaper than autograd in a long loop).

    .. math:: \partial_x f = -2(a - x) - 4 b x (y - x^2),\qquad \partial_y f = 2 b (y - x^2).
    """
    x, y = theta[..., 0], theta[..., 1]
    # ∂f/∂x = -2(a - x) - 4 b x (y - x^2);  ∂f/∂y = 2 b (y - x^2)
    return torch.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], dim=-1)


def rosenbrock_valley_gap(theta: torch.Tensor) -> torch.Tensor:
    r"""Signed height :math:`y - x^2` above the floor of the Rosenbrock valley (last axis of size 2).

    The floor :math:`y = x^2` is where :math:`\partial_y f = 2b(y - x^2)` vanishes; a point and
    the next one straddle the floor when their gaps have opposite signs.
    """
    # y - x^2
    return theta[..., 1] - theta[..., 0] ** 2


def spirals(n_per_class: int, n_classes: int = 3, noise: float = 0.25,
            generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    r"""A toy classification set: ``n_classes`` interleaved noisy spiral arms in the plane.

    A point of class :math:`k` has radius :math:`r \sim U[0.05, 1]`, angle
    :math:`\phi = 4\pi k / K + 4r + \text{noise}\cdot\xi` with :math:`\xi \sim N(0, 1)`, and
    sits at :math:`(r\sin\phi, r\cos\phi)`.

    Returns:
        ``(x, y)``: float32 inputs of shape ``(n_classes * n_per_class, 2)`` and int64 labels.
    """
    xs, ys = [], []
    for k in range(n_classes):
        r = 0.05 + 0.95 * torch.rand(n_per_class, generator=generator)
        # φ = 4πk/K + 4r + noise·ξ
        phi = 4 * torch.pi * k / n_classes + 4 * r + noise * torch.randn(n_per_class, generator=generator)
        xs.append(torch.stack([r * torch.sin(phi), r * torch.cos(phi)], dim=1))
        ys.append(torch.full((n_per_class,), k, dtype=torch.int64))
    return torch.cat(xs), torch.cat(ys)


# ---------------------------------------------------------------------------------------------
# A small full-batch training run, shared by the optimiser comparisons of the posts
# ---------------------------------------------------------------------------------------------


@dataclass
class TrainingRun:
    """What :func:`train_full_batch` measured."""

    losses: list[float]  # training loss before each step
    update_rms: float  # mean over steps of RMS(u), u the direction without decay
    test_loss: float
    test_accuracy: float
    state_tensors_per_param: int  # optimiser state tensors shaped like a parameter
    state_ratio: float  # their total size / the model size


def train_full_batch(net: torch.nn.Module, init: dict[str, torch.Tensor],
                     optimizer: Callable[..., torch.optim.Optimizer], lr: float,
                     weight_decay: float, data: tuple[torch.Tensor, torch.Tensor],
                     test: tuple[torch.Tensor, torch.Tensor], steps: int) -> TrainingRun:
    r"""Train ``net`` from the weights ``init`` with full-batch cross-entropy for ``steps`` steps.

    Records the loss curve and, at every step, the update direction
    :math:`u = -(\Delta\theta/\eta + \lambda\theta)` (:func:`decoupled_update_direction`), whose
    RMS is 1 for Lion and smaller for AdamW; then the test loss and accuracy and the size of
    the optimiser's state. The network is left trained.
    """
    net.load_state_dict(init)
    opt = optimizer(net.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = torch.nn.functional.cross_entropy
    x, y = data
    losses, rms = [], []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        before = torch.cat([p.detach().flatten() for p in net.parameters()])
        opt.step()
        losses.append(loss.item())
        after = torch.cat([p.detach().flatten() for p in net.parameters()])
        u = decoupled_update_direction(before.double(), after.double(), lr, weight_decay)
        rms.append(u.square().mean().sqrt().item())
    with torch.no_grad():
        logits = net(test[0])
        test_loss = loss_fn(logits, test[1]).item()
        test_acc = (logits.argmax(1) == test[1]).double().mean().item()
    params = list(net.parameters())
    same_shape = [v for p in params for v in opt.state[p].values()
                  if torch.is_tensor(v) and v.shape == p.shape]
    return TrainingRun(losses, sum(rms) / steps, test_loss, test_acc,
                       len(same_shape) // len(params),
                       sum(v.numel() for v in same_shape) / sum(p.numel() for p in params))
