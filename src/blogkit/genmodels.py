r"""Generative models of data: divergences, maximum likelihood, autoregressive and naive Bayes models.

Implements the series 生成模型笔记 (from three undated notes of a second Chinese ML blog, in the
style of Stanford CS236):

* the post ``genmodels-intro`` (《生成模型简介》): learning as :math:`\min_\theta d(p_{data}, p_\theta)`;
  with the KL divergence this is maximum likelihood (:func:`kl_discrete`, :func:`kl_quadrature`,
  :func:`mle_gaussian`, :func:`empirical_nll`, :func:`gaussian_forward_kl`,
  :func:`gaussian_reverse_kl`);
* the post ``autoregressive-models`` (《自回归模型》): the chain rule
  :math:`p(x)=\prod_i p(x_i\mid x_{<i})` with logistic conditionals (:class:`FVSBN`) or a shared
  hidden layer (:class:`NADE`) on binary vectors;
* the post ``digits-naive-bayes`` (《MNIST generative representation p(X,Y)》): the joint
  :math:`p(x, y)` of binary pixels and a label, and the naive Bayes factorisation
  :math:`p(y)\prod_i p(x_i\mid y)` (:class:`BernoulliNaiveBayes`).

The 1-D divergence functions work on numpy arrays in float64. The autoregressive models are thin
classes over torch tensors that compute in the dtype and on the device of their parameters (torch
is imported only when they are used). Naive Bayes is numpy, float64.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # torch is imported where it is used: the numpy parts must not pay for it
    import torch

__all__ = [
    "FVSBN",
    "NADE",
    "BernoulliNaiveBayes",
    "IndependentBernoulli",
    "binarized_digits",
    "empirical_nll",
    "enumerate_binary",
    "fit_autoregressive",
    "gaussian_forward_kl",
    "gaussian_logpdf",
    "gaussian_reverse_kl",
    "gmm_logpdf",
    "gmm_moments",
    "gmm_sample",
    "joint_param_count",
    "kl_discrete",
    "kl_quadrature",
    "load_digits_array",
    "mle_gaussian",
    "naive_bayes_param_count",
    "param_counts",
    "refine_minimum",
]

_LOG_2PI = math.log(2 * math.pi)


# ---------------------------------------------------------------------------------------------
# 《生成模型简介》: divergences and maximum likelihood
# ---------------------------------------------------------------------------------------------


def kl_discrete(p: ArrayLike, q: ArrayLike) -> float:
    r"""KL divergence of two distributions on a finite set.

    Implements Eq. (eq:genmodels-intro-kl) of the post genmodels-intro:
    :math:`\mathrm{KL}(p\,\|\,q)=\sum_x p(x)\log\frac{p(x)}{q(x)}`, with :math:`0\log 0 = 0` and
    :math:`+\infty` where :math:`q(x)=0<p(x)`. ``p`` and ``q`` are 1-D and each sums to 1.
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    if p.shape != q.shape or p.ndim != 1:
        raise ValueError("p and q must be 1-D arrays of the same length")
    if np.any(p < 0) or np.any(q < 0):
        raise ValueError("probabilities must be non-negative")
    support = p > 0
    if np.any(q[support] == 0):
        return math.inf
    # Σ_x p(x) log(p(x)/q(x)) over the support of p
    return float(np.sum(p[support] * (np.log(p[support]) - np.log(q[support]))))


def gaussian_logpdf(x: ArrayLike, mu: ArrayLike, sigma: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\log\mathcal N(x;\mu,\sigma^2) = -\tfrac12\log(2\pi\sigma^2)-\frac{(x-\mu)^2}{2\sigma^2}`,
    broadcast over ``x``, ``mu`` and ``sigma``."""
    x, mu, sigma = (np.asarray(a, dtype=float) for a in (x, mu, sigma))
    return -0.5 * _LOG_2PI - np.log(sigma) - (x - mu) ** 2 / (2 * sigma**2)


def gmm_logpdf(x: ArrayLike, weights: ArrayLike, means: ArrayLike,
               stds: ArrayLike) -> NDArray[np.float64]:
    r"""Log density of a 1-D Gaussian mixture :math:`\sum_k w_k\,\mathcal N(x;m_k,s_k^2)`,
    computed with log-sum-exp. ``x`` has any shape; the mixture parameters are 1-D."""
    x = np.asarray(x, dtype=float)
    w, m, s = (np.asarray(a, dtype=float) for a in (weights, means, stds))
    comp = np.log(w) + gaussian_logpdf(x[..., None], m, s)  # (..., K)
    top = comp.max(axis=-1, keepdims=True)
    return (top + np.log(np.exp(comp - top).sum(axis=-1, keepdims=True)))[..., 0]


def mle_gaussian(x: ArrayLike) -> tuple[float, float]:
    r"""Maximum-likelihood Gaussian for a sample: :math:`\hat\mu=\bar x`,
    :math:`\hat\sigma^2=\frac1N\sum_i(x_i-\bar x)^2` (divided by :math:`N`, not :math:`N-1`).

    Returns ``(mu, sigma)``. Implements Eq. (eq:genmodels-intro-mle) of the post genmodels-intro
    for the Gaussian family: it minimises :func:`empirical_nll` of :func:`gaussian_logpdf`.
    """
    x = np.asarray(x, dtype=float).ravel()
    mu = float(x.mean())
    return mu, float(np.sqrt(np.mean((x - mu) ** 2)))


def empirical_nll(logpdf: Callable[[NDArray[np.float64]], ArrayLike], x: ArrayLike) -> float:
    r"""The Monte Carlo estimate :math:`-\frac1N\sum_{i=1}^N\log p_\theta(x_i)` of the cross-entropy
    :math:`-\mathbb E_{p_{data}}\log p_\theta`; ``logpdf`` maps an array of samples to their log
    densities. Implements the objective of Eq. (eq:genmodels-intro-mle) of the post genmodels-intro."""
    x = np.asarray(x, dtype=float)
    return float(-np.mean(logpdf(x)))


def kl_quadrature(logp: ArrayLike, logq: ArrayLike, grid: ArrayLike) -> float:
    r""":math:`\mathrm{KL}(p\,\|\,q)=\int p(x)\,[\log p(x)-\log q(x)]\,dx` by the trapezoidal rule.

    ``logp`` and ``logq`` are the two log densities tabulated on the 1-D ``grid`` (which must
    cover the mass of ``p``). Eq. (eq:genmodels-intro-kl) of the post genmodels-intro, with the
    sum turned into an integral.
    """
    logp, logq, grid = (np.asarray(a, dtype=float) for a in (logp, logq, grid))
    integrand = np.exp(logp) * (logp - logq)
    return float(np.trapezoid(integrand, grid))


def gaussian_forward_kl(mean_p: float, var_p: float, neg_entropy_p: float, mu: ArrayLike,
                        sigma: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\mathrm{KL}(p\,\|\,\mathcal N(\mu,\sigma^2))` from the mean, variance and negative
    entropy :math:`\int p\log p` of the target :math:`p`.

    Implements Eq. (eq:genmodels-intro-gauss-fwd) of the post genmodels-intro:

    .. math::
        \mathrm{KL}(p\,\|\,q_{\mu,\sigma}) = \int p\log p + \tfrac12\log(2\pi\sigma^2)
        + \frac{\mathrm{Var}_p + (\mathbb E_p x-\mu)^2}{2\sigma^2},

    smallest at :math:`\mu=\mathbb E_p x`, :math:`\sigma^2=\mathrm{Var}_p` (moment matching).
    Broadcast over ``mu`` and ``sigma``.
    """
    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)
    # −E_p log q = ½ log(2πσ²) + E_p (x − μ)² / (2σ²),   E_p (x − μ)² = Var_p + (E_p x − μ)²
    cross = 0.5 * (_LOG_2PI + 2 * np.log(sigma)) + (var_p + (mean_p - mu) ** 2) / (2 * sigma**2)
    return neg_entropy_p + cross


def gaussian_reverse_kl(target_logpdf: Callable[[NDArray[np.float64]], NDArray[np.float64]],
                        mu: ArrayLike, sigma: ArrayLike, grid: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\mathrm{KL}(\mathcal N(\mu,\sigma^2)\,\|\,p)` for a target log density.

    Implements Eq. (eq:genmodels-intro-gauss-rev) of the post genmodels-intro:
    :math:`\mathrm{KL}(q_{\mu,\sigma}\,\|\,p) = -\tfrac12\log(2\pi e\sigma^2) - \mathbb E_{q}\log p`;
    the entropy in closed form, :math:`\mathbb E_q\log p` by the trapezoidal rule on the 1-D
    ``grid`` (which must cover the mass of every :math:`q`). Broadcast over ``mu`` and ``sigma``.
    """
    mu, sigma = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float))
    grid = np.asarray(grid, dtype=float)
    logp = target_logpdf(grid)  # (G,)
    q = np.exp(gaussian_logpdf(grid, mu[..., None], sigma[..., None]))  # (..., G)
    # E_q log p = ∫ q(x) log p(x) dx
    cross = -np.trapezoid(q * logp, grid, axis=-1)
    # −H(q) = −½ log(2π e σ²)
    return -0.5 * (_LOG_2PI + 1 + 2 * np.log(sigma)) + cross


def gmm_sample(n: int, weights: ArrayLike, means: ArrayLike, stds: ArrayLike,
               rng: np.random.Generator) -> NDArray[np.float64]:
    """``n`` draws from a 1-D Gaussian mixture: pick a component by its weight, then draw from it."""
    w, m, s = (np.asarray(a, dtype=float) for a in (weights, means, stds))
    k = rng.choice(len(w), size=n, p=w)  # (n,) component of each draw
    return m[k] + s[k] * rng.standard_normal(n)


def gmm_moments(weights: ArrayLike, means: ArrayLike, stds: ArrayLike) -> tuple[float, float]:
    r"""Mean and variance of a 1-D Gaussian mixture:
    :math:`\mathbb E x=\sum_k w_km_k`, :math:`\mathrm{Var}\,x=\sum_k w_k(s_k^2+m_k^2)-(\mathbb E x)^2`."""
    w, m, s = (np.asarray(a, dtype=float) for a in (weights, means, stds))
    mean = float(np.sum(w * m))
    return mean, float(np.sum(w * (s**2 + m**2)) - mean**2)


def refine_minimum(f: Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]],
                   mu: float, sigma: float, width: float, rounds: int = 6,
                   points: int = 21) -> tuple[float, float, float]:
    """Local minimum of ``f(mu, sigma)`` near a starting point, by zooming grids.

    Each round evaluates ``f`` on a ``points × points`` grid of half-width ``width`` around the
    current best point (``sigma`` kept positive) and shrinks the width fivefold. Returns
    ``(mu, sigma, f(mu, sigma))``.
    """
    for _ in range(rounds):
        mus = mu + np.linspace(-width, width, points)
        sigmas = np.clip(sigma + np.linspace(-width, width, points), 1e-3, None)
        vals = f(mus[:, None], sigmas[None, :])  # (points, points)
        i, j = np.unravel_index(np.argmin(vals), vals.shape)
        mu, sigma = float(mus[i]), float(sigmas[j])
        width /= 5
    return mu, sigma, float(f(np.array(mu), np.array(sigma)))


# ---------------------------------------------------------------------------------------------
# 《自回归模型》: p(x) = Π p(x_i | x_<i) on binary vectors
# ---------------------------------------------------------------------------------------------


def load_digits_array() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """scikit-learn's 8×8 handwritten digits: 1,797 images as rows of 64 grey levels 0–16, and labels.

    Reads the file ``sklearn/datasets/data/digits.csv.gz`` that ships with scikit-learn, the one
    ``sklearn.datasets.load_digits`` reads, without importing scikit-learn (seconds of imports).
    """
    import gzip
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("scikit-learn is needed for its packaged digits data set")
    path = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",")  # (1797, 65): 64 pixels, then the label
    return table[:, :-1], table[:, -1].astype(np.int64)


def binarized_digits(threshold: int = 8, test_size: int = 450,
                     seed: int = 0) -> tuple[NDArray[np.float64], NDArray[np.float64],
                                              NDArray[np.int64], NDArray[np.int64]]:
    """The digits of :func:`load_digits_array`, binarised at ``pixel >= threshold`` and split at
    random (``seed``) into train and test.

    Returns ``(x_train, x_test, y_train, y_test)``; the images are rows of 64 zeros and ones
    (float64), read row by row.
    """
    pixels, labels = load_digits_array()
    x = (pixels >= threshold).astype(np.float64)  # (1797, 64)
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:test_size], order[test_size:]
    return x[train], x[test], labels[train], labels[test]


def enumerate_binary(n: int) -> NDArray[np.float64]:
    """All :math:`2^n` binary vectors of length ``n`` as rows, the first coordinate most significant."""
    codes = np.arange(2**n)[:, None]  # (2^n, 1)
    return ((codes >> np.arange(n - 1, -1, -1)) & 1).astype(np.float64)  # (2^n, n)


def param_counts(n: int, d: int) -> dict[str, int]:
    r"""Free parameters of four models of :math:`x\in\{0,1\}^n`.

    Implements Eq. (eq:autoregressive-models-counts) of the post autoregressive-models:
    a full table :math:`2^n-1`; independent pixels :math:`n`; FVSBN
    :math:`\sum_{i=1}^n i = n(n+1)/2` (the :math:`i`-th conditional has a bias and :math:`i-1`
    weights); NADE with :math:`d` hidden units :math:`2nd+n+d` (``W``: :math:`d\times n`, ``c``:
    :math:`d`, ``V``: :math:`n\times d`, ``b``: :math:`n`).
    """
    return {"table": 2**n - 1, "independent": n, "fvsbn": n * (n + 1) // 2,
            "nade": 2 * n * d + n + d}


class _Autoregressive:
    """Shared parts: log-likelihood and ancestral sampling from the conditional logits."""

    def parameters(self) -> list[torch.Tensor]:
        raise NotImplementedError

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        r""":math:`\log p(x)=\sum_i x_i\log\sigma(\ell_i)+(1-x_i)\log(1-\sigma(\ell_i))` for rows
        ``x`` of shape ``(B, n)``, where :math:`\ell_i` depends on :math:`x_{<i}` only
        (Eq. (eq:autoregressive-models-chain) of the post autoregressive-models). Returns ``(B,)``."""
        import torch.nn.functional as F

        logits = self.logits(x)  # (B, n)
        return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)

    def sample(self, m: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``m`` exact samples, one coordinate at a time: :math:`x_i\\sim p(x_i\\mid x_{<i})`."""
        import torch

        p0 = self.parameters()[0]
        x = torch.zeros(m, self.n, dtype=p0.dtype, device=p0.device)  # (m, n)
        with torch.no_grad():
            for i in range(self.n):  # the i-th logit reads x_<i only, filled in already
                prob = torch.sigmoid(self.logits(x)[:, i])
                u = torch.rand(m, generator=generator, dtype=p0.dtype).to(p0.device)
                x[:, i] = (u < prob).to(p0.dtype)
        return x

    n: int


class IndependentBernoulli(_Autoregressive):
    r"""Independent pixels :math:`p(x)=\prod_i\mathrm{Bern}(x_i;\sigma(b_i))`, the baseline with
    :math:`n` parameters (an autoregressive model whose conditionals ignore :math:`x_{<i}`)."""

    def __init__(self, n: int, *, dtype: torch.dtype | None = None,
                 device: torch.device | str | None = None) -> None:
        import torch

        self.n = n
        self.bias = torch.zeros(n, dtype=dtype or torch.float32, device=device, requires_grad=True)

    @classmethod
    def from_data(cls, x: torch.Tensor, alpha: float = 1.0) -> IndependentBernoulli:
        r"""The smoothed maximum-likelihood fit :math:`\sigma(b_i)=\frac{\sum_k x_{ki}+\alpha}{N+2\alpha}`
        to the rows of ``x`` (``alpha = 0`` is plain maximum likelihood)."""
        import torch

        model = cls(x.shape[1], dtype=x.dtype, device=x.device)
        p = (x.sum(0) + alpha) / (x.shape[0] + 2 * alpha)  # (n,)
        with torch.no_grad():
            model.bias.copy_(torch.logit(p))
        return model

    def parameters(self) -> list[torch.Tensor]:
        return [self.bias]

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.bias.expand(x.shape[0], self.n)


class FVSBN(_Autoregressive):
    r"""Fully visible sigmoid belief network on :math:`\{0,1\}^n`.

    Implements Eq. (eq:autoregressive-models-fvsbn) of the post autoregressive-models:
    :math:`p(x_i=1\mid x_{<i})=\sigma\big(\alpha_{i0}+\sum_{j<i}\alpha_{ij}x_j\big)`. The weights
    are stored as an ``(n, n)`` matrix of which only the strictly lower triangle is used, so the
    model has :math:`n(n+1)/2` free parameters. Starts at zero (every pixel a fair coin).
    """

    def __init__(self, n: int, *, dtype: torch.dtype | None = None,
                 device: torch.device | str | None = None) -> None:
        import torch

        self.n = n
        dtype = dtype or torch.float32
        self.weight = torch.zeros(n, n, dtype=dtype, device=device, requires_grad=True)
        self.bias = torch.zeros(n, dtype=dtype, device=device, requires_grad=True)
        self.mask = torch.ones(n, n, dtype=dtype, device=device).tril(-1)  # j < i

    def parameters(self) -> list[torch.Tensor]:
        return [self.weight, self.bias]

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        # ℓ_i = α_i0 + Σ_{j<i} α_ij x_j                      x: (B, n) -> (B, n)
        return x @ (self.weight * self.mask).T + self.bias


class NADE(_Autoregressive):
    r"""Neural autoregressive density estimator (Larochelle & Murray, 2011) on :math:`\{0,1\}^n`.

    Implements Eq. (eq:autoregressive-models-nade) of the post autoregressive-models:

    .. math::
        h_i=\sigma\big(c+W_{:,<i}\,x_{<i}\big),\qquad
        p(x_i=1\mid x_{<i})=\sigma\big(b_i+V_{i,:}\,h_i\big),

    one hidden layer of width ``d`` shared by all conditionals (``W``: ``(d, n)``). The
    pre-activations obey :math:`a_{i+1}=a_i+W_{:,i}x_i`, so all :math:`n` hidden vectors cost
    :math:`O(nd)` per input, computed here as a cumulative sum.
    """

    def __init__(self, n: int, d: int, *, dtype: torch.dtype | None = None,
                 device: torch.device | str | None = None,
                 generator: torch.Generator | None = None) -> None:
        import torch

        self.n, self.d = n, d
        dtype = dtype or torch.float32

        def init(*shape: int, scale: float) -> torch.Tensor:
            t = scale * torch.randn(*shape, generator=generator, dtype=dtype)
            return t.to(device).requires_grad_(True)

        self.W = init(d, n, scale=1 / math.sqrt(n))
        self.c = init(d, scale=0.0)
        self.V = init(n, d, scale=1 / math.sqrt(d))
        self.b = init(n, scale=0.0)

    def parameters(self) -> list[torch.Tensor]:
        return [self.W, self.c, self.V, self.b]

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        import torch

        # a_i = c + Σ_{j<i} W[:, j] x_j: an exclusive cumulative sum over i     (B, n, d)
        contrib = x[:, :, None] * self.W.T[None]  # (B, n, d), row j is W[:, j] x_j
        a = self.c + torch.cumsum(contrib, dim=1) - contrib
        h = torch.sigmoid(a)
        # ℓ_i = b_i + V[i] · h_i                                                 (B, n)
        return (h * self.V[None]).sum(-1) + self.b


def fit_autoregressive(model: _Autoregressive, x: torch.Tensor, steps: int, lr: float = 0.05,
                       weight_decay: float = 0.0, batch_size: int | None = None,
                       generator: torch.Generator | None = None) -> list[float]:
    r"""Maximum likelihood (Eq. (eq:genmodels-intro-mle) of the post genmodels-intro) by Adam on
    :math:`-\frac1B\sum_{b}\log p(x_b)+\frac{\lambda}{2}\sum w^2`.

    Each step uses ``batch_size`` rows of ``x`` drawn without replacement with ``generator``
    (all rows when ``None``). Returns the mini-batch negative log-likelihood (nats per vector)
    of every step.
    """
    import torch

    params = model.parameters()
    opt = torch.optim.Adam(params, lr=lr)
    threads = torch.get_num_threads()
    if params[0].device.type == "cpu":  # tensors this small gain nothing from OpenMP threads,
        torch.set_num_threads(1)  # whose spin-waits cost seconds on a busy machine
    try:
        history = _adam_steps(model, params, opt, x, steps, weight_decay, batch_size, generator)
    finally:
        torch.set_num_threads(threads)
    return history


def _adam_steps(model: _Autoregressive, params: list[torch.Tensor], opt: torch.optim.Optimizer,
                x: torch.Tensor, steps: int, weight_decay: float, batch_size: int | None,
                generator: torch.Generator | None) -> list[float]:
    import torch

    history = []
    for _ in range(steps):
        batch = x
        if batch_size is not None and batch_size < len(x):
            idx = torch.randperm(len(x), generator=generator)[:batch_size].to(x.device)
            batch = x[idx]
        opt.zero_grad()
        nll = -model.log_prob(batch).mean()
        loss = nll + 0.5 * weight_decay * sum((p**2).sum() for p in params)
        loss.backward()
        opt.step()
        history.append(nll.item())
    return history


# ---------------------------------------------------------------------------------------------
# 《MNIST generative representation p(X,Y)》: naive Bayes on binary pixels
# ---------------------------------------------------------------------------------------------


def joint_param_count(n: int, k: int) -> int:
    r"""Free parameters of an unrestricted joint table over :math:`n` binary variables and a
    label with :math:`k` values: :math:`k\,2^n-1`.

    Implements Eq. (eq:digits-naive-bayes-joint) of the post digits-naive-bayes (with :math:`k=10`).
    """
    return k * 2**n - 1


def naive_bayes_param_count(n: int, k: int) -> int:
    r"""Free parameters of naive Bayes over :math:`n` binary features and :math:`k` classes:
    :math:`(k-1)+kn`.

    Implements Eq. (eq:digits-naive-bayes-count) of the post digits-naive-bayes (with :math:`k=10`).
    """
    return (k - 1) + k * n


def _logsumexp(a: NDArray[np.float64], axis: int = -1) -> NDArray[np.float64]:
    top = a.max(axis=axis, keepdims=True)
    return (top + np.log(np.exp(a - top).sum(axis=axis, keepdims=True))).squeeze(axis)


class BernoulliNaiveBayes:
    r"""Naive Bayes for binary features: :math:`p(x, y)=p(y)\prod_i p(x_i\mid y)`.

    Implements Eqs. (eq:digits-naive-bayes-nb), (eq:digits-naive-bayes-mle) and
    (eq:digits-naive-bayes-linear) of the post digits-naive-bayes. ``fit`` sets
    :math:`\pi_y=N_y/N` and the smoothed frequencies
    :math:`\theta_{yi}=p(x_i=1\mid y)=\frac{N_{yi}+\alpha}{N_y+2\alpha}` (``alpha = 0`` is plain
    maximum likelihood). Inputs are numpy arrays: ``X`` of shape ``(N, n)`` with entries 0 or 1,
    ``y`` of shape ``(N,)`` with any labels; everything is computed in float64.
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: ArrayLike, y: ArrayLike) -> BernoulliNaiveBayes:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        self.classes_ = np.unique(y)  # (k,)
        onehot = (y[:, None] == self.classes_[None, :]).astype(np.float64)  # (N, k)
        n_y = onehot.sum(0)  # (k,)  N_y
        n_yi = onehot.T @ X  # (k, n) N_yi: how often pixel i is 1 in class y
        # π_y = N_y / N
        self.class_log_prior_ = np.log(n_y / n_y.sum())
        # θ_yi = (N_yi + α) / (N_y + 2α)
        self.feature_prob_ = (n_yi + self.alpha) / (n_y[:, None] + 2 * self.alpha)
        return self

    def log_joint(self, X: ArrayLike) -> NDArray[np.float64]:
        r""":math:`\log p(x, y)=\log\pi_y+\sum_i\big[x_i\log\theta_{yi}+(1-x_i)\log(1-\theta_{yi})\big]`
        for every row of ``X`` and every class: shape ``(N, k)``."""
        X = np.asarray(X, dtype=np.float64)
        logt, log1mt = np.log(self.feature_prob_), np.log1p(-self.feature_prob_)  # (k, n)
        return self.class_log_prior_ + X @ logt.T + (1 - X) @ log1mt.T

    def log_marginal(self, X: ArrayLike) -> NDArray[np.float64]:
        r""":math:`\log p(x)=\log\sum_y p(x, y)`: naive Bayes as a density of the pixels alone
        (a mixture of :math:`k` product-Bernoulli distributions). Shape ``(N,)``."""
        return _logsumexp(self.log_joint(X), axis=1)

    def predict_proba(self, X: ArrayLike) -> NDArray[np.float64]:
        r"""Posterior :math:`p(y\mid x)=p(x,y)/\sum_{y'}p(x,y')`, shape ``(N, k)``, columns in the
        order of ``classes_``."""
        joint = self.log_joint(X)
        return np.exp(joint - _logsumexp(joint, axis=1)[:, None])

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """The most probable class of every row."""
        return self.classes_[np.argmax(self.log_joint(X), axis=1)]

    def as_linear(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        r"""The posterior as a softmax of a linear function,
        :math:`p(y\mid x)=\mathrm{softmax}_y(w_y\cdot x+b_y)`.

        Implements Eq. (eq:digits-naive-bayes-linear) of the post digits-naive-bayes:
        :math:`w_{yi}=\log\frac{\theta_{yi}}{1-\theta_{yi}}`,
        :math:`b_y=\log\pi_y+\sum_i\log(1-\theta_{yi})`. Returns ``(W, b)`` of shapes ``(k, n)``
        and ``(k,)``.
        """
        t = self.feature_prob_
        w = np.log(t) - np.log1p(-t)  # (k, n)
        b = self.class_log_prior_ + np.log1p(-t).sum(1)  # (k,)
        return w, b

    def sample(self, label: Any, m: int, rng: np.random.Generator) -> NDArray[np.float64]:
        r"""``m`` draws of :math:`x\sim p(x\mid y=\text{label})=\prod_i\mathrm{Bern}(\theta_{yi})`."""
        row = self.feature_prob_[int(np.flatnonzero(self.classes_ == label)[0])]  # (n,)
        return (rng.random((m, row.size)) < row).astype(np.float64)
