"""blogkit.widening: exact preservation over a grid of blocks, slow loops for the linear map,
torch.nn.functional.layer_norm and torch.nn.MultiheadAttention (implementations nobody here
wrote), the symmetry of gradients, the noise, and the parameter counts."""

from __future__ import annotations

import copy
import math

import pytest
import torch
import torch.nn.functional as F

from blogkit import widening as wd

STRATEGIES = [("heads", "fold"), ("head_dim", "fold"), ("head_dim", "scale")]


def _block(d: int, heads: int, d_ff: int, seed: int = 0, **kw: object) -> wd.TinyBlock:
    return wd.TinyBlock(d, heads, d_ff, generator=torch.Generator().manual_seed(seed), **kw)


def _randn(*shape: int, seed: int = 1, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a - b).abs().max())


# --- the linear map ------------------------------------------------------------------------


def slow_widen_linear(w: list[list[float]], b: list[float], inputs: bool,
                      outputs: bool) -> tuple[list[list[float]], list[float]]:
    """Oracle: element by element, W'[i][j] = W[i mod m][j mod n] / (2 if inputs)."""
    m, n = len(w), len(w[0])
    rows = 2 * m if outputs else m
    cols = 2 * n if inputs else n
    wide = [[w[i % m][j % n] / (2.0 if inputs else 1.0) for j in range(cols)]
            for i in range(rows)]
    bias = [b[i % m] for i in range(rows)]
    return wide, bias


@pytest.mark.parametrize(("m", "n"), [(1, 1), (3, 5), (6, 2)])
@pytest.mark.parametrize(("inputs", "outputs"), [(True, True), (True, False), (False, True)])
def test_eqn_linear_matches_slow_loop(m: int, n: int, inputs: bool, outputs: bool) -> None:
    w, b = _randn(m, n, seed=m * 10 + n), _randn(m, seed=7)
    got_w, got_b = wd.widen_linear(w, b, inputs=inputs, outputs=outputs)
    exp_w, exp_b = slow_widen_linear(w.tolist(), b.tolist(), inputs, outputs)
    assert got_w.tolist() == exp_w  # halving is exact in binary floating point
    assert got_b.tolist() == exp_b


@pytest.mark.parametrize(("m", "n"), [(3, 5), (8, 8)])
def test_eqn_linear_maps_duplicates_to_duplicates(m: int, n: int) -> None:
    w, b, x = _randn(m, n, seed=1), _randn(m, seed=2), _randn(4, n, seed=3)
    w2, b2 = wd.widen_linear(w, b)
    y = F.linear(x, w, b)
    assert _max_diff(F.linear(wd.widen_input(x), w2, b2), torch.cat([y, y], -1)) < 1e-14
    # read-out (inputs only) and embedding-like (outputs only) variants
    w_in, b_in = wd.widen_linear(w, b, outputs=False)
    assert _max_diff(F.linear(wd.widen_input(x), w_in, b_in), y) < 1e-14
    w_out, b_out = wd.widen_linear(w, b, inputs=False)
    assert _max_diff(F.linear(x, w_out, b_out), torch.cat([y, y], -1)) < 1e-14


def test_eqn_dup() -> None:
    x = _randn(2, 3, 4)
    assert torch.equal(wd.widen_input(x)[..., :4], x)
    assert torch.equal(wd.widen_input(x)[..., 4:], x)


# --- LayerNorm -----------------------------------------------------------------------------


@pytest.mark.parametrize("d", [2, 5, 16])
@pytest.mark.parametrize("eps", [1e-5, 0.1, 10.0])
def test_eqn_ln_matches_torch(d: int, eps: float) -> None:
    x, g, b = 3 * _randn(4, d, seed=d), _randn(d, seed=2), _randn(d, seed=3)
    torch.testing.assert_close(wd.layer_norm(x, g, b, eps), F.layer_norm(x, (d,), g, b, eps),
                               rtol=0, atol=1e-13)


@pytest.mark.parametrize("d", [2, 5, 16])
@pytest.mark.parametrize("eps", [1e-5, 0.1, 10.0])
def test_eqn_ln_dup_with_torch_layer_norm(d: int, eps: float) -> None:
    """F.layer_norm([x, x]; [γ, γ], [β, β], ε) == [LN(x), LN(x)] with the same ε, even a large one."""
    x, g, b = 3 * _randn(4, d, seed=d), _randn(d, seed=2), _randn(d, seed=3)
    g2, b2 = wd.widen_layernorm(g, b)
    wide = F.layer_norm(wd.widen_input(x), (2 * d,), g2, b2, eps)
    small = F.layer_norm(x, (d,), g, b, eps)
    assert _max_diff(wide, wd.widen_input(small)) < 1e-13


def test_ln_dup_needs_population_variance() -> None:
    """With the n−1 (unbiased) variance the identity fails: (2d−1) ≠ 2(d−1)."""
    d = 4
    x, g, b = _randn(3, d), _randn(d, seed=2), _randn(d, seed=3)
    g2, b2 = wd.widen_layernorm(g, b)
    wide = wd.layer_norm(wd.widen_input(x), g2, b2, 0.0, unbiased=True)
    small = wd.layer_norm(x, g, b, 0.0, unbiased=True)
    assert _max_diff(wide, wd.widen_input(small)) > 1e-2
    # ... and the ratio of the two normalised values is the closed form sqrt(2(d-1)/(2d-1))
    ratio = (wide[..., :d] - b) / (small - b)
    assert torch.allclose(ratio, torch.full_like(ratio, math.sqrt((2 * d - 1) / (2 * (d - 1)))),
                          rtol=1e-12, atol=0)


@pytest.mark.parametrize("c", [1 / math.sqrt(2), 3.0])
def test_ln_rescaled_input_needs_rescaled_eps(c: float) -> None:
    """LN(c x; ε c²) == LN(x; ε); with the old ε it is off."""
    d, eps = 6, 0.05
    x, g, b = _randn(3, d), _randn(d, seed=2), _randn(d, seed=3)
    ref = F.layer_norm(x, (d,), g, b, eps)
    assert _max_diff(F.layer_norm(c * x, (d,), g, b, eps * c * c), ref) < 1e-13
    assert _max_diff(F.layer_norm(c * x, (d,), g, b, eps), ref) > 1e-4


# --- attention against torch ---------------------------------------------------------------


@pytest.mark.parametrize(("d", "heads"), [(6, 1), (6, 3), (8, 2), (12, 4)])
@pytest.mark.parametrize("causal", [False, True])
def test_attention_matches_torch_multihead_attention(d: int, heads: int, causal: bool) -> None:
    block = _block(d, heads, 5, causal=causal)
    mha = torch.nn.MultiheadAttention(d, heads, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([block.q.weight, block.k.weight, block.v.weight]))
        mha.in_proj_bias.copy_(torch.cat([block.q.bias, block.k.bias, block.v.bias]))
        mha.out_proj.weight.copy_(block.o.weight)
        mha.out_proj.bias.copy_(block.o.bias)
    z = _randn(3, 7, d)
    mask = torch.ones(7, 7, dtype=torch.bool).triu(1) if causal else None
    expected, _ = mha(z, z, z, attn_mask=mask, need_weights=False)
    with torch.no_grad():
        torch.testing.assert_close(block.attention(z), expected, rtol=0, atol=1e-13)


def test_block_forward_is_pre_ln_residual() -> None:
    """forward == x + MHA(LN1 x), then + FFN(LN2 h), with torch's own LayerNorm and GELU."""
    block = _block(8, 2, 12)
    x = _randn(2, 5, 8)
    with torch.no_grad():
        h = x + block.attention(F.layer_norm(x, (8,), block.ln1.weight, block.ln1.bias))
        z = F.layer_norm(h, (8,), block.ln2.weight, block.ln2.bias)
        y = h + F.linear(F.gelu(F.linear(z, block.ff1.weight, block.ff1.bias)),
                         block.ff2.weight, block.ff2.bias)
        torch.testing.assert_close(block(x), y, rtol=0, atol=1e-14)


# --- exact preservation of the whole block -------------------------------------------------


@pytest.mark.parametrize(("d", "heads"), [(4, 1), (4, 2), (6, 3), (12, 4), (12, 12)])
@pytest.mark.parametrize("d_ff", [3, 10])
@pytest.mark.parametrize(("strategy", "fix"), STRATEGIES)
@pytest.mark.parametrize(("activation", "causal"), [("gelu", False), ("relu", True)])
def test_widened_block_is_exact(d: int, heads: int, d_ff: int, strategy: wd.Strategy,
                                fix: wd.ScaleFix, activation: wd.Activation, causal: bool) -> None:
    block = _block(d, heads, d_ff, seed=d + heads + d_ff, activation=activation, causal=causal)
    wide = wd.widen_block(block, strategy, scale_fix=fix)
    x = 2 * _randn(3, 6, d, seed=d_ff)
    assert wd.widening_error(block, wide, x) < 1e-12
    assert wd.widening_error(block.attention, wide.attention, x) < 1e-12
    assert wd.widening_error(block.ffn, wide.ffn, x) < 1e-12
    assert wd.widening_error(block.ln1, wide.ln1, x) < 1e-12
    assert max(wd.duplication_defect(wide, strategy).values()) == 0.0


@pytest.mark.parametrize("first", ["heads", "head_dim"])
@pytest.mark.parametrize("second", ["heads", "head_dim"])
def test_widening_twice_is_exact(first: wd.Strategy, second: wd.Strategy) -> None:
    block = _block(8, 2, 6)
    wide4 = wd.widen_block(wd.widen_block(block, first), second)
    assert wide4.d == 32 and wide4.d_ff == 24
    assert wide4.heads == 2 * (2 if first == "heads" else 1) * (2 if second == "heads" else 1)
    x = _randn(2, 5, 8)
    with torch.no_grad():
        y4 = wd.widen_input(wd.widen_input(block(x)))
        assert _max_diff(wide4(wd.widen_input(wd.widen_input(x))), y4) < 1e-12


@pytest.mark.parametrize("fix", ["fold", "scale", "none"])
def test_eqn_scale(fix: wd.ScaleFix) -> None:
    """head_dim strategy: the closed-form scales, and without a fix every logit is √2 too large."""
    block = _block(8, 2, 4)  # head_dim 4, scale 1/2
    wide = wd.widen_block(block, "head_dim", scale_fix=fix)
    assert (wide.heads, wide.head_dim) == (2, 8)
    expected = {"fold": 1 / math.sqrt(8), "scale": 1 / (2 * math.sqrt(4)), "none": 1 / math.sqrt(8)}
    assert wide.scale == pytest.approx(expected[fix], rel=1e-15)
    if fix == "none":
        # the unfixed wide block is the exact widening of the small block with scale × √2
        hot = copy.deepcopy(block)
        hot.scale = block.scale * math.sqrt(2)
        z = _randn(3, 5, 8)
        assert wd.widening_error(hot.attention, wide.attention, z) < 1e-12
        assert wd.widening_error(block.attention, wide.attention, z) > 1e-2


def test_heads_strategy_keeps_scale_and_head_dim() -> None:
    block = _block(12, 3, 7)
    wide = wd.widen_block(block, "heads")
    assert (wide.heads, wide.head_dim, wide.scale) == (6, 4, block.scale)


def test_widening_is_pure_and_keeps_dtype() -> None:
    block = _block(8, 2, 6, dtype=torch.float32)
    before = {k: v.clone() for k, v in block.state_dict().items()}
    wide = wd.widen_block(block, "head_dim")
    wd.add_symmetry_noise(wide, 0.1, torch.Generator().manual_seed(0))
    assert all(torch.equal(before[k], v) for k, v in block.state_dict().items())
    assert all(p.dtype == torch.float32 for p in wide.parameters())
    x = _randn(2, 4, 8, dtype=torch.float32)
    assert wd.widening_error(block, wide, x) < 1e-5


def test_head_dim_perm_is_a_permutation_into_per_head_copies() -> None:
    heads, hd = 3, 4
    q = torch.arange(heads * hd, dtype=torch.float64)
    per_head = torch.cat([q, q])[wd.head_dim_perm(heads, hd)].reshape(heads, 2 * hd)
    for i in range(heads):
        assert torch.equal(per_head[i], torch.cat([q[i * hd:(i + 1) * hd]] * 2))


def test_random_wide_block_is_not_duplicated() -> None:
    assert min(wd.duplication_defect(_block(8, 2, 6)).values()) > 1e-3


# --- symmetry under gradient descent -------------------------------------------------------


def _problem(d: int, c: int = 3) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return _randn(2, 5, d, seed=11), _randn(c, d, seed=12), _randn(2, 5, c, seed=13)


@pytest.mark.parametrize(("strategy", "fix"), [("heads", "fold"), ("head_dim", "scale")])
def test_duplicated_gradients_are_half_the_small_gradients(strategy: wd.Strategy,
                                                           fix: wd.ScaleFix) -> None:
    """Every copy of a parameter receives the same gradient, ½ of the small model's."""
    block = _block(8, 2, 6)
    wide = wd.widen_block(block, strategy, scale_fix=fix)
    x, r, t = _problem(8)
    r_wide = wd.widen_linear(r, outputs=False)[0]
    small_loss = wd.readout_loss(block, x, r, t)
    small_loss.backward()
    wide_loss = wd.sgd_step(wide, wd.widen_input(x), r_wide, t, lr=0.0)
    assert wide_loss == pytest.approx(small_loss.item(), rel=1e-13)
    assert max(wd.duplication_defect(wide, strategy, grads=True).values()) < 1e-12
    inv = torch.argsort(wd.head_dim_perm(2, 4))  # where [q, q]'s entries sit, head_dim layout
    small = dict(block.named_parameters())
    for name, p in wide.named_parameters():
        g = p.grad
        if strategy == "head_dim" and name[0] in "qkv":
            g = g[inv]
        if strategy == "head_dim" and name == "o.weight":
            g = g[:, inv]
        first = g[tuple(slice(0, n // 2) for n in g.shape)]
        torch.testing.assert_close(first, small[name].grad / 2, rtol=0, atol=1e-13)


@pytest.mark.parametrize("strategy", ["heads", "head_dim"])
def test_sgd_keeps_the_duplicated_structure(strategy: wd.Strategy) -> None:
    wide = wd.widen_block(_block(8, 2, 6), strategy)
    x, r, t = _problem(8)
    for _ in range(5):
        wd.sgd_step(wide, wd.widen_input(x), wd.widen_linear(r, outputs=False)[0], t, lr=0.1)
    assert max(wd.duplication_defect(wide, strategy).values()) < 1e-12


@pytest.mark.parametrize("strategy", ["heads", "head_dim"])
def test_iid_noise_breaks_symmetry_and_drift_grows_with_eps(strategy: wd.Strategy) -> None:
    block = _block(8, 2, 6)
    wide = wd.widen_block(block, strategy)
    x, r, t = _problem(8)
    eps = torch.tensor([1e-8, 1e-6, 1e-4, 1e-2], dtype=torch.float64)
    drift = []
    for e in eps.tolist():
        noisy = wd.add_symmetry_noise(wide, e, torch.Generator().manual_seed(3))
        drift.append(wd.widening_error(block, noisy, x))
        wd.sgd_step(noisy, wd.widen_input(x), wd.widen_linear(r, outputs=False)[0], t, lr=0.0)
        assert max(wd.duplication_defect(noisy, strategy, grads=True).values()) > e / 100
    drift_t = torch.tensor(drift)
    assert drift_t.min() > 0 and bool((drift_t[1:] > drift_t[:-1]).all())
    assert wd.loglog_slope(eps, drift_t) == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("strategy", ["heads", "head_dim"])
def test_split_noise_keeps_the_function_and_breaks_symmetry(strategy: wd.Strategy) -> None:
    block = _block(8, 2, 6)
    wide = wd.widen_block(block, strategy)
    noisy = wd.add_symmetry_noise(wide, 1e-2, torch.Generator().manual_seed(3), mode="split",
                                  strategy=strategy)
    x, r, t = _problem(8)
    assert wd.widening_error(block, noisy, x) < 1e-12
    assert max(wd.duplication_defect(noisy, strategy).values()) > 1e-3
    wd.sgd_step(noisy, wd.widen_input(x), wd.widen_linear(r, outputs=False)[0], t, lr=0.0)
    assert max(wd.duplication_defect(noisy, strategy, grads=True).values()) > 1e-5
    # biases and LayerNorm are untouched by the split noise
    assert all(torch.equal(p, dict(wide.named_parameters())[n])
               for n, p in noisy.named_parameters() if p.ndim == 1)


def test_loglog_slope_of_a_power_law() -> None:
    x = torch.logspace(-3, 2, 9, dtype=torch.float64)
    assert wd.loglog_slope(x, 5 * x**1.5) == pytest.approx(1.5, rel=1e-12)


# --- parameter counts ----------------------------------------------------------------------


@pytest.mark.parametrize(("d", "heads", "d_ff"), [(4, 1, 3), (8, 2, 32), (12, 3, 48), (64, 8, 256)])
def test_eqn_params(d: int, heads: int, d_ff: int) -> None:
    block = _block(d, heads, d_ff)
    assert wd.count_parameters(block) == sum(p.numel() for p in block.parameters())
    assert wd.param_count(d, d_ff) == wd.count_parameters(block)
    for strategy in ("heads", "head_dim"):
        wide = wd.widen_block(block, strategy)
        assert wd.count_parameters(wide) == wd.param_count(2 * d, 2 * d_ff)


def test_snippet_tables_contain_no_accidental_markdown_links() -> None:
    """A table label such as ``[x, 0](补零而非复制)`` renders as a broken link and loses its text;
    the approved outputs of the post's snippets must not contain ``[...](...)`` outside math."""
    import re
    from pathlib import Path

    golden = Path(__file__).parent / "golden" / "lossless-widening"
    outputs = sorted(golden.glob("*.txt"))
    assert outputs
    for path in outputs:
        text = re.sub(r"<figure.*?</figure>", "", path.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"\$[^$\n]*\$", "", text)  # inline math may hold brackets and parentheses
        assert not re.search(r"\[[^\]\n]*\]\([^)\n]*\)", text), path.name
