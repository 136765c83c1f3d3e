"""blogkit.posenc against python-loop oracles, closed forms, scipy's matrix exponential, numpy's
complex exponentials and rotary-embedding-torch (implementations nobody here wrote).

``transformers`` is not installed in this environment (and is not installed for this test), so
T5's bucketing is checked against a pure-python port of T5's ``_relative_position_bucket``
written from its published formula, and the sinusoidal encoding is cross-checked by two
independent routes: ``numpy.exp(1j * k * w)`` (imaginary part = even features, real part = odd
features) and the rotation arithmetic of rotary-embedding-torch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import torch

from blogkit import posenc

# ----------------------------------------------------------------------------------------------
# Oracles
# ----------------------------------------------------------------------------------------------


def loop_sinusoidal(n: int, d: int, base: float = 10000.0) -> list[list[float]]:
    """p[k][2i] = sin(k / base^(2i/d)), p[k][2i+1] = cos(k / base^(2i/d)), one entry at a time."""
    p = [[0.0] * d for _ in range(n)]
    for k in range(n):
        for i in range(d // 2):
            angle = k / base ** (2 * i / d)
            p[k][2 * i] = math.sin(angle)
            p[k][2 * i + 1] = math.cos(angle)
    return p


def t5_bucket_port(relative_position: int, bidirectional: bool = True, num_buckets: int = 32,
                   max_distance: int = 128) -> int:
    """Pure-python port of T5's ``_relative_position_bucket`` (mesh-tensorflow), line by line:

        ret = 0; n = -relative_position
        if bidirectional: num_buckets //= 2; ret += (n < 0) * num_buckets; n = abs(n)
        else: n = max(n, 0)
        max_exact = num_buckets // 2; is_small = n < max_exact
        val_if_large = max_exact + int(log(n / max_exact) / log(max_distance / max_exact)
                                       * (num_buckets - max_exact))
        val_if_large = min(val_if_large, num_buckets - 1)
        ret += n if is_small else val_if_large
    """
    ret = 0
    n = -relative_position
    if bidirectional:
        num_buckets //= 2
        ret += int(n < 0) * num_buckets
        n = abs(n)
    else:
        n = max(n, 0)
    max_exact = num_buckets // 2
    if n < max_exact:
        return ret + n
    val_if_large = max_exact + int(math.log(n / max_exact) / math.log(max_distance / max_exact)
                                   * (num_buckets - max_exact))
    return ret + min(val_if_large, num_buckets - 1)


def t5_bucket_float32(rel: torch.Tensor, bidirectional: bool, num_buckets: int,
                      max_distance: int) -> torch.Tensor:
    """The same formula evaluated the way T5's tensor implementations do: the log in float32."""
    n = -rel
    ret = torch.zeros_like(n)
    if bidirectional:
        num_buckets //= 2
        ret += (n < 0).long() * num_buckets
        n = n.abs()
    else:
        n = torch.clamp(n, min=0)
    max_exact = num_buckets // 2
    large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).long()
    large = torch.clamp(large, max=num_buckets - 1)
    return ret + torch.where(n < max_exact, n, large)


def rand(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


# ----------------------------------------------------------------------------------------------
# Sinusoidal encoding
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "d"), [(1, 2), (7, 4), (50, 16), (33, 64), (200, 10)])
@pytest.mark.parametrize("base", [10000.0, 100.0])
def test_eqn_posenc_survey_sin_matches_loop_oracle(n: int, d: int, base: float) -> None:
    got = posenc.sinusoidal_positions(n, d, base=base)
    assert got.shape == (n, d) and got.dtype == torch.float64
    expected = torch.tensor(loop_sinusoidal(n, d, base), dtype=torch.float64)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_sinusoidal_keeps_dtype_and_rejects_odd_d() -> None:
    p32 = posenc.sinusoidal_positions(10, 8, dtype=torch.float32)
    assert p32.dtype == torch.float32
    torch.testing.assert_close(p32.double(), posenc.sinusoidal_positions(10, 8), rtol=0, atol=1e-6)
    assert posenc.sinusoidal_encode(torch.tensor([3.0], dtype=torch.float32), 4).dtype == torch.float64
    with pytest.raises(ValueError, match="even"):
        posenc.sinusoidal_positions(4, 7)
    # negative positions: sin is odd, cos is even
    pos = posenc.sinusoidal_encode(torch.arange(1, 6), 8)
    neg = posenc.sinusoidal_encode(-torch.arange(1, 6), 8)
    torch.testing.assert_close(neg[:, 0::2], -pos[:, 0::2], rtol=0, atol=1e-15)
    torch.testing.assert_close(neg[:, 1::2], pos[:, 1::2], rtol=0, atol=1e-15)


@pytest.mark.parametrize(("n", "d"), [(64, 32), (300, 128)])
def test_eqn_posenc_survey_sin_via_complex_exponentials(n: int, d: int) -> None:
    """Independent route: the encoding is (Im, Re) of e^{i k w_i}, computed by numpy in complex128."""
    w = np.power(10000.0, -np.arange(0, d, 2) / d)
    z = np.exp(1j * np.arange(n)[:, None] * w[None, :])  # (n, d/2)
    expected = np.empty((n, d))
    expected[:, 0::2], expected[:, 1::2] = z.imag, z.real
    np.testing.assert_allclose(posenc.sinusoidal_positions(n, d).numpy(), expected, rtol=0, atol=1e-12)


def test_sinusoidal_against_rotary_embedding_torch() -> None:
    """rotary-embedding-torch (a peer package): its default frequencies are ours (it computes them
    in float32), and rotating p_0 = (0, 1, 0, 1, ...) back by k with its apply_rotary_emb gives p_k,
    i.e. p_k = M_k p_0 with M_k = R_{-k}."""
    from rotary_embedding_torch import RotaryEmbedding, apply_rotary_emb

    d, n = 64, 40
    ours = posenc.sinusoidal_freqs(d)
    theirs = RotaryEmbedding(d).freqs.detach()
    torch.testing.assert_close(theirs.double(), ours, rtol=1e-6, atol=0)
    rot = RotaryEmbedding(d, custom_freqs=ours)
    angles = rot(-torch.arange(n, dtype=torch.float64))  # (n, d): angle -k w_i, repeated per pair
    p0 = torch.tensor([0.0, 1.0], dtype=torch.float64).repeat(d // 2).expand(n, d)
    torch.testing.assert_close(apply_rotary_emb(angles, p0), posenc.sinusoidal_positions(n, d),
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize(("n", "d"), [(40, 8), (128, 64)])
def test_eqn_posenc_survey_dot_depends_on_delta_only(n: int, d: int) -> None:
    p = posenc.sinusoidal_positions(n, d)
    gram = p @ p.T  # gram[k, k + Δ] = <p_k, p_{k+Δ}>
    assert posenc.toeplitz_defect(gram) < 1e-12
    delta = torch.arange(n)[None, :] - torch.arange(n)[:, None]
    torch.testing.assert_close(gram, posenc.sinusoidal_dot(delta, d), rtol=0, atol=1e-12)
    # far away k: the same numbers (position 10^5 loses a few digits of the angle)
    far = posenc.sinusoidal_encode(torch.tensor([100_000, 100_007]), d)
    assert abs((far[0] @ far[1]).item() - posenc.sinusoidal_dot(7.0, d).item()) < 1e-9


def test_sinusoidal_dot_is_even_and_maximal_at_zero() -> None:
    d = 32
    delta = torch.arange(1, 400, dtype=torch.float64)
    torch.testing.assert_close(posenc.sinusoidal_dot(delta, d), posenc.sinusoidal_dot(-delta, d),
                               rtol=0, atol=1e-13)
    assert posenc.sinusoidal_dot(0.0, d).item() == pytest.approx(d / 2, abs=1e-13)
    assert (posenc.sinusoidal_dot(delta, d) < d / 2).all()


@pytest.mark.parametrize("delta", [0, 1, 5, -3, 37.5, 1000])
@pytest.mark.parametrize("d", [2, 16, 64])
def test_eqn_posenc_survey_shift(delta: float, d: int) -> None:
    m = posenc.sinusoidal_shift_matrix(delta, d)
    eye = torch.eye(d, dtype=torch.float64)
    torch.testing.assert_close(m.T @ m, eye, rtol=0, atol=1e-14)  # orthogonal
    assert torch.linalg.det(m).item() == pytest.approx(1.0, abs=1e-12)  # a rotation
    pos = torch.arange(0, 60, dtype=torch.float64)
    p = posenc.sinusoidal_encode(pos, d)
    p_shift = posenc.sinusoidal_encode(pos + delta, d)
    torch.testing.assert_close(p @ m.T, p_shift, rtol=0, atol=1e-12)  # p_{k+Δ} = M_Δ p_k for all k
    # scipy: M_Δ = expm(Δ A) with A block diagonal [[0, w_i], [-w_i, 0]]
    a = np.zeros((d, d))
    for i, w in enumerate(posenc.sinusoidal_freqs(d).tolist()):
        a[2 * i, 2 * i + 1], a[2 * i + 1, 2 * i] = w, -w
    np.testing.assert_allclose(m.numpy(), scipy.linalg.expm(delta * a), rtol=0, atol=1e-10)


def test_shift_matrices_compose() -> None:
    d = 16
    m = posenc.sinusoidal_shift_matrix
    torch.testing.assert_close(m(3, d) @ m(11, d), m(14, d), rtol=0, atol=1e-14)
    torch.testing.assert_close(m(-7, d), m(7, d).T, rtol=0, atol=1e-15)


def test_toeplitz_defect() -> None:
    t = torch.tensor([[1.0, 2.0, 3.0], [4.0, 1.0, 2.0], [5.0, 4.0, 1.0]])
    assert posenc.toeplitz_defect(t) == 0.0
    t[2, 2] = 1.5
    assert posenc.toeplitz_defect(t) == 0.5


# ----------------------------------------------------------------------------------------------
# T5 buckets
# ----------------------------------------------------------------------------------------------

T5_GRID = [(nb, md, bi) for nb in (8, 16, 32, 64) for md in (40, 128, 256) for bi in (True, False)]
REL = torch.arange(-300, 301)


@pytest.mark.parametrize(("num_buckets", "max_distance", "bidirectional"), T5_GRID)
def test_eqn_posenc_survey_bucket_matches_t5_port(num_buckets: int, max_distance: int,
                                                  bidirectional: bool) -> None:
    got = posenc.t5_bucket(REL, bidirectional, num_buckets, max_distance)
    assert got.dtype == torch.long
    expected = [t5_bucket_port(r, bidirectional, num_buckets, max_distance) for r in REL.tolist()]
    assert got.tolist() == expected
    # the float32 evaluation of the reference tensor code gives the same ids on this grid
    assert torch.equal(got, t5_bucket_float32(REL, bidirectional, num_buckets, max_distance))
    # python ints in, python ints out
    for r in (-300, -9, 0, 4, 129, 300):
        out = posenc.t5_bucket(r, bidirectional, num_buckets, max_distance)
        assert isinstance(out, int) and out == t5_bucket_port(r, bidirectional, num_buckets,
                                                               max_distance)


@pytest.mark.parametrize(("num_buckets", "max_distance", "bidirectional"), T5_GRID)
def test_t5_bucket_monotone_and_saturating(num_buckets: int, max_distance: int,
                                           bidirectional: bool) -> None:
    b = posenc.t5_bucket(REL, bidirectional, num_buckets, max_distance)
    assert ((b >= 0) & (b < num_buckets)).all()
    neg = b[REL <= 0].flip(0)  # rel = 0, -1, -2, ...: |rel| increasing
    assert (neg.diff() >= 0).all()
    half = num_buckets // 2 if bidirectional else num_buckets
    top = half - 1  # the last bucket of the non-positive side
    assert (b[REL <= -max_distance] == top).all() and neg.max().item() == top
    assert neg[: half // 2].tolist() == list(range(half // 2))  # the first max_exact are exact
    if bidirectional:
        pos = b[REL > 0]  # rel = 1, 2, ...: |rel| increasing
        assert (pos.diff() >= 0).all()
        assert (b[REL >= max_distance] == num_buckets // 2 + top).all()


@pytest.mark.parametrize("num_buckets", [8, 32, 33])
def test_t5_bucket_sign_split(num_buckets: int) -> None:
    b = posenc.t5_bucket(REL, True, num_buckets, 128)
    half = num_buckets // 2
    assert (b[REL > 0] >= half).all() and (b[REL <= 0] < half).all()
    assert posenc.t5_bucket(0, True, num_buckets) == 0
    # rel = 0 takes bucket 0, so the first bucket of the upper half (offset + 0) is never used
    assert half not in b.tolist() and len(torch.unique(b)) == 2 * half - 1
    uni = posenc.t5_bucket(REL, False, num_buckets, 128)
    assert (uni[REL >= 0] == 0).all()  # every key after the query shares bucket 0
    assert torch.equal(uni[REL < 0] > 0, torch.ones_like(uni[REL < 0], dtype=torch.bool))


def test_t5_bucket_rejects_bad_input() -> None:
    with pytest.raises(TypeError):
        posenc.t5_bucket(torch.tensor([1.0]))
    with pytest.raises(ValueError):
        posenc.t5_bucket(torch.tensor([1]), True, 32, 8)  # max_distance <= max_exact
    with pytest.raises(ValueError):
        posenc.t5_bucket(torch.tensor([1]), True, 2, 128)  # no exact bucket


# ----------------------------------------------------------------------------------------------
# The four terms and the relative schemes, against per-entry loops
# ----------------------------------------------------------------------------------------------

L, DM, DH = 9, 6, 4


def test_eqn_posenc_survey_expand() -> None:
    x, p, wq, wk = rand(L, DM, seed=1), rand(L, DM, seed=2), rand(DM, DH, seed=3), rand(DM, DH, seed=4)
    terms = posenc.expand_logits(x, p, wq, wk)
    full = posenc.absolute_logits(x, p, wq, wk)
    torch.testing.assert_close(sum(terms), full, rtol=0, atol=1e-12)
    a = wq @ wk.T
    for i in range(L):
        for j in range(L):
            assert full[i, j].item() == pytest.approx(((x[i] + p[i]) @ a @ (x[j] + p[j])).item(), abs=1e-12)
            assert terms[1][i, j].item() == pytest.approx((x[i] @ a @ p[j]).item(), abs=1e-12)
            assert terms[2][i, j].item() == pytest.approx((p[i] @ a @ x[j]).item(), abs=1e-12)


def test_shaw_clip() -> None:
    assert [posenc.shaw_clip(r, 3) for r in (-10, -3, -1, 0, 2, 3, 50)] == [-3, -3, -1, 0, 2, 3, 3]
    assert posenc.shaw_clip(torch.arange(-5, 6), 2).tolist() == [-2] * 4 + [-1, 0, 1] + [2] * 4
    with pytest.raises(ValueError):
        posenc.shaw_clip(1, -1)


def test_eqn_posenc_survey_shaw() -> None:
    k = 3
    x, wq, wk = rand(L, DM, seed=5), rand(DM, DH, seed=6), rand(DM, DH, seed=7)
    tab = rand(2 * k + 1, DH, seed=8)
    got = posenc.shaw_logits(x, wq, wk, tab, k)
    for i in range(L):
        for j in range(L):
            r = tab[max(-k, min(k, j - i)) + k]
            assert got[i, j].item() == pytest.approx(((x[i] @ wq) @ (x[j] @ wk + r)).item(), abs=1e-12)


def test_eqn_posenc_survey_xlnet() -> None:
    x, wq, wk, wkr = rand(L, DM, seed=9), rand(DM, DH, seed=10), rand(DM, DH, seed=11), rand(DM, DH, seed=12)
    u, v = rand(DH, seed=13), rand(DH, seed=14)
    got = posenc.xlnet_logits(x, wq, wk, wkr, u, v)
    for i in range(L):
        for j in range(L):
            r = torch.tensor(loop_sinusoidal(abs(i - j) + 1, DM)[abs(i - j)], dtype=torch.float64)
            if i < j:  # R_{i-j} of a negative position: sin odd, cos even
                r[0::2] = -r[0::2]
            want = (x[i] @ wq @ wk.T @ x[j] + x[i] @ wq @ wkr.T @ r + u @ wk.T @ x[j] + v @ wkr.T @ r)
            assert got[i, j].item() == pytest.approx(want.item(), abs=1e-12)


def test_eqn_posenc_survey_t5() -> None:
    x, wq, wk, bias = rand(L, DM, seed=15), rand(DM, DH, seed=16), rand(DM, DH, seed=17), rand(8, seed=18)
    for bidirectional in (True, False):
        got = posenc.t5_logits(x, wq, wk, bias, bidirectional, max_distance=6)
        for i in range(L):
            for j in range(L):
                want = (x[i] @ wq) @ (x[j] @ wk) + bias[t5_bucket_port(j - i, bidirectional, 8, 6)]
                assert got[i, j].item() == pytest.approx(want.item(), abs=1e-12)


def test_deberta_delta() -> None:
    k = 3
    for r in range(-8, 9):
        want = 0 if r <= -k else (2 * k - 1 if r >= k else r + k)
        assert posenc.deberta_delta(torch.tensor(r), k).item() == want


def test_eqn_posenc_survey_deberta() -> None:
    k = 3
    x, wq, wk = rand(L, DM, seed=19), rand(DM, DH, seed=20), rand(DM, DH, seed=21)
    wqr, wkr, tab = rand(DM, DH, seed=22), rand(DM, DH, seed=23), rand(2 * k, DM, seed=24)
    got = posenc.deberta_logits(x, wq, wk, wqr, wkr, tab, k)

    def delta(a: int, b: int) -> int:
        return min(max(a - b + k, 0), 2 * k - 1)

    for i in range(L):
        for j in range(L):
            want = ((x[i] @ wq) @ (x[j] @ wk) + (x[i] @ wq) @ (tab[delta(i, j)] @ wkr)
                    + (x[j] @ wk) @ (tab[delta(j, i)] @ wqr))
            assert got[i, j].item() == pytest.approx(want.item(), abs=1e-12)


def test_relative_schemes_see_only_j_minus_i() -> None:
    """The same token at every position: relative schemes give Toeplitz logits, absolute ones do not."""
    n, k = 24, 4
    x = rand(1, DM, seed=25).expand(n, DM)
    wq, wk, wr, wr2 = (rand(DM, DH, seed=s) for s in (26, 27, 28, 29))
    rel = [posenc.shaw_logits(x, wq, wk, rand(2 * k + 1, DH, seed=30), k),
           posenc.xlnet_logits(x, wq, wk, wr, rand(DH, seed=31), rand(DH, seed=32)),
           posenc.t5_logits(x, wq, wk, rand(32, seed=33)),
           posenc.deberta_logits(x, wq, wk, wr, wr2, rand(2 * k, DM, seed=34), k)]
    for s in rel:
        assert posenc.toeplitz_defect(s) < 1e-12
    learned = posenc.absolute_logits(x, rand(n, DM, seed=35), wq, wk)
    sinus = posenc.absolute_logits(x, posenc.sinusoidal_positions(n, DM), wq, wk)
    assert posenc.toeplitz_defect(learned) > 0.1 and posenc.toeplitz_defect(sinus) > 0.1


# ----------------------------------------------------------------------------------------------
# ALiBi
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("h", [1, 2, 4, 8, 16, 32])
def test_alibi_slopes(h: int) -> None:
    s = posenc.alibi_slopes(h)
    expected = [2.0 ** (-8 * (t + 1) / h) for t in range(h)]
    assert s.tolist() == pytest.approx(expected, rel=1e-15)
    assert s[-1].item() == 2.0 ** -8  # the last head always gets 1/256
    if h > 1:
        torch.testing.assert_close(s[1:] / s[:-1], torch.full((h - 1,), s[0].item(), dtype=torch.float64),
                                   rtol=1e-14, atol=0)  # geometric, ratio = first slope
    if h == 8:
        assert s.tolist() == [math.ldexp(1.0, -t) for t in range(1, 9)]


def test_alibi_rejects_other_head_counts() -> None:
    for h in (0, 3, 12):
        with pytest.raises(ValueError):
            posenc.alibi_slopes(h)


# ----------------------------------------------------------------------------------------------
# Eq. (posenc-survey-saturate) and the scores of the fusion section
# ----------------------------------------------------------------------------------------------


SATURATE_GRID = [(nb, dmax, bi) for nb in (8, 16, 32, 64, 128) for dmax in (20, 64, 128, 300, 1000)
                 for bi in (True, False) if dmax > (nb // 2 if bi else nb) // 2]


@pytest.mark.parametrize(("num_buckets", "max_distance", "bidirectional"), SATURATE_GRID)
def test_eqn_posenc_survey_saturate_matches_t5_port(num_buckets: int, max_distance: int,
                                                   bidirectional: bool) -> None:
    per_dir = num_buckets // 2 if bidirectional else num_buckets
    top = per_dir - 1
    # scan T5's own formula (the line-by-line port), keys before the query: j - i = -n
    first = next(n for n in range(0, 10 * max_distance)
                 if t5_bucket_port(-n, bidirectional, num_buckets, max_distance) == top)
    assert posenc.t5_saturation_distance(num_buckets, max_distance, bidirectional) == first
    assert first <= max_distance
    # every distance from there on stays in the last bucket
    assert all(t5_bucket_port(-n, bidirectional, num_buckets, max_distance) == top
               for n in range(first, first + 3 * max_distance))


def test_saturation_at_max_distance_with_one_log_bucket_less() -> None:
    """The post's remark: with N - N_e - 1 in place of N - N_e the last bucket starts at D."""
    for per_dir, dmax in [(16, 128), (32, 512), (8, 64)]:
        exact = per_dir // 2

        def bucket(n: int, per_dir: int = per_dir, dmax: int = dmax, exact: int = exact) -> int:
            if n < exact:
                return n
            large = exact + int(math.log(n / exact) / math.log(dmax / exact) * (per_dir - exact - 1))
            return min(large, per_dir - 1)

        first = next(n for n in range(4 * dmax) if bucket(n) == per_dir - 1)
        assert first == dmax
        assert posenc.t5_saturation_distance(2 * per_dir, dmax) < dmax  # T5's own formula: earlier


def test_t5_saturation_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        posenc.t5_saturation_distance(2, 128)
    with pytest.raises(ValueError):
        posenc.t5_saturation_distance(32, 8)


@pytest.mark.parametrize(("n", "d"), [(1, 2), (10, 8), (40, 64)])
def test_sinusoidal_by_rotation_equals_the_table(n: int, d: int) -> None:
    torch.testing.assert_close(posenc.sinusoidal_by_rotation(n, d),
                               torch.tensor(loop_sinusoidal(n, d), dtype=torch.float64),
                               rtol=0, atol=1e-12)


def test_eqn_posenc_survey_rotate_additive_and_rotary_scores_against_loops() -> None:
    n, d = 12, 8
    q, k = rand(d, seed=40), rand(d, seed=41)
    p = torch.tensor(loop_sinusoidal(n, d), dtype=torch.float64)
    add = posenc.additive_scores(q, k, p)
    for m in range(n):
        for j in range(n):
            want = math.fsum((q[a] + p[m, a]).item() * (k[a] + p[j, a]).item() for a in range(d))
            assert add[m, j].item() == pytest.approx(want, rel=1e-12, abs=1e-12)
    # rotation through numpy's complex exponentials: pairs (2i, 2i+1) as complex numbers
    theta = 10000.0 ** (-2 * np.arange(d // 2) / d)
    qc = q.numpy()[0::2] + 1j * q.numpy()[1::2]
    kc = k.numpy()[0::2] + 1j * k.numpy()[1::2]
    rot = posenc.rotary_scores(q, k, n)
    for m in range(n):
        for j in range(n):
            lhs = np.real(np.sum(qc * np.exp(1j * m * theta) * np.conj(kc * np.exp(1j * j * theta))))
            rhs = np.real(np.sum(qc * np.conj(kc) * np.exp(1j * (m - j) * theta)))  # as displayed
            assert rot[m, j].item() == pytest.approx(lhs, rel=1e-12, abs=1e-12)
            assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)
    assert posenc.toeplitz_defect(rot) < 1e-12 and posenc.toeplitz_defect(add) > 0.1
