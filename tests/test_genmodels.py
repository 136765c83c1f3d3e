"""blogkit.genmodels against scipy (entropy, quad, norm.fit), sklearn and slow obvious oracles."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import integrate, special, stats

from blogkit import genmodels as gm

W, M, S = [0.3, 0.7], [-2.0, 2.0], [0.6, 0.6]


def _target(x: np.ndarray) -> np.ndarray:
    return gm.gmm_logpdf(x, W, M, S)


def _scipy_gmm_pdf(x: float, w=W, m=M, s=S) -> float:
    return sum(wk * stats.norm.pdf(x, mk, sk) for wk, mk, sk in zip(w, m, s, strict=True))


def _scipy_gmm_logpdf(x: float) -> float:
    return float(special.logsumexp([stats.norm.logpdf(x, mk, sk) for mk, sk in zip(M, S, strict=True)],
                                   b=W))


# ------------------------------------------------------------------ genmodels-intro


@pytest.mark.parametrize("seed", range(6))
def test_eqn_genmodels_intro_kl_matches_scipy_and_is_nonnegative(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(7)), rng.dirichlet(np.ones(7))
    assert math.isclose(gm.kl_discrete(p, q), stats.entropy(p, q), rel_tol=1e-12)
    assert gm.kl_discrete(p, q) > 0 and gm.kl_discrete(p, p) == 0
    # 0 log 0 = 0, and +inf where q misses a point of p's support
    p0 = np.append(p, 0.0)
    q0 = np.append(q * 0.9, 0.1)
    assert math.isclose(gm.kl_discrete(p0, q0), stats.entropy(p0, q0), rel_tol=1e-12)
    assert gm.kl_discrete(q0, p0) == math.inf == stats.entropy(q0, p0)


def test_eqn_genmodels_intro_decomp() -> None:
    """KL(p‖q) = −H(p) − E_p log q, with H from scipy."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        p, q = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(5))
        cross = -float(np.sum(p * np.log(q)))
        assert math.isclose(gm.kl_discrete(p, q), cross - stats.entropy(p), rel_tol=1e-10, abs_tol=1e-14)


def test_gmm_logpdf_and_moments_against_scipy() -> None:
    x = np.linspace(-7, 7, 57)
    np.testing.assert_allclose(np.exp(_target(x)), [_scipy_gmm_pdf(v) for v in x], rtol=1e-12)
    # far in the tail the log-sum-exp stays finite where the density underflows
    assert np.isfinite(_target(np.array([-60.0, 60.0]))).all()
    mean, var = gm.gmm_moments(W, M, S)
    m1 = integrate.quad(lambda v: v * _scipy_gmm_pdf(v), -20, 20, points=M)[0]
    m2 = integrate.quad(lambda v: (v - m1) ** 2 * _scipy_gmm_pdf(v), -20, 20, points=M)[0]
    assert math.isclose(mean, m1, rel_tol=1e-9) and math.isclose(var, m2, rel_tol=1e-9)
    x = gm.gmm_sample(200_000, W, M, S, np.random.default_rng(0))
    assert abs(x.mean() - mean) < 0.02 and abs(x.var() / var - 1) < 0.01
    assert abs(np.mean(x < 0) - W[0]) < 0.005


def _neg_entropy() -> float:
    return integrate.quad(lambda v: _scipy_gmm_pdf(v) * math.log(_scipy_gmm_pdf(v)), -15, 15,
                          points=M, limit=200)[0]


@pytest.mark.parametrize("mu", [-3.0, -1.0, 0.0, 0.8, 2.5])
@pytest.mark.parametrize("sigma", [0.3, 1.0, 2.5])
def test_eqn_genmodels_intro_gauss_fwd_against_quad(mu: float, sigma: float) -> None:
    mean, var = gm.gmm_moments(W, M, S)
    ours = float(gm.gaussian_forward_kl(mean, var, _neg_entropy(), mu, sigma))
    ref = integrate.quad(lambda v: _scipy_gmm_pdf(v) * (math.log(_scipy_gmm_pdf(v))
                                                         - stats.norm.logpdf(v, mu, sigma)),
                         -15, 15, points=M, limit=200)[0]
    assert math.isclose(ours, ref, rel_tol=1e-7, abs_tol=1e-9)
    # and the trapezoidal helper agrees on a fine grid
    grid = np.linspace(-15, 15, 30001)
    assert math.isclose(gm.kl_quadrature(_target(grid), gm.gaussian_logpdf(grid, mu, sigma), grid),
                        ref, rel_tol=1e-7, abs_tol=1e-9)


@pytest.mark.parametrize("mu", [-2.0, 0.0, 0.8, 2.0])
@pytest.mark.parametrize("sigma", [0.3, 0.6, 1.5, 2.5])
def test_eqn_genmodels_intro_gauss_rev_against_quad(mu: float, sigma: float) -> None:
    ours = float(gm.gaussian_reverse_kl(_target, mu, sigma, np.linspace(-20, 20, 2001)))
    ref = integrate.quad(lambda v: stats.norm.pdf(v, mu, sigma)
                         * (stats.norm.logpdf(v, mu, sigma) - _scipy_gmm_logpdf(v)),
                         mu - 12 * sigma, mu + 12 * sigma, limit=200)[0]
    assert math.isclose(ours, ref, rel_tol=1e-8, abs_tol=1e-10)


def test_forward_kl_minimum_is_moment_matching() -> None:
    mean, var = gm.gmm_moments(W, M, S)
    mu, sigma, _ = gm.refine_minimum(lambda a, b: gm.gaussian_forward_kl(mean, var, 0.0, a, b),
                                     0.0, 1.0, 1.5, rounds=10)
    assert abs(mu - mean) < 1e-6 and abs(sigma - math.sqrt(var)) < 1e-6


def test_reverse_kl_minima_sit_on_the_modes() -> None:
    grid = np.linspace(-12, 12, 1201)
    f = lambda a, b: gm.gaussian_reverse_kl(_target, a, b, grid)  # noqa: E731
    right, left = gm.refine_minimum(f, 1.0, 1.0, 1.0), gm.refine_minimum(f, -1.0, 1.0, 1.0)
    assert abs(right[0] - 2) < 0.02 and abs(left[0] + 2) < 0.02
    # the well-separated-modes estimate −log w_k, slightly above the true floor
    assert -math.log(0.7) - 0.01 < right[2] < -math.log(0.7)
    assert -math.log(0.3) - 0.01 < left[2] < -math.log(0.3)


@pytest.mark.parametrize("seed", range(4))
def test_eqn_genmodels_intro_mle_matches_scipy_norm_fit(seed: int) -> None:
    x = gm.gmm_sample(500, W, M, S, np.random.default_rng(seed))
    mu, sigma = gm.mle_gaussian(x)
    loc, scale = stats.norm.fit(x)  # scipy's maximum-likelihood fit
    assert math.isclose(mu, loc, rel_tol=1e-9) and math.isclose(sigma, scale, rel_tol=1e-9)
    nll = lambda a, b: gm.empirical_nll(lambda z: stats.norm.logpdf(z, a, b), x)  # noqa: E731
    best = nll(mu, sigma)
    for da, db in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        assert nll(mu + da, sigma + db) > best


def test_argmin_nll_is_argmin_kl_on_a_grid() -> None:
    mean, var = gm.gmm_moments(W, M, S)
    x = gm.gmm_sample(50_000, W, M, S, np.random.default_rng(3))
    mus, sigmas = np.linspace(-1, 2, 31), np.linspace(1.0, 3.0, 21)
    nll = np.array([[gm.empirical_nll(lambda z, a=a, b=b: gm.gaussian_logpdf(z, a, b), x)
                     for b in sigmas] for a in mus])
    kl = gm.gaussian_forward_kl(mean, var, 0.0, mus[:, None], sigmas[None, :])
    i, j = np.unravel_index(nll.argmin(), nll.shape)
    k, l = np.unravel_index(kl.argmin(), kl.shape)
    assert abs(i - k) <= 1 and abs(j - l) <= 1  # same cell up to sampling noise


# ------------------------------------------------------------------ autoregressive-models


def _random_fvsbn(n: int, seed: int) -> gm.FVSBN:
    gen = torch.Generator().manual_seed(seed)
    m = gm.FVSBN(n, dtype=torch.float64)
    with torch.no_grad():
        m.weight.normal_(0, 1.5, generator=gen)
        m.bias.normal_(0, 1, generator=gen)
    return m


def _random_nade(n: int, d: int, seed: int) -> gm.NADE:
    gen = torch.Generator().manual_seed(seed)
    m = gm.NADE(n, d, dtype=torch.float64, generator=gen)
    with torch.no_grad():
        m.W.mul_(3)
        m.b.normal_(0, 1, generator=gen)
        m.c.normal_(0, 1, generator=gen)
    return m


def _fvsbn_oracle(m: gm.FVSBN, x: np.ndarray) -> float:
    """log p(x) as a loop over the conditionals α_i0 + Σ_{j<i} α_ij x_j."""
    a, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    total = 0.0
    for i in range(m.n):
        p1 = 1 / (1 + math.exp(-(b[i] + sum(a[i, j] * x[j] for j in range(i)))))
        total += math.log(p1 if x[i] == 1 else 1 - p1)
    return total


def _nade_oracle(m: gm.NADE, x: np.ndarray) -> float:
    W, c, V, b = (t.detach().numpy() for t in m.parameters())
    total = 0.0
    for i in range(m.n):
        h = 1 / (1 + np.exp(-(c + W[:, :i] @ x[:i])))
        p1 = 1 / (1 + math.exp(-(b[i] + V[i] @ h)))
        total += math.log(p1 if x[i] == 1 else 1 - p1)
    return total


@pytest.mark.parametrize("n", [1, 3, 7])
def test_eqn_autoregressive_models_fvsbn(n: int) -> None:
    xs = gm.enumerate_binary(n)
    fv = _random_fvsbn(n, n)
    with torch.no_grad():
        lf = fv.log_prob(torch.tensor(xs)).numpy()
    for idx in range(0, len(xs), max(1, len(xs) // 16)):
        assert math.isclose(lf[idx], _fvsbn_oracle(fv, xs[idx]), rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("n", [1, 3, 7])
@pytest.mark.parametrize("d", [1, 5])
def test_eqn_autoregressive_models_nade(n: int, d: int) -> None:
    xs = gm.enumerate_binary(n)
    nade = _random_nade(n, d, n + d)
    with torch.no_grad():
        ln = nade.log_prob(torch.tensor(xs)).numpy()
    for idx in range(0, len(xs), max(1, len(xs) // 16)):
        assert math.isclose(ln[idx], _nade_oracle(nade, xs[idx]), rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("n", [1, 4, 9, 12])
def test_eqn_autoregressive_models_chain_normalised(n: int) -> None:
    xs = torch.tensor(gm.enumerate_binary(n))
    for m in (_random_fvsbn(n, 0), _random_nade(n, 4, 1), gm.IndependentBernoulli.from_data(xs[:3])):
        with torch.no_grad():
            assert abs(m.log_prob(xs).exp().sum().item() - 1) < 1e-12


def test_enumerate_binary_is_itertools_product() -> None:
    import itertools

    ref = np.array(list(itertools.product([0, 1], repeat=5)), dtype=float)
    np.testing.assert_array_equal(gm.enumerate_binary(5), ref)


def test_logits_depend_on_earlier_coordinates_only() -> None:
    n = 8
    x = torch.tensor(gm.enumerate_binary(n)[77])
    for m in (_random_fvsbn(n, 3), _random_nade(n, 5, 4)):
        jac = torch.autograd.functional.jacobian(m.logits, x[None])[0, :, 0, :]
        assert jac.triu().abs().max().item() == 0
        assert (jac.tril(-1).abs() > 0).sum().item() == n * (n - 1) // 2


def test_eqn_autoregressive_models_counts() -> None:
    import itertools

    for n, d in [(1, 1), (5, 3), (64, 32), (784, 500)]:
        c = gm.param_counts(n, d)
        assert c["table"] == (len(list(itertools.product([0, 1], repeat=n))) - 1 if n <= 10
                              else 2**n - 1)
        # FVSBN: the used entries of its mask plus the biases
        fv = gm.FVSBN(n) if n <= 64 else None
        if fv is not None:
            assert c["fvsbn"] == int(fv.mask.sum().item()) + fv.bias.numel()
        nade = gm.NADE(n, d) if n <= 64 else None
        if nade is not None:
            assert c["nade"] == sum(p.numel() for p in nade.parameters())
    assert gm.param_counts(784, 500)["fvsbn"] == 307_720
    assert gm.param_counts(784, 500)["nade"] == 785_284


@pytest.mark.parametrize("model", ["fvsbn", "nade"])
def test_sampling_frequencies_match_probabilities(model: str) -> None:
    n = 4
    m = _random_fvsbn(n, 5) if model == "fvsbn" else _random_nade(n, 3, 6)
    xs = torch.tensor(gm.enumerate_binary(n))
    with torch.no_grad():
        p = m.log_prob(xs).exp().numpy()
    draws = m.sample(40_000, generator=torch.Generator().manual_seed(7)).numpy()
    codes = (draws @ (2 ** np.arange(n - 1, -1, -1))).astype(int)
    observed = np.bincount(codes, minlength=2**n)
    assert stats.chisquare(observed, 40_000 * p).pvalue > 1e-3


def test_fvsbn_maximum_likelihood_is_n_logistic_regressions_sklearn() -> None:
    """FVSBN's MLE is one unpenalised logistic regression of x_i on x_<i per coordinate."""
    from sklearn.linear_model import LogisticRegression

    n = 5
    truth = _random_fvsbn(n, 11)
    x = truth.sample(4000, generator=torch.Generator().manual_seed(12))
    model = gm.FVSBN(n, dtype=torch.float64)
    gm.fit_autoregressive(model, x, steps=1500, lr=0.05)
    xs = x.numpy()
    ref_nll = 0.0
    for i in range(n):
        if i == 0:
            p = xs[:, 0].mean()
            ref_nll -= np.mean(xs[:, 0] * np.log(p) + (1 - xs[:, 0]) * np.log(1 - p))
            continue
        lr = LogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(xs[:, :i], xs[:, i])
        prob = lr.predict_proba(xs[:, :i])[:, 1]
        ref_nll -= np.mean(xs[:, i] * np.log(prob) + (1 - xs[:, i]) * np.log(1 - prob))
        np.testing.assert_allclose(model.weight.detach().numpy()[i, :i], lr.coef_[0], atol=2e-3)
        assert abs(model.bias.detach().numpy()[i] - lr.intercept_[0]) < 2e-3
    with torch.no_grad():
        ours = -model.log_prob(x).mean().item()
    assert abs(ours - ref_nll) < 1e-6


def test_binarized_digits_come_from_sklearn_load_digits() -> None:
    from sklearn.datasets import load_digits

    d = load_digits()
    pixels, labels = gm.load_digits_array()
    np.testing.assert_array_equal(pixels, d.data)
    np.testing.assert_array_equal(labels, d.target)
    xtr, xte, ytr, yte = gm.binarized_digits(test_size=450, seed=0)
    assert xtr.shape == (1347, 64) and xte.shape == (450, 64)
    assert set(np.unique(xtr)) <= {0.0, 1.0}
    # the split is a permutation: every image appears once
    both = np.concatenate([xtr, xte])
    assert sorted(map(bytes, both.astype(np.uint8))) == sorted(map(bytes, (d.data >= 8).astype(np.uint8)))
    assert np.bincount(np.concatenate([ytr, yte])).tolist() == np.bincount(d.target).tolist()


def test_independent_from_data_is_smoothed_frequency() -> None:
    x = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]], dtype=torch.float64)
    m = gm.IndependentBernoulli.from_data(x, alpha=1.0)
    np.testing.assert_allclose(torch.sigmoid(m.bias).detach().numpy(), [3 / 5, 2 / 5], rtol=1e-12)


# ------------------------------------------------------------------ digits-naive-bayes


def _toy(seed: int, n: int = 6, k: int = 3, N: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, N)
    theta = rng.uniform(0.05, 0.95, (k, n))
    return (rng.random((N, n)) < theta[y]).astype(float), y


@pytest.mark.parametrize("alpha", [1e-3, 0.5, 1.0, 3.0])
@pytest.mark.parametrize("seed", range(3))
def test_eqn_digits_naive_bayes_mle_matches_sklearn_bernoullinb(alpha: float, seed: int) -> None:
    from sklearn.naive_bayes import BernoulliNB

    X, y = _toy(seed)
    ours = gm.BernoulliNaiveBayes(alpha=alpha).fit(X, y)
    ref = BernoulliNB(alpha=alpha, binarize=None).fit(X, y)
    np.testing.assert_allclose(np.log(ours.feature_prob_), ref.feature_log_prob_, rtol=1e-12)
    np.testing.assert_allclose(ours.class_log_prior_, ref.class_log_prior_, rtol=1e-12)
    Xt, _ = _toy(seed + 100)
    np.testing.assert_allclose(ours.predict_proba(Xt), ref.predict_proba(Xt), rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(ours.predict(Xt), ref.predict(Xt))


def test_naive_bayes_on_digits_matches_sklearn() -> None:
    from sklearn.naive_bayes import BernoulliNB

    xtr, xte, ytr, _ = gm.binarized_digits()
    ours = gm.BernoulliNaiveBayes().fit(xtr, ytr)
    ref = BernoulliNB().fit(xtr, ytr)
    np.testing.assert_allclose(ours.predict_proba(xte), ref.predict_proba(xte), atol=1e-12)


def test_eqn_digits_naive_bayes_nb_log_joint_matches_loop_oracle() -> None:
    X, y = _toy(5, n=4, k=3, N=60)
    m = gm.BernoulliNaiveBayes(alpha=0.7).fit(X, y)
    joint = m.log_joint(X[:10])
    for r in range(10):
        for c, label in enumerate(m.classes_):
            n_y = np.sum(y == label)
            ref = math.log(n_y / len(y))
            for i in range(X.shape[1]):
                t = (np.sum(X[y == label, i]) + 0.7) / (n_y + 1.4)
                ref += math.log(t if X[r, i] == 1 else 1 - t)
            assert math.isclose(joint[r, c], ref, rel_tol=1e-12)
    # p(x, y) sums to one over all 2^n x and all y
    allx = gm.enumerate_binary(4)
    assert abs(np.exp(m.log_joint(allx)).sum() - 1) < 1e-12
    assert abs(np.exp(m.log_marginal(allx)).sum() - 1) < 1e-12


def test_eqn_digits_naive_bayes_linear_reproduces_posterior() -> None:
    from sklearn.utils.extmath import softmax

    for seed in range(4):
        X, y = _toy(seed, n=10, k=5)
        m = gm.BernoulliNaiveBayes().fit(X, y)
        w, b = m.as_linear()
        p = m.predict_proba(X)
        np.testing.assert_allclose(softmax(X @ w.T + b), p, atol=1e-13)
        np.testing.assert_allclose(p.sum(1), 1, atol=1e-13)


def test_eqn_digits_naive_bayes_joint() -> None:
    import itertools

    for n, k in [(1, 2), (3, 4), (5, 10)]:
        cells = len(list(itertools.product(range(k), *[[0, 1]] * n)))
        assert gm.joint_param_count(n, k) == cells - 1
    assert gm.joint_param_count(784, 10) == 10 * 2**784 - 1


def test_eqn_digits_naive_bayes_count() -> None:
    for n, k in [(1, 2), (3, 4), (5, 10)]:
        # one prior over k classes (k − 1 free) and one Bernoulli per (class, pixel)
        m = gm.BernoulliNaiveBayes().fit(*_toy(0, n=n, k=k, N=400))
        assert gm.naive_bayes_param_count(n, k) == (m.class_log_prior_.size - 1) + m.feature_prob_.size
    assert gm.naive_bayes_param_count(784, 10) == 7849


def test_naive_bayes_samples_follow_class_conditionals() -> None:
    X, y = _toy(8)
    m = gm.BernoulliNaiveBayes().fit(X, y)
    draws = m.sample(2, 50_000, np.random.default_rng(0))
    np.testing.assert_allclose(draws.mean(0), m.feature_prob_[2], atol=0.01)
