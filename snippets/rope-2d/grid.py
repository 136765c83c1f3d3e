import torch

from blogkit.display import figure, heatmap, md_table, svg, value
from blogkit.rope import apply_rope_2d, rope_2d_rotation_gaps, rope_freqs

gen = torch.Generator().manual_seed(3)
side, d = 8, 32
rows = torch.arange(side).repeat_interleave(side)  # (64,) row index of each patch
cols = torch.arange(side).repeat(side)  # (64,) column index
q = torch.randn(d, generator=gen, dtype=torch.float64)
k = torch.randn(d, generator=gen, dtype=torch.float64)
n = side * side
Q = apply_rope_2d(q.expand(n, d), rows, cols)  # the same content at every patch: (64, d)
K = apply_rope_2d(k.expand(n, d), rows, cols)
S = Q @ K.T  # (64, 64)
# The score depends only on (Δrow, Δcol): collect every pair with the same offset.
groups: dict[tuple[int, int], list[float]] = {}
for i in range(n):
    for j in range(n):
        groups.setdefault((int(rows[j] - rows[i]), int(cols[j] - cols[i])), []).append(S[i, j].item())
spread = max(max(v) - min(v) for v in groups.values())
# Distinct cells get distinct rotations: the smallest distance between two of the 64 matrices
gaps = rope_2d_rotation_gaps(rows, cols, d)  # (64, 64)
min_gap = gaps[~torch.eye(n, dtype=torch.bool)].min().item()
period = (2 * torch.pi / rope_freqs(d // 2).min()).item()  # the longest period on each axis
print(md_table([("不同的 (Δ行，Δ列)", len(groups)), ("同一偏移下打分的最大起伏", spread),
                ("两个不同格子的旋转矩阵之间的最小距离（Frobenius）", min_gap),
                ("网格上的最大坐标差", side - 1), ("每个轴上最低频率的周期 2π/θ", period)],
               ["检查", "值"], [None, ".3g"]))
assert len(groups) == (2 * side - 1) ** 2 and spread < 1e-12
assert min_gap > 0.5 and side - 1 < period  # no two cells share a rotation; the range is below one period
value("rope2d-min-gap", min_gap, ".2f")
value("rope2d-period", period, ".0f")
centre = 3 * side + 3
vmax = S[[centre, 0]].abs().max().item()  # one colour scale for both panels
fig, axes = figure(1, 2, size=(7.4, 3.2))
for ax, c, title in ((axes[0], centre, "查询在 (3, 3)"), (axes[1], 0, "查询在 (0, 0)")):
    heatmap(ax, S[c].reshape(side, side).numpy(), xlabel="列", ylabel="行", title=title,
            vmin=-vmax, vmax=vmax)
    ax.plot([int(cols[c])], [int(rows[c])], "k*", ms=9)
print()
print(svg(fig, label="rope-2d-grid",
          caption="8×8 网格上，固定的 q 放在星号处、固定的 k 放在各个格子时的打分。"
                  "两图用同一色标：右图的左上角 5×5 与左图的右下角 5×5 完全相同，"
                  "打分只取决于二维的相对位置。"))
