"""blogkit.optim, Amos-style strategies (post amos-strategies): the squared-norm recursion by exact
enumeration, the equilibrium and its inverse against loops and scipy's root finder, the momentum
formula against scipy's discrete Lyapunov solver and torch's AdamW, the reparameterisation rule
with torch's Adam and SGD, and the inverse-time schedule against scipy's scalar minimiser."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from scipy import linalg, optimize

from blogkit import optim

F64 = torch.float64
GRID = [(0.01, 0.02), (0.003, 0.001), (0.05, 0.3), (0.1, 1.0), (0.02, 1.5)]


# --------------------------------------------------------------------------- the decay walk


@pytest.mark.parametrize(("alpha", "rho"), [(0.1, 0.2), (0.3, 0.05), (1.0, 0.5)])
def test_eqn_amos_strategies_norm_recursion_by_enumeration(alpha: float, rho: float) -> None:
    """E‖θ'‖²/d over all 2^d sign vectors u equals (1-ρ)²‖θ‖²/d + α², for a fixed θ."""
    d = 5
    theta = torch.tensor([0.7, -1.3, 0.2, 2.0, -0.4], dtype=F64)
    total = 0.0
    for signs in itertools.product((-1.0, 1.0), repeat=d):
        u = torch.tensor(signs, dtype=F64)
        total += ((1 - rho) * theta - alpha * u).square().sum().item() / d  # Eq. amos-strategies-update
    mean = total / 2**d
    assert mean == pytest.approx((1 - rho) ** 2 * theta.square().mean().item() + alpha**2, rel=1e-14)


@pytest.mark.parametrize(("alpha", "rho"), GRID)
def test_eqn_amos_strategies_equilibrium_is_the_fixed_point_of_the_loop(alpha: float, rho: float) -> None:
    q = 0.0
    for _ in range(200_000):
        q = (1 - rho) ** 2 * q + alpha**2
        if abs(q - ((1 - rho) ** 2 * q + alpha**2)) < 1e-18:
            break
    assert math.sqrt(q) == pytest.approx(optim.decay_equilibrium_rms(alpha, rho).item(), rel=1e-9)


@pytest.mark.parametrize(("alpha", "rho"), [*GRID, (0.02, 0.0)])
@pytest.mark.parametrize("rms0", [0.0, 0.05, 1.0])
def test_eqn_amos_strategies_transient_matches_iterating_the_recursion(alpha: float, rho: float,
                                                                       rms0: float) -> None:
    t = torch.arange(60)
    closed = optim.decay_rms_trajectory(alpha, rho, rms0, t)
    q, loop = rms0**2, []
    for _ in range(60):
        loop.append(math.sqrt(q))
        q = (1 - rho) ** 2 * q + alpha**2
    assert closed.tolist() == pytest.approx(loop, rel=1e-12, abs=1e-300)


def test_no_decay_is_a_random_walk() -> None:
    t = torch.arange(1000)
    assert torch.allclose(optim.decay_rms_trajectory(0.01, 0.0, 0.0, t), 0.01 * torch.sqrt(t.double()))


def test_eqn_amos_strategies_equilibrium_monte_carlo_at_1e5_dims() -> None:
    """α = 0.01, ρ = 0.02, started at the equilibrium: 1e5 coordinates over 100 steps, within 0.3 %."""
    eq = optim.decay_equilibrium_rms(0.01, 0.02).item()
    sim = optim.simulate_decay_walk(0.01, 0.02, 100_000, 100, rms0=eq, seed=5)
    assert sim.square().mean().sqrt().item() == pytest.approx(eq, rel=3e-3)


def test_walk_moves_monotonically_towards_the_equilibrium() -> None:
    """E‖θ‖² is monotone towards q_∞ from both sides (here in expectation, by the closed form)."""
    t = torch.arange(500)
    up = optim.decay_rms_trajectory(0.01, 0.02, 0.0, t)
    down = optim.decay_rms_trajectory(0.01, 0.02, 0.2, t)
    eq = optim.decay_equilibrium_rms(0.01, 0.02).item()
    assert bool((up[1:] > up[:-1]).all()) and bool((up < eq).all())
    assert bool((down[1:] < down[:-1]).all()) and bool((down > eq).all())


def test_walk_update_rms_is_one_and_dtype_is_kept() -> None:
    sim = optim.simulate_decay_walk(0.5, 0.0, 1000, 1, rms0=0.0, seed=0, dtype=torch.float32)
    assert sim[1].item() == pytest.approx(0.5, abs=1e-7)  # one step from 0: every entry is ±α
    with pytest.raises(ValueError):
        optim.decay_equilibrium_rms(0.1, 0.0)


# --------------------------------------------------------------------------- the decay rate for a scale


@pytest.mark.parametrize(("alpha", "xi"), [(1e-4, 0.02), (0.003, 0.05), (0.02, 0.05), (0.4, 0.5)])
def test_eqn_amos_strategies_wd_against_scipy_root(alpha: float, xi: float) -> None:
    rho = optim.decay_for_scale(alpha, xi).item()
    root = optimize.brentq(lambda r: alpha / math.sqrt(2 * r - r * r) - xi, 1e-15, 1.0, xtol=1e-300,
                           rtol=1e-15)
    assert rho == pytest.approx(root, rel=1e-12)
    assert optim.decay_equilibrium_rms(alpha, rho).item() == pytest.approx(xi, rel=1e-12)


def test_wd_is_quadratic_in_the_learning_rate_for_small_rates() -> None:
    alphas = torch.tensor([1e-5, 1e-4, 1e-3], dtype=F64)
    rho = optim.decay_for_scale(alphas, 0.05)
    assert torch.allclose(rho * 2 * 0.05**2 / alphas**2, torch.ones(3, dtype=F64), rtol=1e-3)
    with pytest.raises(ValueError):
        optim.decay_for_scale(0.1, 0.05)


# --------------------------------------------------------------------------- momentum


@pytest.mark.parametrize(("alpha", "rho", "beta"), [(0.01, 0.02, 0.9), (0.1, 0.3, 0.5), (1.0, 0.05, 0.99),
                                                    (0.01, 0.02, 0.0)])
def test_eqn_amos_strategies_momentum_against_scipy_lyapunov(alpha: float, rho: float, beta: float) -> None:
    """State (θ_t, u_t): θ_{t+1} = aθ_t - αu_t, u_{t+1} = βu_t + (1-β)ε; stationary covariance."""
    a = 1 - rho
    A = [[a, -alpha], [0.0, beta]]
    Q = [[0.0, 0.0], [0.0, (1 - beta) ** 2]]
    P = linalg.solve_discrete_lyapunov(A, Q)
    assert optim.momentum_equilibrium_rms(alpha, rho, beta) == pytest.approx(math.sqrt(P[0, 0]), rel=1e-10)


def test_eqn_amos_strategies_momentum_slow_double_sum() -> None:
    alpha, rho, beta = 0.05, 0.1, 0.7
    a, var_u = 1 - rho, (1 - beta) / (1 + beta)
    n = 400  # a^400 ~ 5e-19
    total = sum(a ** (j + k) * var_u * beta ** abs(j - k) for j in range(n) for k in range(n))
    want = alpha * math.sqrt(total)
    assert optim.momentum_equilibrium_rms(alpha, rho, beta) == pytest.approx(want, rel=1e-9)


def test_momentum_limits() -> None:
    # β = 0 is the white-noise formula; ρ → 0 makes the momentum factor tend to 1
    assert optim.momentum_equilibrium_rms(0.01, 0.02, 0.0) == pytest.approx(
        optim.decay_equilibrium_rms(0.01, 0.02).item(), rel=1e-14)
    for beta in (0.5, 0.9, 0.99):
        white = optim.decay_equilibrium_rms(1.0, 1e-7).item()
        ratio = optim.momentum_equilibrium_rms(1.0, 1e-7, beta) / white
        assert ratio == pytest.approx(1.0, abs=1e-4)


def test_torch_adamw_on_noise_matches_the_momentum_formula() -> None:
    rms, u_rms = optim.adamw_noise_walk(0.01, 2.0, (0.9, 0.999), 4000, 250, seed=11)
    tail = rms[-150:].square().mean().sqrt().item()
    assert tail == pytest.approx(optim.momentum_equilibrium_rms(0.01, 0.02, 0.9), rel=0.02)
    assert u_rms == pytest.approx(math.sqrt(0.1 / 1.9), rel=0.1)  # RMS of an EMA of white noise


# --------------------------------------------------------------------------- reparameterisation


def _problem() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(32, 5, generator=gen, dtype=F64)
    y = x @ torch.randn(5, generator=gen, dtype=F64) + 0.1 * torch.randn(32, generator=gen, dtype=F64)
    return x, y, 0.3 * torch.randn(5, generator=gen, dtype=F64)


@pytest.mark.parametrize("s", [4.0, 0.25, 37.0, 1e-3])
@pytest.mark.parametrize(("opt", "lr", "power"), [("adam", 0.02, 1), ("sgd", 0.1, 2)])
def test_eqn_amos_strategies_reparam(s: float, opt: str, lr: float, power: int) -> None:
    x, y, w0 = _problem()
    base = optim.reparametrized_regression(x, y, w0, 1.0, lr, 50, opt)
    matched = optim.reparametrized_regression(x, y, w0, s, lr / s**power, 50, opt)
    unmatched = optim.reparametrized_regression(x, y, w0, s, lr, 50, opt)
    assert (matched - base).abs().max().item() < 1e-10
    assert not (unmatched - base).abs().max().item() < 1e-3  # the negative control (nan if diverged)
    wrong_power = optim.reparametrized_regression(x, y, w0, s, lr / s ** (3 - power), 50, opt)
    assert not (wrong_power - base).abs().max().item() < 1e-3  # Adam needs 1/s, SGD 1/s²


def test_reparam_first_adam_step_is_lr_times_sign() -> None:
    """Adam's first step with eps = 0 is -lr·sign(g) (m̂/√v̂ = g/|g|): the normalised direction."""
    x, y, w0 = _problem()
    traj = optim.reparametrized_regression(x, y, w0, 1.0, 0.01, 1, "adam")
    g = x.T @ (x @ w0 - y) / len(y)
    assert torch.allclose(traj[1] - traj[0], -0.01 * torch.sign(g), rtol=0, atol=1e-15)


# --------------------------------------------------------------------------- the schedule


def test_eqn_amos_strategies_inverse_time_is_the_stepwise_minimiser() -> None:
    e0, s2 = 1.0, 4.0
    lrs = optim.inverse_time_schedule(e0, s2, 30)
    e = e0
    for a in lrs.tolist():
        res = optimize.minimize_scalar(lambda al, e=e: (1 - al) ** 2 * e + al**2 * s2, bounds=(0, 1),
                                       method="bounded", options={"xatol": 1e-12})
        assert a == pytest.approx(res.x, abs=1e-8)
        e = (1 - a) ** 2 * e + a**2 * s2
    t = torch.arange(31, dtype=F64)
    assert torch.allclose(optim.noisy_quadratic_error(lrs, e0, s2), s2 / (t + s2 / e0), rtol=1e-13, atol=0)


def test_inverse_time_is_never_beaten_by_random_schedules() -> None:
    gen = torch.Generator().manual_seed(0)
    e0, s2, T = 0.5, 2.0, 40
    best = optim.noisy_quadratic_error(optim.inverse_time_schedule(e0, s2, T), e0, s2)
    for _ in range(300):
        lrs = torch.rand(T, generator=gen, dtype=F64) * torch.rand(1, generator=gen, dtype=F64)
        e = optim.noisy_quadratic_error(lrs, e0, s2)
        assert bool((e >= best - 1e-15).all())


@pytest.mark.parametrize("alpha", [0.01, 0.2, 1.0, 1.5])
def test_eqn_amos_strategies_floor_is_the_same_equilibrium(alpha: float) -> None:
    """Constant lr: e_∞ = ασ²/(2-α) = (RMS_∞ of a walk with step ασ and decay α)²."""
    s2 = 3.0
    e = optim.noisy_quadratic_error(torch.full((3000,), alpha, dtype=F64), 1.0, s2)
    floor = alpha * s2 / (2 - alpha)
    assert e[-1].item() == pytest.approx(floor, rel=1e-10)
    walk = optim.decay_equilibrium_rms(alpha * math.sqrt(s2), alpha).item()
    assert walk**2 == pytest.approx(floor, rel=1e-12)


def test_eqn_amos_strategies_error_recursion_monte_carlo() -> None:
    lrs = torch.tensor([0.5, 0.1, 0.3, 0.9, 0.05], dtype=F64)
    expected = optim.noisy_quadratic_error(lrs, 1.5**2, 0.8**2)
    sim = optim.simulate_noisy_quadratic(lrs, 1.5, 0.8, 200_000, seed=2)
    # relative standard error of a mean of 2e5 squared Gaussians: sqrt(2/2e5) = 0.3 %
    assert sim.tolist() == pytest.approx(expected.tolist(), rel=0.015)


def test_inverse_time_iterate_is_a_shrunk_running_mean() -> None:
    """With α_t = 1/(t+1+c), θ_t = (sum of the first t observations) / (t + c), c = σ²/e_0."""
    gen = torch.Generator().manual_seed(4)
    e0, s2, T = 0.7, 2.5, 25
    obs = torch.randn(T, 3, generator=gen, dtype=F64)  # any observations θ* - σε
    theta = torch.zeros(3, dtype=F64)
    for t, a in enumerate(optim.inverse_time_schedule(e0, s2, T).tolist()):
        theta = theta + a * (obs[t] - theta)
        assert torch.allclose(theta, obs[: t + 1].sum(0) / (t + 1 + s2 / e0), rtol=1e-13, atol=1e-15)


def test_the_prose_claims_hold_at_the_gpu_sizes() -> None:
    """On a GPU the snippets use d = 400 000 (walks), 100 000 (AdamW) and 200 000 (schedule)."""
    a, r = 0.01, 0.02
    sim = optim.simulate_decay_walk(a, r, 400_000, 200, rms0=0.1, seed=0)
    closed = optim.decay_equilibrium_rms(a, r).item()
    assert abs(sim[-100:].square().mean().sqrt().item() / closed - 1) < 0.01
    pred = optim.decay_rms_trajectory(a, r, 0.1, torch.arange(201))
    assert ((sim - pred).abs() / pred).max().item() < 0.01
    rms, _ = optim.adamw_noise_walk(0.01, 2.0, (0.9, 0.999), 100_000, 200, seed=3)
    assert rms[-100:].square().mean().sqrt().item() == pytest.approx(
        optim.momentum_equilibrium_rms(0.01, 0.02, 0.9), rel=0.02)
    lrs = optim.inverse_time_schedule(1.0, 4.0, 300)
    mc = optim.simulate_noisy_quadratic(lrs, 1.0, 2.0, 200_000, seed=1)
    assert mc[-1].item() == pytest.approx(optim.noisy_quadratic_error(lrs, 1.0, 4.0)[-1].item(), rel=0.02)
