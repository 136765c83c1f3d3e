"""blogkit.moe (post moe-balance): the Switch auxiliary loss against a per-token loop and the
straight-through identity checked with torch autograd, loads against numpy.bincount, the routing
invariances of the loss-free bias, the updates, MaxVio, and the simulation's claims."""

from __future__ import annotations

import inspect
import itertools

import numpy as np
import pytest
import torch

from blogkit import moe

F64 = torch.float64


def _probs(tokens: int, n: int, seed: int, skew: float = 1.0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(tokens, n, generator=gen, dtype=F64) + skew * torch.linspace(-1, 1, n, dtype=F64)
    return torch.softmax(logits, -1)


def test_public_api_signature() -> None:
    assert list(inspect.signature(moe.aux_loss).parameters) == ["router_probs", "expert_index", "n_experts"]


@pytest.mark.parametrize(("tokens", "n", "seed"), [(1, 2, 0), (7, 3, 1), (100, 8, 2), (513, 16, 3)])
def test_eqn_moe_balance_aux_matches_a_loop(tokens: int, n: int, seed: int) -> None:
    probs = _probs(tokens, n, seed)
    index = probs.argmax(-1)
    p_list, i_list = probs.tolist(), index.tolist()
    f = [sum(1 for t in range(tokens) if i_list[t] == e) / tokens for e in range(n)]
    p = [sum(p_list[t][e] for t in range(tokens)) / tokens for e in range(n)]
    want = n * sum(fe * pe for fe, pe in zip(f, p, strict=True))
    assert moe.aux_loss(probs, index, n).item() == pytest.approx(want, rel=1e-13)
    assert moe.aux_loss(probs.numpy(), index.numpy(), n) == pytest.approx(want, rel=1e-13)  # numpy in


def test_aux_loss_edge_values_and_bounds() -> None:
    n, tokens = 8, 64
    uniform = torch.full((tokens, n), 1 / n, dtype=F64)
    assert moe.aux_loss(uniform, torch.arange(tokens) % n, n).item() == pytest.approx(1.0, abs=1e-15)
    # everything on one expert with probability 1: the maximum, N
    onehot = torch.zeros(tokens, n, dtype=F64)
    onehot[:, 3] = 1
    assert moe.aux_loss(onehot, torch.full((tokens,), 3), n).item() == pytest.approx(n)
    for seed in range(20):  # F = P: N Σ P² ≥ 1 (Cauchy–Schwarz)
        p = torch.softmax(torch.randn(n, generator=torch.Generator().manual_seed(seed), dtype=F64), 0)
        assert n * (p * p).sum().item() >= 1 - 1e-15


def test_aux_loss_gradient_flows_through_probs_only() -> None:
    logits = torch.randn(50, 4, dtype=F64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    probs = torch.softmax(logits, -1)
    index = probs.argmax(-1)
    loss = moe.aux_loss(probs, index, 4)
    (g,) = torch.autograd.grad(loss, logits)
    f = moe.load_fractions(index, 4)
    (g_ref,) = torch.autograd.grad(4 * (f * torch.softmax(logits, -1).mean(0)).sum(), logits)
    assert torch.allclose(g, g_ref, rtol=0, atol=1e-16)
    assert loss.dtype == F64


@pytest.mark.parametrize("seed", range(5))
def test_eqn_moe_balance_ste_gradient_equals_the_aux_gradient(seed: int) -> None:
    """Autograd: ∇ of ½‖P + sg[F−P] − Q‖² equals ∇ of Σ sg[F] P with respect to the logits."""
    gen = torch.Generator().manual_seed(seed)
    logits = torch.randn(200, 6, generator=gen, dtype=F64, requires_grad=True)
    probs = torch.softmax(logits, -1)
    loads = moe.load_fractions(torch.topk(probs, 2, -1).indices, 6)
    ste = moe.ste_balance_loss(probs.mean(0), loads)
    forward = 0.5 * (loads - 1 / 6).square().sum().item()
    assert ste.item() == pytest.approx(forward, rel=1e-14)  # the value is ½‖F − Q‖²
    (g1,) = torch.autograd.grad(ste, logits, retain_graph=True)
    (g2,) = torch.autograd.grad((loads * probs.mean(0)).sum(), logits)
    assert torch.allclose(g1, g2, rtol=0, atol=1e-17)
    # and with respect to P itself it is F - Q (not F): the difference is killed by Σ P = 1
    p = probs.mean(0).detach().requires_grad_(True)
    (gp,) = torch.autograd.grad(moe.ste_balance_loss(p, loads), p)
    assert torch.allclose(gp, loads - 1 / 6, atol=1e-16)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_load_fractions_against_numpy_bincount(k: int) -> None:
    index = torch.topk(_probs(300, 7, k), k, -1).indices
    ref = np.bincount(index.numpy().ravel(), minlength=7) / (300 * k)
    assert moe.load_fractions(index, 7).numpy() == pytest.approx(ref, abs=1e-16)
    assert moe.load_fractions(index, 7).sum().item() == pytest.approx(1.0, abs=1e-15)


def test_topk_route_matches_a_sort_and_gates_ignore_the_bias() -> None:
    scores = torch.sigmoid(torch.randn(40, 6, dtype=F64, generator=torch.Generator().manual_seed(3)))
    bias = torch.tensor([0.3, -0.2, 0.0, 0.1, -0.5, 0.25], dtype=F64)
    index, gates = moe.topk_route(scores, 2, bias)
    for t in range(40):
        order = sorted(range(6), key=lambda i: -(scores[t, i] + bias[i]).item())
        assert sorted(index[t].tolist()) == sorted(order[:2])
        assert gates[t].tolist() == [scores[t, i].item() for i in index[t].tolist()]  # ρ, not ρ + b


@pytest.mark.parametrize("shift", [-3.0, 0.5, 100.0])
def test_routing_is_invariant_to_a_common_shift_of_the_bias(shift: float) -> None:
    scores = torch.rand(100, 8, dtype=F64, generator=torch.Generator().manual_seed(1))
    bias = 0.1 * torch.randn(8, dtype=F64, generator=torch.Generator().manual_seed(2))
    i1, g1 = moe.topk_route(scores, 3, bias)
    i2, g2 = moe.topk_route(scores, 3, bias + shift)
    assert torch.equal(torch.sort(i1, -1).values, torch.sort(i2, -1).values) and torch.equal(g1, g2)


def test_eqn_moe_balance_lossfree_updates() -> None:
    loads = torch.tensor([0.4, 0.1, 0.25, 0.25], dtype=F64)
    b = torch.zeros(4, dtype=F64)
    assert moe.loss_free_update(b, loads, 0.01, "sign").tolist() == [-0.01, 0.01, 0.0, 0.0]
    rms = moe.loss_free_update(b, loads, 0.01, "rms")
    err = [0.15, -0.15, 0.0, 0.0]
    scale = (sum(e * e for e in err) / 4) ** 0.5
    assert rms.tolist() == pytest.approx([-0.01 * e / scale for e in err], rel=1e-13)
    assert abs(rms.sum().item()) < 1e-16  # the RMS step has zero sum: no common drift
    assert rms.square().mean().sqrt().item() == pytest.approx(0.01)  # and RMS α, like the sign step
    with pytest.raises(ValueError):
        moe.loss_free_update(b, loads, 0.01, "adam")


def test_eqn_moe_balance_maxvio() -> None:
    assert moe.max_violation(torch.full((5,), 0.2, dtype=F64)) == pytest.approx(0.0, abs=1e-15)
    assert moe.max_violation(torch.tensor([0.5, 0.25, 0.25], dtype=F64)) == pytest.approx(0.5)
    for n in (2, 7):  # everything on one expert: n - 1
        assert moe.max_violation(torch.eye(n, dtype=F64)[0]) == pytest.approx(n - 1)


def test_bias_that_balances_exists_for_a_fixed_batch() -> None:
    """Sign updates on one fixed batch drive MaxVio from large to small (a deterministic check)."""
    scores = torch.sigmoid(torch.randn(4000, 8, dtype=F64, generator=torch.Generator().manual_seed(0))
                           + torch.linspace(-2, 2, 8, dtype=F64))
    b = torch.zeros(8, dtype=F64)
    start = moe.max_violation(moe.load_fractions(moe.topk_route(scores, 2, b)[0], 8))
    for step in itertools.count():
        loads = moe.load_fractions(moe.topk_route(scores, 2, b)[0], 8)
        if step == 400:
            break
        b = moe.loss_free_update(b, loads, 0.02 / (1 + step / 20), "sign")
    assert start > 1.0 and moe.max_violation(loads) < 0.05


def test_simulation_claims() -> None:
    none = moe.simulate_balancing(16, 2, 1000, 80, "none", 0.0, seed=1)
    sign = moe.simulate_balancing(16, 2, 1000, 80, "sign", 0.005, seed=1)
    aux = moe.simulate_balancing(16, 2, 1000, 80, "aux", 1.0, seed=1)
    assert min(none.maxvio) > 2.5
    assert sum(sign.maxvio[-20:]) / 20 < 0.5 and sum(aux.maxvio[-20:]) / 20 < 0.5
    assert sign.gate_change == 0.0 and aux.gate_change > 0.05
    assert none.first_loads.sum().item() == pytest.approx(1.0)
    floor = moe.sampling_floor(16, 2, 1000, 20)
    assert 0 < floor < 0.4


def test_the_prose_claims_hold_at_the_gpu_size() -> None:
    """On a GPU the snippet routes 16 000 tokens per batch; the same claims must hold there."""
    floor = moe.sampling_floor(16, 2, 16_000, 10)
    runs = {m: moe.simulate_balancing(16, 2, 16_000, 120, m, lr, seed=0)
            for m, lr in (("none", 0.0), ("aux", 1.0), ("sign", 0.005))}
    tail = {m: sum(r.maxvio[-40:]) / 40 for m, r in runs.items()}
    assert tail["none"] > 3 and 3.5 < runs["none"].maxvio[0] < 4
    assert all(floor < tail[m] < 0.4 for m in ("aux", "sign"))
    assert runs["sign"].gate_change == 0 and runs["aux"].gate_change > 0.05
