r"""A tiny reverse-mode automatic differentiation engine on scalars, next to ``torch.autograd``.

Implements the post ``autograd`` (from the second blog's note on PyTorch's ``autograd`` package).

Every arithmetic operation on a :class:`Value` creates a new node that remembers its inputs and
the local partial derivatives :math:`\partial v/\partial u` of its output with respect to each
input, computed during the forward pass. :func:`backward` then walks the graph once, in reverse
topological order, and accumulates the adjoints

.. math::
    \bar u = \sum_{v:\,u\to v} \bar v\,\frac{\partial v}{\partial u},

so that a node used by several consumers receives the sum of their contributions. Seeding
several outputs :math:`y_i` with weights :math:`v_i` gives the vector–Jacobian product
:math:`v^\top J` in one pass, which is what ``torch.Tensor.backward(v)`` computes.

Values are Python floats (IEEE float64). :func:`random_program` and :func:`run_program` build
random expression graphs that run unchanged on :class:`Value` and on ``torch`` tensors.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = [
    "OPS",
    "Value",
    "backward",
    "example",
    "finite_difference",
    "random_program",
    "run_program",
    "topological_order",
    "torch_graph",
]


class Value:
    r"""A scalar node of a computational graph: ``data`` (float), ``grad`` (float).

    Supports ``+``, ``-``, ``*``, ``/`` with Values or numbers, ``**`` with a number exponent,
    and :meth:`exp`, :meth:`log`, :meth:`tanh`, :meth:`relu`. Each result stores its inputs in
    ``parents`` and the local partial derivatives in ``partials`` (Eq. (eq:autograd-local) of the
    post autograd). :meth:`backward` adds :math:`\partial(\text{self})/\partial u` to ``u.grad``
    for every node ``u`` of the graph, as ``torch`` does for its leaves: calling it twice
    accumulates twice.
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "partials")

    def __init__(self, data: float, parents: tuple[Value, ...] = (),
                 partials: tuple[float, ...] = (), op: str = "", label: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.partials = partials
        self.op = op
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # -- binary operations ------------------------------------------------------------------
    def __add__(self, other: Value | float) -> Value:
        o = _lift(other)
        # ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1
        return Value(self.data + o.data, (self, o), (1.0, 1.0), "+")

    def __mul__(self, other: Value | float) -> Value:
        o = _lift(other)
        # ∂(ab)/∂a = b, ∂(ab)/∂b = a
        return Value(self.data * o.data, (self, o), (o.data, self.data), "×")

    def __pow__(self, p: float) -> Value:
        if isinstance(p, Value) or not isinstance(p, int | float):
            raise TypeError("Value ** p needs a number exponent p")
        if self.data < 0 and p != int(p):
            raise ValueError("a negative base needs an integer exponent")
        # ∂(a^p)/∂a = p a^{p-1}
        return Value(self.data**p, (self,), (p * self.data ** (p - 1),), f"**{p:g}")

    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        # a - b = a + (-1)·b
        return self + (-_lift(other))

    def __truediv__(self, other: Value | float) -> Value:
        # a / b = a · b^{-1}
        return self * _lift(other) ** -1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return _lift(other) - self

    def __rtruediv__(self, other: float) -> Value:
        return _lift(other) / self

    # -- unary functions --------------------------------------------------------------------
    def exp(self) -> Value:
        e = math.exp(self.data)
        # (e^a)' = e^a
        return Value(e, (self,), (e,), "exp")

    def log(self) -> Value:
        # (ln a)' = 1/a; a ≤ 0 raises ValueError (math domain error)
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        # (tanh a)' = 1 - tanh² a
        return Value(t, (self,), (1.0 - t * t,), "tanh")

    def relu(self) -> Value:
        # relu'(a) = 1 if a > 0 else 0 (0 at a = 0, as torch)
        return Value(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,), "relu")

    def backward(self, grad: float = 1.0) -> None:
        r"""Add :math:`\text{grad}\cdot\partial(\text{self})/\partial u` to ``u.grad`` for every node."""
        backward([self], [grad])


def _lift(x: Value | float) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, int | float):
        return Value(float(x), op="const")
    raise TypeError(f"cannot combine a Value with {type(x).__name__}")


def topological_order(roots: Iterable[Value]) -> list[Value]:
    """All nodes reachable from ``roots``, each once, every node after all of its parents.

    Iterative depth-first search (no recursion limit on deep graphs).
    """
    order: list[Value] = []
    seen: set[int] = set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        stack: list[tuple[Value, int]] = [(root, 0)]
        while stack:
            node, i = stack.pop()
            if i < len(node.parents):
                stack.append((node, i + 1))
                p = node.parents[i]
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append((p, 0))
            else:  # every parent is already in `order`
                order.append(node)
    return order


def backward(outputs: Sequence[Value], grads: Sequence[float] | None = None) -> None:
    r"""One reverse pass from several outputs: the vector–Jacobian product.

    Implements Eqs. (eq:autograd-adjoint) and (eq:autograd-vjp) of the post autograd: with seeds
    :math:`\bar y_i = v_i` the adjoints are

    .. math::
        \bar u = \sum_{w:\,u\to w} \bar w\,\frac{\partial w}{\partial u},\qquad
        \bar x = v^\top J,

    and :math:`\bar u` is *added* to ``u.grad`` for every node ``u`` (accumulation across calls,
    like ``torch.autograd.backward(outputs, grads)`` on leaves). The adjoints of one pass are
    kept apart from ``.grad`` so that earlier calls do not leak into this one.
    """
    grads = [1.0] * len(outputs) if grads is None else list(grads)
    if len(grads) != len(outputs):
        raise ValueError("one seed per output")
    adj: dict[int, float] = {}
    for y, g in zip(outputs, grads, strict=True):
        adj[id(y)] = adj.get(id(y), 0.0) + float(g)
    order = topological_order(outputs)
    for node in reversed(order):  # each node is final once all its consumers are done
        a = adj.get(id(node), 0.0)
        for parent, local in zip(node.parents, node.partials, strict=True):
            # ū += w̄ · ∂w/∂u
            adj[id(parent)] = adj.get(id(parent), 0.0) + a * local
    for node in order:
        node.grad += adj.get(id(node), 0.0)


def torch_graph(t: Any) -> list[tuple[str, str]]:
    """The graph ``torch.autograd`` recorded behind tensor ``t``: edges ``(consumer, input)`` between
    the class names of its ``grad_fn`` nodes (``AccumulateGrad`` for leaves), each node named once
    with a numeric suffix when a class occurs more than once, in breadth-first order from ``t``."""
    names: dict[int, str] = {}
    counts: dict[str, int] = {}

    def name(fn: Any) -> str:
        if id(fn) not in names:
            base = type(fn).__name__
            counts[base] = counts.get(base, 0) + 1
            names[id(fn)] = base if counts[base] == 1 else f"{base}#{counts[base]}"
        return names[id(fn)]

    edges: list[tuple[str, str]] = []
    queue, seen = [t.grad_fn], {id(t.grad_fn)}
    while queue:
        fn = queue.pop(0)
        for nxt, _ in fn.next_functions:
            if nxt is None:  # an input that needs no gradient
                continue
            edges.append((name(fn), name(nxt)))
            if id(nxt) not in seen:
                seen.add(id(nxt))
                queue.append(nxt)
    return edges


def example(x: Any, y: Any) -> Any:
    r"""The post's running example :math:`f(x, y) = \tanh(xy)\,x + xy`, in which both ``x`` and
    :math:`u = xy` are used twice. Works on :class:`Value` and on ``torch`` tensors."""
    u = x * y
    return u.tanh() * x + u


def finite_difference(f: Callable[..., Value], x: Sequence[float], i: int, h: float,
                      scheme: str = "central") -> float:
    r"""Difference quotient of ``f`` in coordinate ``i``, the textbook oracle for a gradient.

    ``f`` takes one :class:`Value` per coordinate (only its ``data`` is used). ``"forward"``:
    :math:`(f(x+he_i)-f(x))/h`, truncation error :math:`O(h)`; ``"central"``:
    :math:`(f(x+he_i)-f(x-he_i))/(2h)`, :math:`O(h^2)`; both plus a rounding error of order
    :math:`\epsilon|f|/h` (Eq. (eq:autograd-fd) of the post autograd).
    """

    def at(p: Sequence[float]) -> float:
        return f(*(Value(c) for c in p)).data

    xp, xm = list(x), list(x)
    xp[i] += h
    if scheme == "forward":
        # (f(x + h e_i) − f(x)) / h
        return (at(xp) - at(x)) / h
    if scheme == "central":
        xm[i] -= h
        # (f(x + h e_i) − f(x − h e_i)) / (2h)
        return (at(xp) - at(xm)) / (2 * h)
    raise ValueError(f"unknown scheme {scheme!r}")


# -- random expression graphs shared by Value and torch --------------------------------------
# Each op maps operand(s) to a result through operators and methods that both Value and
# torch.Tensor provide. Together they use every primitive (+ − × / ** exp log tanh relu), keep
# log, division and fractional powers on positive arguments, and map [-6, 6] into [-6, 6], so
# a program of any length neither overflows nor leaves a function's domain.
OPS: dict[str, Callable[..., Any]] = {
    "add": lambda a, b: (a + b) * 0.5,
    "sub": lambda a, b: (a - b) * 0.5,
    "mul": lambda a, b: a * b.tanh(),
    "div": lambda a, b: a / (b * b + 1.0),
    "rdiv": lambda a, b: 2.0 / (a * a + 1.0) - b.tanh(),
    "pow2": lambda a: a.tanh() ** 2 * 2.0,
    "pow3": lambda a: a**3 / (a * a + 1.0),
    "powf": lambda a: (a * a + 0.25) ** -0.75,
    "exp": lambda a: a.tanh().exp(),
    "log": lambda a: (a * a + 0.1).log(),
    "tanh": lambda a: a.tanh(),
    "relu": lambda a: a.relu(),
    "affine": lambda a: 3.0 - a * 0.5,
}
_ARITY = {name: f.__code__.co_argcount for name, f in OPS.items()}


def random_program(rng: random.Random, n_inputs: int, n_ops: int) -> list[tuple[str, tuple[int, ...]]]:
    """A random straight-line program: ``n_ops`` instructions ``(op, operand indices)``.

    Slot ``k`` is input ``k`` for ``k < n_inputs``, else the result of instruction
    ``k - n_inputs``; operands are drawn from all earlier slots (so nodes get reused), biased
    towards recent ones so that the graph is deep as well as wide.
    """
    prog: list[tuple[str, tuple[int, ...]]] = []
    names = sorted(OPS)
    for k in range(n_ops):
        n = n_inputs + k
        op = rng.choice(names)
        args = tuple(min(n - 1, int(n * rng.random() ** 0.5)) for _ in range(_ARITY[op]))
        prog.append((op, args))
    return prog


def run_program(prog: Sequence[tuple[str, tuple[int, ...]]], inputs: Sequence[Any]) -> Any:
    """Evaluate a :func:`random_program` on ``inputs`` (Values or 0-d tensors) and return the
    sum of every slot that no instruction used (so each node contributes to the output)."""
    slots = list(inputs)
    used = [False] * (len(inputs) + len(prog))
    for op, args in prog:
        for a in args:
            used[a] = True
        slots.append(OPS[op](*(slots[a] for a in args)))
    total = slots[-1]
    for k, s in enumerate(slots[:-1]):
        if not used[k]:
            total = total + s
    return total
