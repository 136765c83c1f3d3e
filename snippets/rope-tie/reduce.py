import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.rope import apply_rope, apply_rope_axes, rope_2d_axis_frequencies, rope_freqs

gen = torch.Generator().manual_seed(0)
d, n = 64, 200
x = torch.randn(2, n, d, generator=gen, dtype=torch.float64)  # (B, n, d)
t = torch.arange(n)
one_d = apply_rope(x, t)  # RoPE-1D at positions 0..n-1
names = {"alternate": "轴向交替（RoPE-Tie）", "half": "前后各半、各用 d/2 维的频率（RoPE-2D）",
         "split-band": "前后各半、沿用一维频率"}
rows, diffs, same_spectrum, axes = [], {}, {}, {}
for scheme, name in names.items():
    axis, theta = rope_2d_axis_frequencies(d, scheme)  # (d/2,) each
    axes[scheme] = (axis, theta)
    diffs[scheme] = (apply_rope_axes(x, t, t, axis, theta) - one_d).abs().max().item()  # text at (t, t)
    same_spectrum[scheme] = torch.equal(theta.sort().values, rope_freqs(d).sort().values)
    span = [f"{theta[axis == a].max().item():.3g} ~ {theta[axis == a].min().item():.2g}" for a in (0, 1)]
    rows.append((name, diffs[scheme], "是" if same_spectrum[scheme] else "否", *span))
print(md_table(rows, ["二维编码", f"文字在 (t, t) 时与 RoPE-1D 的最大差（{n} 个词）", "频率多重集与一维相同",
                      "x 轴的频率范围", "y 轴的频率范围"], [None, ".2g", None, None, None]))
assert diffs["alternate"] == 0.0 and diffs["split-band"] == 0.0  # bit for bit RoPE-1D
assert diffs["half"] > 0.1 and not same_spectrum["half"]  # no permutation fixes a different spectrum
theta1 = rope_freqs(d)
x_alt, y_alt = (axes["alternate"][1][axes["alternate"][0] == a] for a in (0, 1))
assert torch.equal(x_alt, axes["half"][1][: d // 4])  # RoPE-Tie's x axis = RoPE-2D's frequencies ...
assert torch.allclose(y_alt, x_alt * theta1[1], rtol=1e-14, atol=0)  # ... y: the same ladder, one step lower
split_axis, split_theta = axes["split-band"]
assert split_theta[split_axis == 1].max() < 0.02 and split_theta[split_axis == 0].min() > 0.01
value("ropetie-half-diff", diffs["half"], ".2g")
value("ropetie-step", theta1[1].item(), ".3f")
value("ropetie-split-ymax", split_theta[split_axis == 1].max().item(), ".2g")

fig, ax = figure(size=(6.6, 3.2))
for row, scheme in enumerate(names):
    axis, theta = axes[scheme]
    for a, (marker, color, label) in enumerate((("o", "C0", "x 轴"), ("s", "C1", "y 轴"))):
        sel = axis == a
        ax.scatter(theta[sel].numpy(), [row + (0.12 if a else -0.12)] * int(sel.sum()), marker=marker, s=14,
                   color=color, label=label if row == 0 else None)
ax.set_xscale("log")
ax.set_yticks(range(len(names)), ["RoPE-Tie", "RoPE-2D", "一维频率对半分"])
ax.invert_yaxis()
ax.set_xlabel(r"频率 $\theta$（对数坐标）")
ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2)
print()
print(svg(fig, label="rope-tie-ladders",
          caption=f"d = {d} 时三种分配方式下两个轴各自得到的频率。RoPE-Tie 的两个轴交错覆盖整个频段；"
                  "RoPE-2D 的两个轴频率相同；把一维频率对半分，则一个轴只有高频、另一个只有低频。"))
