r"""Calculus of variations: the brachistochrone and the Euler–Lagrange equation.

Implements the posts ``brachistochrone`` (from 苏剑林,《〈自然极值〉系列——6.最速降线的解答》,
2010-12-10) and ``extremum-analysis`` (《〈自然极值〉系列——8.极值分析》, 2010-12-26).

Numerics (numpy float64, or torch where stated): the exact descent time along a polyline, the
cycloid through two points, and a discretised brachistochrone optimised with torch's L-BFGS.
Symbolics (sympy): the first variation of :math:`J[y]=\int L(x,y,y',\dots)\,dx` and the
Euler–Lagrange expression obtained from it by integrating by parts, the Beltrami expression,
and the second variation.

Conventions: the bead starts at rest at the origin; ``y`` is measured *downward* from the
start, so the speed at depth ``y`` is :math:`\sqrt{2gy}`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "arc_length",
    "beltrami",
    "cycloid",
    "cycloid_depth_at",
    "cycloid_through",
    "descent_time",
    "euler_lagrange",
    "first_variation",
    "on_parametric_curve",
    "optimize_descent_path",
    "second_variation",
    "segment_times",
    "snell_ratio",
]


# -- numerics: descent along a polyline ------------------------------------------------------
def segment_times(x: Any, y: Any, g: float = 1.0) -> Any:
    r"""Time spent on each segment of the polyline through ``(x_i, y_i)``, shape ``(n-1,)``.

    Implements Eq. (eq:brachistochrone-segment) of the post brachistochrone: on a straight
    segment of length :math:`\ell_i` the acceleration is constant, so the mean speed is the
    mean of the end speeds :math:`v=\sqrt{2gy}`, and

    .. math::
        t_i = \frac{2\ell_i}{v_i + v_{i+1}} .

    ``x``, ``y``: numpy arrays or torch tensors of shape ``(n,)``, ``y >= 0`` (downward from
    the point of rest). The result has the input's type and dtype; torch input keeps autograd.
    A segment whose two ends are both at rest height (``v_i = v_{i+1} = 0``) takes forever.
    """
    if _is_torch(x) or _is_torch(y):
        import torch

        x, y = torch.as_tensor(x), torch.as_tensor(y)
        if bool((y < 0).any()):
            raise ValueError("the bead cannot rise above its starting height (y < 0)")
        ell = torch.hypot(torch.diff(x), torch.diff(y))  # (n-1,)
        # v = √(2gy); the double `where` keeps autograd finite at the point of rest, where the
        # derivative of √y is infinite (that point is held fixed by every caller)
        rest = y <= 0
        v = torch.where(rest, 0.0, torch.sqrt(2 * g * torch.where(rest, 1.0, y)))  # (n,)
        # t_i = 2 ℓ_i / (v_i + v_{i+1})
        return 2 * ell / (v[:-1] + v[1:])
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if np.any(y < 0):
        raise ValueError("the bead cannot rise above its starting height (y < 0)")
    ell = np.hypot(np.diff(x), np.diff(y))  # (n-1,)
    v = np.sqrt(2 * g * y)  # (n,)
    with np.errstate(divide="ignore"):
        # t_i = 2 ℓ_i / (v_i + v_{i+1})
        return 2 * ell / (v[:-1] + v[1:])


def descent_time(x: Any, y: Any, g: float = 1.0) -> Any:
    r"""Time for a bead released at rest at ``(x_0, y_0)`` to slide along the polyline.

    ``x``, ``y``: the points :math:`(x_i, y_i)` of the curve, shape ``(n,)``, with ``y``
    measured downward from the start (so ``y[0]`` is normally 0 and every ``y >= 0``); ``g``
    the gravitational acceleration. Exact for the piecewise-linear curve through the points:
    each segment is uniformly accelerated motion (Eq. (eq:brachistochrone-segment) of the post
    brachistochrone), and a fine sampling of a smooth curve approximates the time integral
    :math:`\int ds/\sqrt{2gy}`. Returns a float for numpy input, a 0-dim tensor (with autograd)
    for torch input.
    """
    t = segment_times(x, y, g)
    if _is_torch(t):
        return t.sum()
    return float(t.sum())


def _is_torch(a: Any) -> bool:
    return type(a).__module__.startswith("torch")


def cycloid(r: float, theta: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""The cycloid :math:`x=r(\theta-\sin\theta)`, :math:`y=r(1-\cos\theta)` (y downward).

    Implements Eq. (eq:brachistochrone-cycloid) of the post brachistochrone.
    """
    th = np.asarray(theta, dtype=np.float64)
    # x = r(θ − sin θ),  y = r(1 − cos θ)
    return r * (th - np.sin(th)), r * (1 - np.cos(th))


def cycloid_depth_at(r: float, x: ArrayLike) -> NDArray[np.float64]:
    r"""Depth of the cycloid of radius ``r`` at abscissa ``x``, for :math:`0\le x\le 2\pi r`.

    Solves :math:`r(\theta-\sin\theta)=x` for :math:`\theta\in[0,2\pi]` by vectorised
    bisection (the left side is increasing) and returns :math:`r(1-\cos\theta)`.
    """
    xs = np.asarray(x, dtype=np.float64) / r
    lo, hi = np.zeros_like(xs), np.full_like(xs, 2 * np.pi)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        below = mid - np.sin(mid) < xs
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return r * (1 - np.cos(0.5 * (lo + hi)))


def arc_length(x: ArrayLike, y: ArrayLike) -> NDArray[np.float64]:
    """Cumulative length along the polyline through ``(x_i, y_i)``, shape ``(n,)``, starting at 0."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])


def snell_ratio(x: ArrayLike, y: ArrayLike, g: float = 1.0) -> NDArray[np.float64]:
    r""":math:`\sin\alpha/v` on each segment of a polyline, shape ``(n-1,)``.

    :math:`\alpha` is the segment's angle with the vertical (:math:`\sin\alpha=\Delta x/\ell`)
    and :math:`v` its mean speed :math:`(v_i+v_{i+1})/2`. Snell's law with the speed
    :math:`\sqrt{2gy}` (Eq. (eq:brachistochrone-snell) of the post brachistochrone) says this is
    the same on every segment of the fastest curve.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    ell = np.hypot(np.diff(x), np.diff(y))
    v = np.sqrt(2 * g * y)
    # sin α / v̄ = (Δx / ℓ) / ((v_i + v_{i+1}) / 2)
    return (np.diff(x) / ell) / (0.5 * (v[:-1] + v[1:]))


def cycloid_through(a: float, b: float) -> tuple[float, float]:
    r"""The cycloid from the origin through ``(a, b)`` (``a > 0``, ``b > 0``, y downward).

    Returns ``(r, theta_end)``: :math:`\theta_{\text{end}}\in(0, 2\pi)` solves
    :math:`(\theta-\sin\theta)/(1-\cos\theta)=a/b` (the left side increases from 0 to
    :math:`\infty`), found by bisection, and :math:`r=b/(1-\cos\theta_{\text{end}})`. The
    curve goes below ``b`` and comes back up exactly when :math:`\theta_{\text{end}}>\pi`,
    i.e. :math:`a/b>\pi/2`.
    """
    if not (a > 0 and b > 0):
        raise ValueError("the end point must lie to the right of and below the start")
    target = a / b
    lo, hi = 1e-12, 2 * math.pi - 1e-12
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if (mid - math.sin(mid)) / (1 - math.cos(mid)) < target:
            lo = mid
        else:
            hi = mid
    th = 0.5 * (lo + hi)
    return b / (1 - math.cos(th)), th


def optimize_descent_path(a: float, b: float, n: int, g: float = 1.0, max_iter: int = 60,
                          dtype: Any = None, device: Any = None
                          ) -> tuple[NDArray[np.float64], NDArray[np.float64], float,
                                     NDArray[np.float64]]:
    r"""A discretised brachistochrone: the fastest polyline from ``(0, 0)`` to ``(a, b)``.

    The abscissae are fixed at ``n`` equal steps and the ``n - 1`` interior depths are free;
    :func:`descent_time` (exact for the polyline) is minimised by Newton's method with a
    backtracking (Armijo) line search, starting from the straight line. Each segment time
    depends on two neighbouring depths only, so the Hessian is tridiagonal and three
    Hessian-vector products (torch autograd, probes on the indices ``i ≡ c (mod 3)``) give all
    of it. Returns ``(x, y, T, iterates)``: numpy float64 arrays of shape ``(n+1,)``, the time,
    and the depths after each Newton step, shape ``(k+1, n+1)`` (the line first). ``dtype``
    defaults to float64, ``device`` to the CPU.
    """
    import torch

    dtype = dtype or torch.float64
    x = torch.linspace(0, a, n + 1, dtype=dtype, device=device)
    zero = torch.zeros(1, dtype=dtype, device=device)
    end = torch.full((1,), b, dtype=dtype, device=device)

    def full(inner: torch.Tensor) -> torch.Tensor:
        return torch.cat([zero, inner, end])

    def time_of(inner: torch.Tensor) -> torch.Tensor:
        return descent_time(x, full(inner), g)

    inner = (b * x / a)[1:-1].clone()
    m = inner.numel()
    iterates = [full(inner)]
    for _ in range(max_iter):
        z = inner.clone().requires_grad_(True)
        T = time_of(z)
        (grad,) = torch.autograd.grad(T, z, create_graph=True)
        H = torch.zeros(m, m, dtype=dtype, device=device)
        for c in range(3):  # tridiagonal: column j only touches rows j−1, j, j+1
            probe = torch.zeros(m, dtype=dtype, device=device)
            probe[c::3] = 1
            (hv,) = torch.autograd.grad(grad, z, probe, retain_graph=True)  # H @ probe
            cols = torch.arange(c, m, 3, device=device)
            for off in (-1, 0, 1):
                rows = cols + off
                keep = (rows >= 0) & (rows < m)
                H[rows[keep], cols[keep]] = hv[rows[keep]]
        grad, T = grad.detach(), T.detach()
        step = torch.linalg.solve(H, grad)
        s = 1.0
        while s > 1e-12:  # backtrack until the depths stay positive and T drops enough
            trial = inner - s * step
            if bool((trial > 0).all()) and time_of(trial) <= T - 1e-4 * s * (grad @ step):
                break
            s *= 0.5
        else:
            break
        inner = trial
        iterates.append(full(inner))
        if float((s * step).abs().max()) < 1e-13 * max(b, 1.0):
            break
    y = full(inner)
    out = torch.stack(iterates).cpu().numpy().astype(np.float64)
    return (x.cpu().numpy().astype(np.float64), y.cpu().numpy().astype(np.float64),
            float(descent_time(x, y, g)), out)


# -- symbolics: variations ------------------------------------------------------------------
def _derivs(y: Any, x: Any, order: int) -> list[Any]:
    return [y] + [y.diff(x, k) for k in range(1, order + 1)]


def _order(L: Any, y: Any, x: Any) -> int:
    import sympy as sp

    ders = [d for d in L.atoms(sp.Derivative) if d.expr == y]
    return max((sum(c for v, c in d.variable_count if v == x) for d in ders), default=0)


def first_variation(L: Any, y: Any, x: Any, eta: Any) -> Any:
    r"""The integrand of the first variation, :math:`\frac{d}{d\varepsilon}L(x,y+\varepsilon\eta,
    y'+\varepsilon\eta',\dots)\big|_{\varepsilon=0}`.

    Implements Eq. (eq:extremum-analysis-first-variation) of the post extremum-analysis.
    ``L`` is a sympy expression in ``x``, the function ``y = f(x)`` and its derivatives; ``eta``
    another function of ``x``.
    """
    import sympy as sp

    eps = sp.Symbol("varepsilon")
    n = _order(L, y, x)
    # substitute the highest derivatives first, so y' is not touched by replacing y
    subs = {d: e for d, e in zip(_derivs(y, x, n), _derivs(y + eps * eta, x, n), strict=True)}
    moved = L.subs(dict(reversed(list(subs.items()))), simultaneous=True)
    return sp.expand(sp.diff(moved, eps).subs(eps, 0))


def euler_lagrange(L: Any, y: Any, x: Any) -> Any:
    r"""The Euler–Lagrange expression of :math:`\int L\,dx`, derived from the first variation.

    Implements Eq. (eq:extremum-analysis-el) of the post extremum-analysis. The first variation
    is :math:`\sum_k c_k\,\eta^{(k)}`, where :math:`c_k` is the coefficient of the k-th
    derivative of a test function :math:`\eta`; integrating by parts k times (boundary terms
    vanish for :math:`\eta` with compact support) gives

    .. math::
        E[y] = \sum_k (-1)^k \frac{d^k c_k}{dx^k}
        = \frac{\partial L}{\partial y} - \frac{d}{dx}\frac{\partial L}{\partial y'} + \dots ,

    and :math:`E[y]=0` is the Euler–Lagrange equation. Returns :math:`E[y]` (simplified).
    """
    import sympy as sp

    eta = sp.Function("eta")(x)
    dv = first_variation(L, y, x, eta)
    n = max(_order(L, y, x), 1)
    E = sp.Integer(0)
    # replace η^(k) by placeholder symbols and read off each coefficient c_k
    marks = sp.symbols(f"h0:{n + 1}")
    ders = _derivs(eta, x, n)
    lin = dv.subs(dict(reversed(list(zip(ders, marks, strict=True)))), simultaneous=True)
    for k in range(n + 1):
        c_k = lin.coeff(marks[k])
        # E += (−1)^k d^k c_k / dx^k
        E += (-1) ** k * sp.diff(c_k, x, k)
    return sp.simplify(E)


def beltrami(L: Any, y: Any, x: Any) -> Any:
    r""":math:`L - y'\,\partial L/\partial y'`, constant on solutions when :math:`L` has no explicit x.

    Implements Eq. (eq:extremum-analysis-beltrami) of the post extremum-analysis.
    """
    import sympy as sp

    yp = y.diff(x)
    p = sp.Symbol("p")
    Lp = L.subs(yp, p)
    # L − y' ∂L/∂y'
    return sp.simplify(L - yp * sp.diff(Lp, p).subs(p, yp))


def on_parametric_curve(expr: Any, y: Any, x: Any, X: Any, Y: Any, t: Any) -> Any:
    r"""``expr`` (in x, y, y', y'') evaluated on the curve :math:`x=X(t)`, :math:`y=Y(t)`.

    Uses :math:`y'=\dot Y/\dot X` and :math:`y''=\dot{(y')}/\dot X`; returns the simplified
    expression in ``t``.
    """
    import sympy as sp

    yp = sp.diff(Y, t) / sp.diff(X, t)
    ypp = sp.diff(yp, t) / sp.diff(X, t)
    out = expr.subs({y.diff(x, 2): ypp}).subs({y.diff(x): yp}).subs({y: Y}).subs({x: X})
    return sp.simplify(out)


def second_variation(L: Any, y: Any, x: Any, eta: Any) -> Any:
    r"""The integrand of the second variation, :math:`\frac{d^2}{d\varepsilon^2}L(x,y+\varepsilon\eta,
    y'+\varepsilon\eta')\big|_{\varepsilon=0}`.

    Implements Eq. (eq:extremum-analysis-second-variation) of the post extremum-analysis.
    """
    import sympy as sp

    eps = sp.Symbol("varepsilon")
    n = _order(L, y, x)
    subs = {d: e for d, e in zip(_derivs(y, x, n), _derivs(y + eps * eta, x, n), strict=True)}
    moved = L.subs(dict(reversed(list(subs.items()))), simultaneous=True)
    return sp.expand(sp.diff(moved, eps, 2).subs(eps, 0))
