"""blogkit.nnapi: dropout and BatchNorm written from their formulas, against torch.nn modules and
torch.nn.functional, slow per-channel loops with the statistics module, and closed forms."""

from __future__ import annotations

import itertools
import math
import statistics

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from blogkit import nnapi


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --- Eq. (nn-functional-dropout) ------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8])
def test_eqn_nn_functional_dropout_mean_and_rate(p: float) -> None:
    x = 1 + torch.rand(400_000, generator=_gen(0), dtype=torch.float64)
    y = nnapi.dropout(x, p, training=True, generator=_gen(1))
    kept = y != 0
    n = x.numel()
    sd = math.sqrt(p * (1 - p) / n)
    assert abs((~kept).double().mean().item() - p) < 5 * sd  # Bernoulli rate
    torch.testing.assert_close(y[kept], x[kept] / (1 - p), rtol=0, atol=0)  # exact 1/(1 − p)
    assert abs(y.mean().item() / x.mean().item() - 1) < 0.02  # E[y] = x
    # torch's own dropout has the same law: rate and scale
    t = F.dropout(x, p, training=True)
    assert abs((t == 0).double().mean().item() - p) < 5 * sd
    torch.testing.assert_close(t[t != 0], x[t != 0] / (1 - p))


def test_dropout_eval_and_edge_cases() -> None:
    x = torch.randn(100, generator=_gen(2))
    assert nnapi.dropout(x, 0.5, training=False) is x
    assert torch.equal(nnapi.dropout(x, 0.0, training=True), x)
    assert torch.equal(nnapi.dropout(x, 1.0, training=True), torch.zeros_like(x))
    with pytest.raises(ValueError):
        nnapi.dropout(x, 1.5, training=True)


# --- Eqs. (nn-functional-bn), (nn-functional-running) --------------------------------------------


def slow_bn(x: list[list[float]], mean: list[float], var: list[float], gamma: list[float],
            beta: list[float], m: float, eps: float):
    """Oracle: x as rows of samples, one channel at a time, with the statistics module."""
    C = len(x[0])
    out = [[0.0] * C for _ in x]
    new_mean, new_var = [], []
    for c in range(C):
        col = [row[c] for row in x]
        mu, pvar, uvar = statistics.fmean(col), statistics.pvariance(col), statistics.variance(col)
        for i, v in enumerate(col):
            out[i][c] = gamma[c] * (v - mu) / math.sqrt(pvar + eps) + beta[c]
        new_mean.append((1 - m) * mean[c] + m * mu)
        new_var.append((1 - m) * var[c] + m * uvar)
    return out, new_mean, new_var


@pytest.mark.parametrize(("n", "C", "m"), [(2, 1, 0.1), (5, 3, 0.5), (16, 4, 0.01), (33, 2, 1.0)])
def test_eqn_nn_functional_bn_matches_slow_oracle(n: int, C: int, m: float) -> None:
    x = 3 + 2 * torch.randn(n, C, generator=_gen(n), dtype=torch.float64)
    mean, var = torch.rand(C, dtype=torch.float64), 1 + torch.rand(C, dtype=torch.float64)
    gamma, beta = torch.rand(C, dtype=torch.float64), torch.randn(C, dtype=torch.float64)
    y, nm, nv = nnapi.batch_norm_train(x, mean, var, gamma, beta, m, 1e-5)
    ry, rm, rv = slow_bn(x.tolist(), mean.tolist(), var.tolist(), gamma.tolist(), beta.tolist(), m, 1e-5)
    torch.testing.assert_close(y, torch.tensor(ry, dtype=torch.float64), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(nm, torch.tensor(rm, dtype=torch.float64), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(nv, torch.tensor(rv, dtype=torch.float64), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("shape", "cls"), [((8, 3), nn.BatchNorm1d), ((4, 3, 7), nn.BatchNorm1d),
                                            ((4, 2, 5, 6), nn.BatchNorm2d)])
@pytest.mark.parametrize("m", [0.1, 0.3])
def test_eqn_nn_functional_running_matches_torch_modules(shape, cls, m: float) -> None:
    C = shape[1]
    bn = cls(C, momentum=m).double()
    with torch.no_grad():
        bn.weight.uniform_(0.5, 2)
        bn.bias.normal_()
    mean, var = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)
    gen = _gen(3)
    for _ in range(6):
        x = 1 + 3 * torch.randn(*shape, generator=gen, dtype=torch.float64)
        y_mod = bn(x)
        y, mean, var = nnapi.batch_norm_train(x, mean, var, bn.weight, bn.bias, m, bn.eps)
        torch.testing.assert_close(y, y_mod, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(mean, bn.running_mean, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(var, bn.running_var, rtol=1e-12, atol=1e-12)
    bn.eval()
    x = torch.randn(*shape, generator=gen, dtype=torch.float64)
    torch.testing.assert_close(nnapi.batch_norm_eval(x, mean, var, bn.weight, bn.bias, bn.eps), bn(x),
                               rtol=1e-12, atol=1e-12)


def test_batch_norm_train_leaves_inputs_alone() -> None:
    x = torch.randn(6, 2, generator=_gen(4), dtype=torch.float64)
    mean, var = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    nnapi.batch_norm_train(x, mean, var)
    assert mean.eq(0).all() and var.eq(1).all()


# --- Eq. (nn-functional-ema) ----------------------------------------------------------------------


@pytest.mark.parametrize(("m", "t"), list(itertools.product([0.01, 0.1, 0.5, 1.0], [0, 1, 7, 50])))
def test_eqn_nn_functional_ema_closed_form(m: float, t: int) -> None:
    r = 0.3
    for _ in range(t):
        r = (1 - m) * r + m * 4.0
    assert nnapi.ema_closed_form(0.3, 4.0, m, t) == pytest.approx(r, rel=1e-13, abs=1e-15)


# --- Eq. (nn-functional-gap) ----------------------------------------------------------------------


@pytest.mark.parametrize("B", [32, 128])
def test_eqn_nn_functional_gap_three_halves_over_b(B: int) -> None:
    R = 20_000
    x = 3 + 2 * torch.randn(B, R, generator=_gen(B), dtype=torch.float64)
    y_train = nnapi.batch_norm_train(x, torch.zeros(R, dtype=x.dtype), torch.ones(R, dtype=x.dtype),
                                     eps=0.0)[0]
    y_eval = nnapi.batch_norm_eval(x, torch.full((R,), 3.0, dtype=x.dtype),
                                   torch.full((R,), 4.0, dtype=x.dtype), eps=0.0)
    assert B * ((y_train - y_eval) ** 2).mean().item() == pytest.approx(1.5, rel=0.06)


# --- the functional forms of modules ------------------------------------------------------------


MODULES = [
    (lambda: nn.Conv2d(3, 5, 3, stride=2, padding=1), (2, 3, 9, 9)),
    (lambda: nn.Linear(6, 4), (7, 6)),
    (lambda: nn.BatchNorm1d(6), (7, 6)),
    (lambda: nn.BatchNorm2d(3), (2, 3, 5, 5)),
    (lambda: nn.Dropout(0.4), (50, 6)),
    (nn.ReLU, (7, 6)),
    (lambda: nn.MaxPool2d(3, stride=2, padding=1), (2, 3, 9, 9)),
]


@pytest.mark.parametrize(("make", "shape"), MODULES)
@pytest.mark.parametrize("training", [True, False])
def test_functional_forward_equals_module(make, shape, training: bool) -> None:
    torch.manual_seed(0)
    a, b = make(), None
    a.train(training)
    b = make()
    b.load_state_dict(a.state_dict())
    b.train(training)
    x = torch.randn(*shape, generator=_gen(5))
    torch.manual_seed(7)
    ya = a(x)
    torch.manual_seed(7)
    yb = nnapi.functional_forward(b, x)
    assert torch.equal(ya, yb)
    for (na, ta), (nb, tb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert na == nb and torch.equal(ta, tb)  # buffers updated the same way


def test_functional_forward_rejects_unknown_module() -> None:
    with pytest.raises(TypeError):
        nnapi.functional_forward(nn.GELU(), torch.zeros(2))


def test_conv2d_against_slow_loops() -> None:
    conv = nn.Conv2d(2, 3, 3, padding=1).double()
    x = torch.randn(1, 2, 5, 4, generator=_gen(6), dtype=torch.float64)
    y = nnapi.functional_forward(conv, x)
    w, bias = conv.weight.detach(), conv.bias.detach()
    xp = F.pad(x, (1, 1, 1, 1))
    for o, i, j in itertools.product(range(3), range(5), range(4)):
        s = bias[o] + sum(w[o, c, u, v] * xp[0, c, i + u, j + v]
                          for c in range(2) for u in range(3) for v in range(3))
        assert y[0, o, i, j].item() == pytest.approx(s.item(), rel=1e-12, abs=1e-12)


def test_state_names() -> None:
    assert nnapi.state_names(nn.Conv2d(1, 1, 1)) == (["weight", "bias"], [])
    assert nnapi.state_names(nn.BatchNorm1d(2)) == (["weight", "bias"],
                                                    ["running_mean", "running_var", "num_batches_tracked"])
    assert nnapi.state_names(nn.Dropout()) == ([], [])
