"""blogkit.rope against dense matrices, per-position loops, complex numbers and
rotary-embedding-torch (an implementation nobody here wrote)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from blogkit import rope


def slow_rope(x: torch.Tensor, positions: torch.Tensor, base: float = 10000.0) -> torch.Tensor:
    """Oracle: the dense block-diagonal matrix R_m of Eq. (rope-block), one position at a time."""
    out = torch.empty_like(x)
    for j, m in enumerate(positions.tolist()):
        out[..., j, :] = x[..., j, :] @ rope.rope_matrix(m, x.shape[-1], base, x.dtype).T
    return out


@pytest.mark.parametrize("d", [2, 8, 32])
@pytest.mark.parametrize("base", [10000.0, 500.0])
@pytest.mark.parametrize("layout", ["interleaved", "half"])
def test_eqn_rope_fast_matches_dense_matrices(d: int, base: float, layout: str) -> None:
    gen = torch.Generator().manual_seed(d)
    x = torch.randn(2, 3, 7, d, generator=gen, dtype=torch.float64)  # (B, H, L, d)
    pos = torch.tensor([0, 1, 2, 5, 17, 100, 4095])
    perm = rope.interleaved_to_half_perm(d)
    if layout == "interleaved":
        expected = slow_rope(x, pos, base)
        got = rope.apply_rope(x, pos, base)
    else:  # half layout == interleaved after the permutation, Eq. (rope-perm)
        inv = torch.argsort(perm)
        expected = slow_rope(x[..., inv], pos, base)[..., perm]
        got = rope.apply_rope(x, pos, base, layout="half")
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_eqn_rope_theta() -> None:
    d = 16
    theta = rope.rope_freqs(d)
    expected = torch.tensor([10000.0 ** (-2 * i / d) for i in range(d // 2)], dtype=torch.float64)
    torch.testing.assert_close(theta, expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize(("m", "n"), [(0, 0), (3, 11), (11, 3), (250, 1000), (-5, 7)])
def test_eqn_rope_2d_relative_identity(m: int, n: int) -> None:
    d = 12
    lhs = rope.rope_matrix(m, d).T @ rope.rope_matrix(n, d)
    torch.testing.assert_close(lhs, rope.rope_matrix(n - m, d), rtol=0, atol=1e-12)
    r = rope.rope_matrix(m, d)
    torch.testing.assert_close(r.T @ r, torch.eye(d, dtype=torch.float64), rtol=0, atol=1e-14)


@pytest.mark.parametrize("shift", [1, 37, 1000])
@pytest.mark.parametrize("d", [4, 64])
def test_scores_are_shift_invariant(shift: int, d: int) -> None:
    gen = torch.Generator().manual_seed(shift + d)
    q = torch.randn(20, d, generator=gen, dtype=torch.float64)
    k = torch.randn(20, d, generator=gen, dtype=torch.float64)
    pos = torch.randint(0, 500, (20,), generator=gen)
    s0 = rope.apply_rope(q, pos) @ rope.apply_rope(k, pos).T
    s1 = rope.apply_rope(q, pos + shift) @ rope.apply_rope(k, pos + shift).T
    torch.testing.assert_close(s0, s1, rtol=0, atol=1e-10)


def test_constant_vectors_give_a_toeplitz_matrix_and_norms_are_kept() -> None:
    gen = torch.Generator().manual_seed(3)
    L, d = 24, 16
    q, k = torch.randn(d, generator=gen, dtype=torch.float64), torch.randn(d, generator=gen,
                                                                             dtype=torch.float64)
    Q = rope.apply_rope(q.expand(L, d), torch.arange(L))
    K = rope.apply_rope(k.expand(L, d), torch.arange(L))
    S = Q @ K.T
    for off in range(-L + 1, L):
        diag = torch.diagonal(S, off)
        assert (diag.max() - diag.min()).item() < 1e-12
    torch.testing.assert_close(Q.norm(dim=-1), q.norm().expand(L), rtol=1e-14, atol=0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_eqn_rope_complex_matches_dense_matrices(dtype: torch.dtype) -> None:
    gen = torch.Generator().manual_seed(4)
    L, d = 9, 10
    x = torch.randn(3, L, d, generator=gen, dtype=torch.float64)
    pos = torch.tensor([0, 1, 2, 3, 50, 51, 400, 999, 4096])
    got = rope.apply_rope_complex(x.to(dtype), pos)
    assert got.dtype == dtype and got.shape == x.shape
    tol = 1e-12 if dtype == torch.float64 else 1e-4
    torch.testing.assert_close(got.double(), slow_rope(x, pos), rtol=0, atol=tol)


def _py_pairs(x: torch.Tensor) -> list[complex]:
    v = x.tolist()
    return [complex(v[2 * i], v[2 * i + 1]) for i in range(len(v) // 2)]


@pytest.mark.parametrize(("m", "n"), [(0, 0), (3, 11), (11, 3), (500, 7), (-4, 90)])
@pytest.mark.parametrize("d", [2, 16, 64])
def test_eqn_rope_score_as_written(m: int, n: int, d: int) -> None:
    """Re Σ h_i e^{i(m-n)θ_i}: the post's sum with Python complex numbers, against dense matrices."""
    gen = torch.Generator().manual_seed(d + m)
    q = torch.randn(d, generator=gen, dtype=torch.float64)
    k = torch.randn(d, generator=gen, dtype=torch.float64)
    dense = (rope.rope_matrix(m, d) @ q) @ (rope.rope_matrix(n, d) @ k)
    theta = [10000.0 ** (-2 * i / d) for i in range(d // 2)]
    h = [a * b.conjugate() for a, b in zip(_py_pairs(q), _py_pairs(k), strict=True)]
    as_written = sum(hi * complex(math.cos((m - n) * t), math.sin((m - n) * t))
                     for hi, t in zip(h, theta, strict=True)).real
    assert math.isclose(dense.item(), as_written, rel_tol=1e-10, abs_tol=1e-10)
    assert math.isclose(rope.rope_score_sum(q, k, m, n).item(), dense.item(), rel_tol=1e-10, abs_tol=1e-10)
    got_h = rope.rope_pair_products(q, k)
    assert max(abs(complex(a) - b) for a, b in zip(got_h.tolist(), h, strict=True)) < 1e-14
    if m != n and d > 2:  # the opposite sign in the exponent gives another number
        flipped = rope.rope_score_sum(q, k, n, m).item()
        assert abs(flipped - dense.item()) > 1e-6


@pytest.mark.parametrize("r", [0, 1, -7, 64, 1000])
@pytest.mark.parametrize("d", [4, 32, 128])
def test_eqn_rope_abel_identity_and_bound(r: int, d: int) -> None:
    """Summation by parts with a plain loop, against the module's Abel form and the direct sum."""
    gen = torch.Generator().manual_seed(d * 1000 + r + 7)
    h = torch.complex(torch.randn(d // 2, generator=gen, dtype=torch.float64),
                      torch.randn(d // 2, generator=gen, dtype=torch.float64))
    theta = [10000.0 ** (-2 * i / d) for i in range(d // 2)]
    hs = [complex(z) for z in h.tolist()] + [0j]
    partial, loop_abel, direct = 0j, 0j, 0j
    for i, t in enumerate(theta):
        e = complex(math.cos(r * t), math.sin(r * t))
        direct += hs[i] * e
        partial += e  # S_{i+1}
        loop_abel += -partial * (hs[i + 1] - hs[i])
    assert abs(loop_abel - direct) < 1e-10
    assert abs(complex(rope.rope_abel_sum(h, r)) - direct) < 1e-10
    assert abs(complex(rope.rope_relative_sum(h, r)) - direct) < 1e-10
    bound = rope.rope_abel_bound(h, r).item()
    assert abs(direct) <= bound + 1e-9
    lip = max(abs(hs[i + 1] - hs[i]) for i in range(d // 2))
    curve = rope.rope_decay_bound(d, abs(r))[abs(r)].item()  # (1/(d/2)) Σ_j |S_j|, even in r
    assert math.isclose(bound, lip * curve * (d // 2), rel_tol=1e-12)


def test_eqn_rope_linear_against_a_loop_oracle() -> None:
    gen = torch.Generator().manual_seed(12)
    n, d, dv = 12, 8, 3
    q = torch.randn(n, d, generator=gen, dtype=torch.float64)
    k = torch.randn(n, d, generator=gen, dtype=torch.float64)
    v = torch.randn(n, dv, generator=gen, dtype=torch.float64)
    phi = lambda x: torch.where(x > 0, x + 1, torch.exp(x))  # noqa: E731  elu(x) + 1 written out
    expected = torch.zeros(n, dv, dtype=torch.float64)
    for m in range(n):
        rq = rope.rope_matrix(m, d) @ phi(q[m])
        denom = sum(float(phi(q[m]) @ phi(k[j])) for j in range(n))
        for j in range(n):
            expected[m] += float(rq @ (rope.rope_matrix(j, d) @ phi(k[j]))) * v[j] / denom
    torch.testing.assert_close(rope.rope_linear_attention(q, k, v), expected, rtol=0, atol=1e-12)
    weights = rope.rope_linear_attention_weights(q, k)
    torch.testing.assert_close(weights @ v, expected, rtol=0, atol=1e-12)
    torch.testing.assert_close(rope.elu_feature(q), torch.nn.functional.elu(q) + 1, rtol=0, atol=0)
    assert bool((rope.elu_feature(q) > 0).all())
    # at position 0 nothing is rotated, but the keys are: the rows no longer sum to one
    assert (weights.sum(-1) - 1).abs().max().item() > 1e-3


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dtype_shape_and_errors(dtype: torch.dtype) -> None:
    x = torch.randn(2, 5, 8, dtype=dtype)
    y = rope.apply_rope(x, [0, 1, 2, 3, 4])
    assert y.dtype == dtype and y.shape == x.shape
    with pytest.raises(ValueError):
        rope.apply_rope(torch.randn(5, 7, dtype=dtype), range(5))
    with pytest.raises(ValueError):
        rope.apply_rope(x, range(4))
    with pytest.raises(ValueError):
        rope.apply_rope(x, range(5), layout="zigzag")  # type: ignore[arg-type]


def test_eqn_rope_abel_bound_curve_matches_direct_sums() -> None:
    d, R = 64, 200
    bound = rope.rope_decay_bound(d, R)
    theta = rope.rope_freqs(d).tolist()
    # the curve, by a slow loop over complex numbers
    for r in (0, 1, 13, 200):
        partial, total = 0j, 0.0
        for t in theta:
            partial += complex(math.cos(r * t), math.sin(r * t))
            total += abs(partial)
        assert math.isclose(bound[r].item(), total / (d // 2), rel_tol=1e-12)
    assert bound[0].item() == pytest.approx((d // 2 + 1) / 2)
    # the inequality itself, for random h
    gen = torch.Generator().manual_seed(5)
    for _ in range(20):
        h = torch.complex(torch.randn(d // 2, generator=gen, dtype=torch.float64),
                          torch.randn(d // 2, generator=gen, dtype=torch.float64))
        hs = torch.cat([h, torch.zeros(1, dtype=h.dtype)])
        lip = (hs[1:] - hs[:-1]).abs().max()
        for r in range(0, R + 1, 7):
            lhs = (h * torch.exp(1j * r * torch.tensor(theta, dtype=torch.float64))).sum().abs()
            assert lhs <= lip * bound[r] * (d // 2) + 1e-9


@pytest.mark.parametrize("seq", [1, 16, 257])
def test_cross_check_rotary_embedding_torch(seq: int) -> None:
    """The peer package uses the interleaved pairing and θ_i = 10000^{-2i/d} by default."""
    from rotary_embedding_torch import RotaryEmbedding

    d = 32
    gen = torch.Generator().manual_seed(seq)
    x = torch.randn(2, 4, seq, d, generator=gen)  # (B, H, L, d) float32
    peer = RotaryEmbedding(dim=d).rotate_queries_or_keys(x)
    torch.testing.assert_close(rope.apply_rope(x, torch.arange(seq)), peer, rtol=1e-4, atol=1e-4)


def test_rope_2d_relative_in_both_axes_and_reduces_to_1d() -> None:
    gen = torch.Generator().manual_seed(6)
    n, d = 12, 16
    q = torch.randn(n, d, generator=gen, dtype=torch.float64)
    k = torch.randn(n, d, generator=gen, dtype=torch.float64)
    rows = torch.randint(0, 50, (n,), generator=gen)
    cols = torch.randint(0, 50, (n,), generator=gen)
    s0 = rope.apply_rope_2d(q, rows, cols) @ rope.apply_rope_2d(k, rows, cols).T
    s1 = rope.apply_rope_2d(q, rows + 7, cols - 3) @ rope.apply_rope_2d(k, rows + 7, cols - 3).T
    torch.testing.assert_close(s0, s1, rtol=0, atol=1e-11)
    # each half is 1-D RoPE of size d/2
    out = rope.apply_rope_2d(q, rows, cols)
    torch.testing.assert_close(out[:, : d // 2], rope.apply_rope(q[:, : d // 2], rows), rtol=0, atol=0)
    torch.testing.assert_close(out[:, d // 2:], rope.apply_rope(q[:, d // 2:], cols), rtol=0, atol=0)
    with pytest.raises(ValueError):
        rope.apply_rope_2d(torch.randn(3, 6), range(3), range(3))


@pytest.mark.parametrize(("window", "leaky_k"), [(4, None), (4, 2.0), (3, 0.25), (100, None), (5, 1.0)])
def test_rerope_two_pass_equals_direct_rotation(window: int, leaky_k: float | None) -> None:
    gen = torch.Generator().manual_seed(window)
    n, d = 16, 8
    q = torch.randn(n, d, generator=gen, dtype=torch.float64)
    k = torch.randn(n, d, generator=gen, dtype=torch.float64)
    got = rope.rerope_logits(q, k, window, leaky_k)
    rel = rope.rerope_relative_positions(n, window, leaky_k)
    for m in range(n):
        for j in range(n):
            if j > m:
                assert got[m, j] == float("-inf")
            else:
                # query rotated r' further than the key: q^T R_{-r'} k
                direct = q[m] @ rope.rope_matrix(-rel[m, j].item(), d) @ k[j] / math.sqrt(d)
                assert abs(got[m, j].item() - direct.item()) < 1e-12
    if window >= n or leaky_k == 1.0:  # the window covers everything, or slope 1: plain RoPE
        plain = rope.apply_rope(q, torch.arange(n)) @ rope.apply_rope(k, torch.arange(n)).T
        torch.testing.assert_close(got.tril(), (plain / math.sqrt(d)).tril(), rtol=0, atol=1e-12)


@pytest.mark.parametrize(("window", "leaky_k"), [(4, None), (6, 4.0), (3, 0.25), (5, 16.0)])
def test_rerope_against_rotary_embedding_torch_rotations(window: int, leaky_k: float | None) -> None:
    """The two passes with every rotation done by rotary-embedding-torch (a peer package) at the
    positions the card gives: inside the window q_m, k_j at m, j; outside, ReRoPE rotates every
    query by w and no key, Leaky ReRoPE rotates q_m by m/k + w(1 - 1/k) and k_j by j/k."""
    from rotary_embedding_torch import RotaryEmbedding, apply_rotary_emb

    gen = torch.Generator().manual_seed(window)
    n, d = 24, 16
    q = torch.randn(2, n, d, generator=gen, dtype=torch.float64)  # (B, n, d)
    k = torch.randn(2, n, d, generator=gen, dtype=torch.float64)
    # the peer's default frequencies 10000^{-2i/d}, in float64 (it builds them in float32)
    peer = RotaryEmbedding(d, custom_freqs=1.0 / 10000 ** (torch.arange(0, d, 2, dtype=torch.float64) / d))

    def rot(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        return apply_rotary_emb(peer(positions), x)

    pos = torch.arange(n, dtype=torch.float64)
    inside = rot(q, pos) @ rot(k, pos).transpose(-1, -2)
    if leaky_k is None:
        outside = rot(q, torch.full((n,), float(window), dtype=torch.float64)) @ k.transpose(-1, -2)
    else:
        outside = rot(q, pos / leaky_k + window * (1 - 1 / leaky_k)) @ rot(k, pos / leaky_k).transpose(-1, -2)
    rel = pos[:, None] - pos[None, :]
    expected = torch.where(rel < window, inside, outside) / math.sqrt(d)
    got = rope.rerope_logits(q, k, window, leaky_k)
    causal = rel >= 0
    torch.testing.assert_close(got[:, causal], expected[:, causal], rtol=0, atol=1e-12)
    assert torch.isneginf(got[:, ~causal]).all()


@pytest.mark.parametrize("d", [4, 8, 16])
def test_eqn_rope2d_exp_matches_fast_form_and_generators_commute(d: int) -> None:
    a, b = rope.rope_generators_2d(d)
    torch.testing.assert_close(a.T, -a, rtol=0, atol=0)
    torch.testing.assert_close(b.T, -b, rtol=0, atol=0)
    assert rope.commutator(a, b).abs().max().item() == 0  # Eq. (rope2d-commute)
    gen = torch.Generator().manual_seed(d)
    x = torch.randn(d, generator=gen, dtype=torch.float64)
    for px, py in [(0.0, 0.0), (3.0, -2.0), (17.0, 40.0)]:
        dense = torch.linalg.matrix_exp(px * a + py * b) @ x  # scipy-free independent route
        torch.testing.assert_close(rope.apply_rope_2d(x[None], [px], [py])[0], dense,
                                   rtol=0, atol=1e-12)


def test_eqn_rope2d_goal_fails_without_commuting_generators() -> None:
    from scipy.linalg import expm

    a, b = rope.rope_generators_2d(8)
    assert rope.relativity_defect(a, b, (1.0, 2.0), (-3.0, 0.5)) < 1e-12
    a3 = torch.tensor([[0.0, -1, 0], [1, 0, 0], [0, 0, 0]], dtype=torch.float64)
    b3 = torch.tensor([[0.0, 0, 0], [0, 0, -1], [0, 1, 0]], dtype=torch.float64)
    assert rope.relativity_defect(a3, b3, (0.7, -0.4), (1.9, 0.8)) > 0.05
    # exp_rotation against scipy's matrix exponential
    torch.testing.assert_close(rope.exp_rotation(0.3, 1.1, a3, b3),
                               torch.from_numpy(expm((0.3 * a3 + 1.1 * b3).numpy())),
                               rtol=0, atol=1e-13)


def test_eqn_ropetie_rot_text_reduces_to_rope_1d() -> None:
    gen = torch.Generator().manual_seed(7)
    x = torch.randn(3, 50, 16, generator=gen, dtype=torch.float64)
    pos, kinds = rope.corner_positions([("text", 50)])
    assert set(kinds) == {"text"}
    assert torch.equal(rope.apply_rope_tie(x, pos[:, 0], pos[:, 1]),
                       rope.apply_rope(x, torch.arange(50)))


def test_eqn_ropetie_rot_against_dense_rotation() -> None:
    """Slow oracle: build each 2x2 block with the axis the pair belongs to."""
    gen = torch.Generator().manual_seed(8)
    d = 12 * 2
    x = torch.randn(d, generator=gen, dtype=torch.float64)
    px, py = 5.0, -3.0
    theta = rope.rope_freqs(d).tolist()
    expected = x.clone()
    for i, t in enumerate(theta):
        a = (px if i % 2 == 0 else py) * t
        c, s = math.cos(a), math.sin(a)
        u, v = x[2 * i], x[2 * i + 1]
        expected[2 * i], expected[2 * i + 1] = c * u - s * v, s * u + c * v
    torch.testing.assert_close(rope.apply_rope_tie(x[None], [px], [py])[0], expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("segments", [[("text", 3), ("image", 2, 5), ("text", 4)],
                                      [("image", 4, 4), ("text", 2), ("image", 1, 3)]])
def test_eqn_ropetie_corner_properties(segments: list[tuple]) -> None:
    pos, kinds = rope.corner_positions(segments)
    assert len(kinds) == sum(s[1] if s[0] == "text" else s[1] * s[2] for s in segments)
    # reading order: every later segment is at least as far on both axes, text strictly after images
    last_image_max = None
    for p, kd in zip(pos.tolist(), kinds, strict=True):
        if kd == "image":
            last_image_max = p if last_image_max is None else [
                max(a, b) for a, b in zip(last_image_max, p, strict=True)]
        elif last_image_max is not None:
            assert p[0] > last_image_max[0] and p[1] > last_image_max[1]
    # translation invariance of the scores of the whole sequence
    gen = torch.Generator().manual_seed(9)
    n, d = len(kinds), 16
    q = torch.randn(n, d, generator=gen, dtype=torch.float64)
    k = torch.randn(n, d, generator=gen, dtype=torch.float64)
    s0 = rope.apply_rope_tie(q, pos[:, 0], pos[:, 1]) @ rope.apply_rope_tie(k, pos[:, 0], pos[:, 1]).T
    s1 = rope.apply_rope_tie(q, pos[:, 0] + 9, pos[:, 1] - 4) @ rope.apply_rope_tie(k, pos[:, 0] + 9,
                                                                                     pos[:, 1] - 4).T
    torch.testing.assert_close(s0, s1, rtol=0, atol=1e-11)
    with pytest.raises(ValueError):
        rope.corner_positions([("audio", 3)])


def test_eqn_rope2d_commute_is_the_limit_of_the_exp_quotient() -> None:
    from scipy.linalg import expm

    gen = torch.Generator().manual_seed(21)
    for d in (3, 5):
        x = torch.randn(d, d, generator=gen, dtype=torch.float64)
        y = torch.randn(d, d, generator=gen, dtype=torch.float64)
        a, b = x - x.T, y - y.T
        target = a @ b - b @ a
        errs = []
        for eps in (1e-1, 1e-2, 1e-3):
            ea, eb = expm(eps * a.numpy()), expm(eps * b.numpy())  # scipy's exponential
            quotient = torch.from_numpy((ea @ eb - eb @ ea) / eps**2)
            torch.testing.assert_close(rope.exp_commutator_quotient(a, b, eps, eps), quotient,
                                       rtol=0, atol=1e-8)
            errs.append((quotient - target).abs().max().item())
        assert all(8 < errs[i] / errs[i + 1] < 12 for i in range(2))  # the error shrinks like ε
    a, b = rope.rope_generators_2d(8)
    assert rope.exp_commutator_quotient(a, b, 0.3, 0.7).abs().max().item() < 1e-12


def test_hat3_is_the_cross_product_and_commutes_only_when_parallel() -> None:
    gen = torch.Generator().manual_seed(22)
    for _ in range(10):
        a, b, w = (torch.randn(3, generator=gen, dtype=torch.float64) for _ in range(3))
        torch.testing.assert_close(rope.hat3(a) @ w, torch.linalg.cross(a, w), rtol=0, atol=1e-14)
        torch.testing.assert_close(rope.commutator(rope.hat3(a), rope.hat3(b)),
                                   rope.hat3(torch.linalg.cross(a, b)), rtol=0, atol=1e-14)
        assert rope.commutator(rope.hat3(a), rope.hat3(-2.5 * a)).abs().max().item() < 1e-14
        assert rope.skew_commutant_dim(rope.hat3(a)) == 1


@pytest.mark.parametrize("d", [2, 3, 4, 5, 6])
def test_skew_commutant_dim_against_scipy_null_space(d: int) -> None:
    from scipy.linalg import null_space

    gen = torch.Generator().manual_seed(23 + d)
    x = torch.randn(d, d, generator=gen, dtype=torch.float64)
    a = (x - x.T).numpy()
    # unknowns: all d*d entries of B; equations: AB - BA = 0 and B + Bᵀ = 0
    eye = np.eye(d)
    comm = np.kron(a, eye) - np.kron(eye, a.T)  # row-major vec(AB - BA)
    skew = np.eye(d * d) + np.eye(d * d)[[j * d + i for i in range(d) for j in range(d)]]
    expected = null_space(np.vstack([comm, skew])).shape[1]
    assert rope.skew_commutant_dim(torch.from_numpy(a)) == expected == d // 2
    assert rope.skew_commutant_dim(torch.zeros(d, d, dtype=torch.float64)) == d * (d - 1) // 2


def test_rope_2d_rotation_gaps_closed_form_and_matrix_exp() -> None:
    d = 8
    rows, cols = torch.tensor([0.0, 1.0, 5.0, 2.0]), torch.tensor([0.0, 3.0, 1.0, 2.0])
    gaps = rope.rope_2d_rotation_gaps(rows, cols, d)
    a, b = rope.rope_generators_2d(d)
    theta = rope.rope_freqs(d // 2).tolist()
    for i in range(4):
        for j in range(4):
            ri = torch.linalg.matrix_exp(rows[i].item() * a + cols[i].item() * b)
            rj = torch.linalg.matrix_exp(rows[j].item() * a + cols[j].item() * b)
            assert abs(gaps[i, j].item() - torch.linalg.matrix_norm(ri - rj).item()) < 1e-12
            # ‖R(α) − R(β)‖_F² = 8 sin²((α − β)/2) for each 2x2 block
            closed = sum(8 * math.sin(dz * t / 2) ** 2 for t in theta
                         for dz in (rows[i].item() - rows[j].item(), cols[i].item() - cols[j].item()))
            assert abs(gaps[i, j].item() - math.sqrt(closed)) < 1e-12
    assert gaps.diagonal().abs().max().item() < 1e-12


@pytest.mark.parametrize("d", [8, 16, 64])
def test_eqn_ropetie_reduce_needs_the_one_dimensional_spectrum(d: int) -> None:
    """Text at (t, t): bitwise RoPE-1D for the assignments that keep θ_i = b^{-2i/d}; RoPE-2D's halves
    have other eigenvalues, so even the best feature permutation cannot match (checked with numpy's
    eigenvalues, an independent route)."""
    gen = torch.Generator().manual_seed(d)
    x = torch.randn(3, 20, d, generator=gen, dtype=torch.float64)
    t = torch.arange(20)
    one_d = rope.apply_rope(x, t)
    for scheme in ("alternate", "split-band"):
        axis, theta = rope.rope_2d_axis_frequencies(d, scheme)
        assert torch.equal(rope.apply_rope_axes(x, t, t, axis, theta), one_d)
    axis, theta = rope.rope_2d_axis_frequencies(d, "alternate")
    assert torch.equal(rope.apply_rope_axes(x, t, -t, axis, theta), rope.apply_rope_tie(x, t, -t))
    axis, theta = rope.rope_2d_axis_frequencies(d, "half")
    assert torch.equal(rope.apply_rope_axes(x, t, 2 * t, axis, theta), rope.apply_rope_2d(x, t, 2 * t))
    # eigen-angles of R at (1, 1) vs R_1 of RoPE-1D
    eye = torch.eye(d, dtype=torch.float64)[:, None, :]  # (d, 1, d)
    r_half = rope.apply_rope_axes(eye, [1.0], [1.0], axis, theta)[:, 0, :].T  # columns R e_j
    r_1d = rope.apply_rope(eye, [1.0])[:, 0, :].T
    ang_half = np.sort(np.abs(np.angle(np.linalg.eigvals(r_half.numpy()))))
    ang_1d = np.sort(np.abs(np.angle(np.linalg.eigvals(r_1d.numpy()))))
    assert np.abs(ang_half - ang_1d).max() > 1e-3
    np.testing.assert_allclose(ang_1d, np.sort(np.repeat(rope.rope_freqs(d).numpy(), 2)), rtol=0, atol=1e-12)


@pytest.mark.parametrize(("window", "leaky_k"), [(4, None), (6, 4.0), (3, 0.25), (100, 2.0)])
def test_eqn_rerope_twopass_keys_can_be_cached(window: int, leaky_k: float | None) -> None:
    """Token-by-token decoding with keys rotated once on arrival equals the two full passes."""
    gen = torch.Generator().manual_seed(31 + window)
    n, d = 20, 8
    q = torch.randn(n, d, generator=gen, dtype=torch.float64)
    k = torch.randn(n, d, generator=gen, dtype=torch.float64)
    got, cached = rope.rerope_decode_logits(q, k, window, leaky_k)
    full = rope.rerope_logits(q, k, window, leaky_k)
    causal = torch.ones(n, n, dtype=torch.bool).tril()
    torch.testing.assert_close(got[causal], full[causal], rtol=0, atol=1e-12)
    assert torch.isneginf(got[~causal]).all() and cached == 2 * n
    if leaky_k is not None and window < n:  # keys cached under another k are stale
        stale, _ = rope.rerope_decode_logits(q, k, window, leaky_k, cache_k=leaky_k * 1.1)
        assert (stale - full)[causal].abs().max().item() > 1e-3
