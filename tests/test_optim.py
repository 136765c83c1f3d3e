"""blogkit.optim, Lion section: the update rule against a per-element loop oracle, the optimiser
against the pure function and against the peer package ``lion_pytorch``, and the properties the
post ``lion`` states (sign geometry, the ∞-norm bound, signSGD limit, scale invariance)."""

from __future__ import annotations

import inspect
import itertools
import math

import numpy as np
import pytest
import torch

from blogkit.optim import (
    Lion,
    cycle_onset,
    decoupled_update_direction,
    lion_linf_envelope,
    lion_momentum_share,
    lion_momentum_weights,
    lion_trajectory,
    lion_update,
    rosenbrock,
    rosenbrock_grad,
    rosenbrock_valley_gap,
    spirals,
)

F64 = torch.float64


def _sign(x: float) -> float:
    return float((x > 0) - (x < 0))


def _oracle_step(param: list[float], grad: list[float], exp_avg: list[float], lr: float,
                 beta1: float, beta2: float, wd: float) -> tuple[list[float], list[float]]:
    """Lion written out coordinate by coordinate with Python floats (IEEE doubles)."""
    new_p, new_m = [], []
    for p, g, m in zip(param, grad, exp_avg, strict=True):
        u = _sign(beta1 * m + (1 - beta1) * g)
        new_p.append(p - lr * (u + wd * p))
        new_m.append(beta2 * m + (1 - beta2) * g)
    return new_p, new_m


def _random_state(shape: tuple[int, ...], seed: int) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(seed)
    p = torch.randn(shape, generator=gen, dtype=F64)
    g = torch.randn(shape, generator=gen, dtype=F64)
    m = torch.randn(shape, generator=gen, dtype=F64)
    # some coordinates with g = m = 0 exercise torch.sign(0) = 0
    zero = torch.rand(shape, generator=gen) < 0.2
    g[zero] = 0.0
    m[zero] = 0.0
    return p, g, m


# --------------------------------------------------------------------------- update rule


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 4), (2, 3, 5)])
@pytest.mark.parametrize("betas", [(0.9, 0.99), (0.5, 0.999), (0.0, 0.0), (0.95, 0.98)])
@pytest.mark.parametrize("wd", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("lr", [1e-4, 3e-2, 0.5])
def test_eqn_lion_theta_and_m_match_loop_oracle(shape: tuple[int, ...], betas: tuple[float, float],
                                                wd: float, lr: float) -> None:
    """Eqs. lion-u, lion-theta, lion-m: bit-for-bit equal to the Python-float loop in float64."""
    p, g, m = _random_state(shape, seed=hash((shape, betas, wd, lr)) % 2**31)
    new_p, new_m = lion_update(p, g, m, lr, *betas, wd)
    want_p, want_m = _oracle_step(p.flatten().tolist(), g.flatten().tolist(),
                                  m.flatten().tolist(), lr, *betas, wd)
    assert new_p.shape == shape and new_m.shape == shape
    assert new_p.flatten().tolist() == want_p  # exact: same IEEE operations in the same order
    assert new_m.flatten().tolist() == want_m


def test_float32_stays_float32_and_is_close_to_float64() -> None:
    p, g, m = _random_state((1000,), seed=1)
    out32 = lion_update(p.float(), g.float(), m.float(), 1e-3, 0.9, 0.99, 0.1)
    out64 = lion_update(p, g, m, 1e-3, 0.9, 0.99, 0.1)
    assert all(t.dtype == torch.float32 for t in out32)
    assert all(t.dtype == F64 for t in out64)
    for a, b in zip(out32, out64, strict=True):
        torch.testing.assert_close(a.double(), b, rtol=1e-6, atol=1e-6)


def test_lion_update_is_pure() -> None:
    p, g, m = _random_state((5, 6), seed=2)
    copies = [t.clone() for t in (p, g, m)]
    new_p, new_m = lion_update(p, g, m, 0.1, 0.9, 0.99, 0.5)
    for t, c in zip((p, g, m), copies, strict=True):
        assert torch.equal(t, c)
    ptrs = {t.data_ptr() for t in (p, g, m)}
    assert new_p.data_ptr() not in ptrs and new_m.data_ptr() not in ptrs


def test_sign_of_zero_is_zero_only_decay() -> None:
    """torch.sign(0) = 0: a coordinate with zero interpolated momentum is only decayed."""
    p = torch.tensor([1.5, -2.0, 0.25], dtype=F64)
    g = torch.tensor([0.0, 3.0, 0.0], dtype=F64)
    m = torch.tensor([0.0, 0.0, 0.0], dtype=F64)
    new_p, _ = lion_update(p, g, m, 0.125, 0.9, 0.99, 0.5)
    assert new_p[0].item() == 1.5 - 0.125 * 0.5 * 1.5
    assert new_p[1].item() == -2.0 - 0.125 * (1.0 + 0.5 * -2.0)


# --------------------------------------------------------------------------- optimiser class


def test_defaults_match_the_reference_implementations() -> None:
    """lr=1e-4, betas=(0.9, 0.99), wd=0: the defaults of the authors' lion_pytorch.py (google/automl),
    which the peer package lion_pytorch shares; the paper itself tunes lr per task."""
    from lion_pytorch import Lion as PeerLion

    ours = inspect.signature(Lion).parameters
    peer = inspect.signature(PeerLion).parameters
    assert ours["lr"].default == 1e-4 and ours["betas"].default == (0.9, 0.99)
    assert ours["weight_decay"].default == 0.0
    for name in ("lr", "betas", "weight_decay"):
        assert ours[name].default == peer[name].default
    assert list(ours) == ["params", "lr", "betas", "weight_decay"]


@pytest.mark.parametrize("kwargs", [{"lr": -1.0}, {"betas": (1.5, 0.9)}, {"weight_decay": -0.1}])
def test_invalid_hyperparameters_raise(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Lion([torch.zeros(2, requires_grad=True)], **kwargs)


def _loss(w: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((torch.tanh(x @ w) @ b - y) ** 2).mean()


def _tiny_problem(seed: int, n: int) -> tuple[torch.Tensor, ...]:
    """Inputs, targets and initial weights of the small tanh model of :func:`_loss`."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 4, generator=gen, dtype=F64)
    y = torch.randn(n, generator=gen, dtype=F64)
    w0 = torch.randn(4, 6, generator=gen, dtype=F64)
    b0 = torch.randn(6, generator=gen, dtype=F64)
    return x, y, w0, b0


def test_optimizer_matches_iterating_lion_update_by_hand() -> None:
    """Two parameter groups, gradients that depend on the parameters, 25 steps: bit-for-bit."""
    x, y, w0, b0 = _tiny_problem(3, 32)
    hp_w, hp_b = (0.01, 0.9, 0.99, 0.1), (0.003, 0.8, 0.95, 0.0)

    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = Lion([{"params": [w], "lr": hp_w[0], "betas": hp_w[1:3], "weight_decay": hp_w[3]},
                {"params": [b], "lr": hp_b[0], "betas": hp_b[1:3], "weight_decay": hp_b[3]}])
    hw, hb = w0.clone(), b0.clone()
    mw, mb = torch.zeros_like(hw), torch.zeros_like(hb)
    for _ in range(25):
        opt.zero_grad()
        _loss(w, b, x, y).backward()
        opt.step()
        hw_ = hw.clone().requires_grad_(True)
        hb_ = hb.clone().requires_grad_(True)
        gw, gb = torch.autograd.grad(_loss(hw_, hb_, x, y), (hw_, hb_))
        hw, mw = lion_update(hw, gw, mw, *hp_w)
        hb, mb = lion_update(hb, gb, mb, *hp_b)
        assert torch.equal(w.detach(), hw) and torch.equal(b.detach(), hb)
        assert torch.equal(opt.state[w]["exp_avg"], mw) and torch.equal(opt.state[b]["exp_avg"], mb)
    assert w.dtype == F64 and opt.state[w]["exp_avg"].dtype == F64
    assert len(opt.state[w]) == 1  # one state tensor per parameter


def test_closure_is_evaluated_with_grad_and_its_loss_returned() -> None:
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(16, 3, generator=gen, dtype=F64)
    y = torch.randn(16, generator=gen, dtype=F64)
    w = torch.zeros(3, dtype=F64, requires_grad=True)
    opt = Lion([w], lr=0.05, weight_decay=0.01)
    ref_w, ref_m = w.detach().clone(), torch.zeros(3, dtype=F64)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = ((x @ w - y) ** 2).mean()
        loss.backward()
        return loss

    for _ in range(5):
        want_loss = ((x @ ref_w - y) ** 2).mean()
        ref_grad = 2 * x.T @ (x @ ref_w - y) / len(y)
        with torch.no_grad():
            loss = opt.step(closure)
        assert isinstance(loss, torch.Tensor) and math.isclose(loss.item(), want_loss.item(),
                                                               rel_tol=1e-12)
        ref_w, ref_m = lion_update(ref_w, ref_grad, ref_m, 0.05, 0.9, 0.99, 0.01)
        torch.testing.assert_close(w.detach(), ref_w, rtol=0, atol=1e-14)
    assert opt.step() is None


def test_parameters_without_grad_are_skipped() -> None:
    a = torch.ones(3, requires_grad=True)
    b = torch.ones(3, requires_grad=True)
    a.grad = torch.ones(3)
    opt = Lion([a, b], lr=0.1)
    opt.step()
    assert torch.equal(b.detach(), torch.ones(3)) and b not in opt.state
    assert torch.equal(a.detach(), torch.full((3,), 0.9))


def _bits(t: torch.Tensor) -> torch.Tensor:
    """The raw bits of ``t``: compares NaNs and signed zeros too."""
    return t.detach().contiguous().view({2: torch.int16, 4: torch.int32, 8: torch.int64}[t.element_size()])


@pytest.mark.parametrize("dtype", [torch.float32, F64, torch.bfloat16])
def test_in_place_step_is_bitwise_lion_update_across_chunks_and_layouts(dtype: torch.dtype) -> None:
    """``step`` updates contiguous tensors in place, chunk by chunk, and sends other layouts through
    ``lion_update``: both bit for bit ``lion_update``, NaN, infinities and signed zeros included."""

    class SmallChunks(Lion):
        _CHUNK = 100

    gen = torch.Generator().manual_seed(15)
    contig = torch.randn(7, 61, generator=gen).to(dtype)  # 427 elements: 4 chunks and a tail
    contig[0, :5] = torch.tensor([math.inf, -math.inf, math.nan, -0.0, 0.0])
    strided = torch.randn(30, 20, generator=gen).to(dtype).t()  # not contiguous: lion_update
    long = torch.randn(70_001, generator=gen).to(dtype)  # 3 chunks of the default size
    hp = (0.03, 0.9, 0.99, 0.1)
    for cls, starts in ((SmallChunks, [contig, strided]), (Lion, [long])):
        params = [t.clone().requires_grad_(True) for t in starts]
        assert params[-1].is_contiguous() == (cls is Lion)
        opt = cls(params, lr=hp[0], betas=hp[1:3], weight_decay=hp[3])
        ref = [t.clone() for t in starts]
        mom = [torch.zeros_like(t) for t in starts]
        for step in range(6):
            for i, p in enumerate(params):
                g = torch.randn(p.shape, generator=gen).to(dtype)
                if step < 2:
                    g[..., :3] = 0.0  # zero interpolated momentum: sign(0) = 0
                p.grad = g
                ref[i], mom[i] = lion_update(ref[i], g, mom[i], *hp)
            opt.step()
            for i, p in enumerate(params):
                assert torch.equal(_bits(p), _bits(ref[i]))
                assert torch.equal(_bits(opt.state[p]["exp_avg"]), _bits(mom[i]))


# --------------------------------------------------------------------------- peer package


@pytest.mark.parametrize(("lr", "betas", "wd"), [(1e-3, (0.9, 0.99), 0.0), (3e-2, (0.5, 0.9), 0.0),
                                                 (1e-3, (0.9, 0.99), 0.1), (2e-2, (0.95, 0.98), 1.0)])
def test_matches_peer_lion_pytorch_over_many_steps(lr: float, betas: tuple[float, float],
                                                   wd: float) -> None:
    """``lion_pytorch`` decays first, ``p *= 1 - lr*wd``, then ``p -= lr*u``: the same update
    as Eq. lion-theta, rounded differently, and it builds the interpolation with ``add(alpha=)``
    (fused on CPU), so the momentum agrees to an ulp, not bitwise. The signs agree, hence with
    ``wd = 0`` the parameters agree bit for bit; with ``wd > 0`` to 1e-12."""
    from lion_pytorch import Lion as PeerLion

    gen = torch.Generator().manual_seed(5)
    p0 = 3 * torch.randn(257, generator=gen, dtype=F64)
    ours_p = p0.clone().requires_grad_(True)
    peer_p = p0.clone().requires_grad_(True)
    ours = Lion([ours_p], lr=lr, betas=betas, weight_decay=wd)
    peer = PeerLion([peer_p], lr=lr, betas=betas, weight_decay=wd)
    for _ in range(400):
        g = torch.randn(257, generator=gen, dtype=F64) + 0.3
        ours_p.grad = g.clone()
        peer_p.grad = g.clone()
        ours.step()
        peer.step()
    torch.testing.assert_close(ours.state[ours_p]["exp_avg"], peer.state[peer_p]["exp_avg"],
                               rtol=0, atol=1e-14)
    if wd == 0.0:
        assert torch.equal(ours_p.detach(), peer_p.detach())
    else:
        torch.testing.assert_close(ours_p.detach(), peer_p.detach(), rtol=1e-12, atol=1e-12)
        assert not torch.equal(ours_p.detach(), peer_p.detach())  # rounding does differ


def test_matches_peer_on_a_model_with_closure() -> None:
    from lion_pytorch import Lion as PeerLion

    x, y, w0, b0 = _tiny_problem(6, 64)
    params = {}
    for name, cls in (("ours", Lion), ("peer", PeerLion)):
        w, b = w0.clone().requires_grad_(True), b0.clone().requires_grad_(True)
        opt = cls([w, b], lr=3e-3, betas=(0.9, 0.99), weight_decay=0.05)

        def closure(opt: torch.optim.Optimizer = opt, w: torch.Tensor = w,
                    b: torch.Tensor = b) -> torch.Tensor:
            opt.zero_grad()
            loss = _loss(w, b, x, y)
            loss.backward()
            return loss

        for _ in range(150):
            opt.step(closure)
        params[name] = (w.detach(), b.detach())
    for a, c in zip(params["ours"], params["peer"], strict=True):
        torch.testing.assert_close(a, c, rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------- properties


def test_eqn_lion_geometry_exact_on_dyadic_numbers() -> None:
    """|Δθ + ηλθ|_∞ = η and ‖Δθ + ηλθ‖_2 = η√d, bit-exact where all arithmetic is exact."""
    gen = torch.Generator().manual_seed(7)
    d = 4096
    theta = torch.randint(-2**10, 2**10, (d,), generator=gen).to(F64) / 2**8
    g = torch.randn(d, generator=gen, dtype=F64)
    g[g == 0] = 1.0
    m = torch.randn(d, generator=gen, dtype=F64)
    lr, wd = 2.0**-6, 2.0**-3
    new, _ = lion_update(theta, g, m, lr, 0.9, 0.99, wd)
    step = new - theta + lr * wd * theta
    assert step.abs().max().item() == lr and step.abs().min().item() == lr
    assert torch.linalg.vector_norm(step).item() == lr * math.sqrt(d)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("lr", "wd"), [(1e-4, 0.0), (3e-3, 0.1), (0.1, 2.0)])
def test_eqn_lion_geometry_random(seed: int, lr: float, wd: float) -> None:
    gen = torch.Generator().manual_seed(100 + seed)
    d = 1000
    theta = torch.randn(d, generator=gen, dtype=F64)
    g = torch.randn(d, generator=gen, dtype=F64)
    new, _ = lion_update(theta, g, torch.zeros(d, dtype=F64), lr, 0.9, 0.99, wd)
    step = new - theta + lr * wd * theta
    torch.testing.assert_close(step.abs(), torch.full((d,), lr, dtype=F64), rtol=1e-12, atol=1e-15)
    assert math.isclose(torch.linalg.vector_norm(step).item(), lr * math.sqrt(d), rel_tol=1e-12)
    torch.testing.assert_close(step, -lr * torch.sign(g), rtol=1e-12, atol=1e-15)


def test_decoupled_update_direction_recovers_lion_sign() -> None:
    p, g, m = _random_state((400,), seed=13)
    new, _ = lion_update(p, g, m, 1e-2, 0.9, 0.99, 0.3)
    u = decoupled_update_direction(p, new, 1e-2, 0.3)
    torch.testing.assert_close(u, torch.sign(0.9 * m + 0.1 * g), rtol=0, atol=1e-12)


def test_decoupled_update_direction_matches_torch_adamw_state() -> None:
    """Cross-check with torch.optim.AdamW: u = m̂ / (√v̂ + ε) from the optimiser's own state."""
    gen = torch.Generator().manual_seed(14)
    w = torch.randn(300, generator=gen, dtype=F64, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.05)
    for t in range(1, 6):
        w.grad = torch.randn(300, generator=gen, dtype=F64)
        before = w.detach().clone()
        opt.step()
        st = opt.state[w]
        m_hat = st["exp_avg"] / (1 - 0.9**t)
        v_hat = st["exp_avg_sq"] / (1 - 0.999**t)
        want = m_hat / (v_hat.sqrt() + 1e-8)
        got = decoupled_update_direction(before, w.detach(), 1e-2, 0.05)
        torch.testing.assert_close(got, want, rtol=1e-9, atol=1e-11)


_BOUND_GRID = list(itertools.product([1e-3, 2e-2, 0.25], [0.1, 0.5, 3.0], [(0.9, 0.99), (0.0, 0.0)],
                                     [0.0, 1.0]))


@pytest.mark.parametrize(("lr", "wd", "betas", "bias"), _BOUND_GRID)
def test_eqn_lion_bound_and_envelope_over_random_runs(lr: float, wd: float,
                                                      betas: tuple[float, float],
                                                      bias: float) -> None:
    """‖θ_t‖_∞ ≤ 1/λ + (‖θ_0‖_∞ - 1/λ)^+ (1-ηλ)^t ≤ max(‖θ_0‖_∞, 1/λ), at every step."""
    if lr * wd > 1:
        pytest.skip("the bound needs ηλ ≤ 1")
    gen = torch.Generator().manual_seed(int(1e6 * lr + 1e3 * wd) + int(bias))
    d, steps = 200, 300
    theta = 4 / wd * torch.randn(d, generator=gen, dtype=F64)
    theta0_inf = theta.abs().max().item()
    cap = max(theta0_inf, 1 / wd)
    env = lion_linf_envelope(theta0_inf, lr, wd, torch.arange(steps + 1))
    mu = bias * torch.randn(d, generator=gen, dtype=F64)
    m = torch.zeros(d, dtype=F64)
    inside = theta.abs() <= 1 / wd
    for t in range(1, steps + 1):
        g = mu + torch.randn(d, generator=gen, dtype=F64)
        theta, m = lion_update(theta, g, m, lr, *betas, wd)
        linf = theta.abs().max().item()
        assert linf <= cap * (1 + 1e-12)
        assert linf <= env[t].item() * (1 + 1e-12)
        # once inside the box [-1/λ, 1/λ] a coordinate stays inside
        now_inside = theta.abs() <= (1 / wd) * (1 + 1e-12)
        assert bool((now_inside | ~inside).all())
        inside = now_inside


def test_bound_is_attained_in_the_limit_of_a_constant_gradient() -> None:
    """With a constant gradient every coordinate tends to -sign(g)/λ: the bound is sharp."""
    g = torch.tensor([1.0, -2.0, 0.5], dtype=F64)
    theta, m = torch.tensor([10.0, 0.0, -0.3], dtype=F64), torch.zeros(3, dtype=F64)
    lr, wd = 0.05, 0.5
    for _ in range(2000):
        theta, m = lion_update(theta, g, m, lr, 0.9, 0.99, wd)
    torch.testing.assert_close(theta, -torch.sign(g) / wd, rtol=0, atol=1e-12)


def test_envelope_requires_small_lr_times_wd() -> None:
    with pytest.raises(ValueError):
        lion_linf_envelope(1.0, 1.0, 2.0, torch.arange(3))
    env = lion_linf_envelope(20.0, 0.1, 0.5, torch.arange(4))
    torch.testing.assert_close(env, torch.tensor([20.0, 2 + 18 * 0.95, 2 + 18 * 0.95**2,
                                                  2 + 18 * 0.95**3], dtype=F64))
    assert torch.equal(lion_linf_envelope(1.0, 0.1, 0.5, torch.arange(4)),
                       torch.full((4,), 2.0, dtype=F64))


def test_beta_zero_no_decay_is_signsgd() -> None:
    gen = torch.Generator().manual_seed(8)
    theta = torch.randn(50, generator=gen, dtype=F64)
    m = torch.randn(50, generator=gen, dtype=F64)  # any initial momentum is ignored
    ref = theta.clone()
    for _ in range(20):
        g = torch.randn(50, generator=gen, dtype=F64)
        theta, m = lion_update(theta, g, m, 0.01, 0.0, 0.0, 0.0)
        ref = ref - 0.01 * torch.sign(g)
        assert torch.equal(theta, ref) and torch.equal(m, g)


@pytest.mark.parametrize("scale", [2.0**-10, 3.7, 1e6])
def test_invariant_to_positive_gradient_rescaling(scale: float) -> None:
    gen = torch.Generator().manual_seed(9)
    theta_a = torch.randn(300, generator=gen, dtype=F64)
    theta_b = theta_a.clone()
    ma, mb = torch.zeros(300, dtype=F64), torch.zeros(300, dtype=F64)
    for _ in range(100):
        g = torch.randn(300, generator=gen, dtype=F64)
        theta_a, ma = lion_update(theta_a, g, ma, 0.01, 0.9, 0.99, 0.1)
        theta_b, mb = lion_update(theta_b, scale * g, mb, 0.01, 0.9, 0.99, 0.1)
    assert torch.equal(theta_a, theta_b)
    torch.testing.assert_close(mb, scale * ma, rtol=1e-12, atol=0)


@pytest.mark.parametrize(("beta1", "beta2"), [(0.9, 0.99), (0.5, 0.9), (0.9, 0.9), (0.0, 0.5)])
def test_eqn_lion_weights_match_the_recurrence(beta1: float, beta2: float) -> None:
    """w_k is the response of β1 m_{t-1} + (1-β1) g_t to an impulse g = δ_{t, T-k}: a loop oracle."""
    n = 40
    w = lion_momentum_weights(beta1, beta2, n)
    for k in range(n):
        m, interp = 0.0, 0.0
        for t in range(n):
            g = 1.0 if t == n - 1 - k else 0.0
            interp = beta1 * m + (1 - beta1) * g
            m = beta2 * m + (1 - beta2) * g
        assert math.isclose(w[k].item(), interp, rel_tol=1e-12, abs_tol=1e-300)
    # the weights of an infinite history sum to one
    assert math.isclose(lion_momentum_weights(beta1, beta2, 20000).sum().item(), 1.0, rel_tol=1e-9)


def test_lion_direction_is_sign_of_weighted_gradient_history() -> None:
    gen = torch.Generator().manual_seed(10)
    n, d = 30, 500
    grads = torch.randn(n, d, generator=gen, dtype=F64)
    theta, m = torch.zeros(d, dtype=F64), torch.zeros(d, dtype=F64)
    for t in range(n):
        new, m_next = lion_update(theta, grads[t], m, 1.0, 0.9, 0.99, 0.0)
        w = lion_momentum_weights(0.9, 0.99, t + 1)
        weighted = (w[:, None] * grads[: t + 1].flip(0)).sum(0)
        assert weighted.abs().min().item() > 1e-9  # away from the sign boundary
        assert torch.equal(new - theta, -torch.sign(weighted))
        m = m_next


def test_rosenbrock_matches_scipy() -> None:
    from scipy.optimize import rosen, rosen_der

    rng = np.random.default_rng(11)
    for xy in rng.normal(size=(20, 2)) * 2:
        t = torch.tensor(xy, dtype=F64, requires_grad=True)
        f = rosenbrock(t)
        f.backward()
        assert math.isclose(f.item(), rosen(xy), rel_tol=1e-13)
        np.testing.assert_allclose(t.grad.numpy(), rosen_der(xy), rtol=1e-12)
        np.testing.assert_allclose(rosenbrock_grad(t.detach()).numpy(), rosen_der(xy), rtol=1e-12)
    assert rosenbrock(torch.tensor([1.0, 1.0], dtype=F64)).item() == 0.0


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_spirals_geometry_and_determinism(n_classes: int) -> None:
    x, y = spirals(64, n_classes, noise=0.0, generator=torch.Generator().manual_seed(12))
    assert x.shape == (64 * n_classes, 2) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.equal(torch.bincount(y), torch.full((n_classes,), 64))
    r = torch.linalg.vector_norm(x.double(), dim=1)
    assert r.min().item() >= 0.05 - 1e-6 and r.max().item() <= 1 + 1e-6
    # noiseless: the polar angle (measured from the y axis) is 4πk/K + 4r modulo 2π
    phi = torch.atan2(x[:, 0].double(), x[:, 1].double())
    want = 4 * math.pi * y.double() / n_classes + 4 * r
    gap = torch.remainder(phi - want + math.pi, 2 * math.pi) - math.pi
    assert gap.abs().max().item() < 1e-5
    again = spirals(64, n_classes, noise=0.0, generator=torch.Generator().manual_seed(12))
    assert torch.equal(x, again[0]) and torch.equal(y, again[1])


def test_train_full_batch_measures_direction_and_state() -> None:
    import copy

    from blogkit.optim import Lion, spirals, train_full_batch

    gen = torch.Generator().manual_seed(0)
    data, test = spirals(30, generator=gen), spirals(30, generator=gen)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    init = copy.deepcopy(net.state_dict())
    lion = train_full_batch(net, init, Lion, 1e-3, 0.1, data, test, 30)
    adamw = train_full_batch(net, init, torch.optim.AdamW, 1e-2, 0.01, data, test, 30)
    sgd = train_full_batch(net, init, torch.optim.SGD, 0.1, 0.0, data, test, 30)
    assert abs(lion.update_rms - 1) < 1e-6  # sign updates: every coordinate moves by exactly η
    assert adamw.update_rms < 1
    assert (lion.state_tensors_per_param, adamw.state_tensors_per_param) == (1, 2)
    assert sgd.state_tensors_per_param == 0 and sgd.state_ratio == 0
    assert len(lion.losses) == 30 and lion.losses[-1] < lion.losses[0]
    assert 0 <= lion.test_accuracy <= 1
    # the same inputs give the same run (init is restored each time)
    again = train_full_batch(net, init, Lion, 1e-3, 0.1, data, test, 30)
    assert again.losses == lion.losses


# --------------------------------------------------------------------------- whole runs


@pytest.mark.parametrize(("betas", "wd"), [((0.9, 0.99), 0.0), ((0.0, 0.0), 0.0), ((0.9, 0.99), 0.05)])
def test_lion_trajectory_matches_peer_lion_pytorch(betas: tuple[float, float], wd: float) -> None:
    """The peer applies the decay as θ(1 - ηλ) before the sign step: equal up to round-off."""
    from lion_pytorch import Lion as PeerLion

    start = torch.tensor([-1.5, 2.0], dtype=F64)
    path, momenta = lion_trajectory(rosenbrock_grad, start, 0.01, *betas, 60, weight_decay=wd)
    assert path.shape == momenta.shape == (61, 2) and torch.equal(momenta[0], torch.zeros(2, dtype=F64))
    p = torch.nn.Parameter(start.clone())
    peer = PeerLion([p], lr=0.01, betas=betas, weight_decay=wd)
    for t in range(60):
        p.grad = rosenbrock_grad(p.detach())
        peer.step()
        torch.testing.assert_close(path[t + 1], p.detach(), rtol=0, atol=1e-12)
        torch.testing.assert_close(momenta[t + 1], peer.state[p]["exp_avg"], rtol=1e-10, atol=1e-12)


def test_cycle_onset_on_hand_made_sequences() -> None:
    def seq(*xs: float) -> torch.Tensor:
        return torch.tensor(xs, dtype=F64)[:, None]

    assert cycle_onset(seq(5, 1, 2, 3, 2, 3, 2, 3)) == 2
    assert cycle_onset(seq(2, 3, 2, 3)) == 0
    assert cycle_onset(seq(1, 2, 3, 4)) is None
    assert cycle_onset(seq(1, 2, 3, 3, 3), period=1) == 2
    assert cycle_onset(seq(4, 4, 4), period=2) == 0
    # a repeat in the middle that is broken later does not count
    assert cycle_onset(seq(1, 2, 1, 2, 7, 8, 7, 8, 7)) == 4


def test_signsgd_on_rosenbrock_ends_in_a_two_cycle_across_the_valley_floor() -> None:
    """A slow oracle: plain Python floats and sign(∇f), with scipy's gradient."""
    from scipy.optimize import rosen_der

    x = [-1.5, 2.0]
    seen = []
    for _ in range(40):
        g = [float(v) for v in rosen_der(np.array(x))]
        x = [x[0] - 0.01 * _sign(g[0]), x[1] - 0.01 * _sign(g[1])]
        seen.append(tuple(x))
    path, _ = lion_trajectory(rosenbrock_grad, torch.tensor([-1.5, 2.0], dtype=F64), 0.01, 0.0, 0.0, 40)
    np.testing.assert_allclose(path[1:].numpy(), np.array(seen), rtol=0, atol=1e-12)
    onset = cycle_onset(path)
    assert onset is not None and onset < 10
    gaps = rosenbrock_valley_gap(path[-2:])
    assert gaps[0].item() * gaps[1].item() < 0


def test_momentum_share_below_one_means_the_gradient_sets_the_sign() -> None:
    gen = torch.Generator().manual_seed(13)
    m = torch.randn(10_000, generator=gen, dtype=F64)
    g = torch.randn(10_000, generator=gen, dtype=F64)
    for beta1 in (0.5, 0.9, 0.99):
        share = lion_momentum_share(m, g, beta1)
        u = torch.sign(beta1 * m + (1 - beta1) * g)
        assert torch.equal(u[share < 1], torch.sign(g)[share < 1])
        assert torch.equal(u[share > 1], torch.sign(m)[share > 1])
        assert bool((share < 1).any()) and bool((share > 1).any())


def test_valley_gap_is_the_y_gradient_over_2b() -> None:
    from scipy.optimize import rosen_der

    rng = np.random.default_rng(14)
    for xy in rng.normal(size=(20, 2)) * 2:
        gap = rosenbrock_valley_gap(torch.tensor(xy, dtype=F64)).item()
        assert math.isclose(2 * 100 * gap, rosen_der(xy)[1], rel_tol=1e-12, abs_tol=1e-12)
    assert rosenbrock_valley_gap(torch.tensor([-1.7, 1.7**2], dtype=F64)).item() == 0.0
