"""blogkit.gan against slow oracles (per-sample finite differences, loops), torch.func's own
per-sample gradients, sympy limits and scipy quadrature."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
import sympy as sp
import torch
from scipy import integrate, optimize, stats
from torch.func import grad as func_grad
from torch.func import vmap

from blogkit import gan

# --- gradient normalisation -----------------------------------------------------------------


def _points(n: int, d: int = 2, seed: int = 1, scale: float = 3.0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(n, d, generator=gen, dtype=torch.float64) * 2 - 1) * scale


def fd_gradient(h, x: torch.Tensor, step: float = 1e-7) -> torch.Tensor:
    """Oracle: central differences, one sample and one coordinate at a time."""
    out = torch.zeros_like(x)
    with torch.no_grad():
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                e = torch.zeros_like(x[i:i + 1])
                e[0, j] = step
                out[i, j] = (h(x[i:i + 1] + e) - h(x[i:i + 1] - e)).reshape(()) / (2 * step)
    return out


NETS = [([2, 16, 1], 0, "relu"), ([2, 64, 64, 1], 3, "relu"), ([3, 32, 32, 32, 1], 5, "relu"),
        ([2, 64, 64, 1], 7, "leaky_relu")]


@pytest.mark.parametrize(("widths", "seed", "act"), NETS)
def test_eqn_wgan_gradient_normalization_gn_against_torch_func(widths, seed, act) -> None:
    """GN as the formula built from torch.func's per-sample gradients (vmap of grad)."""
    net = gan.relu_mlp(widths, seed, activation=act)
    x = _points(300, widths[0])

    def single(z: torch.Tensor) -> torch.Tensor:
        return net(z[None])[0, 0]

    grads = vmap(func_grad(single))(x)  # (B, d), computed without our code
    f = net(x)[:, 0].detach()
    expected = f / (grads.norm(dim=1) + f.abs())
    got = gan.gradient_normalize(net, x)
    assert got.shape == (300,) and got.dtype == torch.float64
    torch.testing.assert_close(got.detach(), expected, rtol=1e-12, atol=1e-14)
    gran = gan.piecewise_gradient_normalize(net, x).detach()
    torch.testing.assert_close(gran, f / grads.norm(dim=1), rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(gan.piecewise_gradient_normalize(net, x, eps=0.5).detach(),
                               f / (grads.norm(dim=1) + 0.5), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("widths", "seed", "act"), NETS)
def test_eqn_wgan_gradient_normalization_gn_grad(widths, seed, act) -> None:
    """Inside a linear region ‖∇f̂‖ = ‖∇f‖²/(‖∇f‖+|f|)² ≤ 1, checked by finite differences of f̂."""
    net = gan.relu_mlp(widths, seed, activation=act)
    x = _points(40, widths[0], seed=seed + 10)
    gn = partial(gan.gradient_normalize, net)
    fd = fd_gradient(lambda z: gn(z).detach(), x)
    # keep the points whose finite-difference stencil stays inside one linear region
    inside = torch.ones(x.shape[0], dtype=torch.bool)
    for j in range(x.shape[1]):
        e = torch.zeros(x.shape[1], dtype=x.dtype)
        e[j] = 1e-7
        inside &= (gan.activation_pattern(net, x + e) == gan.activation_pattern(net, x - e)).all(1)
    assert inside.sum() > 30
    f, g = gan.critic_gradient(net, x)
    bound = g**2 / (g + f.abs()) ** 2
    torch.testing.assert_close(fd.norm(dim=1)[inside], bound[inside], rtol=1e-6, atol=1e-9)
    _, auto = gan.critic_gradient(gn, x)  # autograd through the normalisation
    torch.testing.assert_close(auto, bound, rtol=1e-10, atol=1e-13)
    assert float(auto.max()) <= 1.0 and float(gn(x).detach().abs().max()) < 1.0


@pytest.mark.parametrize("seed", range(6))
def test_gran_has_unit_gradient_and_gn_is_its_squash(seed: int) -> None:
    net = gan.relu_mlp([2, 32, 32, 1], seed)
    x = _points(2000, seed=seed)
    gran, g = gan.critic_gradient(partial(gan.piecewise_gradient_normalize, net), x)
    assert float((g - 1).abs().max()) < 1e-9
    # Eq. (wgan-gradient-normalization-squash): GN = φ(GraN), φ(t) = t/(1+|t|)
    torch.testing.assert_close(gan.gradient_normalize(net, x).detach(),
                               gan.squash(gran.detach()), rtol=1e-13, atol=1e-15)


def test_eqn_wgan_gradient_normalization_squash() -> None:
    t = torch.linspace(-50, 50, 10001, dtype=torch.float64)
    phi = gan.squash(t)
    assert float(phi.abs().max()) < 1 and torch.all(phi[1:] > phi[:-1])  # bounded, increasing
    # φ'(t) = 1/(1+|t|)², from sympy
    s = sp.symbols("s", positive=True)
    dphi = sp.diff(s / (1 + s), s)
    assert sp.simplify(dphi - 1 / (1 + s) ** 2) == 0
    slope = (phi[1:] - phi[:-1]) / (t[1:] - t[:-1])
    assert float(slope.max()) <= 1.0


@pytest.mark.parametrize("c", [1e-3, 0.5, 7.0, 1e4])
def test_scale_invariance_and_sign(c: float) -> None:
    net = gan.relu_mlp([2, 64, 64, 1], 0)
    x = _points(500)
    base = gan.gradient_normalize(net, x).detach()
    torch.testing.assert_close(gan.gradient_normalize(lambda z: c * net(z), x).detach(), base,
                               rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(gan.gradient_normalize(lambda z: -c * net(z), x).detach(), -base,
                               rtol=1e-12, atol=1e-14)


def test_linear_critic_is_squashed_signed_distance() -> None:
    """For f = w·x + b, f̂ = φ(distance to the hyperplane) and ‖∇f̂‖ = ‖w‖²/(‖w‖+|f|)²."""
    w = torch.tensor([3.0, -4.0], dtype=torch.float64)
    b = 2.0
    x = _points(1000, scale=5.0)
    f = x @ w + b
    dist = f / 5.0  # signed Euclidean distance to {w·x + b = 0}, ‖w‖ = 5
    got, g = gan.critic_gradient(partial(gan.gradient_normalize, lambda z: z @ w + b), x)
    torch.testing.assert_close(got, dist / (1 + dist.abs()), rtol=1e-13, atol=1e-15)
    torch.testing.assert_close(g, 25 / (5 + f.abs()) ** 2, rtol=1e-12, atol=1e-15)


def test_gradient_reaches_generator_and_critic_parameters() -> None:
    torch.manual_seed(0)
    gen_net = torch.nn.Linear(3, 2, dtype=torch.float64)
    critic = gan.relu_mlp([2, 16, 1], 1)
    z = torch.randn(64, 3, dtype=torch.float64)
    out = gan.gradient_normalize(critic, gen_net(z)).mean()
    out.backward()
    assert gen_net.weight.grad is not None and float(gen_net.weight.grad.abs().sum()) > 0
    assert all(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in critic.parameters())
    # and the generator's gradient agrees with finite differences of the whole pipeline
    w0 = gen_net.weight.detach().clone()
    step = 1e-6
    with torch.no_grad():
        gen_net.weight[0, 0] = w0[0, 0] + step
    up = gan.gradient_normalize(critic, gen_net(z).detach()).mean().item()
    with torch.no_grad():
        gen_net.weight[0, 0] = w0[0, 0] - step
    down = gan.gradient_normalize(critic, gen_net(z).detach()).mean().item()
    assert abs((up - down) / (2 * step) - gen_net.weight.grad[0, 0].item()) < 1e-6


@pytest.mark.parametrize("act", ["relu", "leaky_relu"])
def test_affine_piece_matches_the_net(act: str) -> None:
    net = gan.relu_mlp([2, 32, 32, 1], 4, activation=act)
    x = _points(50)
    patterns = gan.activation_pattern(net, x)
    _, g = gan.critic_gradient(net, x)
    for i in range(50):
        w, b = gan.affine_piece(net, patterns[i])
        assert abs(float(w @ x[i] + b - net(x[i:i + 1]).detach()[0, 0])) < 1e-12
        assert abs(float(w.norm() - g[i])) < 1e-12


def test_boundary_jump_of_gn() -> None:
    """Across a region boundary f is continuous, ‖∇f‖ jumps and so does f̂."""
    net = gan.relu_mlp([2, 64, 64, 1], 0)
    a = torch.tensor([-3.0, -2.0], dtype=torch.float64)
    b = torch.tensor([3.0, 2.5], dtype=torch.float64)
    xm, xp = gan.boundary_point(net, a, b, 0.0, 1.0)
    assert float((xp - xm).norm()) < 1e-15 * 8 + 1e-12
    pm, pp = gan.activation_pattern(net, torch.stack([xm, xp]))
    assert not torch.equal(pm, pp)
    (wm, bm), (wp, bp) = gan.affine_piece(net, pm), gan.affine_piece(net, pp)
    f0 = float(wm @ xm + bm)
    assert abs(f0 - float(wp @ xp + bp)) < 1e-12
    v = gan.gradient_normalize(net, torch.stack([xm, xp])).detach()
    jump = f0 / (float(wp.norm()) + abs(f0)) - f0 / (float(wm.norm()) + abs(f0))
    assert abs(float(v[1] - v[0]) - jump) < 1e-9 and abs(jump) > 1e-3
    with pytest.raises(ValueError):
        gan.boundary_point(net, a, a, 0.0, 1.0)


@pytest.mark.parametrize("eps", [2.0, 1e-2, 1e-5])
def test_two_point_critic(eps: float) -> None:
    net = gan.two_point_critic(eps, c=0.3)
    x = torch.tensor([[0.0], [eps]], dtype=torch.float64)
    f, g = gan.critic_gradient(net, x)
    torch.testing.assert_close(f, torch.tensor([0.3, -0.3], dtype=torch.float64))
    assert float(g.abs().max()) == 0.0
    assert gan.gradient_normalize(net, x).detach().tolist() == [1.0, -1.0]


@pytest.mark.parametrize("a", [0.25, 1.0, 3.0])
def test_bump_slope_against_sympy(a: float) -> None:
    """The one-sided slope of f̂ = (a − x²)/(2|x| + |a − x²|) at 0⁺ is −2/a (sympy limit)."""
    s = sp.symbols("s", positive=True)
    av = sp.Rational(a).limit_denominator(1000)
    fhat = (av - s**2) / (2 * s + (av - s**2))  # x > 0 small: |f'| = 2x, f > 0
    slope = sp.limit(sp.diff(fhat, s), s, 0, dir="+")
    assert slope == -2 / av
    x = torch.tensor([[1e-7]], dtype=torch.float64)
    _, g = gan.critic_gradient(partial(gan.gradient_normalize, gan.bump_critic(a)), x)
    assert abs(float(g[0]) - 2 / a) < 1e-5 * (2 / a)


def test_relu_mlp_is_seeded_and_leaves_global_rng_alone() -> None:
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    n1 = gan.relu_mlp([2, 8, 1], 5)
    after = torch.rand(1)
    n2 = gan.relu_mlp([2, 8, 1], 5)
    assert torch.equal(before, after)
    assert all(torch.equal(p, q) for p, q in zip(n1.parameters(), n2.parameters(), strict=True))
    with pytest.raises(ValueError):
        gan.relu_mlp([2, 1], 0, activation="swish")


def test_path_quotients_slow_loop() -> None:
    pts = _points(20)
    v = torch.sin(pts[:, 0])
    q = gan.path_quotients(v, pts)
    for k in range(19):
        dist = sum((float(pts[k + 1, j]) - float(pts[k, j])) ** 2 for j in range(2)) ** 0.5
        assert abs(float(q[k]) - abs(float(v[k + 1]) - float(v[k])) / dist) < 1e-12


# --- Designing GANs ---------------------------------------------------------------------------

R_GRID = [1e-3, 0.02, 0.3, 0.9, 1.0, 1.7, 5.0, 40.0, 900.0]


@pytest.mark.parametrize("name", list(gan.DESIGNS))
@pytest.mark.parametrize("r", R_GRID)
def test_eqn_designing_gans_optimum(name: str, r: float) -> None:
    """D* maximises r φ(z) + ψ(z): scipy's bounded scalar minimiser agrees with both our forms."""
    d = gan.DESIGNS[name]
    closed = float(d.omega(np.log(r)))
    assert abs(float(gan.optimal_critic(d, r)) - closed) <= 1e-9 * max(1.0, abs(closed))
    lo, hi = (1e-12, 1 - 1e-12) if name == "vanilla" else (closed - 5, closed + 5)
    res = optimize.minimize_scalar(lambda z: -(r * d.phi(z) + d.psi(z)), bounds=(lo, hi),
                                   method="bounded", options={"xatol": 1e-12})
    assert abs(res.x - closed) < 1e-5 * max(1.0, abs(closed))
    # and F(r) is that maximum: a brute-force grid never beats it
    zs = np.linspace(lo, hi, 20001)
    F = float(gan.induced_f(d, r)) + float(sum(d.terms(np.zeros(()))))
    assert np.max(r * d.phi(zs) + d.psi(zs)) <= F + 1e-9 * max(1.0, abs(F))


@pytest.mark.parametrize("name", list(gan.DESIGNS))
def test_eqn_designing_gans_f_is_convex_and_vanishes_at_one(name: str) -> None:
    d = gan.DESIGNS[name]
    r = np.linspace(0.01, 20, 5000)
    f = gan.induced_f(d, r)
    assert float(gan.induced_f(d, 1.0)) == 0.0
    assert np.all(np.diff(np.diff(f)) > -1e-12)  # uniform grid: second differences ≥ 0


def test_eqn_designing_gans_f_closed_forms_against_sympy() -> None:
    """The f of each design, derived independently with sympy: maximise r φ(z) + ψ(z) over z."""
    r, z = sp.symbols("r z", positive=True)
    pairs = {"vanilla": (sp.log(z), sp.log(1 - z)), "least-squares": (-(1 - z) ** 2, -(z**2)),
             "chi2": (z, -(z**2) / 2), "kl": (z, -sp.exp(z - 1))}
    for name, (phi, psi) in pairs.items():
        obj = r * phi + psi
        (zstar,) = sp.solve(sp.diff(obj, z), z)  # exactly one stationary point
        F = sp.simplify(obj.subs(z, zstar))
        f = sp.lambdify(r, F - F.subs(r, 1), "numpy")
        rr = np.array([0.1, 0.5, 2.0, 7.0])
        np.testing.assert_allclose(gan.induced_f(gan.DESIGNS[name], rr), f(rr), rtol=1e-12,
                                   atol=1e-14)


def _quad(fun) -> float:
    return integrate.quad(fun, -np.inf, np.inf, epsabs=1e-13, epsrel=1e-12, limit=400)[0]


@pytest.mark.parametrize("m", [0.0, 0.3, 1.0, 2.0, 3.0])
def test_eqn_designing_gans_value_against_scipy_quadrature(m: float) -> None:
    """Our trapezoid in log space = scipy.integrate.quad of the named divergences (+ F(1))."""
    x = np.linspace(-40, 40, 160_001)
    lp, lq = gan.gaussian_logpdf(x), gan.gaussian_logpdf(x, m)
    np.testing.assert_allclose(lp, stats.norm.logpdf(x), rtol=0, atol=1e-12)
    P, Q = stats.norm(0, 1), stats.norm(m, 1)
    p, q = P.pdf, Q.pdf

    def kl_to_mix(a, t: float) -> float:  # a(t) log(a(t) / ((p(t) + q(t)) / 2)), in log space
        la = a.logpdf(t)
        return float(np.exp(la) * (la - (np.logaddexp(P.logpdf(t), Q.logpdf(t)) - np.log(2))))

    js = 0.5 * _quad(lambda t: kl_to_mix(P, t)) + 0.5 * _quad(lambda t: kl_to_mix(Q, t))
    expect = {
        "vanilla": 2 * js - np.log(4),
        "least-squares": 0.25 * _quad(lambda t: (p(t) - q(t)) ** 2 / (p(t) + q(t))
                                      if p(t) + q(t) > 0 else 0.0) - 0.5,
        "chi2": 0.5 * (_quad(lambda t: np.exp(2 * P.logpdf(t) - Q.logpdf(t))) - 1) + 0.5,
        "kl": _quad(lambda t: p(t) * (P.logpdf(t) - Q.logpdf(t))),
    }
    for name, d in gan.DESIGNS.items():
        got = gan.design_value(d, lp, lq, x)
        assert abs(got - expect[name]) < 1e-8 * max(1.0, abs(expect[name])), name


def test_design_value_stays_finite_far_apart() -> None:
    """At m = 30 the ratio p/q overflows in the tails; the log-space integrand does not."""
    x = np.linspace(-60, 90, 300_001)
    v = gan.design_value(gan.DESIGNS["vanilla"], gan.gaussian_logpdf(x), gan.gaussian_logpdf(x, 30),
                         x)
    assert np.isfinite(v) and abs(v - 0.0) < 1e-9  # 2 JS → 2 log 2 for disjoint supports
