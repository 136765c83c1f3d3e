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
  co-occurrence counts and its least-squares factorisation.

Everything is numpy and the standard library; log-probabilities are natural logarithms.
"""

from __future__ import annotations

import itertools
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
    "bigram_logp",
    "dict_char_stats",
    "jieba_dict_path",
    "lambda_crossover",
    "path_logp",
    "unigram_logp",
    "viterbi",
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


