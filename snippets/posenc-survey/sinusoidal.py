from blogkit.display import figure, svg
from blogkit.posenc import sinusoidal_positions

n, d = 128, 64
p = sinusoidal_positions(n, d)  # (n, d), float64: row k is p_k
fig, ax = figure(size=(6.4, 3.6))
im = ax.imshow(p.numpy(), aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
ax.set_xlabel("分量编号（偶数为正弦，奇数为余弦）")
ax.set_ylabel("位置 $k$")
ax.set_title(f"Sinusoidal 位置编码，$n={n}$，$d={d}$")
ax.grid(False)
fig.colorbar(im, ax=ax, shrink=0.85)
print(svg(fig, label="posenc-survey-sinusoidal",
          caption=f"Sinusoidal 位置编码矩阵（$n={n}$，$d={d}$）。左边的低维分量频率高，"
                  "随位置快速振荡；越往右频率越低，在图中的位置范围内几乎不变（正弦接近 0、余弦接近 1）。"))
