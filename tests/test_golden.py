"""The golden-output comparison: rounding noise passes, real drift and text changes fail."""

from __future__ import annotations

import pytest

from blogkit.golden import compare, normalise


def test_normalise_drops_svg_bodies_and_trailing_space() -> None:
    out = normalise('<figure class="bk-figure"><svg a="1"><path d="M 0 0"/></svg></figure>  \n\n')
    assert out == '<figure class="bk-figure"><svg/></figure>\n'


@pytest.mark.parametrize(("old", "new"), [
    ("| 0.111111 |", "| 0.111112 |"),  # last printed digit
    ("max err 1.0000e-03", "max err 1.0001e-03"),  # within rtol
    ("x = 2.25", "x = 2.25"),
    ("loss 0.693147", "loss 0.693148"),
    ("max |Δ| 1.7e-16", "max |Δ| 4.4e-16"),  # both round-off residues (another BLAS kernel)
    ("误差 8.3e-17 | 0.25", "误差 0.0e+00 | 0.25"),
])
def test_rounding_noise_passes(old: str, new: str) -> None:
    assert compare(old, new) == []


@pytest.mark.parametrize(("old", "new", "why"), [
    ("| 0.111111 |", "| 0.111150 |", "tolerance"),  # a drift of 35 units in the last place
    ("err 3.85%", "err 3.95%", "tolerance"),
    ("最大误差 1/9", "最大误差 1/8", "tolerance"),
    ("精确相等", "近似相等", "text differs"),
    ("a\nb", "a", "line count"),
    ("max |Δ| 1.7e-16", "max |Δ| 3.0e-09", "tolerance"),  # no longer exact: a real change
    ("eps 5.0e-12", "eps 9.0e-12", "tolerance"),  # above the round-off floor the usual rule
])
def test_drift_fails(old: str, new: str, why: str) -> None:
    problems = compare(old, new)
    assert problems and why in problems[0].why
