"""blogkit.mitchell against slow oracles (math.frexp loops, struct bit twiddling) and scipy."""

from __future__ import annotations

import math
import struct

import numpy as np
import pytest
from scipy import optimize

from blogkit import mitchell as mt


def oracle_mul(a: float, b: float) -> float:
    """Eq. (mitchell-mul) written out with math.frexp, one pair at a time."""
    m1, e1 = math.frexp(a)
    m2, e2 = math.frexp(b)
    k1, x1, k2, x2 = e1 - 1, 2 * m1 - 1, e2 - 1, 2 * m2 - 1
    if x1 + x2 < 1:
        return math.ldexp(1 + x1 + x2, k1 + k2)
    return math.ldexp(x1 + x2, k1 + k2 + 1)


def oracle_div(a: float, b: float) -> float:
    m1, e1 = math.frexp(a)
    m2, e2 = math.frexp(b)
    k1, x1, k2, x2 = e1 - 1, 2 * m1 - 1, e2 - 1, 2 * m2 - 1
    if x1 >= x2:
        return math.ldexp(1 + x1 - x2, k1 - k2)
    return math.ldexp(2 + x1 - x2, k1 - k2 - 1)


def struct_bitmul(a: float, b: float) -> float:
    """The float32 trick with struct: reinterpret the bytes, add as unsigned integers."""
    ia = struct.unpack("<I", struct.pack("<f", a))[0]
    ib = struct.unpack("<I", struct.pack("<f", b))[0]
    return struct.unpack("<f", struct.pack("<I", ia + ib - 0x3F800000))[0]


GRID = [0.1, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 7.0, 100.0, 1e-5, 12345.678]


@pytest.mark.parametrize("a", GRID)
@pytest.mark.parametrize("b", GRID)
def test_eqn_mitchell_mul_and_div_match_frexp_oracle(a: float, b: float) -> None:
    assert mt.mitchell_mul(np.array([a]), np.array([b]))[0] == oracle_mul(a, b)
    # 2 + (x1 - x2) and (2 + x1) - x2 may round differently in float64: one ulp apart at most
    ours, ref = mt.mitchell_div(np.array([a]), np.array([b]))[0], oracle_div(a, b)
    assert abs(ours - ref) <= np.spacing(ref)


@pytest.mark.parametrize("a", GRID)
@pytest.mark.parametrize("b", GRID)
def test_eqn_mitchell_bits_matches_struct_oracle(a: float, b: float) -> None:
    a32, b32 = np.float32(a), np.float32(b)
    ours = mt.float32_bitmul(np.array([a32]), np.array([b32]))[0]
    assert ours == np.float32(struct_bitmul(float(a32), float(b32)))
    # and it is Mitchell's product of the float32 values, exactly
    assert ours == oracle_mul(float(a32), float(b32))


def test_bit_trick_equals_formula_on_random_normal_float32() -> None:
    rng = np.random.default_rng(1)
    a = np.exp(rng.uniform(-40, 40, 200_000)).astype(np.float32)
    b = np.exp(rng.uniform(-40, 40, 200_000)).astype(np.float32)
    assert np.array_equal(mt.float32_bitmul(a, b), mt.mitchell_mul(a, b))
    assert np.array_equal(mt.float32_bitdiv(a, b), mt.mitchell_div(a, b))


def test_eqn_mitchell_split_and_log() -> None:
    a = np.array([1.0, 1.5, 3.0, 0.375, 1024.0, 1e-300])
    k, x = mt.decompose(a)
    assert np.all((x >= 0) & (x < 1)) and np.all(k == np.round(k))
    np.testing.assert_array_equal(np.ldexp(1 + x, k.astype(int)), a)
    np.testing.assert_array_equal(mt.mitchell_log2(a), k + x)
    # exact at powers of two, below log2 elsewhere
    assert np.all(mt.mitchell_log2(a) <= np.log2(a) + 1e-12)


def test_dtype_is_kept() -> None:
    for dt in (np.float32, np.float64):
        a = np.array([3.0, 5.5], dtype=dt)
        assert mt.mitchell_mul(a, a).dtype == dt and mt.mitchell_div(a, a).dtype == dt
        assert mt.mitchell_log2(a).dtype == dt


def test_rejects_non_positive() -> None:
    with pytest.raises(ValueError):
        mt.mitchell_mul(np.array([-1.0]), np.array([2.0]))
    with pytest.raises(ValueError):
        mt.mitchell_div(np.array([0.0]), np.array([2.0]))


def _random(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return np.exp(rng.uniform(-30, 30, n)), np.exp(rng.uniform(-30, 30, n))


def test_eqn_mitchell_mulerr_bounds_symmetry_and_equivariance() -> None:
    a, b = _random(100_000, 2)
    r = mt.mitchell_mul(a, b) / (a * b) - 1
    assert r.max() <= 1e-15 and r.min() >= -1 / 9 - 1e-15  # never over, at most 1/9 under
    np.testing.assert_array_equal(mt.mitchell_mul(a, b), mt.mitchell_mul(b, a))
    for k in (-7, 1, 12):  # multiplying a by 2^k multiplies the result by 2^k exactly
        np.testing.assert_array_equal(mt.mitchell_mul(np.ldexp(a, k), b),
                                      np.ldexp(mt.mitchell_mul(a, b), k))
    # the closed form of the relative error, from the mantissas alone
    _, x1 = mt.decompose(a)
    _, x2 = mt.decompose(b)
    np.testing.assert_allclose(r, mt.mul_rel_error(x1, x2), atol=1e-15)


def test_exact_when_a_mantissa_is_zero() -> None:
    a, b = _random(1000, 3)
    p = np.ldexp(1.0, np.arange(-20, 20)).repeat(25)[:1000]  # powers of two
    np.testing.assert_array_equal(mt.mitchell_mul(a, p), a * p)
    np.testing.assert_array_equal(mt.mitchell_mul(p, b), p * b)
    np.testing.assert_array_equal(mt.mitchell_div(a, p), a / p)


def test_eqn_mitchell_diverr_bounds() -> None:
    a, b = _random(100_000, 4)
    r = mt.mitchell_div(a, b) / (a / b) - 1
    assert r.min() >= -1e-15 and r.max() <= 1 / 8 + 1e-15
    _, x1 = mt.decompose(a)
    _, x2 = mt.decompose(b)
    np.testing.assert_allclose(r, mt.div_rel_error(x1, x2), atol=1e-15)


def test_worst_cases_found_by_scipy() -> None:
    """An independent optimiser finds the same extrema as the closed forms of the post."""
    bounds = [(0, 1 - 1e-12), (0, 1 - 1e-12)]
    mul = optimize.differential_evolution(lambda z: float(mt.mul_rel_error(z[0], z[1])), bounds,
                                          seed=0, tol=1e-12, polish=True)
    assert abs(-mul.fun - 1 / 9) < 1e-8 and np.allclose(mul.x, [0.5, 0.5], atol=1e-3)
    div = optimize.differential_evolution(lambda z: -float(mt.div_rel_error(z[0], z[1])), bounds,
                                          seed=0, tol=1e-12, polish=True)
    # attained at (0, 1/2); approached again as x1 -> 1, which is x1 = 0 of the next octave
    assert abs(-div.fun - 1 / 8) < 1e-8
    assert np.allclose(div.x, [0.0, 0.5], atol=1e-3) or np.allclose(div.x, [1.0, 0.5], atol=1e-3)
    log = optimize.minimize_scalar(lambda x: -float(mt.log_error(x)), bounds=(0, 1),
                                   method="bounded", options={"xatol": 1e-12})
    assert abs(log.x - mt.LOG_ERROR_ARGMAX) < 1e-6
    assert abs(-log.fun - float(mt.log_error(1 / math.log(2) - 1))) < 1e-12


def test_eqn_mitchell_logmax_closed_form() -> None:
    c = 1 / math.log(2)
    assert math.isclose(float(mt.log_error(mt.LOG_ERROR_ARGMAX)), math.log2(c) - c + 1,
                        rel_tol=1e-14)
    x = np.linspace(0, 1, 10001)
    assert mt.log_error(x).min() >= -1e-16  # the chord never exceeds log2(1+x)


def test_eqn_mitchell_diverr_second_case_argument() -> None:
    """The post's argument for the 1/8: for fixed x2 the case x1 < x2 decreases in x1, so its
    maximum is at x1 = 0, where it is x2(1 - x2)/2, largest at x2 = 1/2."""
    for x2 in np.linspace(0.05, 0.95, 19):
        x1 = np.linspace(0, x2, 200, endpoint=False)
        r = mt.div_rel_error(x1, np.full_like(x1, x2))
        assert np.all(np.diff(r) < 0)
        assert math.isclose(float(r[0]), x2 * (1 - x2) / 2, rel_tol=1e-14)
    # the division itself, not only the closed form: a = 1, b = 1.5
    assert mt.mitchell_div(np.array([1.0]), np.array([1.5]))[0] / (1 / 1.5) - 1 == 0.125


def test_eqn_mitchell_benford() -> None:
    """Mantissas of 2^U, U uniform over whole octaves, follow p(x) = 1/((1+x) ln 2)."""
    from scipy import integrate, stats

    for t in (0.1, 0.5, 0.9, 1.0):
        mass, _ = integrate.quad(lambda x: float(mt.benford_density(x)), 0, t)
        assert math.isclose(mass, math.log2(1 + t), rel_tol=1e-12)
    rng = np.random.default_rng(5)
    _, x = mt.decompose(np.exp2(rng.uniform(-9, 9, 50_000)))
    assert stats.kstest(x, lambda t: np.log2(1 + t)).pvalue > 1e-3
    assert stats.kstest(x, "uniform").pvalue < 1e-20  # and they are far from uniform


@pytest.mark.parametrize("op", ["mul", "div"])
@pytest.mark.parametrize("benford", [False, True])
def test_eqn_mitchell_meanerr_against_scipy_dblquad(op: str, benford: bool) -> None:
    from scipy import integrate

    err = mt.mul_rel_error if op == "mul" else mt.div_rel_error
    dens = mt.benford_density if benford else (lambda x: np.ones_like(np.asarray(x, float)))
    # the boundary between the two cases, as x2 = h(x1)
    h = (lambda x: 1 - x) if op == "mul" else (lambda x: x)

    def f(y: float, x: float) -> float:
        return float(err(x, y) * dens(x) * dens(y))

    lower, _ = integrate.dblquad(f, 0, 1, 0, h, epsabs=1e-13, epsrel=1e-12)
    upper, _ = integrate.dblquad(f, 0, 1, h, 1, epsabs=1e-13, epsrel=1e-12)
    first, second = mt.mean_rel_error(op, mt.benford_density if benford else None)
    # case 1 lies between x2 = 0 and the boundary for both operations
    assert math.isclose(first, lower, rel_tol=1e-10) and math.isclose(second, upper, rel_tol=1e-10)


@pytest.mark.parametrize("benford", [False, True])
def test_mean_error_matches_monte_carlo_products(benford: bool) -> None:
    """Quadrature against sampled Mitchell products (not the closed-form error)."""
    rng = np.random.default_rng(11)
    n = 400_000
    if benford:
        a, b = np.exp2(rng.uniform(-15, 15, n)), np.exp2(rng.uniform(-15, 15, n))
    else:
        a, b = 1 + rng.uniform(0, 1, n), 1 + rng.uniform(0, 1, n)
    for op, exact, approx in (("mul", a * b, mt.mitchell_mul(a, b)),
                              ("div", a / b, mt.mitchell_div(a, b))):
        r = approx / exact - 1
        quad = sum(mt.mean_rel_error(op, mt.benford_density if benford else None))
        assert abs(r.mean() - quad) < 5 * r.std() / math.sqrt(n)


def test_mean_rel_error_rejects_unknown_op() -> None:
    with pytest.raises(ValueError):
        mt.mean_rel_error("add")  # type: ignore[arg-type]
