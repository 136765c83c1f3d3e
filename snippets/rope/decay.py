import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.rope import (
    apply_rope,
    rope_abel_bound,
    rope_abel_sum,
    rope_decay_bound,
    rope_pair_products,
    rope_relative_sum,
    rope_score_sum,
)

# Part 1: the score as a sum over pairs, Eq. (rope-score), and its Abel form, Eq. (rope-abel)
gen = torch.Generator().manual_seed(4)
d = 128
q = torch.randn(d, generator=gen, dtype=torch.float64)
k = torch.randn(d, generator=gen, dtype=torch.float64)
h = rope_pair_products(q, k)  # (d/2,) complex
rows, worst, flipped = [], 0.0, []
for m, n in ((0, 0), (5, 37), (37, 5), (300, 44), (1000, 1999)):
    score = (apply_rope(q[None], [m])[0] @ apply_rope(k[None], [n])[0]).item()  # (R_m q)ᵀ(R_n k)
    as_sum = rope_score_sum(q, k, m, n).item()  # Re Σ h_i e^{i(m-n)θ_i}
    wrong_sign = rope_score_sum(q, k, n, m).item()  # the same sum with e^{i(n-m)θ_i}
    total = rope_relative_sum(h, m - n)  # Σ h_i e^{i(m-n)θ_i}, complex
    abel = rope_abel_sum(h, m - n)  # -Σ S_{i+1}(h_{i+1} - h_i)
    bound = rope_abel_bound(h, m - n).item()
    worst = max(worst, abs(score - as_sum), (abel - total).abs().item())
    flipped.append(abs(score - wrong_sign))
    rows.append((f"({m}, {n})", score, abs(score - as_sum), abs(score - wrong_sign),
                 (abel - total).abs().item(), total.abs().item(), bound))
print(md_table(rows, ["$(m, n)$", r"$(\mathcal{R}_m q)^{\top}(\mathcal{R}_n k)$", "与实部求和之差",
                      r"换成 $e^{\mathrm{i}(n-m)\theta_i}$ 之差", "Abel 形式与求和之差",
                      r"$\vert\sum_i h_i e^{\mathrm{i}(m-n)\theta_i}\vert$", "右端上界"],
               [None, ".4f", ".1e", ".2f", ".1e", ".2f", ".1f"]))
assert worst < 1e-10  # the displayed sum and its Abel form give the score, at every (m, n)
assert flipped[0] < 1e-12 and min(flipped[1:]) > 0.5  # with e^{i(n-m)θ} only m = n comes out right
assert all(r[5] <= r[6] for r in rows)  # the bound of Eq. (rope-abel) ...
assert all(r[6] > 100 * r[5] for r in rows)  # ... far from tight for random q, k
value("rope-score-err", worst, ".0e")

# Part 2: the bound's r-dependent factor (1/(d/2)) Σ_j |S_j(r)|
R = 256
bound = rope_decay_bound(d, R)  # (R + 1,)
dists = [0, 16, 64, 128, 256]
print()
print(md_table([(r, bound[r].item()) for r in dists], ["相对距离 ∣m − n∣", "(1/(d/2)) Σ ∣S_j∣"],
               [None, ".2f"]))
assert abs(bound[0].item() - (d // 2 + 1) / 2) < 1e-12  # at r = 0, S_j = j and the mean is (d/2+1)/2
assert bound[R].item() < bound[0].item() / 4  # far smaller at the far end ...
assert (bound[1:] - bound[:-1]).max().item() > 0  # ... but not monotone
value("rope-bound-0", bound[0].item(), ".1f")
value("rope-bound-256", bound[256].item(), ".2f")
fig, ax = figure(size=(6.4, 3.2))
ax.plot(range(R + 1), bound.numpy())
ax.set_xlabel(r"相对距离 $\vert m-n\vert$")
ax.set_ylabel(r"$\frac{1}{d/2}\sum_j |S_j|$")
ax.set_title(f"d = {d}，底数 10000")
print()
print(svg(fig, label="rope-decay",
          caption="RoPE 远程衰减上界中只与距离有关的因子（d = 128）。整体趋势向下，但并不单调，"
                  "远处有明显的起伏。"))
