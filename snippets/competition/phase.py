import numpy as np

from blogkit.display import figure, svg
from blogkit.dynamics import (
    Competition,
    competition_outcome,
    equilibria,
    jacobian,
    nullclines,
    rhs,
    separatrix,
)

titles = {"coexistence": r"$\sigma_1<1$，$\sigma_2<1$：共存",
          "species 1 wins": r"$\sigma_1<1<\sigma_2$：物种 1 胜出",
          "species 2 wins": r"$\sigma_2<1<\sigma_1$：物种 2 胜出",
          "bistable": r"$\sigma_1>1$，$\sigma_2>1$：双稳"}
cases = [(0.005, 0.005), (0.005, 0.015), (0.015, 0.005), (0.02, 0.02)]
g = np.linspace(0, 130, 30)
X1, X2 = np.meshgrid(g, g)
fig, axes = figure(2, 2, size=(7.2, 6.6))
for ax, (a1, a2) in zip(axes.ravel(), cases, strict=True):
    p = Competition(1.0, 1.0, 100.0, 100.0, a1, a2)
    v = rhs(p, np.stack([X1, X2], -1))  # (30, 30, 2)
    speed = np.hypot(v[..., 0], v[..., 1])
    ax.streamplot(g, g, v[..., 0], v[..., 1], color=np.log1p(speed), cmap="Greys", density=0.8,
                  linewidth=0.6, arrowsize=0.7)
    x = np.linspace(0, 130, 200)
    null1, null2 = nullclines(p, x)
    ax.plot(x, null1, color="C0", lw=1.6, label=r"$x_1$ 的零增长线")
    ax.plot(x, null2, color="C1", lw=1.6, label=r"$x_2$ 的零增长线")
    for e in equilibria(p).values():
        stable = np.all(np.linalg.eigvals(jacobian(p, e)).real < 0)
        ax.plot(*e, "o", ms=6, mfc="k" if stable else "white", mec="k", zorder=5, clip_on=False)
    outcome = competition_outcome(p.r1, p.r2, p.n1, p.n2, p.a1, p.a2)
    if outcome == "bistable":
        sep = separatrix(p)
        assert np.abs(sep[:, 0] - sep[:, 1]).max() < 1e-6  # symmetric parameters: the diagonal
        ax.plot(sep[:, 0], sep[:, 1], "--", color="C2", lw=1.6, label="分界线")
    ax.set_xlim(0, 130)
    ax.set_ylim(0, 130)
    ax.set_title(titles[outcome], fontsize=9)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
axes[1, 1].legend(fontsize=7, loc="upper right")
print(svg(fig, caption="四种情形的相图（r1 = r2 = 1，N1 = N2 = 100）。蓝线上 x1 不变，橙线上 x2 不变；"
                       "实心点是稳定平衡点，空心点不稳定。双稳情形中绿色虚线是鞍点的稳定流形，"
                       "两侧的轨道去往不同的结局。"))
