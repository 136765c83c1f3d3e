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
    hmm = pytest.importorskip("hmmlearn.hmm")
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
