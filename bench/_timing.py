"""Interleaved paired timing for the benchmark scripts in bench/.

On a shared machine a burst of load that lands while only one side of a comparison is being
timed moves the ratio by a factor of two or more (three runs of an earlier kernels.py, which timed
ours and the peer in separate blocks, gave 0.53, 1.54 and 2.52 for the same kernel). Here the two
sides alternate, A B, B A, A B, … (the order flips every pair so neither side always runs on a
cache the other one just warmed), each pair gives one ratio, and the result is the median of
those ratios with its spread: a burst spoils a few pairs, not one whole side.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


def quantile(xs: list[float], q: float) -> float:
    """The ``q``-quantile of ``xs`` by linear interpolation between order statistics."""
    s = sorted(xs)
    if not s:
        raise ValueError("no samples")
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


@dataclass(frozen=True)
class Paired:
    """Per-pair times of two things timed interleaved, and the per-pair ratios ``b / a``."""

    a: list[float]  # seconds, one sample per pair
    b: list[float]

    @property
    def ratios(self) -> list[float]:
        return [tb / ta for ta, tb in zip(self.a, self.b, strict=True)]

    @property
    def ratio(self) -> float:
        """Median of the paired ratios ``b / a``."""
        return statistics.median(self.ratios)

    def ratio_range(self, lo: float = 0.1, hi: float = 0.9) -> tuple[float, float]:
        """The ``lo``–``hi`` quantiles of the paired ratios (default the 10–90 % range)."""
        r = self.ratios
        return quantile(r, lo), quantile(r, hi)

    @property
    def median_a(self) -> float:
        return statistics.median(self.a)

    @property
    def median_b(self) -> float:
        return statistics.median(self.b)

    def ratio_text(self, digits: int = 2) -> str:
        """``median [p10–p90]`` of the paired ratios, for a table cell."""
        lo, hi = self.ratio_range()
        return f"{self.ratio:.{digits}f} [{lo:.{digits}f}–{hi:.{digits}f}]"


def interleave(sample_a: Callable[[], float], sample_b: Callable[[], float], pairs: int,
               warmup: int = 0) -> Paired:
    """``pairs`` pairs of samples, order A B then B A, alternating; each callable returns one
    measurement in seconds (for things that time themselves, such as a server's reload).
    ``warmup`` pairs come first and are not kept."""
    if pairs < 1:
        raise ValueError("pairs must be positive")
    for _ in range(warmup):
        sample_a()
        sample_b()
    ta, tb = [], []
    for k in range(pairs):
        if k % 2 == 0:
            ta.append(sample_a())
            tb.append(sample_b())
        else:
            tb.append(sample_b())
            ta.append(sample_a())
    return Paired(ta, tb)


def paired(fa: Callable[[], object], fb: Callable[[], object], pairs: int, warmup: int = 2,
           inner: int = 1, clock: Callable[[], float] = time.perf_counter) -> Paired:
    """Time calls of ``fa`` and ``fb`` interleaved (see :func:`interleave`).

    Each sample is the mean of ``inner`` back-to-back calls (raise it for calls too short to
    time one at a time); ``warmup`` calls of each, interleaved too, come first and are not kept.
    """
    if inner < 1:
        raise ValueError("inner must be positive")

    def timer(f: Callable[[], object]) -> Callable[[], float]:
        def sample() -> float:
            t0 = clock()
            for _ in range(inner):
                f()
            return (clock() - t0) / inner
        return sample

    return interleave(timer(fa), timer(fb), pairs, warmup)
