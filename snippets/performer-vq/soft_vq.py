import itertools

import numpy as np

from blogkit.attention import (
    codebook_weights,
    favor_attention,
    gaussian_projection,
    max_inner_product_assign,
    performer_as_soft_vq,
    soft_vq_attention,
    vq_assign,
    vq_attention,
    vq_margin,
)
from blogkit.display import md_table, value

rng = np.random.default_rng(1)
n, d, m, dv = 512, 16, 64, 8
Q = 0.5 * rng.standard_normal((n, d)) / d**0.25
K = 0.5 * rng.standard_normal((n, d)) / d**0.25
V = rng.standard_normal((n, dv))
W = gaussian_projection(m, d, seed=2)  # Performer's m random ω_j, read as a codebook

# 1. Performer attention == codebook attention with codebook W and a soft assignment
assign, key_w = performer_as_soft_vq(K, W)
gap = np.abs(favor_attention(Q, K, V, W) - soft_vq_attention(Q, W, assign, V, key_w)).max()
assert gap < 1e-13
print(md_table([(r"$\dfrac{\varphi(Q)(\varphi(K)^\top V)}{\varphi(Q)(\varphi(K)^\top\mathbf 1)}$",
                 r"$\dfrac{\exp(QW^\top)(A^\top GV)}{\exp(QW^\top)(A^\top G\mathbf 1)}$", gap)],
               ["Performer", f"码本注意力（码本 $W$，$m={m}$）", "最大绝对差"], [None, None, ".1e"]))
value("pv-gap", gap, ".1e")

# 2. Hard limits: max inner product vs nearest codeword
keys = rng.standard_normal((10000, d))
unit_W = W / np.linalg.norm(W, axis=1, keepdims=True)  # the same directions, equal norms
same_gauss = np.mean(max_inner_product_assign(keys, W) == vq_assign(keys, W))
same_unit = np.mean(max_inner_product_assign(keys, unit_W) == vq_assign(keys, unit_W))
assert same_unit == 1.0 and same_gauss < 0.9
print()
print(md_table([(r"高斯采样的 $\omega_j$（模长不等）", same_gauss), ("同一组方向，模长归一", same_unit)],
               ["码本", r"$\operatorname{argmax}_j k\cdot c_j$ 与最近码字一致的比例"], [None, ".1%"]))
value("pv-same-gauss", same_gauss, ".1%")
value("pv-keys", len(keys), ",d")

# 3. Temperature: the density-weighted soft assignment tends to VQ as τ → 0
C = W / d**0.25  # a codebook on the scale of the keys
hard = vq_attention(Q, C, vq_assign(K, C), V)
taus = [1.0, 0.1, 0.01, 0.001, 1e-4, 1e-5]
rows = []
for tau in taus:
    a = codebook_weights(K, C, tau)  # softmax_j(−|k − c_j|² / 2τ)
    rows.append((tau, a.max(axis=-1).mean(), np.abs(soft_vq_attention(Q, C, a, V) - hard).max()))
print()
print(md_table(rows, [r"$\tau$", "最大分配权重的平均", "与 Transformer-VQ 输出的最大绝对差"],
               ["g", ".4f", ".1e"]))
assert all(r2[2] < r1[2] for r1, r2 in itertools.pairwise(rows))  # shrinks with τ
assert rows[-1][2] < 1e-3
margin = vq_margin(K, C)
value("pv-margin-min", margin.min(), ".1e")
value("pv-margin-median", np.median(margin), ".2f")
value("pv-tau-last", taus[-1], "g")
value("pv-tau-last-gap", rows[-1][2], ".1e")
value("pv-tau1-w", rows[0][1], ".2f")
