from blogkit.display import figure, md_table, svg
from blogkit.rope import rerope_relative_positions

L, w = 64, 16
schemes = [("RoPE", None, L + 1), ("ReRoPE", None, w), ("Leaky ReRoPE, k = 4", 4.0, w),
           ("inverse Leaky, k = 1/4", 0.25, w)]
mats = [(name, rerope_relative_positions(L, win, k)) for name, k, win in schemes]
small = rerope_relative_positions(8, 3, 2.0)  # (8, 8), for a look at the numbers
print("窗口 w = 3、k = 2 时 8×8 的相对位置矩阵(下三角):\n")
print(md_table([[f"{small[m, j].item():g}" if j <= m else "" for j in range(8)] for m in range(8)],
               [f"j={j}" for j in range(8)], align=["r"] * 8))
print()
fig, axes = figure(1, 4, size=(9.6, 2.9))
vmax = max(M.max().item() for _, M in mats)
for ax, (name, M) in zip(axes, mats, strict=True):
    im = ax.imshow(M.tril().numpy(), cmap="viridis", vmin=0, vmax=vmax)
    ax.set_title(f"{name}\nmax = {M.max().item():g}", fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
fig.colorbar(im, ax=list(axes), shrink=0.8)
print(svg(fig, caption=f"图 1:L = {L}、w = {w} 时四种方案的相对位置矩阵"
                       "(行是查询 m,列是键 j,只画 j ≤ m)。ReRoPE 在窗口外截平;"
                       "Leaky ReRoPE 以斜率 1/k 继续增长;k < 1 的“逆用”把窗口外的位置拉伸。"))
