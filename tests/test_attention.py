"""blogkit.attention: Gaussian integrals by quadrature, slow loops, scipy (cluster.vq, spatial.distance,
special.softmax, stats) and torch's own attention, plus the exact identities and limits of the post."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, special, stats
from scipy.cluster.vq import vq as scipy_vq
from scipy.spatial.distance import cdist

from blogkit import attention as at


def randn(*shape: int, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    return scale * np.random.default_rng(seed).standard_normal(shape)


def gauss_1d(f, var: float = 1.0, mean: float = 0.0) -> float:
    """E f(ω) for ω ~ N(mean, var) in one dimension, by adaptive quadrature."""
    sd = math.sqrt(var)
    dens = stats.norm(mean, sd).pdf
    # ±40 sd: the Gaussian tail beyond is below e^{-800}, far under every integrand's growth here
    val, _ = integrate.quad(lambda w: f(w) * dens(w), mean - 40 * sd, mean + 40 * sd,
                            points=[mean - 3 * sd, mean, mean + 3 * sd, 0.0], epsabs=0, epsrel=1e-12,
                            limit=200)
    return val


def feature_product(q: float, k: float, w: float) -> float:
    """φ_ω(q) φ_ω(k) in one dimension with a single feature (m = 1)."""
    wm = np.array([[w]])
    return float(at.performer_features(np.array([q]), wm)[0] * at.performer_features(np.array([k]), wm)[0])


# -- Eq. (performer-vq-gauss) and the features -------------------------------------------------------
@pytest.mark.parametrize(("q", "k"), [(0.0, 0.0), (0.3, -1.2), (1.0, 1.0), (-2.0, 0.7), (1.5, 1.1)])
def test_eqn_performer_vq_gauss_by_quadrature_1d(q: float, k: float) -> None:
    """E_ω[φ_ω(q) φ_ω(k)] = e^{qk} with m = 1 (so φ has no 1/√m factor), ω ~ N(0, 1)."""
    def prod(w: float) -> float:
        return feature_product(q, k, w)

    assert gauss_1d(prod) == pytest.approx(math.exp(q * k), rel=1e-10)


@pytest.mark.parametrize(("d", "seed"), [(2, 0), (2, 1), (3, 2)])
def test_eqn_performer_vq_gauss_by_gauss_hermite(d: int, seed: int) -> None:
    """The same identity in d = 2, 3 by a tensor-product Gauss–Hermite rule (numpy's nodes).

    The nodes themselves serve as the rows of W; √m undoes the 1/√m of the features.
    """
    q, k = randn(d, seed=seed, scale=0.6), randn(d, seed=seed + 10, scale=0.6)
    x, wt = np.polynomial.hermite_e.hermegauss(60)  # ∫ f(x) e^{-x²/2} dx ≈ Σ wt f(x)
    nodes = np.stack(np.meshgrid(*[x] * d, indexing="ij"), -1).reshape(-1, d)
    weights = np.prod(np.stack(np.meshgrid(*[wt] * d, indexing="ij"), -1).reshape(-1, d), 1)
    m = len(nodes)
    prod = at.performer_features(q, nodes) * at.performer_features(k, nodes) * m
    val = (weights * prod).sum() / (2 * math.pi) ** (d / 2)
    assert val == pytest.approx(math.exp(q @ k), rel=1e-11)


@pytest.mark.parametrize(("n", "m", "d"), [(1, 1, 1), (5, 3, 2), (7, 64, 16)])
def test_eqn_performer_vq_features_match_loop_oracle_and_are_positive(n: int, m: int, d: int) -> None:
    x, w = randn(n, d, seed=n), randn(m, d, seed=m + 100)
    got = at.performer_features(x, w)
    assert got.shape == (n, m) and np.all(got > 0)
    for i in range(n):
        sq = math.fsum(t * t for t in x[i])
        for j in range(m):
            dot = math.fsum(x[i, t] * w[j, t] for t in range(d))
            assert got[i, j] == pytest.approx(math.exp(dot - sq / 2) / math.sqrt(m), rel=1e-13)


def test_features_kinds_dtypes_and_batch_shapes() -> None:
    x, w = randn(2, 3, 5, seed=1), randn(7, 5, seed=2)
    f64 = at.performer_features(x, w)
    assert isinstance(f64, np.ndarray) and f64.dtype == np.float64 and f64.shape == (2, 3, 7)
    f32 = at.performer_features(x.astype(np.float32), w)
    assert f32.dtype == np.float32
    np.testing.assert_allclose(f32, f64, rtol=1e-5)
    t64 = at.performer_features(torch.from_numpy(x), w)  # torch in, numpy projection
    assert isinstance(t64, torch.Tensor) and t64.dtype == torch.float64
    np.testing.assert_allclose(t64.numpy(), f64, rtol=1e-14)
    t32 = at.performer_features(torch.from_numpy(x).float(), torch.from_numpy(w))
    assert t32.dtype == torch.float32
    assert at.performer_features([[1, 2]], [[0, 0], [1, 1]]).dtype == np.float64  # ints promoted


# -- Eqs. (performer-vq-variance) and (performer-vq-rms) ---------------------------------------------
@pytest.mark.parametrize(("q", "k"), [(0.0, 0.0), (0.5, -0.5), (0.4, 0.9), (-1.0, -0.3)])
def test_eqn_performer_vq_variance_by_quadrature(q: float, k: float) -> None:
    """Var X / (E X)² for X = φ_ω(q) φ_ω(k) (m = 1), by integrating X and X² against N(0, 1)."""
    def prod(w: float) -> float:
        return feature_product(q, k, w)

    m1, m2 = gauss_1d(prod), gauss_1d(lambda w: prod(w) ** 2)
    assert m2 / m1**2 - 1 == pytest.approx(float(at.prf_relative_variance([q], [k])), rel=1e-9)
    assert float(at.prf_relative_variance([q], [k])) == pytest.approx(math.expm1((q + k) ** 2), rel=1e-14)


@pytest.mark.parametrize("m", [1, 10, 1000])
def test_eqn_performer_vq_rms_by_quadrature(m: int) -> None:
    """The RMS law from the two moments of one feature product, integrated numerically.

    X = e^{ω·(q+k) − |q|²/2 − |k|²/2} depends on ω ~ N(0, I) only through u = ω·(q+k) ~ N(0, s²)
    with s = |q+k|; scipy's quad integrates X and X² against that density, and the mean of m
    independent copies has RMS relative error sqrt(Var X / m) / E X."""
    from scipy import integrate, stats

    q, k = randn(3, 4, seed=3, scale=0.4), randn(3, 4, seed=4, scale=0.4)
    ref = []
    for qi, ki in zip(q, k, strict=True):
        s = float(np.linalg.norm(qi + ki))
        shift = float(qi @ qi + ki @ ki) / 2
        moments = []
        for power in (1, 2):
            # X^power times the N(0, s²) density, combined in the exponent (no overflow)
            def f(u: float, power: int = power, s: float = s, shift: float = shift) -> float:
                return math.exp(power * (u - shift) + stats.norm.logpdf(u, scale=s))

            moments.append(integrate.quad(f, -40 * s, 40 * s + 4 * s * s, epsabs=0, epsrel=1e-12,
                                          limit=200)[0])
        m1, m2 = moments
        ref.append(math.sqrt((m2 - m1**2) / m) / m1)
    np.testing.assert_allclose(at.prf_rms_error(q, k, m), ref, rtol=1e-8)
    tq = at.prf_rms_error(torch.from_numpy(q), k, m)
    assert isinstance(tq, torch.Tensor)
    np.testing.assert_allclose(tq.numpy(), ref, rtol=1e-8)
    # and q = -k makes every feature product exact: zero error for any m
    assert float(at.prf_rms_error(q[0], -q[0], m)) == 0.0


@pytest.mark.parametrize("orthogonal", [False, True])
def test_eqn_performer_vq_rms_monte_carlo(orthogonal: bool) -> None:
    """With light tails (|q+k|² = 0.5) the measured RMS matches the law; ORF is not worse."""
    q, k = at.unit_pair(4, 0.0, seed=5)
    q, k = q / 2, k / 2  # |q + k|² = 0.5
    m, reps = 8, 3000
    err = at.relative_errors(q, k, m, reps, seed=6, orthogonal=orthogonal)
    mean, _, rms = at.error_summary(err)
    theory = float(at.prf_rms_error(q, k, m))
    assert abs(mean) < 4 * theory / math.sqrt(reps)  # unbiased
    if orthogonal:
        assert rms < 1.05 * theory
    else:
        assert rms == pytest.approx(theory, rel=0.06)


@pytest.mark.parametrize("orthogonal", [False, True])
def test_estimates_are_unbiased(orthogonal: bool) -> None:
    q, k = randn(3, 5, seed=7, scale=0.3), randn(3, 5, seed=8, scale=0.3)
    ms, reps = [1, 8, 33], 2000
    est = at.kernel_estimates(q, k, ms, reps, seed=9, orthogonal=orthogonal)
    assert est.shape == (reps, 3, 3) and np.all(est > 0)
    exact = np.exp((q * k).sum(-1))
    for i, m in enumerate(ms):
        se = at.prf_rms_error(q, k, m) * exact / math.sqrt(reps)
        assert np.all(abs(est[:, i].mean(0) - exact) < 4 * se)


def test_nested_estimates_reuse_the_first_rows() -> None:
    q, k = randn(2, 3, seed=10, scale=0.5), randn(2, 3, seed=11, scale=0.5)
    nested = at.kernel_estimates(q, k, [2, 5, 9], 4, seed=12)
    assert nested.shape == (4, 3, 2)
    rng = np.random.default_rng(12)
    for r in range(4):
        w = rng.standard_normal((9, 3))
        for i, m in enumerate([2, 5, 9]):
            ref = (at.performer_features(q, w[:m]) * at.performer_features(k, w[:m])).sum(-1)
            np.testing.assert_allclose(nested[r, i], ref, rtol=1e-14)
    assert at.relative_errors(q, k, 5, 4, seed=12).shape == (4, 2)


def test_error_summary_against_numpy_and_scipy() -> None:
    e = randn(50, 3, seed=13)
    mean, se, rms = at.error_summary(e)
    np.testing.assert_allclose(mean, e.mean(0), rtol=1e-14)
    np.testing.assert_allclose(se, stats.sem(e, axis=0), rtol=1e-12)
    np.testing.assert_allclose(rms, np.linalg.norm(e, axis=0) / math.sqrt(50), rtol=1e-13)


@pytest.mark.parametrize(("m", "d"), [(16, 16), (37, 8), (5, 3), (200, 4)])
def test_orthogonal_gaussian_blocks(m: int, d: int) -> None:
    w = at.orthogonal_gaussian(m, d, seed=m)
    assert w.shape == (m, d)
    for start in range(0, m, d):
        block = w[start:start + d]
        u = block / np.linalg.norm(block, axis=1, keepdims=True)
        np.testing.assert_allclose(u @ u.T, np.eye(len(u)), atol=1e-12)


def test_orthogonal_gaussian_rows_are_marginally_gaussian() -> None:
    d = 6
    w = at.orthogonal_gaussian(3000, d, seed=14)
    assert stats.kstest(np.linalg.norm(w, axis=1), stats.chi(d).cdf).pvalue > 1e-3
    for j in range(d):  # every coordinate of a N(0, I) vector is N(0, 1)
        assert stats.kstest(w[:, j], "norm").pvalue > 1e-3
    g = at.gaussian_projection(3000, d, seed=14)
    assert g.shape == (3000, d) and stats.kstest(g[:, 0], "norm").pvalue > 1e-3


@pytest.mark.parametrize("cos", [-1.0, -0.5, 0.0, 0.3, 1.0])
def test_unit_pair(cos: float) -> None:
    q, k = at.unit_pair(7, cos, seed=15)
    assert np.linalg.norm(q) == pytest.approx(1, abs=1e-14)
    assert np.linalg.norm(k) == pytest.approx(1, abs=1e-14)
    assert q @ k == pytest.approx(cos, abs=1e-14)
    with pytest.raises(ValueError):
        at.unit_pair(3, 1.5)


@pytest.mark.parametrize("p", [-0.5, 1.0, 2.5])
def test_power_law_slope_exact_on_power_laws(p: float) -> None:
    x = np.array([16, 64, 256, 1024.0])
    assert at.power_law_slope(x, 3.0 * x**p) == pytest.approx(p, abs=1e-12)


# -- attention -----------------------------------------------------------------------------------------
def loop_softmax_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    out = np.zeros((len(q), v.shape[1]))
    for i in range(len(q)):
        w = [math.exp(math.fsum(q[i] * k[j])) for j in range(len(k))]
        z = math.fsum(w)
        for c in range(v.shape[1]):
            out[i, c] = math.fsum(w[j] * v[j, c] for j in range(len(k))) / z
    return out


@pytest.mark.parametrize(("nq", "nk", "d", "dv"), [(1, 1, 1, 1), (4, 9, 3, 2), (6, 20, 8, 5)])
def test_eqn_performer_vq_attention_against_loops_and_torch(nq: int, nk: int, d: int, dv: int) -> None:
    q, k, v = randn(nq, d, seed=1), randn(nk, d, seed=2), randn(nk, dv, seed=3)
    got = at.softmax_attention(q, k, v)
    np.testing.assert_allclose(got, loop_softmax_attention(q, k, v), rtol=1e-12, atol=1e-14)
    ref = torch.nn.functional.scaled_dot_product_attention(
        torch.from_numpy(q)[None], torch.from_numpy(k)[None], torch.from_numpy(v)[None], scale=1.0)[0]
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-12, atol=1e-14)
    tgot = at.softmax_attention(torch.from_numpy(q), k, v)
    assert isinstance(tgot, torch.Tensor)
    np.testing.assert_allclose(tgot.numpy(), got, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(("n", "c", "d"), [(1, 1, 2), (10, 3, 4), (200, 32, 16)])
def test_eqn_performer_vq_linear_equals_attention_on_quantised_keys(n: int, c: int, d: int) -> None:
    C, q, v = randn(c, d, seed=n), randn(n, d, seed=n + 1), randn(n, 3, seed=n + 2)
    idx = np.random.default_rng(n).integers(0, c, n)
    got = at.vq_attention(q, C, idx, v)
    np.testing.assert_allclose(got, at.softmax_attention(q, C[idx], v), rtol=1e-11, atol=1e-13)
    ref = torch.nn.functional.scaled_dot_product_attention(
        torch.from_numpy(q), torch.from_numpy(C[idx]), torch.from_numpy(v), scale=1.0)
    np.testing.assert_allclose(got, ref.numpy(), rtol=1e-11, atol=1e-13)
    tgot = at.vq_attention(torch.from_numpy(q), torch.from_numpy(C), torch.from_numpy(idx), v)
    assert isinstance(tgot, torch.Tensor) and tgot.dtype == torch.float64
    np.testing.assert_allclose(tgot.numpy(), got, rtol=1e-12, atol=1e-14)
    # the general form with the one-hot Δ as its assignment is the same thing
    delta = np.eye(c)[idx]
    np.testing.assert_allclose(at.soft_vq_attention(q, C, delta, v), got, rtol=1e-12, atol=1e-14)


def test_vq_attention_survives_a_huge_unused_codeword() -> None:
    C = randn(5, 3, seed=16)
    C[4] = 200.0 * np.ones(3)  # no key uses it; exp(q·c_4) would swamp the others
    q, v = np.ones((4, 3)), randn(6, 2, seed=17)
    idx = np.array([0, 1, 2, 3, 0, 1])
    got = at.vq_attention(q, C, idx, v)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, at.softmax_attention(q, C[idx], v), rtol=1e-12)


def test_float32_stays_float32() -> None:
    q, k, v = (randn(5, 4, seed=s).astype(np.float32) for s in (1, 2, 3))
    w = randn(8, 4, seed=4)
    assert at.softmax_attention(q, k, v).dtype == np.float32
    assert at.favor_attention(q, k, v, w).dtype == np.float32
    assert at.vq_attention(q, k, np.arange(5), v).dtype == np.float32
    assert at.codebook_weights(q, w, 0.5).dtype == np.float32


# -- Eq. (performer-vq-softvq): Performer is a codebook attention -------------------------------------
@pytest.mark.parametrize(("n", "m", "d"), [(3, 1, 2), (17, 8, 4), (64, 64, 16)])
def test_eqn_performer_vq_softvq_identity(n: int, m: int, d: int) -> None:
    q, k, v = randn(n, d, seed=n, scale=0.4), randn(n, d, seed=n + 1, scale=0.4), randn(n, 3, seed=2)
    w = at.gaussian_projection(m, d, seed=m)
    favor = at.favor_attention(q, k, v, w)
    # dense oracle: the n×n matrix φ(Q)φ(K)ᵀ, normalised row by row
    a = at.performer_features(q, w) @ at.performer_features(k, w).T
    np.testing.assert_allclose(favor, (a / a.sum(1, keepdims=True)) @ v, rtol=1e-12, atol=1e-14)
    assign, key_w = at.performer_as_soft_vq(k, w)
    np.testing.assert_allclose(assign, special.softmax(k @ w.T, axis=1), rtol=1e-12)  # |k|²/2 cancels
    np.testing.assert_allclose(key_w, at.performer_features(k, w).sum(1), rtol=1e-14)
    np.testing.assert_allclose(at.soft_vq_attention(q, w, assign, v, key_w), favor, rtol=1e-11, atol=1e-14)
    t = at.favor_attention(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v), w)
    np.testing.assert_allclose(t.numpy(), favor, rtol=1e-12)


def test_eqn_performer_vq_assign_and_codebook() -> None:
    """Eq. (performer-vq-assign) as displayed (φ_j(k)/s(k), rows summing to 1) and Eq.
    (performer-vq-codebook) written out with explicit torch matrices A, G and exp(QWᵀ)."""
    n, m, d = 20, 12, 4
    q, k, v = randn(n, d, seed=30, scale=0.5), randn(n, d, seed=31, scale=0.5), randn(n, 3, seed=32)
    w = at.gaussian_projection(m, d, seed=33)
    phi = at.performer_features(k, w)
    assign, key_w = at.performer_as_soft_vq(k, w)
    np.testing.assert_allclose(assign, phi / phi.sum(1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(assign.sum(1), 1.0, rtol=1e-14)
    qt, vt = torch.from_numpy(q), torch.from_numpy(v)
    e = torch.exp(qt @ torch.from_numpy(w).T)  # (n, m)
    a_t, g = torch.from_numpy(assign), torch.diag(torch.from_numpy(key_w))
    num = e @ (a_t.T @ g @ vt)
    den = e @ (a_t.T @ g @ torch.ones(n, 1, dtype=torch.float64))
    np.testing.assert_allclose((num / den).numpy(), at.soft_vq_attention(q, w, assign, v, key_w),
                               rtol=1e-12)
    np.testing.assert_allclose((num / den).numpy(), at.favor_attention(q, k, v, w), rtol=1e-11)


def test_favor_approaches_softmax_attention_with_many_features() -> None:
    q, k, v = randn(8, 4, seed=18, scale=0.3), randn(30, 4, seed=19, scale=0.3), randn(30, 2, seed=20)
    exact = at.softmax_attention(q, k, v)
    errs = [np.abs(at.favor_attention(q, k, v, at.gaussian_projection(m, 4, seed=21)) - exact).max()
            for m in (16, 256, 65536)]
    assert errs[2] < errs[0] and errs[2] < 0.01


# -- Eq. (performer-vq-density): normalised Gaussian weights ------------------------------------------
@pytest.mark.parametrize("tau", [0.05, 0.5, 1.0, 3.0])
@pytest.mark.parametrize(("n", "c", "d"), [(4, 2, 1), (9, 16, 3)])
def test_eqn_performer_vq_density_is_a_normalised_gaussian(tau: float, n: int, c: int, d: int) -> None:
    k, C = randn(n, d, seed=c), randn(c, d, seed=c + 1)
    got = at.codebook_weights(k, C, tau)
    ref = special.softmax(-cdist(k, C, "sqeuclidean") / (2 * tau), axis=1)  # softmax(−|k − c_j|²/2τ)
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-300)
    for i in range(n):  # N(c_j; k, τI) normalised over j
        pdf = stats.multivariate_normal(mean=k[i], cov=tau * np.eye(d)).pdf(C).reshape(c)
        np.testing.assert_allclose(got[i], pdf / pdf.sum(), rtol=1e-9, atol=1e-300)
    np.testing.assert_allclose(at.codebook_weights(k, C, tau, bias=False),
                               special.softmax(k @ C.T / tau, axis=1), rtol=1e-10)


def test_eqn_performer_vq_shift_by_quadrature() -> None:
    """e^{qk} = E_{ω ~ N(k, τ)}[e^{ωq − τq²/2}] for every τ > 0 (the post's shifted form)."""
    for q, k in [(0.7, -0.4), (1.3, 0.9)]:
        for tau in [0.01, 0.3, 1.0, 2.0]:
            val = gauss_1d(lambda w, q=q, tau=tau: math.exp(w * q - tau * q * q / 2), var=tau, mean=k)
            assert val == pytest.approx(math.exp(q * k), rel=1e-10)
    # τ = 1 is Performer's integrand: N(ω; 0, 1) e^{ωk − k²/2} is the density of N(k, 1)
    w = np.linspace(-4, 4, 9)
    k = 0.8
    np.testing.assert_allclose(stats.norm.pdf(w) * np.exp(w * k - k * k / 2), stats.norm(k, 1).pdf(w),
                               rtol=1e-13)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_zero_temperature_limit_is_transformer_vq(seed: int) -> None:
    C, k = randn(12, 5, seed=seed), randn(40, 5, seed=seed + 1)
    q, v = randn(40, 5, seed=seed + 2, scale=0.5), randn(40, 3, seed=seed + 3)
    idx = at.vq_assign(k, C)
    tau = at.vq_margin(k, C).min() / 200  # weight ratio on the runner-up at most e^{-200}
    a = at.codebook_weights(k, C, tau)
    np.testing.assert_array_equal(a.argmax(1), idx)
    np.testing.assert_allclose(a, np.eye(12)[idx], atol=1e-80)
    np.testing.assert_allclose(at.soft_vq_attention(q, C, a, v), at.vq_attention(q, C, idx, v),
                               rtol=1e-12, atol=1e-14)


# -- Eq. (performer-vq-argmax): nearest codeword ----------------------------------------------------
# (500, 64, 48): patch-sized vectors, as in the k-means of blogkit.patches, which uses this assignment
@pytest.mark.parametrize(("n", "c", "d"), [(1, 1, 1), (5, 2, 1), (50, 7, 3), (400, 64, 16), (500, 64, 48)])
def test_eqn_performer_vq_argmax_matches_scipy_vq_and_cdist(n: int, c: int, d: int) -> None:
    k, C = randn(n, d, seed=n + c), randn(c, d, seed=d)
    got = at.vq_assign(k, C)
    assert got.shape == (n,) and np.issubdtype(got.dtype, np.integer)
    codes, dist = scipy_vq(k, C)
    np.testing.assert_array_equal(got, codes)
    np.testing.assert_array_equal(got, cdist(k, C).argmin(1))
    for i in range(n):  # slow oracle: argmin_j |k − c_j|² by loops
        best = min(range(c), key=lambda j, i=i: math.fsum((k[i, t] - C[j, t]) ** 2 for t in range(d)))
        assert got[i] == best
        np.testing.assert_allclose(dist[i], np.linalg.norm(k[i] - C[got[i]]), rtol=1e-12)


def test_eqn_performer_vq_vq_assign_torch_and_batch_shapes() -> None:
    k, C = randn(3, 4, 5, seed=22), randn(6, 5, seed=23)
    got = at.vq_assign(k, C)
    assert got.shape == (3, 4)
    np.testing.assert_array_equal(got, scipy_vq(k.reshape(-1, 5), C)[0].reshape(3, 4))
    t = at.vq_assign(torch.from_numpy(k), torch.from_numpy(C))
    assert isinstance(t, torch.Tensor) and t.dtype == torch.int64
    np.testing.assert_array_equal(t.numpy(), got)
    # codewords are their own nearest codeword
    np.testing.assert_array_equal(at.vq_assign(C, C), np.arange(6))


def test_max_inner_product_equals_vq_only_for_equal_norms() -> None:
    k, C = randn(500, 6, seed=24), randn(20, 6, seed=25)
    unit = C / np.linalg.norm(C, axis=1, keepdims=True)
    np.testing.assert_array_equal(at.max_inner_product_assign(k, 3.0 * unit), at.vq_assign(k, 3.0 * unit))
    # with unequal norms the −|c|²/2 term matters: a long codeword wins the inner product
    C2 = np.array([[1.0, 0.0], [10.0, 0.0]])
    k2 = np.array([[1.0, 0.0]])
    assert at.max_inner_product_assign(k2, C2)[0] == 1 and at.vq_assign(k2, C2)[0] == 0
    assert np.mean(at.max_inner_product_assign(k, C) == at.vq_assign(k, C)) < 0.9


@pytest.mark.parametrize("seed", [0, 1])
def test_vq_margin_against_sorted_distances(seed: int) -> None:
    k, C = randn(30, 4, seed=seed), randn(9, 4, seed=seed + 5)
    d2 = np.sort(cdist(k, C, "sqeuclidean"), axis=1)
    np.testing.assert_allclose(at.vq_margin(k, C), (d2[:, 1] - d2[:, 0]) / 2, rtol=1e-9, atol=1e-12)
    t = at.vq_margin(torch.from_numpy(k), C)
    np.testing.assert_allclose(t.numpy(), (d2[:, 1] - d2[:, 0]) / 2, rtol=1e-9, atol=1e-12)
