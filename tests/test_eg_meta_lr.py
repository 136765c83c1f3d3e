"""blogkit.optim, exponentiated gradient and the meta-learned step size (post eg-meta-lr): the public
step against numpy/torch and scipy's minimiser of the KL-proximal problem, the simplex rule against
scipy.special.softmax, EG on non-negative least squares against scipy.optimize.nnls, the
hypergradient against finite differences, the adaptation loop against a plain-float oracle, the
1-D band, and the best constant step against a brute-force search."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
import torch
from scipy import optimize, special

from blogkit import optim

F64 = torch.float64


def test_public_api_signature() -> None:
    params = list(inspect.signature(optim.exponentiated_gradient_step).parameters)
    assert params == ["theta", "grad", "lr"]
    assert "exponentiated_gradient_step" in optim.__all__


@pytest.mark.parametrize("kind", ["numpy", "torch"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_eqn_eg_meta_lr_egd_elementwise(kind: str, dtype: str) -> None:
    rng = np.random.default_rng(0)
    theta = np.abs(rng.standard_normal(12)).astype(dtype)
    theta[3] = 0.0
    grad = (5 * rng.standard_normal(12)).astype(dtype)
    if kind == "torch":
        out = optim.exponentiated_gradient_step(torch.from_numpy(theta), torch.from_numpy(grad), 0.7)
        assert isinstance(out, torch.Tensor) and str(out.dtype) == f"torch.{dtype}"
        out = out.numpy()
    else:
        out = optim.exponentiated_gradient_step(theta, grad, 0.7)
        assert isinstance(out, np.ndarray) and out.dtype == np.dtype(dtype)
    want = [t * math.exp(-0.7 * float(g)) for t, g in zip(theta.tolist(), grad.tolist(), strict=True)]
    assert out.tolist() == pytest.approx(want, rel=1e-6 if dtype == "float32" else 1e-15)
    assert (out >= 0).all() and out[3] == 0.0  # positivity kept, zeros stay zero


@pytest.mark.parametrize("lr", [0.1, 1.0, 3.0])
def test_eqn_eg_meta_lr_prox_against_scipy_minimize(lr: float) -> None:
    """Eq. eg-meta-lr-prox: the minimiser of g·θ + KL(θ‖θ_t)/η is the EG step."""
    rng = np.random.default_rng(1)
    theta_t, g = rng.uniform(0.2, 2.0, 6), rng.standard_normal(6)

    def objective(z: np.ndarray) -> float:  # optimise over z = log θ to stay positive
        th = np.exp(z)
        return float(g @ th + (th * np.log(th / theta_t) - th + theta_t).sum() / lr)

    res = optimize.minimize(objective, np.log(theta_t), method="BFGS", options={"gtol": 1e-12})
    assert np.exp(res.x) == pytest.approx(optim.exponentiated_gradient_step(theta_t, g, lr), rel=1e-6)


def test_eqn_eg_meta_lr_simplex_against_scipy_softmax() -> None:
    rng = np.random.default_rng(2)
    theta = rng.dirichlet(np.ones(7), size=3)  # (3, 7), rows on the simplex
    g = rng.standard_normal((3, 7))
    out = optim.normalized_eg_step(theta, g, 0.4)
    assert out == pytest.approx(special.softmax(np.log(theta) - 0.4 * g, axis=-1), rel=1e-13)
    assert out.sum(-1) == pytest.approx(np.ones(3), abs=1e-15)
    out_t = optim.normalized_eg_step(torch.from_numpy(theta), torch.from_numpy(g), 0.4)
    assert out_t.numpy() == pytest.approx(out, rel=1e-15)


@pytest.mark.parametrize(("T", "n", "lr"), [(1, 3, 0.5), (40, 5, 0.3), (200, 2, 2.0)])
def test_eqn_eg_meta_lr_hedge_closed_form(T: int, n: int, lr: float) -> None:
    gen = torch.Generator().manual_seed(T)
    costs = torch.rand(T, n, generator=gen, dtype=F64)
    prior = torch.softmax(torch.randn(n, generator=gen, dtype=F64), 0)
    w = prior.clone()
    for c in costs:
        w = optim.normalized_eg_step(w, c, lr)
    assert torch.allclose(w, optim.hedge(costs, lr, prior), rtol=1e-12, atol=1e-15)


def test_eg_on_nnls_approaches_scipy_nnls() -> None:
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(40, 10, generator=gen, dtype=F64)
    x_true = torch.relu(torch.randn(10, generator=gen, dtype=F64))
    b = a @ x_true + 0.5 * torch.randn(40, generator=gen, dtype=F64)
    _, grad = optim.least_squares_problem(a, b)
    traj = optim.run_exponentiated_gradient(grad, torch.ones(10, dtype=F64), 0.5, 4000)
    x_ref, _ = optimize.nnls(a.numpy(), b.numpy())
    assert traj[-1].numpy() == pytest.approx(x_ref, abs=2e-4)
    proj = optim.run_exponentiated_gradient(grad, torch.ones(10, dtype=F64), 0.5, 500, projected=True)
    assert proj[-1].numpy() == pytest.approx(x_ref, abs=1e-10)
    assert optim.nnls_kkt_residual(proj[-1], grad(proj[-1])) < 1e-12
    assert bool((traj > 0).all())


def test_kkt_residual_detects_violations() -> None:
    theta = torch.tensor([0.0, 1.0, 2.0], dtype=F64)
    assert optim.nnls_kkt_residual(theta, torch.tensor([0.5, 0.0, 0.0], dtype=F64)) == 0.0
    assert optim.nnls_kkt_residual(theta, torch.tensor([-0.5, 0.0, 0.0], dtype=F64)) == 0.5  # ∂L < 0 at 0
    assert optim.nnls_kkt_residual(theta, torch.tensor([0.0, 0.3, 0.0], dtype=F64)) == 0.3  # θ > 0, ∂L ≠ 0


# --------------------------------------------------------------------------- the hypergradient


@pytest.mark.parametrize("lr", [0.05, 0.5, 4.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_eqn_eg_meta_lr_hypergrad_against_finite_differences(lr: float, seed: int) -> None:
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(50, 4, generator=gen, dtype=F64)
    y = (torch.rand(50, generator=gen) < 0.5).to(F64)
    theta_prev = torch.randn(4, generator=gen, dtype=F64)
    auto, formula = optim.hypergradient(lambda th: optim.logistic_loss(th, x, y), theta_prev, lr)
    p = theta_prev.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(optim.logistic_loss(p, x, y), p)
    h = 1e-5

    def after(eta: float) -> float:
        return optim.logistic_loss(theta_prev - eta * g, x, y).item()

    fd = (after(lr + h) - after(lr - h)) / (2 * h)
    assert formula == pytest.approx(fd, rel=1e-6, abs=1e-9)
    assert auto == pytest.approx(formula, rel=1e-12, abs=1e-15)


# --------------------------------------------------------------------------- the adaptation loop


def _oracle(lam: list[float], theta0: list[float], lr0: float, gamma: float, steps: int,
            normalized: bool) -> tuple[list[float], list[float]]:
    """Eqs. eg-meta-lr-meta / -meta-cos with Python floats, on L = ½Σλθ²."""
    theta, lr, prev, lrs = list(theta0), lr0, None, []
    for _ in range(steps):
        g = [l * t for l, t in zip(lam, theta, strict=True)]
        if prev is not None:
            dot = sum(a * b for a, b in zip(g, prev, strict=True))
            if normalized:
                dot /= math.sqrt(sum(a * a for a in g)) * math.sqrt(sum(b * b for b in prev))
            lr *= math.exp(gamma * dot)
        theta = [t - lr * gi for t, gi in zip(theta, g, strict=True)]
        prev = g
        lrs.append(lr)
    return theta, lrs


@pytest.mark.parametrize("normalized", [True, False])
@pytest.mark.parametrize(("lr0", "gamma"), [(0.01, 0.2), (0.3, 0.05), (0.1, 0.0)])
def test_eqn_eg_meta_lr_meta_matches_float_oracle(normalized: bool, lr0: float, gamma: float) -> None:
    lam = [1.0, 2.5, 4.0, 7.0]
    g = gamma if normalized else gamma / 100
    run = optim.eg_lr_adapt(*optim.quadratic_problem(torch.tensor(lam, dtype=F64)),
                            torch.tensor([1.0, -0.5, 0.3, 2.0], dtype=F64), lr0, g, 40, normalized)
    theta, lrs = _oracle(lam, [1.0, -0.5, 0.3, 2.0], lr0, g, 40, normalized)
    assert run.lrs.tolist() == pytest.approx(lrs, rel=1e-12)
    assert run.thetas[-1].tolist() == pytest.approx(theta, rel=1e-9, abs=1e-30)
    theta0 = [1.0, -0.5, 0.3, 2.0]
    want = 0.5 * sum(l * t * t for l, t in zip(lam, theta0, strict=True))
    assert run.losses[0].item() == pytest.approx(want)


@pytest.mark.parametrize("a", [0.5, 4.0, 30.0])
@pytest.mark.parametrize("gamma", [0.05, 0.5])
@pytest.mark.parametrize("lr0_times_a", [0.001, 0.7, 1.9, 50.0])
def test_eqn_eg_meta_lr_band(a: float, gamma: float, lr0_times_a: float) -> None:
    """1-D: after at most |log(aη0)|/γ + 1 steps, e^{-γ}/a ≤ η_t ≤ e^{γ}/a for good."""
    steps = int(abs(math.log(lr0_times_a)) / gamma) + 1
    run = optim.eg_lr_adapt(*optim.quadratic_problem(torch.tensor([a], dtype=F64)), torch.ones(1, dtype=F64),
                            lr0_times_a / a, gamma, steps + 40)
    tail = run.lrs[steps:]
    assert bool((tail >= math.exp(-gamma) / a * (1 - 1e-12)).all())
    assert bool((tail <= math.exp(gamma) / a * (1 + 1e-12)).all())


def test_one_dimensional_direction_of_change() -> None:
    """η grows when η < 1/a and shrinks when 1/a < η (even beyond 2/a)."""
    loss, grad = optim.quadratic_problem(torch.tensor([4.0], dtype=F64))
    for lr0, up in ((0.1, True), (0.24, True), (0.26, False), (0.45, False), (0.9, False)):
        run = optim.eg_lr_adapt(loss, grad, torch.ones(1, dtype=F64), lr0, 0.3, 2)
        assert (run.lrs[1] > run.lrs[0]) == up


def test_eqn_eg_meta_lr_best_against_brute_force() -> None:
    eig = torch.tensor([0.3, 1.0, 2.0, 5.5], dtype=F64)
    best, rate = optim.quadratic_best_lr(eig)
    grid = np.linspace(1e-4, 2 / 5.5, 200_001)
    worst = np.abs(1 - np.outer(grid, eig.numpy())).max(1)
    assert best == pytest.approx(grid[worst.argmin()], abs=2e-5)
    assert rate == pytest.approx(worst.min(), abs=1e-5)  # grid step 1.8e-6, slope ≤ 5.5
    res = optimize.minimize_scalar(lambda e: np.abs(1 - e * eig.numpy()).max(), bounds=(0, 1),
                                   method="bounded", options={"xatol": 1e-12})
    assert best == pytest.approx(res.x, abs=1e-6)


def test_cosine_rule_beats_the_best_constant_step_on_a_quadratic() -> None:
    eig = torch.linspace(1.0, 10.0, 20, dtype=F64)
    problem = optim.quadratic_problem(eig)
    best, _ = optim.quadratic_best_lr(eig)
    const = optim.eg_lr_adapt(*problem, torch.ones(20, dtype=F64), best, 0.0, 150)
    for lr0, seed_theta in ((0.02, 1.0), (0.5, -2.0)):
        run = optim.eg_lr_adapt(*problem, seed_theta * torch.ones(20, dtype=F64), lr0, 0.2, 150)
        assert run.losses[-1] / run.losses[0] < const.losses[-1] / const.losses[0]
