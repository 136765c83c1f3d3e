import numpy as np

from blogkit.display import figure, svg
from blogkit.geometry import fermat_cost, fermat_point, unit_vectors, vertex_angles, weiszfeld

cases = [("三条边权重相同", [[0, 0], [4, 0], [1, 3]], [1, 1, 1]),
         ("权重 3 : 4 : 5", [[0, 0], [4, 0], [1, 3]], [3, 4, 5]),
         ("钝角", [[0, 0], [4, 0], [1.5, 1]], [1, 1, 1])]
fig, axes = figure(1, 3, size=(9.6, 3.4))
for ax, (title, T, k) in zip(axes, cases, strict=True):
    T, k = np.array(T, dtype=float), np.array(k, dtype=float)
    lo, hi = np.array([-0.6, -0.6]), np.array([4.6, 3.6])
    if title == "钝角":
        title = f"∠C ≈ {vertex_angles(T)[2]:.1f}°：最优点就是 C"
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 241), np.linspace(lo[1], hi[1], 241))
    f = fermat_cost(np.stack([gx, gy], axis=-1), T, k)
    P = fermat_point(T, k)
    ax.contour(gx, gy, f, levels=np.quantile(f, np.linspace(0.01, 0.9, 14)), cmap="viridis",
               linewidths=0.8)
    ax.fill(T[:, 0], T[:, 1], color="0.85", zorder=0)
    ax.plot(*T[[0, 1, 2, 0]].T, color="0.4", lw=0.8)
    for name, (x, y) in zip("ABC", T, strict=True):
        ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points")
    path = weiszfeld(T, k, steps=12)
    gaps = np.linalg.norm(path - P, axis=1)
    assert np.all(np.diff(gaps) < 0)  # every step gets closer to P
    ax.plot(path[:, 0], path[:, 1], ".-", color="C3", ms=3, lw=0.8, label="Weiszfeld 迭代")
    ax.plot(*P, "o", color="C1", ms=6, label="最优点 P")
    if not np.any(np.all(T == P, axis=1)):
        u = unit_vectors(P, T)
        F = k[:, None] * u / k.max()
        ax.quiver(np.full(3, P[0]), np.full(3, P[1]), F[:, 0], F[:, 1], angles="xy",
                  scale_units="xy", scale=1, color="C1", width=0.012)
    ax.set_title(title, fontsize=9)
    ax.set_aspect("equal")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
axes[0].legend(loc="upper right", fontsize=7)
print(svg(fig, caption="加权距离和 f(P) 的等高线。橙点是最优点，箭头是三根绳子的拉力 kᵢuᵢ"
                       "（按最大权重归一），粉紫色折线是从加权重心出发的 Weiszfeld 迭代。"
                       "左：三个 120° 角；中：拉力长度之比 3 : 4 : 5，PA 与 PB 垂直；"
                       "右：∠C 超过 120°，迭代一路走向顶点 C。"))
