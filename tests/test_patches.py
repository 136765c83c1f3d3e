"""blogkit.patches against loop oracles, einops, torch, scipy and numpy.linalg, plus closed forms."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import einops
import numpy as np
import pytest
import scipy.linalg
import torch
from scipy.cluster import vq as scipy_vq

from blogkit import patches as pt

SHAPES = [(4, 4, 1, 1), (4, 4, 1, 4), (8, 12, 3, 2), (8, 12, 3, 4), (6, 9, 2, 3), (16, 32, 3, 16),
          (32, 16, 4, 8), (5, 5, 3, 5)]  # (H, W, c, p)


def image(h: int, w: int, c: int, dtype: type = np.float64, seed: int = 0,
          batch: tuple[int, ...] = ()) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, size=(*batch, h, w, c), endpoint=True, dtype=dtype)
    return rng.standard_normal((*batch, h, w, c)).astype(dtype)


def oracle_patchify(img: np.ndarray, p: int) -> np.ndarray:
    """P[i W/p + j, (u p + v) c + k] = X[i p + u, j p + v, k], one entry at a time."""
    h, w, c = img.shape
    out = np.empty(((h // p) * (w // p), p * p * c), dtype=img.dtype)
    for i in range(h // p):
        for j in range(w // p):
            for u in range(p):
                for v in range(p):
                    for k in range(c):
                        out[i * (w // p) + j, (u * p + v) * c + k] = img[i * p + u, j * p + v, k]
    return out


# -- Eq. (patchify) ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("h", "w", "c", "p"), SHAPES)
def test_eqn_multimodal_lossless_input_patchify_matches_loop_oracle(h: int, w: int, c: int, p: int) -> None:
    img = image(h, w, c, np.int32, seed=h * w + p)
    np.testing.assert_array_equal(pt.patchify(img, p), oracle_patchify(img, p))


@pytest.mark.parametrize(("h", "w", "c", "p"), SHAPES)
@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.float16, np.float32, np.float64])
@pytest.mark.parametrize("batch", [(), (3,), (2, 2)])
def test_round_trip_is_exact_numpy(h: int, w: int, c: int, p: int, dtype: type,
                                   batch: tuple[int, ...]) -> None:
    img = image(h, w, c, dtype, seed=7, batch=batch)
    pat = pt.patchify(img, p)
    assert isinstance(pat, np.ndarray) and pat.dtype == img.dtype
    assert pat.shape == (*batch, (h // p) * (w // p), p * p * c)
    back = pt.unpatchify(pat, p, h, w)
    assert back.dtype == img.dtype and back.shape == img.shape
    np.testing.assert_array_equal(back, img)
    # and the other way round: patchify(unpatchify(P)) == P
    np.testing.assert_array_equal(pt.patchify(pt.unpatchify(pat, p, h, w), p), pat)


@pytest.mark.parametrize(("h", "w", "c", "p"), SHAPES)
def test_batched_patchify_is_per_image(h: int, w: int, c: int, p: int) -> None:
    imgs = image(h, w, c, np.float32, seed=3, batch=(2, 3))
    pat = pt.patchify(imgs, p)
    for a in range(2):
        for b in range(3):
            np.testing.assert_array_equal(pat[a, b], oracle_patchify(imgs[a, b], p))


@pytest.mark.parametrize(("h", "w", "c", "p"), SHAPES)
def test_patchify_matches_einops(h: int, w: int, c: int, p: int) -> None:
    img = image(h, w, c, np.float64, seed=11, batch=(2,))
    ref = einops.rearrange(img, "b (h p1) (w p2) c -> b (h w) (p1 p2 c)", p1=p, p2=p)
    np.testing.assert_array_equal(pt.patchify(img, p), ref)
    back = einops.rearrange(ref, "b (h w) (p1 p2 c) -> b (h p1) (w p2) c", h=h // p, p1=p, p2=p)
    np.testing.assert_array_equal(pt.unpatchify(ref, p, h, w), back)


@pytest.mark.parametrize(("h", "w", "c", "p"), SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8"])
def test_torch_round_trip_and_unfold(h: int, w: int, c: int, p: int, dtype: str) -> None:
    img = torch.from_numpy(image(h, w, c, np.float64, seed=5, batch=(2,)) * 50).to(getattr(torch, dtype))
    pat = pt.patchify(img, p)
    assert isinstance(pat, torch.Tensor) and pat.dtype == img.dtype and pat.device == img.device
    back = pt.unpatchify(pat, p, h, w)
    assert back.dtype == img.dtype and torch.equal(back, img)
    # torch's own patch extraction: F.unfold gives (B, c*p*p, N), entries ordered (k, u, v)
    if img.dtype.is_floating_point:
        unf = torch.nn.functional.unfold(img.permute(0, 3, 1, 2), kernel_size=p, stride=p)
        ref = unf.reshape(2, c, p, p, -1).permute(0, 4, 2, 3, 1).reshape(2, -1, p * p * c)
        assert torch.equal(pat, ref)
    # and Tensor.unfold along H then W
    ref2 = img.unfold(1, p, p).unfold(2, p, p)  # (B, H/p, W/p, c, p, p)
    ref2 = ref2.permute(0, 1, 2, 4, 5, 3).reshape(2, -1, p * p * c)
    assert torch.equal(pat, ref2)


def test_errors() -> None:
    img = np.zeros((8, 12, 3))
    with pytest.raises(ValueError, match="not divisible"):
        pt.patchify(img, 5)
    with pytest.raises(ValueError, match="not divisible"):
        pt.patchify(np.zeros((9, 12, 3)), 4)
    with pytest.raises(ValueError, match="not divisible"):
        pt.unpatchify(np.zeros((6, 48)), 4, 8, 10)
    with pytest.raises(ValueError, match="do not tile"):
        pt.unpatchify(np.zeros((5, 48)), 4, 8, 12)
    with pytest.raises(ValueError, match="do not tile"):
        pt.unpatchify(np.zeros((6, 47)), 4, 8, 12)
    with pytest.raises(ValueError, match="positive integer"):
        pt.patchify(img, 0)
    with pytest.raises(ValueError, match="positive integer"):
        pt.patchify(img, 2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shape"):
        pt.patchify(np.zeros((8, 8)), 4)


# -- Eq. (bits) and Eq. (ratio) ---------------------------------------------------------------------
@pytest.mark.parametrize("p", [1, 2, 8, 14, 16, 32])
@pytest.mark.parametrize(("channels", "dtype"), [(1, np.uint8), (3, np.uint8), (4, np.uint8),
                                                 (3, np.uint16)])
def test_eqn_multimodal_lossless_input_bits_raw_is_storage_size(p: int, channels: int, dtype: type) -> None:
    """The raw bits of a patch are the bits of memory its pixels take."""
    img = np.zeros((2 * p, 3 * p, channels), dtype=dtype)
    one_patch = pt.patchify(img, p)[0]
    bitdepth = 8 * np.dtype(dtype).itemsize
    assert pt.raw_bits(p, channels, bitdepth) == one_patch.nbytes * 8 == one_patch.size * bitdepth


@pytest.mark.parametrize("k", [1, 2, 3, 5, 100, 1000, 1024, 8192, 8193, 16384, 65536])
def test_eqn_multimodal_lossless_input_bits_vq(k: int) -> None:
    bits = pt.vq_bits(k)
    assert 2.0 ** bits == pytest.approx(k, rel=1e-13)
    # a fixed-length code for K symbols needs ceil(log2 K) bits, which is (K-1).bit_length()
    assert math.ceil(bits - 1e-12) == (k - 1).bit_length()
    if k & (k - 1) == 0:  # powers of two: an integer number of bits
        assert bits == (k - 1).bit_length()
    assert pt.vq_bits(k, codes_per_patch=4) == pytest.approx(4 * bits, rel=1e-15)


@pytest.mark.parametrize("p", [4, 8, 16])
@pytest.mark.parametrize("k", [2, 1024, 8192, 16384])
def test_eqn_multimodal_lossless_input_ratio(p: int, k: int) -> None:
    exact = Fraction(p * p * 3 * 8) / Fraction(k.bit_length() - 1)  # k is a power of two here
    assert pt.compression_ratio(p, k) == pytest.approx(float(exact), rel=1e-15)
    # doubling the patch side quadruples the ratio; squaring the codebook halves it
    assert pt.compression_ratio(2 * p, k) == pytest.approx(4 * pt.compression_ratio(p, k), rel=1e-15)
    assert pt.compression_ratio(p, k * k) == pytest.approx(pt.compression_ratio(p, k) / 2, rel=1e-15)


def test_ratio_edge_cases_and_errors() -> None:
    assert pt.compression_ratio(16, 1) == math.inf  # a one-entry codebook carries no information
    assert pt.compression_ratio(16, 8192) == pytest.approx(6144 / 13, rel=1e-15)
    for bad in [lambda: pt.vq_bits(0), lambda: pt.raw_bits(0), lambda: pt.raw_bits(4, 0),
                lambda: pt.raw_bits(4, 3, 0)]:
        with pytest.raises(ValueError):
            bad()


# -- Eq. (kmeans): assignment, Lloyd iterations ------------------------------------------------------
def blobs(n: int, k: int, d: int, seed: int, spread: float = 0.3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((k, d)) * 5
    return centres[rng.integers(k, size=n)] + spread * rng.standard_normal((n, d)), centres


@pytest.mark.parametrize(("n", "k", "d", "iters"), [(300, 4, 2, 1), (300, 4, 2, 10), (600, 8, 6, 5),
                                                    (1000, 20, 12, 30)])
def test_eqn_multimodal_lossless_input_kmeans_matches_scipy_kmeans2(n: int, k: int, d: int,
                                                                     iters: int) -> None:
    x, _ = blobs(n, k, d, seed=n + k)
    init = x[np.random.default_rng(1).choice(n, size=k, replace=False)]
    ours, codes = pt.kmeans(x, k, iters=iters, init=init)
    ref, _ = scipy_vq.kmeans2(x, init.copy(), iter=iters, minit="matrix", missing="warn")
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(codes, scipy_vq.vq(x, ours)[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kmeans_objective_decreases_and_reaches_a_fixed_point(seed: int) -> None:
    x, _ = blobs(400, 10, 4, seed=seed, spread=1.5)

    def objective(cb: np.ndarray, codes: np.ndarray) -> float:
        return float(((x - cb[codes]) ** 2).sum())

    values = [objective(*pt.kmeans(x, 10, iters=t, seed=seed)) for t in range(0, 15)]
    assert all(b <= a * (1 + 1e-12) for a, b in itertools.pairwise(values))
    cb, codes = pt.kmeans(x, 10, iters=500, seed=seed)
    for j in range(10):  # every code vector is the mean of its cluster
        np.testing.assert_allclose(cb[j], x[codes == j].mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(codes, scipy_vq.vq(x, cb)[0])


def test_kmeans_recovers_well_separated_clusters_and_is_deterministic() -> None:
    x, centres = blobs(600, 5, 3, seed=4, spread=0.05)
    cb1, codes1 = pt.kmeans(x, 5, iters=50, seed=3)
    cb2, codes2 = pt.kmeans(x, 5, iters=50, seed=3)
    np.testing.assert_array_equal(cb1, cb2)
    np.testing.assert_array_equal(codes1, codes2)
    # each true centre has a code vector within the noise level
    dist = np.sqrt(((centres[:, None, :] - cb1[None]) ** 2).sum(-1))
    assert np.all(dist.min(axis=1) < 0.05)


def test_kmeans_with_k_equal_to_distinct_points_is_lossless() -> None:
    rng = np.random.default_rng(0)
    distinct = rng.integers(0, 256, size=(12, 8)).astype(np.float64)
    x = distinct[rng.integers(12, size=300)]
    cb, codes = pt.kmeans(x, 12, iters=10, seed=0)
    np.testing.assert_array_equal(pt.vq_reconstruct(codes, cb), x)
    assert pt.psnr(x, pt.vq_reconstruct(codes, cb)) == math.inf


def test_kmeans_keeps_empty_clusters_and_dtype() -> None:
    x, _ = blobs(100, 2, 3, seed=5)
    init = np.vstack([x[:2], np.full((1, 3), 1e6)])  # the far code vector never wins a row
    cb, codes = pt.kmeans(x, 3, iters=5, init=init)
    np.testing.assert_array_equal(cb[2], init[2])
    assert not np.any(codes == 2)
    cb32, _ = pt.kmeans(x.astype(np.float32), 2, iters=5, seed=0)
    assert cb32.dtype == np.float32
    with pytest.raises(ValueError):
        pt.kmeans(x, 101)


# -- Eq. (psnr) -------------------------------------------------------------------------------------
@pytest.mark.parametrize("delta", [0.5, 1.0, 3.0, 17.0])
@pytest.mark.parametrize("peak", [1.0, 255.0])
def test_eqn_multimodal_lossless_input_psnr_uniform_error(delta: float, peak: float) -> None:
    """b = a ± δ everywhere gives MSE = δ², so PSNR = 20 log10(peak/δ)."""
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 200, size=(16, 16, 3))
    b = a + delta * rng.choice([-1.0, 1.0], size=a.shape)
    assert pt.psnr(a, b, peak) == pytest.approx(20 * math.log10(peak / delta), rel=1e-12)
    assert pt.psnr(b, a, peak) == pt.psnr(a, b, peak)


def test_psnr_against_torch_mse_and_edge_cases() -> None:
    rng = np.random.default_rng(1)
    a = rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    b = rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
    mse = torch.nn.functional.mse_loss(torch.from_numpy(a).double(), torch.from_numpy(b).double()).item()
    assert pt.psnr(a, b) == pytest.approx(10 * math.log10(255**2 / mse), rel=1e-12)
    assert pt.psnr(a, a) == math.inf
    # uint8 inputs must not wrap around: 0 against 255 everywhere is MSE = 255², PSNR = 0 dB
    zeros, full = np.zeros((4, 4), np.uint8), np.full((4, 4), 255, np.uint8)
    assert pt.psnr(zeros, full) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError):
        pt.psnr(a, b[:-1])


# -- Eq. (embed) and Eq. (rank-nullity) --------------------------------------------------------------
def test_eqn_multimodal_lossless_input_embed_matches_torch_linear() -> None:
    rng = np.random.default_rng(2)
    x, w, b = rng.standard_normal((10, 48)), rng.standard_normal((64, 48)), rng.standard_normal(64)
    ref = torch.nn.functional.linear(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b))
    np.testing.assert_allclose(pt.embed(x, w, b), ref.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(pt.recover(pt.embed(x, w, b), w, b), x, atol=1e-10)


@pytest.mark.parametrize(("d", "n"), [(12, 12), (48, 48), (192, 192), (64, 48), (256, 192)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_full_rank_embedding_is_invertible(d: int, n: int, dtype: type) -> None:
    rng = np.random.default_rng(d + n)
    w = (rng.standard_normal((d, n)) / math.sqrt(n)).astype(dtype)
    x = rng.uniform(0, 1, size=(8, n)).astype(dtype)
    assert pt.embedding_rank(w) == n == np.linalg.matrix_rank(w)
    assert pt.null_space(w).shape == (n, 0)
    x_hat = pt.recover(pt.embed(x, w), w)
    assert x_hat.dtype == dtype
    # rounding error grows with the condition number: allow cond · eps · a safety factor
    tol = pt.condition_number(w) * np.finfo(dtype).eps * 50
    assert np.abs(x_hat - x).max() < tol


@pytest.mark.parametrize(("d", "n", "r"), [(10, 20, 10), (40, 48, 40), (48, 48, 30), (64, 48, 20),
                                           (256, 384, 256), (30, 30, 1)])
def test_eqn_multimodal_lossless_input_rank_nullity_against_numpy_and_scipy(d: int, n: int, r: int) -> None:
    rng = np.random.default_rng(d * n + r)
    w = rng.standard_normal((d, r)) @ rng.standard_normal((r, n))  # rank r
    rank = pt.embedding_rank(w)
    assert rank == r == np.linalg.matrix_rank(w)
    basis = pt.null_space(w)
    ref = scipy.linalg.null_space(w)
    assert basis.shape == ref.shape == (n, n - r)
    assert n - rank >= n - d  # rank-nullity: a map into R^d (d < n) has a kernel of dim >= n - d
    np.testing.assert_allclose(basis.T @ basis, np.eye(n - r), atol=1e-12)
    np.testing.assert_allclose(w @ basis, 0, atol=1e-10 * np.abs(w).max())
    # same subspace: equal orthogonal projectors
    np.testing.assert_allclose(basis @ basis.T, ref @ ref.T, atol=1e-10)


@pytest.mark.parametrize(("d", "n", "r"), [(10, 20, 10), (64, 48, 20), (48, 48, 47)])
def test_rank_deficient_embedding_loses_information(d: int, n: int, r: int) -> None:
    rng = np.random.default_rng(r)
    w = rng.standard_normal((d, r)) @ rng.standard_normal((r, n))
    x = rng.standard_normal(n)
    v = pt.null_space(w)[:, 0]
    # two different inputs, one embedding
    assert np.abs(v).max() > 0.01
    np.testing.assert_allclose(pt.embed(x + v, w), pt.embed(x, w), atol=1e-10)
    # recover returns numpy's minimum-norm least-squares preimage, not x
    if d != n:
        ref = np.linalg.lstsq(w, w @ x, rcond=None)[0]
        np.testing.assert_allclose(pt.recover(pt.embed(x, w), w), ref, atol=1e-9)
        assert np.abs(pt.recover(pt.embed(x, w), w) - x).max() > 1e-3


@pytest.mark.parametrize(("d", "n"), [(48, 48), (200, 48), (300, 300), (20, 40)])
def test_condition_number_matches_numpy(d: int, n: int) -> None:
    w = np.random.default_rng(3).standard_normal((d, n))
    assert pt.condition_number(w) == pytest.approx(np.linalg.cond(w), rel=1e-10)


@pytest.mark.parametrize(("d", "n", "r"), [(10, 20, 10), (64, 48, 20), (48, 48, 48), (300, 200, 200),
                                           (30, 30, 1)])
def test_embedding_summary_agrees_with_the_separate_functions(d: int, n: int, r: int) -> None:
    rng = np.random.default_rng(d + r)
    w = rng.standard_normal((d, r)) @ rng.standard_normal((r, n))
    summary = pt.embedding_summary(w)
    assert summary.rank == pt.embedding_rank(w) == np.linalg.matrix_rank(w) == r
    assert summary.nullity == n - r == scipy.linalg.null_space(w).shape[1]
    assert summary.condition == pt.condition_number(w)


@pytest.mark.parametrize("d", [768, 1024])
def test_random_gaussian_16x16x3_embedding_is_injective(d: int) -> None:
    """The post's setting: 16×16×3 = 768 inputs, a random Gaussian W with D >= 768 rows."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((d, 768)) / math.sqrt(768)
    s = scipy.linalg.svdvals(w)
    assert pt.embedding_rank(w) == 768 == np.linalg.matrix_rank(w)
    assert s.min() > 1e-6 and pt.condition_number(w) == pytest.approx(s.max() / s.min(), rel=1e-10)
    x = rng.integers(0, 256, size=(16, 768)) / 255.0
    err = np.abs(pt.recover(pt.embed(x, w), w) - x).max()
    assert err < 50 * np.finfo(np.float64).eps * s.max() / s.min()


# -- the test image ----------------------------------------------------------------------------------
def test_synthetic_image_is_seeded_8_bit() -> None:
    a, b = pt.synthetic_image(64, 96, seed=3), pt.synthetic_image(64, 96, seed=3)
    assert a.shape == (64, 96, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, pt.synthetic_image(64, 96, seed=4))
    assert a.min() >= 0 and a.max() <= 255 and a.std() > 10
