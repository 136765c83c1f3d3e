import torch

from blogkit.display import figure, heatmap, md_table, svg
from blogkit.rope import apply_rope_tie, corner_positions

segments = [("text", 4), ("image", 3, 4), ("text", 3)]
P, kinds = corner_positions(segments)  # (N, 2)
N = len(kinds)
img = [i for i, kd in enumerate(kinds) if kd == "image"]
after = [i for i, kd in enumerate(kinds) if kd == "text" and i > img[-1]]
kind_zh = {"text": "文字", "image": "图块"}
table, start = [], 0
for seg in segments:  # one row per segment: token range, then the range of each coordinate
    size = seg[1] if seg[0] == "text" else seg[1] * seg[2]
    block = P[start:start + size]
    spans = [f"{block[:, a].min().item():g}–{block[:, a].max().item():g}" for a in (0, 1)]
    table.append((kind_zh[kinds[start]], f"{start}–{start + size - 1}", *spans))
    start += size
print(md_table(table, ["片段", "序号", "第一个坐标", "第二个坐标"]))

gen = torch.Generator().manual_seed(1)
d = 32
q = torch.randn(d, generator=gen, dtype=torch.float64)
k = torch.randn(d, generator=gen, dtype=torch.float64)
Q = apply_rope_tie(q.expand(N, d), P[:, 0], P[:, 1])
K = apply_rope_tie(k.expand(N, d), P[:, 0], P[:, 1])
S = Q @ K.T  # (N, N) scores of the same q, k at every token
shift = 1000.0  # move the whole sequence along the diagonal
Qs = apply_rope_tie(q.expand(N, d), P[:, 0] + shift, P[:, 1] + shift)
Ks = apply_rope_tie(k.expand(N, d), P[:, 0] + shift, P[:, 1] + shift)
moved = (Qs @ Ks.T - S).abs().max().item()
# Inside the image the score depends only on (Δrow, Δcol).
groups: dict[tuple[float, float], list[float]] = {}
for i in img:
    for j in img:
        groups.setdefault((float(P[j, 0] - P[i, 0]), float(P[j, 1] - P[i, 1])), []).append(S[i, j].item())
spread = max(max(v) - min(v) for v in groups.values())
ahead = bool((P[after].min(dim=0).values > P[img].max(dim=0).values).all())
print()
print(md_table([("整段平移 (1000, 1000) 后打分的最大变化", f"{moved:.1e}"),
                ("图像内部：同一 (Δ行，Δ列) 的打分最大起伏", f"{spread:.1e}"),
                ("图像之后的文字在两个坐标上都超过所有图块", "是" if ahead else "否")],
               ["性质", "结果"]))
assert moved < 1e-9 and spread < 1e-12 and ahead

fig, (ax1, ax2) = figure(1, 2, size=(8.0, 3.6))
for kind, marker, color in (("text", "o", "C0"), ("image", "s", "C1")):
    label = kind_zh[kind]
    idx = [i for i, kd in enumerate(kinds) if kd == kind]
    ax1.scatter(P[idx, 1].numpy(), P[idx, 0].numpy(), marker=marker, color=color, label=label, s=45)
for i in range(N):
    ax1.annotate(str(i), (P[i, 1].item(), P[i, 0].item()), xytext=(4, 4), textcoords="offset points",
                 fontsize=7)
ax1.plot(P[:, 1].numpy(), P[:, 0].numpy(), color="0.7", lw=0.8, zorder=0)
ax1.set_xlabel("第二个坐标（列）")
ax1.set_ylabel("第一个坐标（行）")
ax1.invert_yaxis()
ax1.legend(fontsize=8)
heatmap(ax2, S.numpy(), xlabel="键的序号", ylabel="查询的序号")
for b in (img[0] - 0.5, img[-1] + 0.5):
    ax2.axhline(b, color="k", lw=0.6)
    ax2.axvline(b, color="k", lw=0.6)
print()
print(svg(fig, label="rope-tie-corner",
          caption="角点放置下“文字 4 个—图像 3×4—文字 3 个”的二维位置（左，灰线是阅读顺序），"
                  "以及同一对 q、k 放在各个位置上的打分（右，黑线围出图像部分）。"))
