"""blogkit.autograd against torch.autograd (random expression graphs, vector–Jacobian products,
accumulation across calls), difference quotients as a slow oracle, and closed forms."""

from __future__ import annotations

import itertools
import math
import random

import pytest
import torch
from torch.autograd.functional import jacobian

from blogkit import autograd as ag
from blogkit.autograd import Value

UNARY = {
    "exp": (lambda v: v.exp(), lambda t: t.exp()),
    "log": (lambda v: v.log(), lambda t: t.log()),
    "tanh": (lambda v: v.tanh(), lambda t: t.tanh()),
    "relu": (lambda v: v.relu(), lambda t: t.relu()),
    "neg": (lambda v: -v, lambda t: -t),
    "pow2": (lambda v: v**2, lambda t: t**2),
    "pow-1": (lambda v: v**-1, lambda t: t**-1),
    "pow1.5": (lambda v: v**1.5, lambda t: t**1.5),
    "rsub": (lambda v: 2.5 - v, lambda t: 2.5 - t),
    "rdiv": (lambda v: 2.5 / v, lambda t: 2.5 / t),
    "radd": (lambda v: 2.5 + v, lambda t: 2.5 + t),
    "rmul": (lambda v: 2.5 * v, lambda t: 2.5 * t),
}
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
}
POINTS = [0.3, 0.7, 1.0, 1.9, 3.2]  # positive: log, x**1.5 and 1/x are defined
SIGNED = [-2.1, -0.4, 0.35, 1.2]


def _t(x: float) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _central(f, x: float, h: float = 1e-6) -> float:
    """The slow obvious oracle: (f(x + h) − f(x − h)) / 2h on plain floats through Value."""
    return (f(Value(x + h)).data - f(Value(x - h)).data) / (2 * h)


# --- Eq. (autograd-local): the local derivatives of each primitive -------------------------------


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("x", POINTS)
def test_eqn_autograd_local_unary(name: str, x: float) -> None:
    fv, ft = UNARY[name]
    v = Value(x)
    out = fv(v)
    out.backward()
    t = _t(x)
    ot = ft(t)
    ot.backward()
    assert out.data == pytest.approx(ot.item(), rel=1e-15, abs=1e-300)
    assert v.grad == pytest.approx(t.grad.item(), rel=1e-14, abs=1e-300)
    assert v.grad == pytest.approx(_central(fv, x), rel=1e-7, abs=1e-8)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize(("a", "b"), list(itertools.product(SIGNED, SIGNED)))
def test_eqn_autograd_local_binary(name: str, a: float, b: float) -> None:
    op = BINARY[name]
    va, vb = Value(a), Value(b)
    op(va, vb).backward()
    ta, tb = _t(a), _t(b)
    op(ta, tb).backward()
    assert va.grad == pytest.approx(ta.grad.item(), rel=1e-14)
    assert vb.grad == pytest.approx(tb.grad.item(), rel=1e-14)
    assert va.grad == pytest.approx(_central(lambda z: op(z, Value(b)), a), rel=1e-7, abs=1e-8)
    assert vb.grad == pytest.approx(_central(lambda z: op(Value(a), z), b), rel=1e-7, abs=1e-8)


def test_relu_derivative_at_zero_matches_torch() -> None:
    v, t = Value(0.0), _t(0.0)
    v.relu().backward()
    t.relu().backward()
    assert v.grad == t.grad.item() == 0.0


# --- Eq. (autograd-adjoint): whole graphs against torch.autograd ---------------------------------


@pytest.mark.parametrize(("n_inputs", "n_ops", "seed"),
                         [(1, 5, 0), (2, 20, 1), (3, 60, 2), (4, 150, 3), (6, 300, 4)])
def test_eqn_autograd_adjoint_random_graphs_match_torch(n_inputs: int, n_ops: int, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        prog = ag.random_program(rng, n_inputs, n_ops)
        xs = [rng.uniform(-2, 2) for _ in range(n_inputs)]
        leaves = [Value(x) for x in xs]
        out = ag.run_program(prog, leaves)
        out.backward()
        ts = [_t(x) for x in xs]
        out_t = ag.run_program(prog, ts)
        out_t.backward()
        assert out.data == pytest.approx(out_t.item(), rel=1e-13, abs=1e-13)
        for v, t in zip(leaves, ts, strict=True):
            assert v.grad == pytest.approx(t.grad.item(), rel=1e-11, abs=1e-12)


def test_random_graphs_reuse_nodes_and_use_every_op() -> None:
    rng = random.Random(5)
    seen, reused = set(), 0
    for _ in range(40):
        prog = ag.random_program(rng, 3, 40)
        seen |= {op for op, _ in prog}
        args = [a for _, aa in prog for a in aa]
        reused += len(args) - len(set(args))
    assert seen == set(ag.OPS) and reused > 40


def test_ops_keep_minus_six_to_six_in_range() -> None:
    """The property that makes any program finite: every op maps [-6, 6] into [-6, 6]."""
    grid = [-6 + 12 * k / 60 for k in range(61)]
    for name, f in ag.OPS.items():
        arity = f.__code__.co_argcount
        for args in itertools.product(grid, repeat=arity):
            assert -6 <= f(*(Value(a) for a in args)).data <= 6, (name, args)


def test_reused_nodes_collect_every_path() -> None:
    x = Value(1.7)
    (x + x + x).backward()
    assert x.grad == 3.0
    x = Value(1.7)
    (x * x).backward()
    assert x.grad == 2 * 1.7
    # diamond: u feeds both a and b, which meet again
    x = Value(0.6)
    u = x.tanh()
    a, b = u * 3.0, u.exp()
    (a * b).backward()
    t = _t(0.6)
    ut = t.tanh()
    (ut * 3.0 * ut.exp()).backward()
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-15)


def test_topological_order_puts_parents_first_and_lists_each_node_once() -> None:
    rng = random.Random(7)
    for _ in range(20):
        out = ag.run_program(ag.random_program(rng, 3, 50), [Value(rng.uniform(-1, 1)) for _ in range(3)])
        order = ag.topological_order([out])
        where = {id(n): i for i, n in enumerate(order)}
        assert len(where) == len(order) and order[-1] is out
        for n in order:
            assert all(where[id(p)] < where[id(n)] for p in n.parents)
        # every node reachable by a plain graph search is listed
        stack, reach = [out], set()
        while stack:
            n = stack.pop()
            if id(n) not in reach:
                reach.add(id(n))
                stack.extend(n.parents)
        assert reach == set(where)


def test_deep_chain_needs_no_recursion_and_matches_closed_form() -> None:
    x = Value(1.0)
    y = x
    n = 20_000
    for _ in range(n):
        y = y * 1.0001
    y.backward()
    assert x.grad == pytest.approx(math.exp(n * math.log1p(1e-4)), rel=1e-10)


# --- Eq. (autograd-vjp): several outputs seeded with v -------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_eqn_autograd_vjp_matches_torch_jacobian(seed: int) -> None:
    rng = random.Random(seed)
    n_in, n_out = 3, 4
    progs = [ag.random_program(rng, n_in, 15) for _ in range(n_out)]
    x0 = [rng.uniform(-1.5, 1.5) for _ in range(n_in)]
    v = [rng.gauss(0, 1) for _ in range(n_out)]
    leaves = [Value(c) for c in x0]
    ag.backward([ag.run_program(p, leaves) for p in progs], v)

    def f(x: torch.Tensor) -> torch.Tensor:
        return torch.stack([ag.run_program(p, list(x.unbind())) for p in progs])

    J = jacobian(f, torch.tensor(x0, dtype=torch.float64))  # (n_out, n_in)
    vjp = torch.tensor(v, dtype=torch.float64) @ J
    for leaf, ref in zip(leaves, vjp.tolist(), strict=True):
        assert leaf.grad == pytest.approx(ref, rel=1e-11, abs=1e-12)


def test_backward_checks_seed_count() -> None:
    with pytest.raises(ValueError):
        ag.backward([Value(1.0), Value(2.0)], [1.0])


# --- the tutorial's example -----------------------------------------------------------------------


def test_eqn_autograd_example_mean_of_three_squares() -> None:
    """out = mean(3(x + 2)²) over four entries: ∂out/∂x_i = (3/2)(x_i + 2), 27 and 4.5 at ones."""
    rng = random.Random(3)
    for xs in ([1.0] * 4, [rng.uniform(-3, 3) for _ in range(4)]):
        leaves = [Value(c) for c in xs]
        out = sum((3 * (v + 2) ** 2 for v in leaves), Value(0.0)) / 4
        out.backward()
        for v, c in zip(leaves, xs, strict=True):
            assert v.grad == pytest.approx(1.5 * (c + 2), rel=1e-14)
    assert out.data == pytest.approx(sum(3 * (c + 2) ** 2 for c in xs) / 4, rel=1e-14)
    x = torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    o = (3 * (x + 2) ** 2).mean()
    o.backward()
    assert o.item() == 27.0 and x.grad.eq(4.5).all()


# --- accumulation across calls ----------------------------------------------------------------


def test_backward_accumulates_across_calls_like_torch() -> None:
    x, y = Value(0.8), Value(-1.3)
    f = ag.example(x, y)
    xt, yt = _t(0.8), _t(-1.3)
    ft = ag.example(xt, yt)
    for _ in range(3):
        f.backward()
        ft.backward(retain_graph=True)
        assert x.grad == pytest.approx(xt.grad.item(), rel=1e-15)
        assert y.grad == pytest.approx(yt.grad.item(), rel=1e-15)
    # intermediate nodes carry gradients from earlier calls; they must not leak into a pass
    x2 = Value(0.8)
    ag.example(x2, Value(-1.3)).backward()
    assert x.grad == pytest.approx(3 * x2.grad, rel=1e-15)


# --- errors -----------------------------------------------------------------------------------


def test_domain_errors_are_raised() -> None:
    with pytest.raises(TypeError):
        Value(2.0) ** Value(2.0)  # type: ignore[operator]
    with pytest.raises(ValueError):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / Value(0.0)
    with pytest.raises(TypeError):
        Value(1.0) + "a"  # type: ignore[operator]
    assert (Value(-2.0) ** 3).data == -8.0


# --- Eq. (autograd-fd): the difference quotients ----------------------------------------------


def test_eqn_autograd_fd_truncation_orders() -> None:
    x, y = Value(0.8), Value(-1.3)
    ag.example(x, y).backward()
    for scheme, order in (("forward", 1), ("central", 2)):
        e1 = abs(ag.finite_difference(ag.example, [0.8, -1.3], 0, 1e-2, scheme) - x.grad)
        e2 = abs(ag.finite_difference(ag.example, [0.8, -1.3], 0, 5e-3, scheme) - x.grad)
        assert e1 / e2 == pytest.approx(2**order, rel=0.05)
    # y too, against torch's gradient
    xt, yt = _t(0.8), _t(-1.3)
    ag.example(xt, yt).backward()
    assert ag.finite_difference(ag.example, [0.8, -1.3], 1, 1e-5) == pytest.approx(yt.grad.item(),
                                                                                    rel=1e-9)
    with pytest.raises(ValueError):
        ag.finite_difference(ag.example, [0.8, -1.3], 0, 1e-3, "backward")


def test_torch_graph_shows_the_reused_input() -> None:
    x = torch.ones(3, requires_grad=True)
    edges = ag.torch_graph((x * x).sum())
    assert edges == [("SumBackward0", "MulBackward0"), ("MulBackward0", "AccumulateGrad"),
                     ("MulBackward0", "AccumulateGrad")]
    w = torch.ones(3)  # needs no gradient: no edge
    assert ag.torch_graph((x * w).sum()) == [("SumBackward0", "MulBackward0"),
                                             ("MulBackward0", "AccumulateGrad")]
