import itertools

import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.nlp import (
    corpus_vectors,
    cosine_neighbours,
    glove_loss,
    glove_shift,
    mean_pair_cosine,
    shifted_cosine_gap,
    simpler_glove_loss,
)

vocab, counts, ppmi, vectors, lam = corpus_vectors(1500, 5, 64)
# A GloVe-style problem on the same counts: target log X_ij, weight min(1, (X/100)^0.75), 0 if unseen.
x = counts.astype(float)
weights = np.minimum(1.0, (x / 100) ** 0.75)
log_x = np.log(np.where(x > 0, x, 1.0))
v, v_hat = vectors, vectors.copy()  # any parameters will do; start from the PMI vectors
b, b_hat = np.zeros(len(vocab)), np.zeros(len(vocab))
base = glove_loss(v, v_hat, b, b_hat, log_x, weights)

rng = np.random.default_rng(0)
direction = rng.standard_normal(vectors.shape[1])
direction /= np.linalg.norm(direction)
rows, cos_curve = [], []
sizes = [0.0, 1.0, 3.0, 10.0, 30.0, 100.0]
for size in sizes:
    s = glove_shift(v, v_hat, b, b_hat, size * direction)
    loss = glove_loss(*s, log_x, weights)
    summed = s[0] + s[1]  # GloVe's suggested output v + v̂
    near = [w for w, _ in cosine_neighbours(summed, vocab, "春节", 3)]
    cos = mean_pair_cosine(summed)
    cos_curve.append(cos)
    rows.append((size, (loss - base) / base, cos, "、".join(near)))
print(md_table(rows, ["‖c‖", "损失的相对变化", "任意两词余弦的平均", "“春节”的 3 个近邻"],
               ["g", ".1e", ".3f", None]))
assert max(abs(r[1]) for r in rows) < 1e-10  # the loss does not see the shift at all
assert all(a < b for a, b in itertools.pairwise(cos_curve)) and cos_curve[-1] > 0.99
value("wv-shift-maxrel", max(abs(r[1]) for r in rows), ".0e")
value("wv-cos0", cos_curve[0], ".3f")
value("wv-cos100", cos_curve[-1], ".4f")

# For large ‖c‖ the cosine is 1 − |P⊥(u − w)|² / (2‖c‖²): what is left is a distance.
c = 100 * direction
i = vocab.index("春节")
ratios = []
for word in ["元旦", "新年", "银行", "改革"]:
    j = vocab.index(word)
    uc, wc = v[i] + v_hat[i] + 2 * c, v[j] + v_hat[j] + 2 * c
    exact = 1 - uc @ wc / np.linalg.norm(uc) / np.linalg.norm(wc)
    ratios.append(exact / shifted_cosine_gap(v[i] + v_hat[i], v[j] + v_hat[j], 2 * c))
assert max(abs(r - 1) for r in ratios) < 0.05
value("wv-limit-err", max(abs(r - 1) for r in ratios), ".1%")

# 延伸: any invertible A with v → vA, v̂ → v̂A⁻ᵀ also keeps GloVe's loss; with v̂ = v only
# orthogonal A keep the simpler loss, and those keep every cosine.
a = np.eye(64) + 0.5 * rng.standard_normal((64, 64)) / 8
q, _ = np.linalg.qr(rng.standard_normal((64, 64)))
loss_a = glove_loss(v @ a, v_hat @ np.linalg.inv(a).T, b, b_hat, log_x, weights)
near_a = [w for w, _ in cosine_neighbours(v @ a, vocab, "春节", 3)]
unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
unit_q = vectors @ q / np.linalg.norm(vectors @ q, axis=1, keepdims=True)
cos_change_a = np.abs((v @ a) @ (v @ a).T / np.outer(*[np.linalg.norm(v @ a, axis=1)] * 2)
                      - unit @ unit.T).max()
cos_change_q = np.abs(unit_q @ unit_q.T - unit @ unit.T).max()
loss_q = simpler_glove_loss(vectors @ q, ppmi) - simpler_glove_loss(vectors, ppmi)
print()
print(md_table([("GloVe:v → vA,v̂ → v̂A⁻ᵀ（A 可逆）", (loss_a - base) / base, cos_change_a),
                ("简化版：v → vQ（Q 正交）", loss_q / simpler_glove_loss(vectors, ppmi), cos_change_q)],
               ["变换", "损失的相对变化", "余弦的最大变化"], [None, ".1e", ".1e"]))
assert abs(loss_a - base) < 1e-9 * base and abs(loss_q) < 1e-9 * simpler_glove_loss(vectors, ppmi)
assert cos_change_a > 0.1 and cos_change_q < 1e-10
value("wv-cos-change-a", cos_change_a, ".2f")
value("wv-near-a", "、".join(near_a))

fig, ax = figure(size=(5.6, 3.0))  # mean cosine against the size of the shift
ax.semilogx(sizes[1:], cos_curve[1:], "o-")
ax.axhline(cos_curve[0], color="C1", ls="--", lw=1, label="不平移时")
ax.set_xlabel("平移向量的长度 |c|")
ax.set_ylabel("任意两词余弦的平均")
ax.legend(fontsize=8, loc="lower right")
print()
print(svg(fig, caption="把 GloVe 的全部词向量平移同一个 c、并按式中的方式调整偏置，损失纹丝不动，"
                       "而任意两个词的余弦随 |c| 增大趋于 1。"))
