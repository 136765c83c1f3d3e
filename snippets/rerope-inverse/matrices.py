import torch

from blogkit.display import figure, heatmap, md_table, svg
from blogkit.rope import rerope_relative_positions

L, w = 64, 16
schemes = [("RoPE", None, L + 1), ("ReRoPE", None, w), ("Leaky ReRoPE，k = 4", 4.0, w),
           ("逆用 Leaky，k = 1/4", 0.25, w)]
mats = [(name, rerope_relative_positions(L, win, k)) for name, k, win in schemes]
small = rerope_relative_positions(8, 3, 2.0)  # (8, 8), for a look at the numbers
print("窗口 w = 3、k = 2 时 8×8 的相对位置矩阵（下三角）：\n")
print(md_table([[f"{small[m, j].item():g}" if j <= m else "" for j in range(8)] for m in range(8)],
               [f"j={j}" for j in range(8)], align=["r"] * 8))
print()
peaks = [M.max().item() for _, M in mats]
assert 10 < max(peaks) / min(peaks) < 20  # the prose: the maxima differ "十几倍"
future = torch.ones(L, L, dtype=torch.bool).triu(1)  # j > m: not attended, left blank
fig, axes = figure(2, 2, size=(7.2, 6.0))
for ax, (name, M) in zip(axes.flat, mats, strict=True):  # each panel on its own colour scale
    heatmap(ax, M.masked_fill(future, float("nan")).numpy(), cmap="viridis", vmin=0,
            title=f"{name}（最大 {M.max().item():g}）", xlabel="键 j", ylabel="查询 m")
print(svg(fig, label="rerope-inverse-matrices",
          caption=f"L = {L}、w = {w} 时四种方案的相对位置矩阵"
                  "（行是查询 m，列是键 j，只画 j ≤ m；各图色标不同）。ReRoPE 在窗口外截平；"
                  "Leaky ReRoPE 以斜率 1/k 继续增长；k < 1 的“逆用”把窗口外的位置拉伸。"))

# The same four schemes as profiles: the relative position each one assigns to a distance m - j
fig, ax = figure(size=(6.0, 3.2))
dist = torch.arange(L)
for name, M in mats:
    ax.plot(dist.numpy(), M[L - 1, L - 1 - dist].numpy(), label=name)  # row m = L-1, key j = m - dist
ax.axvline(w, color="k", lw=0.8, ls=":")
ax.set_xlabel("距离 m − j")
ax.set_ylabel("实际使用的相对位置")
ax.legend(fontsize=8)
print()
print(svg(fig, label="rerope-inverse-profiles",
          caption=f"同样四种方案，相对位置作为距离 m − j 的函数（点线为窗口 w = {w}）。"
                  "窗口内四条线重合；窗口外 ReRoPE 水平，Leaky 斜率 1/k < 1，逆用的斜率 1/k > 1。"))
