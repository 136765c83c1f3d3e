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
* **Amos-style strategies** (post ``amos-strategies``; the ideas of Tian & Parikh 2022, "Amos: An
  Adam-style Optimizer with Adaptive Weight Decay towards Model-Oriented Scale", arXiv
  2210.11693): the weight-decay equilibrium :func:`decay_equilibrium_rms`,
  :func:`decay_rms_trajectory`, :func:`decay_for_scale`, :func:`momentum_equilibrium_rms`, the
  simulations :func:`simulate_decay_walk` and :func:`adamw_noise_walk`, the reparameterisation
  run :func:`reparametrized_regression`, and the noisy-quadratic schedule
  :func:`inverse_time_schedule`, :func:`noisy_quadratic_error`, :func:`simulate_noisy_quadratic`.
* **Exponentiated gradient and a meta-learned step size** (post ``eg-meta-lr``; Amid, Anil, Fifty
  & Warmuth 2022, "Step-size Adaptation Using Exponentiated Gradient Updates", arXiv 2202.00145):
  :func:`exponentiated_gradient_step`, :func:`normalized_eg_step`, :func:`hedge`,
  :func:`run_exponentiated_gradient`, :func:`eg_lr_adapt` (:class:`LrAdaptRun`),
  :func:`hypergradient`, :func:`quadratic_best_lr`, and the problems :func:`quadratic_problem`,
  :func:`least_squares_problem` with :func:`nnls_kkt_residual`.
* **Test problems**: the Rosenbrock function :func:`rosenbrock` (and :func:`rosenbrock_grad`),
  the toy classification set :func:`spirals`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = [
    "Lion",
    "LrAdaptRun",
    "TrainingRun",
    "adamw_noise_walk",
    "cycle_onset",
    "decay_equilibrium_rms",
    "decay_for_scale",
    "decay_rms_trajectory",
    "decoupled_update_direction",
    "eg_lr_adapt",
    "exponentiated_gradient_step",
    "hedge",
    "hypergradient",
    "inverse_time_schedule",
    "least_squares_problem",
    "lion_linf_envelope",
    "lion_momentum_share",
    "lion_momentum_weights",
    "lion_trajectory",
    "lion_update",
    "logistic_loss",
    "momentum_equilibrium_rms",
    "nnls_kkt_residual",
    "noisy_quadratic_error",
    "normalized_eg_step",
    "quadratic_best_lr",
    "quadratic_problem",
    "reparametrized_regression",
    "rosenbrock",
    "rosenbrock_grad",
    "rosenbrock_valley_gap",
    "run_exponentiated_gradient",
    "simulate_decay_walk",
    "simulate_noisy_quadratic",
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


def _lion_update_(param: torch.Tensor, grad: torch.Tensor, exp_avg: torch.Tensor, lr: float,
                  beta1: float, beta2: float, weight_decay: float, chunk: int) -> None:
    r""":func:`lion_update` in place on contiguous tensors of one dtype: ``param`` becomes
    :math:`\theta_t` and ``exp_avg`` becomes :math:`m_t`, bit for bit those of :func:`lion_update`
    (the same IEEE operations on the same operands in the same order; no fused multiply-add).

    The flat tensors are updated ``chunk`` elements at a time with two scratch buffers, so the
    eleven elementwise operations of a chunk run on data in the cache and the update streams
    parameter, gradient and momentum through memory once. :class:`Lion` uses 30 × 1024 elements
    on the CPU: just under torch's intra-op grain size of 32768, so each operation runs on one
    thread without a fork and join per chunk, which on a loaded machine can cost a time slice
    each; with a single intra-op thread there is no fork to avoid and it takes chunks four times
    as long, for a quarter of the per-call overhead.
    """
    buf_c = torch.empty(min(param.numel(), chunk), dtype=param.dtype, device=param.device)
    buf_t = torch.empty_like(buf_c)
    size = buf_c.numel()
    for p, g, m in zip(param.view(-1).split(chunk), grad.view(-1).split(chunk),
                       exp_avg.view(-1).split(chunk), strict=True):
        k = p.numel()
        c, t = (buf_c, buf_t) if k == size else (buf_c[:k], buf_t[:k])
        torch.mul(m, beta1, out=c)
        torch.mul(g, 1 - beta1, out=t)
        c.add_(t)  # c_t = β1 m_{t-1} + (1 - β1) g_t
        c.sign_()  # u_t = sign(c_t)
        torch.mul(p, weight_decay, out=t)
        c.add_(t)  # u_t + λ θ_{t-1}
        c.mul_(lr)
        p.sub_(c)  # θ_t = θ_{t-1} - η (u_t + λ θ_{t-1})
        m.mul_(beta2)
        torch.mul(g, 1 - beta2, out=t)
        m.add_(t)  # m_t = β2 m_{t-1} + (1 - β2) g_t


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

    #: Elements per chunk of the in-place CPU update (see :func:`_lion_update_`).
    _CHUNK = 30 * 1024

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """One Lion step for every parameter with a gradient; returns the closure's loss.

        The result is bit for bit that of :func:`lion_update` (the tests check it); it is
        computed in place by :func:`_lion_update_` where parameter, gradient and momentum are
        contiguous tensors of one dtype on one device, otherwise by :func:`lion_update` and
        copied back.
        """
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        chunk_cpu = self._CHUNK if torch.get_num_threads() > 1 else 4 * self._CHUNK
        for group in self.param_groups:
            lr, wd = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                grad = p.grad
                if grad.is_sparse:
                    raise RuntimeError("Lion does not support sparse gradients")
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                exp_avg = state["exp_avg"]
                if all(t.layout == torch.strided and t.dtype == p.dtype and t.device == p.device
                       and t.is_contiguous() for t in (p, grad, exp_avg)):
                    chunk = max(p.numel(), 1) if p.device.type != "cpu" else chunk_cpu
                    _lion_update_(p, grad, exp_avg, lr, beta1, beta2, wd, chunk)
                else:
                    new_p, new_m = lion_update(p, grad, exp_avg, lr, beta1, beta2, wd)
                    p.copy_(new_p)
                    exp_avg.copy_(new_m)
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
# Amos-style strategies: learning rate vs scale, the weight-decay equilibrium, the schedule
# ---------------------------------------------------------------------------------------------


def decay_equilibrium_rms(lr: float | torch.Tensor, decay: float | torch.Tensor) -> torch.Tensor:
    r"""Stationary RMS of the parameters under decay plus normalised updates orthogonal to them.

    Implements Eq. \eqref{eq:amos-strategies-equilibrium} of the post amos-strategies: for
    :math:`\theta_{t+1} = (1-\rho)\theta_t - \alpha u_t` with :math:`\mathrm{RMS}(u_t) = 1` and
    :math:`\mathbb{E}[\theta_t\cdot u_t] = 0`,

    .. math:: \mathrm{RMS}_\infty = \frac{\alpha}{\sqrt{2\rho - \rho^2}}
              \approx \frac{\alpha}{\sqrt{2\rho}}.

    Accepts floats or tensors (broadcast); returns a float64 tensor unless given another dtype.
    """
    lr_t, rho = torch.as_tensor(lr, dtype=torch.float64), torch.as_tensor(decay, dtype=torch.float64)
    if bool((rho <= 0).any()) or bool((rho >= 2).any()):
        raise ValueError("the equilibrium exists for 0 < decay < 2")
    # RMS_∞ = α / sqrt(2ρ - ρ^2)
    return lr_t / torch.sqrt(2 * rho - rho**2)


def decay_rms_trajectory(lr: float, decay: float, rms0: float, t: torch.Tensor) -> torch.Tensor:
    r"""Expected RMS after ``t`` steps, from the linear recursion of the squared norm.

    Implements Eq. \eqref{eq:amos-strategies-transient} of the post amos-strategies: with
    :math:`q_t = \mathbb{E}\,\|\theta_t\|^2/d` and :math:`q_\infty` the square of
    :func:`decay_equilibrium_rms`,

    .. math:: q_t = q_\infty + (q_0 - q_\infty)(1-\rho)^{2t},

    and :math:`q_t = q_0 + \alpha^2 t` (a random walk) when :math:`\rho = 0`. Returns
    :math:`\sqrt{q_t}` in float64.
    """
    t = torch.as_tensor(t, dtype=torch.float64)
    q0 = rms0**2
    if decay == 0:
        # q_t = q_0 + α^2 t
        return torch.sqrt(q0 + lr**2 * t)
    q_inf = lr**2 / (2 * decay - decay**2)
    # q_t = q_∞ + (q_0 - q_∞)(1 - ρ)^{2t}
    return torch.sqrt(q_inf + (q0 - q_inf) * (1 - decay) ** (2 * t))


def decay_for_scale(lr: float | torch.Tensor, scale: float | torch.Tensor) -> torch.Tensor:
    r"""The decay rate whose equilibrium RMS is ``scale`` at learning rate ``lr``.

    Implements Eq. \eqref{eq:amos-strategies-wd} of the post amos-strategies, the inverse of
    :func:`decay_equilibrium_rms` on :math:`0 < \rho \le 1`:

    .. math:: \rho = 1 - \sqrt{1 - \alpha^2/\xi^2} \approx \frac{\alpha^2}{2\xi^2}.
    """
    r = torch.as_tensor(lr, dtype=torch.float64) / torch.as_tensor(scale, dtype=torch.float64)
    if bool((r >= 1).any()):
        raise ValueError("needs lr < scale")
    # ρ = 1 - sqrt(1 - α²/ξ²), written as (α²/ξ²) / (1 + sqrt(1 - α²/ξ²)) to avoid cancellation
    return r**2 / (1 + torch.sqrt(1 - r**2))


def momentum_equilibrium_rms(lr: float, decay: float, beta: float) -> float:
    r"""Stationary RMS when the update is an EMA (momentum) of white noise instead of white noise.

    Implements Eq. \eqref{eq:amos-strategies-momentum} of the post amos-strategies: with
    :math:`u_t = \beta u_{t-1} + (1-\beta)\varepsilon_t`, :math:`\varepsilon_t` of unit variance,
    and :math:`a = 1-\rho`,

    .. math:: \mathrm{RMS}_\infty^2 = \frac{\alpha^2}{1-a^2}\cdot
              \frac{(1-\beta)(1+a\beta)}{(1+\beta)(1-a\beta)},

    which tends to Eq. \eqref{eq:amos-strategies-equilibrium} as :math:`\rho \to 0` although
    :math:`\mathrm{RMS}(u) = \sqrt{(1-\beta)/(1+\beta)}` is far below 1.
    """
    a = 1 - decay
    # α² / (1 - a²) · (1 - β)(1 + aβ) / ((1 + β)(1 - aβ))
    q = lr**2 / (1 - a**2) * (1 - beta) * (1 + a * beta) / ((1 + beta) * (1 - a * beta))
    return q**0.5


def simulate_decay_walk(lr: float, decay: float, d: int, steps: int, rms0: float = 0.0,
                        seed: int = 0, device: torch.device | str | None = None,
                        dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""Run Eq. \eqref{eq:amos-strategies-update} of the post amos-strategies with random signs.

    :math:`\theta_{t+1} = (1-\rho)\theta_t - \alpha u_t`, where every entry of :math:`u_t` is an
    independent :math:`\pm 1` (so :math:`\mathrm{RMS}(u_t) = 1` exactly and :math:`u_t` is
    independent of :math:`\theta_t`); :math:`\theta_0` has i.i.d. :math:`N(0, \text{rms0}^2)`
    entries.

    Returns:
        ``(steps + 1,)`` float64 tensor on the CPU: :math:`\mathrm{RMS}(\theta_t)` for
        :math:`t = 0, \dots, \text{steps}`.
    """
    gen = torch.Generator(device=device or "cpu").manual_seed(seed)
    theta = rms0 * torch.randn(d, generator=gen, device=device, dtype=dtype)  # (d,)
    out = torch.empty(steps + 1, dtype=dtype, device=device)
    out[0] = theta.square().mean().sqrt()
    for t in range(steps):
        u = 2 * torch.randint(0, 2, (d,), generator=gen, device=device).to(dtype) - 1  # ±1
        # θ_{t+1} = (1 - ρ) θ_t - α u_t
        theta = (1 - decay) * theta - lr * u
        out[t + 1] = theta.square().mean().sqrt()
    return out.to("cpu", torch.float64)


def adamw_noise_walk(lr: float, weight_decay: float, betas: tuple[float, float], d: int, steps: int,
                     seed: int = 0, device: torch.device | str | None = None) -> tuple[torch.Tensor, float]:
    r"""``torch.optim.AdamW`` fed with pure-noise gradients (i.i.d. :math:`N(0,1)` at every step).

    AdamW's step is :math:`\theta \leftarrow (1-\eta\lambda)\theta - \eta\,\hat m/\sqrt{\hat v}`,
    so it is Eq. \eqref{eq:amos-strategies-update} of the post amos-strategies with
    :math:`\alpha = \eta`, :math:`\rho = \eta\lambda` and a momentum in the direction. The
    parameters start at zero; float64, ``eps = 0``.

    Returns:
        ``(rms, update_rms)``: :math:`\mathrm{RMS}(\theta_t)` for :math:`t = 0..\text{steps}`
        (float64, CPU) and the mean over steps of :math:`\mathrm{RMS}(\hat m/\sqrt{\hat v})`.
    """
    gen = torch.Generator(device=device or "cpu").manual_seed(seed)
    p = torch.zeros(d, dtype=torch.float64, device=device, requires_grad=True)
    opt = torch.optim.AdamW([p], lr=lr, betas=betas, eps=0.0, weight_decay=weight_decay)
    rms = torch.empty(steps + 1, dtype=torch.float64, device=device)
    rms[0] = 0.0
    u_rms = torch.zeros((), dtype=torch.float64, device=device)
    for t in range(steps):
        p.grad = torch.randn(d, generator=gen, dtype=torch.float64, device=device)
        before = p.detach().clone()
        opt.step()
        with torch.no_grad():
            # u = -(Δθ + ηλθ) / η, the direction without the decay
            u_rms += decoupled_update_direction(before, p, lr, weight_decay).square().mean().sqrt()
            rms[t + 1] = p.square().mean().sqrt()
    return rms.to("cpu"), float(u_rms / steps)


def reparametrized_regression(x: torch.Tensor, y: torch.Tensor, w0: torch.Tensor, scale: float,
                              lr: float, steps: int, optimizer: str = "adam") -> torch.Tensor:
    r"""Least squares :math:`\tfrac12\mathrm{mean}(xw - y)^2` trained through :math:`w = s\,\phi`.

    The optimiser (``"adam"``: ``torch.optim.Adam`` with ``eps = 0``; ``"sgd"``: plain
    ``torch.optim.SGD``) updates :math:`\phi`, which starts at :math:`w_0/s`. Eq.
    \eqref{eq:amos-strategies-reparam} of the post amos-strategies says that the trajectory of
    :math:`w` does not depend on :math:`s` when the learning rate on :math:`\phi` is
    :math:`\alpha/s` for Adam (:math:`\alpha/s^2` for SGD).

    Returns:
        ``(steps + 1, n)``: :math:`w_t = s\,\phi_t` for every step, in the dtype of ``x``.
    """
    phi = (w0 / scale).clone().requires_grad_(True)  # (n,)
    if optimizer == "adam":
        opt: torch.optim.Optimizer = torch.optim.Adam([phi], lr=lr, eps=0.0)
    elif optimizer == "sgd":
        opt = torch.optim.SGD([phi], lr=lr)
    else:
        raise ValueError(f"unknown optimizer {optimizer!r}")
    traj = [w0.clone()]
    for _ in range(steps):
        opt.zero_grad()
        w = scale * phi
        # L = ½ mean((x w - y)^2)
        loss = 0.5 * (x @ w - y).square().mean()
        loss.backward()
        opt.step()
        traj.append((scale * phi).detach().clone())
    return torch.stack(traj)


def inverse_time_schedule(e0: float, noise_var: float, steps: int) -> torch.Tensor:
    r"""The optimal learning rates for the noisy quadratic of the post amos-strategies.

    Implements Eq. \eqref{eq:amos-strategies-inverse-time}: minimising the error recursion
    :func:`noisy_quadratic_error` step by step gives

    .. math:: \alpha_t = \frac{1}{t + 1 + \sigma^2/e_0},\qquad
              e_t = \frac{\sigma^2}{t + \sigma^2/e_0}.

    Returns:
        ``(steps,)`` float64: :math:`\alpha_0, \dots, \alpha_{\text{steps}-1}`.
    """
    t = torch.arange(steps, dtype=torch.float64)
    # α_t = 1 / (t + 1 + σ²/e_0)
    return 1.0 / (t + 1 + noise_var / e0)


def noisy_quadratic_error(lrs: torch.Tensor, e0: float, noise_var: float) -> torch.Tensor:
    r"""Expected squared error per coordinate of SGD on the noisy quadratic, step by step.

    Implements Eq. \eqref{eq:amos-strategies-error-recursion} of the post amos-strategies: with
    gradient :math:`g_t = \theta_t - \theta^* + \sigma\varepsilon_t` and
    :math:`\theta_{t+1} = \theta_t - \alpha_t g_t`,

    .. math:: e_{t+1} = (1-\alpha_t)^2 e_t + \alpha_t^2\sigma^2 .

    Returns:
        ``(len(lrs) + 1,)`` float64: :math:`e_0, \dots, e_T`.
    """
    lrs = torch.as_tensor(lrs, dtype=torch.float64)
    e = torch.empty(len(lrs) + 1, dtype=torch.float64)
    e[0] = e0
    for t, a in enumerate(lrs.tolist()):
        # e_{t+1} = (1 - α_t)^2 e_t + α_t^2 σ^2
        e[t + 1] = (1 - a) ** 2 * e[t] + a**2 * noise_var
    return e


def simulate_noisy_quadratic(lrs: torch.Tensor, scale: float, noise: float, d: int, seed: int = 0,
                             device: torch.device | str | None = None) -> torch.Tensor:
    r"""Monte Carlo of the noisy quadratic: :math:`\theta^* \sim N(0, \xi^2 I)`, :math:`\theta_0 = 0`.

    Runs :math:`\theta_{t+1} = \theta_t - \alpha_t(\theta_t - \theta^* + \sigma\varepsilon_t)`
    (Eq. \eqref{eq:amos-strategies-error-recursion} of the post amos-strategies, before taking
    expectations) on ``d`` coordinates in float64.

    Returns:
        ``(len(lrs) + 1,)`` float64 on the CPU: :math:`\|\theta_t - \theta^*\|^2/d`.
    """
    gen = torch.Generator(device=device or "cpu").manual_seed(seed)
    target = scale * torch.randn(d, generator=gen, dtype=torch.float64, device=device)  # θ*
    theta = torch.zeros(d, dtype=torch.float64, device=device)
    lrs = torch.as_tensor(lrs, dtype=torch.float64)
    out = torch.empty(len(lrs) + 1, dtype=torch.float64, device=device)
    out[0] = (theta - target).square().mean()
    for t, a in enumerate(lrs.tolist()):
        grad = theta - target + noise * torch.randn(d, generator=gen, dtype=torch.float64, device=device)
        # θ_{t+1} = θ_t - α_t g_t
        theta = theta - a * grad
        out[t + 1] = (theta - target).square().mean()
    return out.to("cpu")


# ---------------------------------------------------------------------------------------------
# Exponentiated gradient descent, and the step size as a parameter learned the same way
# ---------------------------------------------------------------------------------------------

Array = Any  # a numpy array or a torch tensor


def exponentiated_gradient_step(theta: Array, grad: Array, lr: float) -> Array:
    r"""One step of exponentiated gradient descent (multiplicative, keeps signs).

    Implements Eq. \eqref{eq:eg-meta-lr-egd} of the post eg-meta-lr:

    .. math:: \theta_{t+1} = \theta_t \odot \exp(-\eta\,\nabla L(\theta_t)),

    so a non-negative :math:`\theta_t` stays non-negative and zeros stay zero. Accepts numpy
    arrays or torch tensors (``theta`` and ``grad`` of the same kind and shape) and returns a
    new array of that kind, in the dtype given.
    """
    if isinstance(theta, torch.Tensor):
        # θ ⊙ exp(-η g)
        return theta * torch.exp(-lr * grad)
    return np.asarray(theta) * np.exp(-lr * np.asarray(grad))


def normalized_eg_step(theta: Array, grad: Array, lr: float) -> Array:
    r"""Exponentiated gradient on the probability simplex: the step, then renormalise to sum 1.

    Implements Eq. \eqref{eq:eg-meta-lr-simplex} of the post eg-meta-lr:
    :math:`\theta_{t+1,i} = \theta_{t,i}e^{-\eta g_i} / \sum_j \theta_{t,j}e^{-\eta g_j}`
    (over the last axis). numpy or torch, like :func:`exponentiated_gradient_step`.
    """
    new = exponentiated_gradient_step(theta, grad, lr)
    if isinstance(new, torch.Tensor):
        return new / new.sum(-1, keepdim=True)
    return new / new.sum(-1, keepdims=True)


def hedge(costs: torch.Tensor, lr: float, prior: torch.Tensor | None = None) -> torch.Tensor:
    r"""Closed form of normalised EG on linear losses (the Hedge / multiplicative-weights rule).

    Implements Eq. \eqref{eq:eg-meta-lr-hedge} of the post eg-meta-lr: after the cost vectors
    :math:`c_1, \dots, c_T` (rows of ``costs``, shape ``(T, n)``),

    .. math:: \theta_T = \mathrm{softmax}\Big(\log\theta_0 - \eta\sum_{t=1}^{T} c_t\Big),

    with :math:`\theta_0` = ``prior`` (uniform if ``None``). Returns shape ``(n,)``.
    """
    logits = -lr * costs.sum(0)
    if prior is not None:
        logits = logits + torch.log(prior)
    return torch.softmax(logits, dim=-1)


def run_exponentiated_gradient(grad_fn: Callable[[torch.Tensor], torch.Tensor], theta0: torch.Tensor,
                               lr: float, steps: int, projected: bool = False) -> torch.Tensor:
    r"""Iterate :func:`exponentiated_gradient_step` (or, with ``projected=True``, projected
    gradient descent :math:`\max(\theta - \eta\nabla L, 0)` for comparison).

    Returns:
        ``(steps + 1, *theta0.shape)``: the iterates, in the dtype of ``theta0``.
    """
    out = [theta0]
    theta = theta0
    for _ in range(steps):
        g = grad_fn(theta)
        if projected:
            # max(θ - η g, 0)
            theta = torch.clamp(theta - lr * g, min=0.0)
        else:
            theta = exponentiated_gradient_step(theta, g, lr)
        out.append(theta)
    return torch.stack(out)


@dataclass
class LrAdaptRun:
    """What :func:`eg_lr_adapt` recorded, one entry per step."""

    thetas: torch.Tensor  # (steps + 1, *shape): θ_0 .. θ_T
    lrs: torch.Tensor  # (steps,): η_0 .. η_{T-1}, the step size used at each step
    losses: torch.Tensor  # (steps + 1,): L(θ_0) .. L(θ_T)


def eg_lr_adapt(loss_fn: Callable[[torch.Tensor], torch.Tensor],
                grad_fn: Callable[[torch.Tensor], torch.Tensor], theta0: torch.Tensor, lr0: float,
                gamma: float, steps: int, normalized: bool = True) -> LrAdaptRun:
    r"""Gradient descent whose step size is itself trained by exponentiated gradient.

    Implements Eq. \eqref{eq:eg-meta-lr-meta} (``normalized=False``) and Eq.
    \eqref{eq:eg-meta-lr-meta-cos} (``normalized=True``) of the post eg-meta-lr: with
    :math:`g_t = \nabla L(\theta_t)`, the hypergradient
    :math:`\partial L(\theta_t)/\partial\eta_{t-1} = -g_t\cdot g_{t-1}`
    (Eq. \eqref{eq:eg-meta-lr-hypergrad}) gives

    .. math:: \eta_t = \eta_{t-1}\exp(\gamma\, g_t\cdot g_{t-1})\quad\text{or}\quad
              \eta_t = \eta_{t-1}\exp(\gamma\cos(g_t, g_{t-1})),

    then :math:`\theta_{t+1} = \theta_t - \eta_t g_t`. The first step uses :math:`\eta_0` =
    ``lr0``. Computes in the dtype of ``theta0``.
    """
    theta, lr = theta0, lr0
    thetas, lrs, losses = [theta0], [], [loss_fn(theta0)]
    prev = None
    for _ in range(steps):
        g = grad_fn(theta)
        if prev is not None:
            dot = (g * prev).sum()
            if normalized:
                # cos(g_t, g_{t-1}); 0 if either gradient vanishes
                den = g.norm() * prev.norm()
                dot = dot / den if den > 0 else dot * 0
            # η_t = η_{t-1} exp(γ s_t)
            lr = lr * float(torch.exp(gamma * dot))
        # θ_{t+1} = θ_t - η_t g_t
        theta = theta - lr * g
        prev = g
        thetas.append(theta)
        lrs.append(lr)
        losses.append(loss_fn(theta))
    return LrAdaptRun(torch.stack(thetas), torch.tensor(lrs, dtype=torch.float64),
                      torch.stack(losses).to(torch.float64))


def hypergradient(loss_fn: Callable[[torch.Tensor], torch.Tensor], theta_prev: torch.Tensor,
                  lr: float) -> tuple[float, float]:
    r"""The derivative of the loss after one gradient step with respect to that step's size.

    Checks Eq. \eqref{eq:eg-meta-lr-hypergrad} of the post eg-meta-lr: with
    :math:`\theta_t = \theta_{t-1} - \eta\,g_{t-1}`,

    .. math:: \frac{\partial L(\theta_t)}{\partial\eta} = -\,g_t\cdot g_{t-1}.

    Returns:
        ``(autograd, formula)``: :math:`\partial L(\theta_t)/\partial\eta` by torch autograd
        through the step, and :math:`-g_t\cdot g_{t-1}` from the two gradients.
    """
    eta = torch.tensor(lr, dtype=theta_prev.dtype, requires_grad=True)
    p = theta_prev.detach().clone().requires_grad_(True)
    (g_prev,) = torch.autograd.grad(loss_fn(p), p)
    theta = theta_prev.detach() - eta * g_prev  # θ_t as a function of η
    (d_eta,) = torch.autograd.grad(loss_fn(theta), eta)
    q = theta.detach().clone().requires_grad_(True)
    (g_t,) = torch.autograd.grad(loss_fn(q), q)
    # -g_t · g_{t-1}
    return float(d_eta), float(-(g_t * g_prev).sum())


def quadratic_problem(eigenvalues: torch.Tensor) -> tuple[Callable[[torch.Tensor], torch.Tensor],
                                                            Callable[[torch.Tensor], torch.Tensor]]:
    r"""The diagonal quadratic :math:`L(\theta) = \tfrac12\sum_i\lambda_i\theta_i^2` as
    ``(loss_fn, grad_fn)``; its gradient is :math:`\lambda\odot\theta`."""
    lam = eigenvalues

    def loss(theta: torch.Tensor) -> torch.Tensor:
        # L = ½ Σ λ_i θ_i²
        return 0.5 * (lam * theta * theta).sum()

    def grad(theta: torch.Tensor) -> torch.Tensor:
        # ∇L = λ ⊙ θ
        return lam * theta

    return loss, grad


def least_squares_problem(a: torch.Tensor, b: torch.Tensor) -> tuple[Callable[[torch.Tensor], torch.Tensor],
                                                                    Callable[[torch.Tensor], torch.Tensor]]:
    r"""Least squares :math:`L(\theta) = \frac{1}{2N}\Vert A\theta - b\Vert^2` as
    ``(loss_fn, grad_fn)``, gradient :math:`A^\top(A\theta - b)/N`; ``a`` is ``(N, n)``."""
    n = a.shape[0]

    def loss(theta: torch.Tensor) -> torch.Tensor:
        # L = ‖Aθ - b‖² / (2N)
        return (a @ theta - b).square().sum() / (2 * n)

    def grad(theta: torch.Tensor) -> torch.Tensor:
        # ∇L = Aᵀ(Aθ - b) / N
        return a.T @ (a @ theta - b) / n

    return loss, grad


def logistic_loss(theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Mean logistic loss :math:`\frac1N\sum\log(1+e^{x_i\cdot\theta}) - y_i\,x_i\cdot\theta`
    for labels :math:`y_i\in\{0,1\}` (``torch.nn.functional.binary_cross_entropy_with_logits``)."""
    return torch.nn.functional.binary_cross_entropy_with_logits(x @ theta, y)


def nnls_kkt_residual(theta: torch.Tensor, grad: torch.Tensor) -> float:
    r"""Distance from the optimality conditions of :math:`\min_{\theta\ge0}L`:
    :math:`\max_i|\min(\theta_i, \partial_iL)|`, zero exactly when :math:`\theta\ge0`,
    :math:`\nabla L\ge0` and :math:`\theta_i\,\partial_iL=0` for every :math:`i`."""
    # max_i |min(θ_i, ∂_i L)|
    return float(torch.minimum(theta, grad).abs().max())


def quadratic_best_lr(eigenvalues: torch.Tensor) -> tuple[float, float]:
    r"""Best constant step size of gradient descent on a quadratic, and its contraction factor.

    Implements Eq. \eqref{eq:eg-meta-lr-best} of the post eg-meta-lr: for Hessian eigenvalues in
    :math:`[\mu, L]`, the factor :math:`\max_i|1-\eta\lambda_i|` is smallest at

    .. math:: \eta^* = \frac{2}{\mu + L},\qquad \max_i|1-\eta^*\lambda_i| = \frac{L-\mu}{L+\mu}.
    """
    mu, big = float(eigenvalues.min()), float(eigenvalues.max())
    return 2.0 / (mu + big), (big - mu) / (big + mu)


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
