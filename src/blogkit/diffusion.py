r"""Diffusion models as stochastic and ordinary differential equations, with exact scores.

Implements the posts ``diffusion-sde`` (from 苏剑林,《生成扩散模型漫谈(五):一般框架之SDE篇》,
2022-08-03) and ``diffusion-ode`` (《生成扩散模型漫谈(十二):“硬刚”扩散ODE》, 2022-09-28); the
framework is Song et al., "Score-Based Generative Modeling through Stochastic Differential
Equations", ICLR 2021.

The data are a Gaussian mixture :class:`GaussianMixture`. Under every process used here the
noisy variable is :math:`x_t=\alpha_t x_0+\sigma_t\varepsilon`, and the law of
:math:`\alpha x_0+\sigma\varepsilon` is again a Gaussian mixture (:meth:`GaussianMixture.perturb`),
so the marginal density :math:`p_t`, its score :math:`\nabla\log p_t` and the divergence of the
score are known in closed form: the posts sample and compute likelihoods with the exact score
where a trained network would normally stand.

Sections:

* the data: :class:`GaussianMixture`;
* the processes: :class:`VPSchedule` (variance preserving SDE) and :class:`VESchedule`
  (variance exploding, :math:`\sigma_t=t`, with its probability-flow ODE);
* integrators: :func:`euler_maruyama` for SDEs, :func:`rk4` for ODEs and
  :func:`flow_log_density` for the ODE with the instantaneous change of variables;
* checks: :func:`reverse_step_moments` (the Bayes + Taylor step of the reverse SDE),
  :func:`fokker_planck_terms`, :func:`dsm_loss`, :func:`sliced_w1`, :func:`w1_to_cdf`.

Tensors are torch tensors and everything computes in the dtype it is given (float64 in the
posts); :func:`euler_maruyama` also takes and returns numpy arrays.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "GaussianMixture",
    "VESchedule",
    "VPSchedule",
    "dsm_loss",
    "euler_maruyama",
    "flow_log_density",
    "fokker_planck_terms",
    "reverse_step_moments",
    "rk4",
    "sliced_w1",
    "w1_to_cdf",
]

Drift = Callable[[torch.Tensor, float], torch.Tensor]


# ---------------------------------------------------------------------------------------------
# The data: an isotropic Gaussian mixture
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GaussianMixture:
    r"""The density :math:`p(x)=\sum_k w_k\,\mathcal N(x;\mu_k,s_k^2 I)` on :math:`\mathbb R^d`.

    ``weights`` (K,), ``means`` (K, d), ``stds`` (K,) are torch tensors of one floating dtype.
    ``stds`` may carry autograd history (the Fokker–Planck checks differentiate in time).
    """

    weights: torch.Tensor
    means: torch.Tensor
    stds: torch.Tensor

    @staticmethod
    def of(weights: Sequence[float], means: Sequence[Sequence[float]], stds: Sequence[float],
           dtype: torch.dtype = torch.float64) -> GaussianMixture:
        """Build a mixture from plain lists; 1-D means may be given as a flat list."""
        w = torch.as_tensor(weights, dtype=dtype)
        mu = torch.as_tensor(means, dtype=dtype)
        if mu.ndim == 1:
            mu = mu[:, None]
        return GaussianMixture(w / w.sum(), mu, torch.as_tensor(stds, dtype=dtype))

    @property
    def dim(self) -> int:
        return self.means.shape[1]

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` samples, shape (n, d), drawn with ``generator`` on the CPU."""
        k = torch.multinomial(self.weights.detach(), n, replacement=True, generator=generator)
        eps = torch.randn(n, self.dim, generator=generator, dtype=self.means.dtype)
        return self.means.detach()[k] + self.stds.detach()[k, None] * eps

    def mean(self) -> torch.Tensor:
        r""":math:`\sum_k w_k\mu_k`, shape (d,)."""
        return self.weights @ self.means

    def cov(self) -> torch.Tensor:
        r""":math:`\sum_k w_k(s_k^2 I+\mu_k\mu_k^\top)-\bar\mu\bar\mu^\top`, shape (d, d)."""
        m = self.mean()
        second = torch.einsum("k,ki,kj->ij", self.weights, self.means, self.means)
        eye = torch.eye(self.dim, dtype=self.means.dtype)
        return (self.weights * self.stds**2).sum() * eye + second - torch.outer(m, m)

    def _component_logits(self, x: torch.Tensor) -> torch.Tensor:
        # a_k(x) = log w_k − d/2 log(2π s_k²) − |x − μ_k|² / (2 s_k²),  shape (..., K);
        # |x − μ_k|² = |x|² − 2 x·μ_k + |μ_k|², with matrix products (fast for small K and d)
        d = self.dim
        sq = (x * x).sum(-1, keepdim=True) - 2 * x @ self.means.T + (self.means**2).sum(-1)
        return (torch.log(self.weights) - 0.5 * d * torch.log(2 * math.pi * self.stds**2)
                - sq / (2 * self.stds**2))

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        r""":math:`\log p(x)` for ``x`` of shape (..., d); returns shape (...)."""
        return torch.logsumexp(self._component_logits(x), -1)

    def responsibilities(self, x: torch.Tensor) -> torch.Tensor:
        """Posterior component probabilities :math:`r_k(x)`, shape (..., K)."""
        a = self._component_logits(x)
        e = torch.exp(a - a.amax(-1, keepdim=True))
        return e / e.sum(-1, keepdim=True)

    def score(self, x: torch.Tensor) -> torch.Tensor:
        r""":math:`\nabla\log p(x)=\sum_k r_k(x)\,(\mu_k-x)/s_k^2`, shape (..., d)."""
        r = self.responsibilities(x) / self.stds**2  # r_k / s_k²,  (..., K)
        # Σ_k (r_k/s_k²) μ_k − x Σ_k r_k/s_k²
        return r @ self.means - x * r.sum(-1, keepdim=True)

    def score_divergence(self, x: torch.Tensor) -> torch.Tensor:
        r"""The Laplacian of :math:`\log p`: with :math:`g_k=(\mu_k-x)/s_k^2`,
        :math:`\nabla\cdot s=\sum_k r_k(-d/s_k^2+|g_k|^2)-|s|^2`. Shape (...)."""
        r = self.responsibilities(x)
        g = (self.means - x[..., None, :]) / self.stds[:, None] ** 2  # (..., K, d)
        s = (r[..., None] * g).sum(-2)
        # ∇·Σ r_k g_k = Σ r_k ∇·g_k + Σ (∇r_k)·g_k,  ∇r_k = r_k (g_k − s)
        return (r * (-self.dim / self.stds**2 + (g**2).sum(-1))).sum(-1) - (s**2).sum(-1)

    def cdf(self, x: torch.Tensor) -> torch.Tensor:
        """The distribution function of a 1-D mixture at ``x`` (any shape)."""
        if self.dim != 1:
            raise ValueError("cdf is defined for 1-D mixtures only")
        z = (x[..., None] - self.means[:, 0]) / (self.stds * math.sqrt(2))
        return (self.weights * 0.5 * (1 + torch.special.erf(z))).sum(-1)

    def quantiles(self, n: int) -> torch.Tensor:
        r"""The ``n`` quantiles :math:`F^{-1}\big((i+\tfrac12)/n\big)` of a 1-D mixture, shape (n, 1).

        A deterministic "sample" without sampling noise, found by bisection on :meth:`cdf`.
        """
        u = (torch.arange(n, dtype=self.means.dtype) + 0.5) / n
        lo = torch.full_like(u, float((self.means[:, 0] - 40 * self.stds).min()))
        hi = torch.full_like(u, float((self.means[:, 0] + 40 * self.stds).max()))
        for _ in range(100):  # each halving gains one bit: 100 reach float64 resolution
            mid = 0.5 * (lo + hi)
            below = self.cdf(mid) < u
            lo, hi = torch.where(below, mid, lo), torch.where(below, hi, mid)
        return (0.5 * (lo + hi))[:, None]

    def perturb(self, alpha: float | torch.Tensor, sigma: float | torch.Tensor) -> GaussianMixture:
        r"""The law of :math:`\alpha x_0+\sigma\varepsilon`: means :math:`\alpha\mu_k`,
        variances :math:`\alpha^2s_k^2+\sigma^2`."""
        return GaussianMixture(self.weights, alpha * self.means,
                               torch.sqrt(alpha**2 * self.stds**2 + sigma**2))

    def posterior_mean(self, x: torch.Tensor, alpha: float, sigma: float) -> torch.Tensor:
        r""":math:`\mathbb E[x_0\mid \alpha x_0+\sigma\varepsilon=x]`, shape (..., d).

        Given component :math:`k`, :math:`x_0` and :math:`x` are jointly Gaussian, so
        :math:`\mathbb E[x_0\mid x,k]=\mu_k+\frac{\alpha s_k^2}{\alpha^2s_k^2+\sigma^2}(x-\alpha\mu_k)`;
        the components are weighted by the responsibilities of the perturbed mixture.
        """
        noisy = self.perturb(alpha, sigma)
        r = noisy.responsibilities(x)
        gain = alpha * self.stds**2 / noisy.stds**2  # (K,)
        cond = self.means + gain[:, None] * (x[..., None, :] - alpha * self.means)  # (..., K, d)
        return (r[..., None] * cond).sum(-2)


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------


def _exp(t: float | torch.Tensor) -> float | torch.Tensor:
    return torch.exp(t) if isinstance(t, torch.Tensor) else math.exp(t)


@dataclass(frozen=True)
class VPSchedule:
    r"""The variance-preserving SDE :math:`dx=-\tfrac12\beta_t x\,dt+\sqrt{\beta_t}\,dw` with
    :math:`\beta_t=\beta_{\min}+t(\beta_{\max}-\beta_{\min})` on :math:`t\in[0,1]`.

    Implements Eq. (eq:diffusion-sde-vp) of the post diffusion-sde:
    :math:`x_t\mid x_0\sim\mathcal N(\alpha_t x_0,\sigma_t^2I)` with :math:`B_t=\int_0^t\beta_s ds`,
    :math:`\alpha_t=e^{-B_t/2}`, :math:`\sigma_t^2=1-e^{-B_t}`. Times may be floats or tensors.
    """

    beta_min: float = 0.1
    beta_max: float = 20.0

    def beta(self, t: float | torch.Tensor) -> float | torch.Tensor:
        return self.beta_min + t * (self.beta_max - self.beta_min)

    def integral(self, t: float | torch.Tensor) -> float | torch.Tensor:
        # B_t = β_min t + ½ (β_max − β_min) t²
        return self.beta_min * t + 0.5 * (self.beta_max - self.beta_min) * t**2

    def alpha(self, t: float | torch.Tensor) -> float | torch.Tensor:
        return _exp(-0.5 * self.integral(t))

    def sigma(self, t: float | torch.Tensor) -> float | torch.Tensor:
        one_minus = 1 - _exp(-self.integral(t))
        return torch.sqrt(one_minus) if isinstance(one_minus, torch.Tensor) else math.sqrt(one_minus)

    def drift(self, x: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
        r""":math:`f_t(x)=-\tfrac12\beta_t x`."""
        return -0.5 * self.beta(t) * x

    def diffusion(self, t: float | torch.Tensor) -> float | torch.Tensor:
        r""":math:`g_t=\sqrt{\beta_t}`."""
        b = self.beta(t)
        return torch.sqrt(b) if isinstance(b, torch.Tensor) else math.sqrt(b)

    def marginal(self, data: GaussianMixture, t: float | torch.Tensor) -> GaussianMixture:
        """:math:`p_t`, the law of :math:`x_t` when :math:`x_0` follows ``data``."""
        return data.perturb(self.alpha(t), self.sigma(t))

    def density(self, data: GaussianMixture) -> Callable[[torch.Tensor, float | torch.Tensor],
                                                          torch.Tensor]:
        r""":math:`(x,t)\mapsto p_t(x)` for a 1-D mixture, ``x`` of shape (n,)."""

        def p(x: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
            return torch.exp(self.marginal(data, t).log_prob(x[:, None]))

        return p

    def noisy(self, x0: torch.Tensor, eps: torch.Tensor, t: float) -> torch.Tensor:
        r""":math:`x_t=\alpha_tx_0+\sigma_t\varepsilon`."""
        return self.alpha(t) * x0 + self.sigma(t) * eps

    def reverse_drift(self, data: GaussianMixture, lam: float = 1.0) -> Drift:
        r"""Drift of the reverse SDE with the exact score, Eq. (eq:diffusion-sde-reverse) of the
        post diffusion-sde: :math:`f_t(x)-\tfrac{1+\lambda^2}{2}g_t^2\nabla\log p_t(x)`.

        ``lam`` = 1 is the reverse SDE (use it with diffusion ``g_t``), ``lam`` = 0 the
        probability-flow ODE (diffusion 0); every ``lam`` has the same marginals.
        """

        def drift(x: torch.Tensor, t: float) -> torch.Tensor:
            score = self.marginal(data, t).score(x)
            return self.drift(x, t) - 0.5 * (1 + lam**2) * self.beta(t) * score

        return drift


@dataclass(frozen=True)
class VESchedule:
    r"""The variance-exploding process :math:`p_t=p_0*\mathcal N(0,\sigma_t^2I)` with
    :math:`\sigma_t=t` on :math:`t\in[0,T]`, and its ODE.

    Implements Eq. (eq:diffusion-ode-ve) of the post diffusion-ode: the velocity
    :math:`f_t(x)=-\sigma_t\dot\sigma_t\nabla\log p_t(x)=-t\,\nabla\log p_t(x)` and its divergence
    :math:`\nabla\cdot f_t=-t\,\Delta\log p_t`.
    """

    T: float = 20.0

    def marginal(self, data: GaussianMixture, t: float | torch.Tensor) -> GaussianMixture:
        r""":math:`p_t=p_0*\mathcal N(0,t^2I)`, again a Gaussian mixture."""
        return data.perturb(1.0, t)

    def density(self, data: GaussianMixture) -> Callable[[torch.Tensor, float | torch.Tensor],
                                                          torch.Tensor]:
        r""":math:`(x,t)\mapsto p_t(x)` for a 1-D mixture, ``x`` of shape (n,)."""

        def p(x: torch.Tensor, t: float | torch.Tensor) -> torch.Tensor:
            return torch.exp(self.marginal(data, t).log_prob(x[:, None]))

        return p

    @staticmethod
    def g2(t: float) -> float:
        r""":math:`d\sigma_t^2/dt=2t`: the heat equation reads
        :math:`\partial_tp=\tfrac12\,(d\sigma_t^2/dt)\,\Delta p` (Eq. (eq:diffusion-ode-heat))."""
        return 2 * t

    def grid(self, n: int, rho: float = 3.0) -> list[float]:
        """``n`` steps from :math:`T` down to 0, :math:`t_k=T(1-k/n)^\rho`: dense near the data."""
        return [self.T * (1 - k / n) ** rho for k in range(n + 1)]

    def velocity(self, data: GaussianMixture, c: float = 1.0) -> Drift:
        """The ODE's velocity field (``c`` scales it, for controls); ``x`` of shape (n, d) or,
        for a 1-D mixture, (n,)."""

        def f(x: torch.Tensor, t: float) -> torch.Tensor:
            if x.ndim == 1:
                return f(x[:, None], t)[:, 0]
            # f_t(x) = −σ_t σ̇_t ∇log p_t(x),  σ_t = t,  σ̇_t = 1
            return -c * t * self.marginal(data, t).score(x)

        return f

    def velocity_divergence(self, data: GaussianMixture) -> Callable[[torch.Tensor, float],
                                                                      torch.Tensor]:
        def div(x: torch.Tensor, t: float) -> torch.Tensor:
            # ∇·f_t = −t Δ log p_t
            return -t * self.marginal(data, t).score_divergence(x)

        return div


# ---------------------------------------------------------------------------------------------
# Integrators
# ---------------------------------------------------------------------------------------------


def euler_maruyama(drift: Callable, diffusion: Callable | float, x0: torch.Tensor | np.ndarray,
                   ts: Sequence[float] | torch.Tensor | np.ndarray,
                   dw: torch.Tensor | np.ndarray | None = None) -> torch.Tensor | np.ndarray:
    r"""Integrate :math:`dx=\mathrm{drift}(x,t)\,dt+\mathrm{diffusion}(t)\,dW` over the grid ``ts``.

    Implements Eq. (eq:diffusion-sde-em) of the post diffusion-sde: for :math:`k=0,\dots,N-1`,
    :math:`x_{k+1}=x_k+\mathrm{drift}(x_k,t_k)\,\Delta t_k+\mathrm{diffusion}(t_k)\,\Delta W_k`
    with :math:`\Delta t_k=t_{k+1}-t_k`.

    Args:
        drift: ``drift(x, t)`` with ``x`` shaped like ``x0`` and ``t`` a Python float.
        diffusion: ``diffusion(t)``, a scalar (or anything broadcasting against ``x0``); a plain
            number stands for a constant diffusion (0 gives an ODE).
        x0: the initial state, any shape; a torch tensor or a numpy array.
        ts: the time grid :math:`t_0,\dots,t_N`, increasing or decreasing (a decreasing grid
            integrates backwards in time, as the reverse SDE does).
        dw: the Brownian increments, shape ``(len(ts) - 1, *x0.shape)``. When omitted they are
            drawn as :math:`\sqrt{|\Delta t_k|}\,\varepsilon_k` from torch's global generator
            (seed it with ``torch.manual_seed`` for reproducible paths).

    Returns:
        The whole path, shape ``(len(ts), *x0.shape)``, starting with ``x0``; a numpy array
        when ``x0`` is one, else a tensor of ``x0``'s dtype and device.
    """
    as_numpy = isinstance(x0, np.ndarray)
    t = [float(s) for s in (ts.tolist() if hasattr(ts, "tolist") else ts)]
    n = len(t) - 1
    shape = tuple(x0.shape)
    if dw is None:
        # ΔW_k = sqrt(|Δt_k|) ε_k, from torch's global generator
        scale = torch.tensor([abs(b - a) for a, b in itertools.pairwise(t)],
                             dtype=torch.float64).sqrt().reshape(n, *([1] * len(shape)))
        dw = scale * torch.randn((n, *shape), dtype=torch.float64)
        dw = dw.numpy() if as_numpy else dw
    if tuple(dw.shape) != (n, *shape):
        raise ValueError(f"dw must have shape {(n, *shape)}, got {tuple(dw.shape)}")
    if as_numpy:
        x, dw = x0, np.asarray(dw, dtype=x0.dtype)
    else:
        x, dw = x0, torch.as_tensor(dw).to(x0.device, x0.dtype)
    g = diffusion if callable(diffusion) else (lambda _t: diffusion)
    path = [x]
    for k in range(n):
        # x_{k+1} = x_k + drift(x_k, t_k) Δt_k + diffusion(t_k) ΔW_k
        x = x + drift(x, t[k]) * (t[k + 1] - t[k]) + g(t[k]) * dw[k]
        path.append(x)
    return np.stack(path) if as_numpy else torch.stack(path)


def rk4(f: Drift, x0: torch.Tensor, ts: Sequence[float]) -> torch.Tensor:
    """Classical fourth-order Runge–Kutta for :math:`dx/dt=f(x,t)` on the grid ``ts``.

    Returns the whole path, shape ``(len(ts), *x0.shape)``.
    """
    x, path = x0, [x0]
    for a, b in itertools.pairwise(ts):
        h = b - a
        k1 = f(x, a)
        k2 = f(x + 0.5 * h * k1, a + 0.5 * h)
        k3 = f(x + 0.5 * h * k2, a + 0.5 * h)
        k4 = f(x + h * k3, b)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        path.append(x)
    return torch.stack(path)


def flow_log_density(f: Drift, div_f: Callable[[torch.Tensor, float], torch.Tensor],
                     x: torch.Tensor, ts: Sequence[float]) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Carry points along :math:`dx/dt=f_t(x)` and integrate the divergence on the way.

    Implements Eq. (eq:diffusion-ode-cov) of the post diffusion-ode: along a trajectory,
    :math:`\frac{d}{dt}\log p_t(x_t)=-\nabla\cdot f_t(x_t)`, so
    :math:`\log p_{t_N}(x_{t_N})=\log p_{t_0}(x_{t_0})-\int_{t_0}^{t_N}\nabla\cdot f_t(x_t)\,dt`.
    The augmented state :math:`(x,\ell)` with :math:`\dot\ell=\nabla\cdot f_t(x)` is integrated
    by :func:`rk4`.

    Args:
        x: the points at time ``ts[0]``, shape (n, d).

    Returns:
        ``(x_end, integral)``: the points at ``ts[-1]`` (n, d) and
        :math:`\int_{t_0}^{t_N}\nabla\cdot f\,dt` along each trajectory (n,).
    """

    def augmented(z: torch.Tensor, t: float) -> torch.Tensor:
        xs = z[:, :-1]
        return torch.cat([f(xs, t), div_f(xs, t)[:, None]], 1)

    z0 = torch.cat([x, torch.zeros_like(x[:, :1])], 1)
    z = rk4(augmented, z0, ts)[-1]
    return z[:, :-1], z[:, -1]


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def reverse_step_moments(schedule: VPSchedule, data: GaussianMixture, y: float, t: float,
                         dt: float, n_grid: int = 4001,
                         width: float = 14.0) -> tuple[tuple[float, float], tuple[float, float]]:
    r"""Exact and approximate moments of :math:`p(x_t\mid x_{t+\Delta t}=y)` for a 1-D mixture.

    The forward step is the discretised SDE :math:`x_{t+\Delta t}=x_t+f_t(x_t)\Delta t+g_t\sqrt{\Delta t}\,
    \varepsilon`. The exact posterior :math:`\propto\mathcal N(y;x+f_t(x)\Delta t,g_t^2\Delta t)\,p_t(x)`
    is integrated by quadrature on ``n_grid`` points spanning ``width`` posterior standard
    deviations. The approximation is Eq. (eq:diffusion-sde-step) of the post diffusion-sde:
    mean :math:`y-[f_{t+\Delta t}(y)-g_{t+\Delta t}^2\nabla\log p_{t+\Delta t}(y)]\Delta t`,
    variance :math:`g_{t+\Delta t}^2\Delta t`.

    Returns ``((exact_mean, exact_var), (approx_mean, approx_var))``.
    """
    dtype = data.means.dtype
    s = t + dt
    g2 = float(schedule.beta(s))
    score = float(schedule.marginal(data, s).score(torch.tensor([[y]], dtype=dtype))[0, 0])
    approx_mean = y - (float(schedule.drift(torch.tensor(y), s)) - g2 * score) * dt
    approx_var = g2 * dt
    sd = math.sqrt(approx_var)
    x = torch.linspace(approx_mean - width * sd, approx_mean + width * sd, n_grid, dtype=dtype)
    gt2 = float(schedule.beta(t))
    # log weight = −(y − x − f_t(x)Δt)² / (2 g_t² Δt) + log p_t(x)
    logw = (-(y - x - schedule.drift(x, t) * dt) ** 2 / (2 * gt2 * dt)
            + schedule.marginal(data, t).log_prob(x[:, None]))
    w = torch.exp(logw - logw.max())
    w = w / w.sum()  # uniform grid: the trapezoid weights cancel in the ratios
    mean = float((w * x).sum())
    var = float((w * (x - mean) ** 2).sum())
    return (mean, var), (approx_mean, approx_var)


def fokker_planck_terms(density: Callable[[torch.Tensor, float], torch.Tensor], drift: Drift | None,
                        g2: Callable[[float], float] | None, x: torch.Tensor, t: float,
                        hx: float = 1e-3, ht: float = 1e-4) -> tuple[torch.Tensor, ...]:
    r"""The three terms of the 1-D Fokker–Planck equation by central differences.

    Implements Eq. (eq:diffusion-sde-fp) of the post diffusion-sde,
    :math:`\partial_t p=-\partial_x(f p)+\tfrac12 g_t^2\,\partial_x^2 p`.

    Args:
        density: ``density(x, t)`` for ``x`` of shape (n,), returning shape (n,).
        drift: ``drift(x, t)``, or None for no drift (the heat equation);
        g2: :math:`t\mapsto g_t^2`, or None for no diffusion (the continuity equation,
            Eq. (eq:diffusion-ode-continuity) of the post diffusion-ode).

    Returns:
        ``(dp_dt, transport, diffusion)``: :math:`\partial_tp`, :math:`-\partial_x(fp)` and
        :math:`\tfrac12g_t^2\partial_x^2p` at ``x``.
    """
    dp_dt = (density(x, t + ht) - density(x, t - ht)) / (2 * ht)
    transport = torch.zeros_like(dp_dt)
    if drift is not None:
        flux_plus = drift(x + hx, t) * density(x + hx, t)
        flux_minus = drift(x - hx, t) * density(x - hx, t)
        transport = -(flux_plus - flux_minus) / (2 * hx)
    diffusion = torch.zeros_like(dp_dt)
    if g2 is not None:
        lap = (density(x + hx, t) - 2 * density(x, t) + density(x - hx, t)) / hx**2
        diffusion = 0.5 * g2(t) * lap
    return dp_dt, transport, diffusion


def dsm_loss(score: torch.Tensor, eps: torch.Tensor, sigma: float) -> torch.Tensor:
    r"""Denoising score matching at one noise level, weighted by :math:`\sigma^2`.

    Implements Eq. (eq:diffusion-sde-dsm) of the post diffusion-sde: with
    :math:`x_t=\alpha x_0+\sigma\varepsilon` the conditional score is
    :math:`\nabla\log p(x_t\mid x_0)=-\varepsilon/\sigma`, and the loss is
    :math:`\sigma^2\,\mathbb E\,|s(x_t)+\varepsilon/\sigma|^2=\mathbb E\,|\sigma s(x_t)+\varepsilon|^2`.

    Args:
        score: the candidate score evaluated at the noisy points :math:`x_t`, shape (n, d).
        eps: the noise that made them, shape (n, d).

    Returns the batch mean of the squared norm (a 0-d tensor).
    """
    # σ² |s − (−ε/σ)|² = |σ s + ε|²
    return ((sigma * score + eps) ** 2).sum(-1).mean()


def sliced_w1(samples: torch.Tensor, mixture: GaussianMixture, n_dirs: int = 32,
              n_grid: int = 4001) -> torch.Tensor:
    r"""Sliced 1-Wasserstein distance between a 2-D sample and a 2-D Gaussian mixture.

    :math:`\frac1m\sum_j W_1\big(\langle x,u_j\rangle_\#\hat q,\ \langle x,u_j\rangle_\#p\big)` over
    ``n_dirs`` equally spaced directions :math:`u_j=(\cos\theta_j,\sin\theta_j)`,
    :math:`\theta_j=j\pi/m`. A projected mixture is the 1-D mixture with means
    :math:`\langle\mu_k,u_j\rangle` and the same :math:`s_k`, so each term is :func:`w1_to_cdf`
    against an exact distribution function: only the sample carries noise.
    """
    if samples.shape[1] != 2 or mixture.dim != 2:
        raise ValueError("sliced_w1 compares 2-D samples with a 2-D mixture")
    theta = torch.arange(n_dirs, dtype=samples.dtype) * math.pi / n_dirs
    u = torch.stack([torch.cos(theta), torch.sin(theta)], 1)  # (m, 2)
    proj = samples.cpu() @ u.T  # (n, m)
    total = torch.zeros((), dtype=samples.dtype)
    for j in range(n_dirs):
        line = GaussianMixture(mixture.weights, (mixture.means @ u[j])[:, None], mixture.stds)
        lo = float(min(proj[:, j].min(), (line.means - 8 * line.stds[:, None]).min()))
        hi = float(max(proj[:, j].max(), (line.means + 8 * line.stds[:, None]).max()))
        total = total + w1_to_cdf(proj[:, j], line.cdf, lo, hi, n_grid)
    return total / n_dirs


def w1_to_cdf(samples: torch.Tensor, cdf: Callable[[torch.Tensor], torch.Tensor],
              lo: float, hi: float, n_grid: int = 20001) -> torch.Tensor:
    r""":math:`W_1=\int|F_n(x)-F(x)|\,dx` between a 1-D sample and a distribution function,
    by the trapezoid rule on ``[lo, hi]`` (which should hold all the mass)."""
    x = torch.linspace(lo, hi, n_grid, dtype=samples.dtype)
    s = torch.sort(samples.reshape(-1)).values
    fn = torch.searchsorted(s, x, right=True).to(samples.dtype) / s.numel()
    return torch.trapezoid((fn - cdf(x)).abs(), x)
