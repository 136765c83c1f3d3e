r"""GAN critics and objectives: gradient normalisation, and GAN losses as likelihood-ratio designs.

Two posts share this module, one section each:

* **Gradient normalisation** (post ``wgan-gradient-normalization``; from 苏剑林,
  《WGAN新方案:通过梯度归一化来实现L约束》, 2021-11-15; Wu et al., "Gradient Normalization for
  Generative Adversarial Networks", ICCV 2021; Bhaskara et al., "GraN-GAN: Piecewise Gradient
  Normalization for Generative Adversarial Networks", WACV 2022):
  :func:`critic_gradient`, :func:`gradient_normalize` (GN),
  :func:`piecewise_gradient_normalize` (GraN), :func:`squash`, :func:`relu_mlp`,
  :func:`activation_pattern`, :func:`path_quotients`.
* **Designing GANs** (post ``designing-gans``; from 苏剑林,《Designing GANs:又一个GAN生产车间》,
  2020-02-13; Basioti & Moustakides, "Designing GANs: A Likelihood Ratio Approach",
  arXiv 2002.00865): a critic objective :math:`\max_D \mathbb{E}_p\varphi(D)+\mathbb{E}_q\psi(D)`
  as a :class:`Design`, the four of the post in :data:`DESIGNS`, :func:`optimal_critic`,
  :func:`induced_f`, :func:`design_value`, :func:`gaussian_logpdf` (numpy, float64).

The critic ``f`` is any callable (a ``torch.nn.Module`` included) that maps a batch ``x`` of
shape ``(B, ...)`` to ``B`` scores, shaped ``(B,)`` or ``(B, 1)``, and treats the samples
independently (no batch statistics), so that the gradient of ``f(x).sum()`` with respect to
``x`` is the stack of the per-sample gradients. Everything computes in the dtype it is given.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

__all__ = [
    "DESIGNS",
    "Design",
    "activation_pattern",
    "affine_piece",
    "boundary_point",
    "bump_critic",
    "critic_gradient",
    "design_value",
    "gaussian_logpdf",
    "gradient_normalize",
    "induced_f",
    "optimal_critic",
    "path_quotients",
    "piecewise_gradient_normalize",
    "relu_mlp",
    "squash",
    "two_point_critic",
]

Critic = Callable[[torch.Tensor], torch.Tensor]


# ---------------------------------------------------------------------------------------------
# Gradient normalisation (post wgan-gradient-normalization)
# ---------------------------------------------------------------------------------------------


def _scores_and_grad(f: Critic, x: torch.Tensor,
                     create_graph: bool) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(x_used, f(x) of shape (B,), ∇ₓf(x) of shape x.shape)``, differentiable if asked."""
    if not x.requires_grad:  # a leaf of our own; an x that already requires grad keeps its graph
        x = x.detach().requires_grad_(True)
    with torch.enable_grad():
        fx = f(x).reshape(x.shape[0])  # (B,)
        (grad,) = torch.autograd.grad(fx.sum(), x, create_graph=create_graph)  # (B, ...)
    return x, fx, grad


def critic_gradient(f: Critic, x: torch.Tensor, *,
                    create_graph: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The scores :math:`f(x)` and the per-sample gradient norms :math:`\lVert\nabla_x f(x)\rVert`.

    Returns ``(f(x), ‖∇ₓf(x)‖)``, both of shape ``(B,)``; the norm is the Euclidean norm over
    all non-batch dimensions. With ``create_graph=True`` both stay differentiable (with respect
    to ``x`` and to the parameters of ``f``).
    """
    _, fx, grad = _scores_and_grad(f, x, create_graph)
    return fx, grad.flatten(1).norm(dim=1)  # (B,), (B,)


def gradient_normalize(f: Critic, x: torch.Tensor) -> torch.Tensor:
    r"""The gradient-normalised critic (GN) of Wu et al., per sample.

    Implements Eq. \eqref{eq:wgan-gradient-normalization-gn} of the post
    wgan-gradient-normalization:

    .. math::
        \hat f(x) = \frac{f(x)}{\lVert\nabla_x f(x)\rVert + \lvert f(x)\rvert}.

    Args:
        f: the critic, a ``torch.nn.Module`` or any callable mapping ``(B, ...)`` to ``(B,)`` or
            ``(B, 1)`` scores, sample by sample.
        x: the batch, shape ``(B, ...)``. If it already requires grad (e.g. the output of a
            generator) its graph is kept, so the result can be back-propagated to the generator.

    Returns:
        :math:`\hat f(x)`, shape ``(B,)``, in ``x``'s dtype, differentiable with respect to
        ``x`` and to the parameters of ``f`` (the input gradient is taken with
        ``create_graph=True``). ``0/0`` (a sample with ``f = 0`` and ``∇f = 0``) gives ``nan``.
    """
    fx, g = critic_gradient(f, x, create_graph=True)  # (B,), (B,)
    # f̂ = f / (‖∇f‖ + |f|)
    return fx / (g + fx.abs())


def piecewise_gradient_normalize(f: Critic, x: torch.Tensor, eps: float = 0.0) -> torch.Tensor:
    r"""The critic normalised by its gradient norm alone (GraN's form), per sample.

    Implements Eq. \eqref{eq:wgan-gradient-normalization-gran} of the post
    wgan-gradient-normalization, with an optional guard :math:`\epsilon\ge 0` in the
    denominator:

    .. math::
        \tilde f(x) = \frac{f(x)}{\lVert\nabla_x f(x)\rVert + \epsilon}.

    For a piecewise-linear ``f`` and ``eps = 0`` this is the signed distance from ``x`` to the
    zero set of the affine piece that contains ``x``. Shapes and differentiability as in
    :func:`gradient_normalize`.
    """
    fx, g = critic_gradient(f, x, create_graph=True)  # (B,), (B,)
    # f̃ = f / (‖∇f‖ + ε)
    return fx / (g + eps)


def squash(t: torch.Tensor) -> torch.Tensor:
    r"""The map :math:`\varphi(t) = t/(1+\lvert t\rvert)` that turns GraN into GN.

    Implements Eq. \eqref{eq:wgan-gradient-normalization-squash} of the post
    wgan-gradient-normalization: :math:`\hat f = \varphi(f/\lVert\nabla f\rVert)`.
    """
    # φ(t) = t / (1 + |t|)
    return t / (1 + t.abs())


def relu_mlp(widths: list[int], seed: int, *, activation: str = "relu",
             dtype: torch.dtype = torch.float64,
             device: torch.device | str | None = None) -> torch.nn.Sequential:
    """A fully connected critic ``widths[0] → … → widths[-1]`` with PyTorch's default init.

    ``activation`` is ``"relu"`` (piecewise linear), ``"leaky_relu"`` (slope 0.2, piecewise
    linear) or a smooth one: ``"softplus"``, ``"tanh"``, ``"gelu"``. Seeded: the same
    ``seed`` gives the same weights.
    """
    acts: dict[str, Callable[[], torch.nn.Module]] = {
        "relu": torch.nn.ReLU, "leaky_relu": lambda: torch.nn.LeakyReLU(0.2),
        "softplus": torch.nn.Softplus, "tanh": torch.nn.Tanh, "gelu": torch.nn.GELU,
    }
    if activation not in acts:
        raise ValueError(f"unknown activation {activation!r}")
    gen_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        layers: list[torch.nn.Module] = []
        for i, (a, b) in enumerate(itertools.pairwise(widths)):
            layers.append(torch.nn.Linear(a, b, dtype=dtype, device=device))
            if i < len(widths) - 2:
                layers.append(acts[activation]())
    finally:
        torch.random.set_rng_state(gen_state)
    return torch.nn.Sequential(*layers)


def activation_pattern(net: torch.nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """Which units of a piecewise-linear :func:`relu_mlp` are on (pre-activation > 0), per sample.

    Returns a bool tensor ``(B, hidden units)``. Two points with the same pattern lie in the same
    linear region, a convex polyhedron on which the net is one affine function.
    """
    out: list[torch.Tensor] = []
    h = x
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, torch.nn.ReLU | torch.nn.LeakyReLU):
                out.append(h > 0)  # (B, width)
            h = layer(h)
    return torch.cat(out, dim=1)


def path_quotients(values: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    r"""Difference quotients :math:`\lvert v_{k+1}-v_k\rvert / \lVert x_{k+1}-x_k\rVert` along a path.

    ``values`` has shape ``(K,)``, ``points`` shape ``(K, d)``; returns shape ``(K-1,)``. A
    function is 1-Lipschitz only if every such quotient is at most 1.
    """
    # |Δv| / ‖Δx‖ between consecutive points
    return (values[1:] - values[:-1]).abs() / (points[1:] - points[:-1]).norm(dim=1)


def affine_piece(net: torch.nn.Sequential, pattern: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    r"""The affine function :math:`w\cdot x + b` that a piecewise-linear :func:`relu_mlp` computes
    on the region with activation ``pattern`` (one row of :func:`activation_pattern`).

    Built from the weights alone (no autograd): each ReLU becomes the diagonal 0/1 matrix of the
    pattern (LeakyReLU: its slope where off), so the net collapses to one matrix product.
    Returns ``(w, b)`` with shapes ``(d_in,)`` and ``()``; needs a scalar output.
    """
    w: torch.Tensor | None = None
    b: torch.Tensor | None = None
    k = 0
    for layer in net:
        if isinstance(layer, torch.nn.Linear):
            if w is None:
                w, b = layer.weight, layer.bias  # (h, d), (h,)
            else:
                w, b = layer.weight @ w, layer.weight @ b + layer.bias
        else:
            assert w is not None and b is not None
            slope = layer.negative_slope if isinstance(layer, torch.nn.LeakyReLU) else 0.0
            on = pattern[k:k + w.shape[0]]
            k += w.shape[0]
            scale = torch.where(on, torch.ones_like(b), torch.full_like(b, slope))  # the diagonal D
            # W ← D W,  b ← D b
            w, b = scale[:, None] * w, scale * b
    assert w is not None and b is not None and w.shape[0] == 1, "needs a scalar output"
    return w.detach()[0], b.detach()[0]


def boundary_point(net: torch.nn.Sequential, a: torch.Tensor, b: torch.Tensor, s_lo: float,
                   s_hi: float, iters: int = 60) -> tuple[torch.Tensor, torch.Tensor]:
    """Bisect ``a + s (b - a)`` on ``[s_lo, s_hi]`` for the first change of activation pattern.

    ``s_lo`` and ``s_hi`` must have different patterns. Returns ``(x_minus, x_plus)``, the two
    ends of the final bracket: points on either side of a region boundary, ``(s_hi - s_lo) /
    2**iters`` apart along the segment.
    """
    def pattern(s: float) -> torch.Tensor:
        return activation_pattern(net, (a + s * (b - a))[None])[0]

    left = pattern(s_lo)
    if torch.equal(left, pattern(s_hi)):
        raise ValueError("both ends lie in the same linear region")
    lo, hi = s_lo, s_hi
    for _ in range(iters):
        mid = (lo + hi) / 2
        if torch.equal(pattern(mid), left):
            lo = mid
        else:
            hi = mid
    return a + lo * (b - a), a + hi * (b - a)


def two_point_critic(eps: float, c: float = 1.0,
                     dtype: torch.dtype = torch.float64) -> torch.nn.Sequential:
    r"""A one-dimensional ReLU critic that is flat at 0 and at ``eps`` and changes sign between.

    .. math::
        f(x) = c - M\,\mathrm{relu}(x - \tfrac{\epsilon}{4}) + M\,\mathrm{relu}(x - \tfrac{3\epsilon}{4}),
        \qquad M = 4c/\epsilon,

    so :math:`f(0) = c`, :math:`f(\epsilon) = -c` and :math:`f' = 0` at both points: its GN
    normalisation is :math:`+1` at 0 and :math:`-1` at :math:`\epsilon` however small
    :math:`\epsilon` is (post wgan-gradient-normalization).
    """
    m = 4 * c / eps
    net = torch.nn.Sequential(torch.nn.Linear(1, 2, dtype=dtype), torch.nn.ReLU(),
                              torch.nn.Linear(2, 1, dtype=dtype))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0], [1.0]], dtype=dtype))
        net[0].bias.copy_(torch.tensor([-eps / 4, -3 * eps / 4], dtype=dtype))
        net[2].weight.copy_(torch.tensor([[-m, m]], dtype=dtype))
        net[2].bias.fill_(c)
    return net


def bump_critic(a: float) -> Critic:
    r"""The smooth critic :math:`f(x) = a - \lVert x\rVert^2` (a maximum :math:`a` at 0).

    Near its critical point the GN critic has slope :math:`2/a` (post
    wgan-gradient-normalization), above 1 when :math:`a < 2`: without piecewise linearity the
    bound of Eq. \eqref{eq:wgan-gradient-normalization-gn-grad} fails.
    """
    def f(x: torch.Tensor) -> torch.Tensor:
        # f(x) = a − ‖x‖²
        return a - x.flatten(1).pow(2).sum(dim=1)

    return f


# ---------------------------------------------------------------------------------------------
# Designing GANs: a critic objective max_D E_p φ(D) + E_q ψ(D) (post designing-gans)
# ---------------------------------------------------------------------------------------------


def _softplus(t: np.ndarray) -> np.ndarray:
    # log(1 + e^t), without overflow
    return np.logaddexp(0.0, t)


def _sigmoid(t: np.ndarray) -> np.ndarray:
    return np.exp(-_softplus(-t))


@dataclass(frozen=True)
class Design:
    r"""A critic objective :math:`\max_D \mathbb{E}_p\,\varphi(D) + \mathbb{E}_q\,\psi(D)`.

    ``phi``, ``psi`` and their derivatives act elementwise on numpy arrays. ``omega`` is the
    closed-form optimal critic :math:`D^* = \omega(r)` as a function of :math:`\ell = \log r`
    (so that it can be evaluated where :math:`r` over- or underflows), and ``terms`` returns
    :math:`(\varphi(\omega), \psi(\omega))` as functions of :math:`\ell`, computed stably.
    """

    name: str
    phi: Callable[[np.ndarray], np.ndarray]
    psi: Callable[[np.ndarray], np.ndarray]
    dphi: Callable[[np.ndarray], np.ndarray]
    dpsi: Callable[[np.ndarray], np.ndarray]
    omega: Callable[[np.ndarray], np.ndarray]
    terms: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    domain: tuple[float, float]  # the open interval where D lives


DESIGNS: dict[str, Design] = {
    # φ = log z, ψ = log(1 − z): ρ(z) = z/(1 − z), D* = r/(1 + r)
    "vanilla": Design("vanilla", np.log, lambda z: np.log1p(-z), lambda z: 1 / z,
                      lambda z: -1 / (1 - z), _sigmoid,
                      lambda l: (-_softplus(-l), -_softplus(l)), (0.0, 1.0)),
    # φ = −(1 − z)², ψ = −z²: ρ(z) = z/(1 − z), D* = r/(1 + r)
    "least-squares": Design("least-squares", lambda z: -(1 - z) ** 2, lambda z: -(z**2),
                            lambda z: 2 * (1 - z), lambda z: -2 * z, _sigmoid,
                            lambda l: (-_sigmoid(-l) ** 2, -_sigmoid(l) ** 2),
                            (-np.inf, np.inf)),
    # φ = z, ψ = −z²/2: ρ(z) = z, D* = r
    "chi2": Design("chi2", lambda z: z, lambda z: -(z**2) / 2, np.ones_like, lambda z: -z,
                   np.exp, lambda l: (np.exp(l), -np.exp(2 * l) / 2), (-np.inf, np.inf)),
    # φ = z, ψ = −e^{z−1}: ρ(z) = e^{z−1}, D* = 1 + log r
    "kl": Design("kl", lambda z: z, lambda z: -np.exp(z - 1), np.ones_like,
                 lambda z: -np.exp(z - 1), lambda l: 1 + l, lambda l: (1 + l, -np.exp(l)),
                 (-np.inf, np.inf)),
}


def optimal_critic(design: Design, r: np.ndarray | float, iters: int = 200) -> np.ndarray:
    r"""The pointwise optimal critic :math:`D^*=\omega(r)`, found by bisection on the condition.

    Implements Eq. \eqref{eq:designing-gans-optimum} of the post designing-gans: :math:`D^*` solves
    :math:`r\,\varphi'(D) + \psi'(D) = 0`, i.e. :math:`\rho(D) = r` with
    :math:`\rho = -\psi'/\varphi'` increasing. The bracket starts from the design's domain
    (widened by doubling where it is unbounded). Independent of the closed form ``design.omega``.
    """
    r = np.asarray(r, dtype=np.float64)

    def cond(z: np.ndarray) -> np.ndarray:
        # r φ'(z) + ψ'(z): decreasing in z, zero at the optimum
        return r * design.dphi(z) + design.dpsi(z)

    lo_d, hi_d = design.domain
    lo = np.full_like(r, lo_d + 1e-300 if np.isfinite(lo_d) else -1.0)
    hi = np.full_like(r, hi_d - 1e-16 if np.isfinite(hi_d) else 1.0)
    if not np.isfinite(lo_d):
        while np.any(cond(lo) < 0):
            lo = np.where(cond(lo) < 0, 2 * lo - 1, lo)
    if not np.isfinite(hi_d):
        while np.any(cond(hi) > 0):
            hi = np.where(cond(hi) > 0, 2 * hi + 1, hi)
    for _ in range(iters):
        mid = (lo + hi) / 2
        up = cond(mid) > 0
        lo, hi = np.where(up, mid, lo), np.where(up, hi, mid)
    return (lo + hi) / 2


def induced_f(design: Design, r: np.ndarray | float) -> np.ndarray:
    r"""The convex function :math:`f(r) = F(r) - F(1)` that the design turns into a divergence.

    Implements Eq. \eqref{eq:designing-gans-f} of the post designing-gans:
    :math:`F(r) = r\,\varphi(\omega(r)) + \psi(\omega(r)) = \max_z\, r\varphi(z) + \psi(z)`.
    """
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(divide="ignore"):
        a, b = design.terms(np.log(r))
        a1, b1 = design.terms(np.zeros(()))
    # F(r) − F(1),  F(r) = r φ(ω(r)) + ψ(ω(r))
    return r * a + b - (a1 + b1)


def design_value(design: Design, logp: np.ndarray, logq: np.ndarray, x: np.ndarray) -> float:
    r"""The critic objective at its optimum, :math:`\int p\,\varphi(D^*) + q\,\psi(D^*)\,dx`.

    Implements Eq. \eqref{eq:designing-gans-value} of the post designing-gans on a 1-D grid ``x``
    (trapezoidal rule) from the log-densities on that grid; the integrand is evaluated in log
    space (:math:`\ell = \log p - \log q`), so tails where ``p/q`` overflows stay finite.
    """
    a, b = design.terms(logp - logq)  # φ(D*), ψ(D*) as functions of ℓ = log r
    # p φ(D*) + q ψ(D*); a product with an underflowed density is 0, not nan
    integrand = np.where(logp > -700, np.exp(logp) * a, 0.0) + np.where(logq > -700,
                                                                        np.exp(logq) * b, 0.0)
    return float(np.trapezoid(integrand, x))


def gaussian_logpdf(x: np.ndarray, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """The log-density of N(mean, std²) on ``x``."""
    z = (np.asarray(x, dtype=np.float64) - mean) / std
    return -0.5 * z**2 - np.log(std) - 0.5 * np.log(2 * np.pi)
