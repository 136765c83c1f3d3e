from blogkit.display import figure, heatmap, svg
from blogkit.distributed import ring_trace

n = 4
trace = ring_trace(n)  # 2(N − 1) + 1 snapshots of the (rank, segment) contribution counts
assert len(trace) == 2 * (n - 1) + 1 and (trace[-1] == n).all()
assert all((trace[n - 1][r, (r + 1) % n] == n) for r in range(n))  # after reduce-scatter
fig, axes = figure(1, len(trace), size=(7.6, 2.0))
titles = ["开始"] + [f"归约 {t}" for t in range(1, n)] + [f"收集 {t}" for t in range(1, n)]
for ax, counts, title in zip(axes, trace, titles, strict=True):
    heatmap(ax, counts, title=title, cmap="Blues", vmin=0, vmax=n, colorbar=False)
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.tick_params(labelsize=6)
    for (r, c), k in ((rc, int(counts[rc])) for rc in ((r, c) for r in range(n) for c in range(n))):
        ax.text(c, r, k, ha="center", va="center", fontsize=6, color="white" if k > n / 2 else "black")
axes[0].set_ylabel("进程", fontsize=8)
for ax in axes:
    ax.set_xlabel("分段", fontsize=8)
print(svg(fig, caption=f"{n} 个进程的环形 All-Reduce：每格是某个进程的某一段里已经累加了几个进程的数据"
                       "（颜色越深越多）。"
                       f"{n - 1} 步归约之后，每个进程各有一段是完整的总和（对角线旁的一格）；"
                       f"再经 {n - 1} 步收集，所有格子都是 {n}。"))
