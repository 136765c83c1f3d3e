import numpy as np

from blogkit.calcvar import cycloid, cycloid_through, descent_time
from blogkit.display import figure, md_table, svg, value

a, b, g = np.pi, 2.0, 1.0  # end point (π, 2), y downward
r, th_end = cycloid_through(a, b)
s = np.linspace(0, 1, 4001)
R = (a**2 + b**2) / (2 * a)  # circle through the origin, centre (R, 0): vertical start
phi = (np.pi - np.arcsin(b / R)) * s
curves = {
    "摆线": cycloid(r, th_end * s),
    "直线": (np.array([0, a]), np.array([0, b])),
    "y = b·√(x/a)": (a * s**2, b * s),
    "圆弧（起点竖直）": (R * (1 - np.cos(phi)), R * np.sin(phi)),
    "先竖直落下再水平": (np.array([0, 0, a]), np.array([0, b, b])),
}
times = {name: descent_time(x, y, g) for name, (x, y) in curves.items()}
best = th_end * np.sqrt(r / g)
assert min(times, key=times.get) == "摆线" and abs(times["摆线"] - best) < 1e-6
assert curves["圆弧（起点竖直）"][1].max() > b  # the arc dips below the end point
assert abs(times["直线"] - np.hypot(a, b) * np.sqrt(2 / (g * b))) < 1e-14
print(md_table([(n, t, t / best) for n, t in times.items()],
               ["从 (0, 0) 到 (π, 2) 的路径", "下滑时间", "与摆线之比"], [None, ".6f", ".4f"]))
value("bc-r", r, ".6f")
value("bc-th", th_end, ".6f")
value("bc-cycloid", times["摆线"], ".6f")
value("bc-line", times["直线"], ".6f")
value("bc-line-ratio", times["直线"] / best, ".4f")
value("bc-circle", times["圆弧（起点竖直）"], ".6f")

fig, ax = figure(size=(7.4, 3.0))
for (name, (x, y)), style in zip(curves.items(), ["-", "--", "-.", ":", "--"], strict=True):
    ax.plot(x, y, style, lw=2.2 if name == "摆线" else 1.3, label=f"{name}:T = {times[name]:.4f}")
ax.plot([0, a], [0, b], "ko", ms=4)
ax.invert_yaxis()
ax.set_aspect("equal")
ax.set_xlabel("x")
ax.set_ylabel("y（向下）")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
print(svg(fig, caption="从原点由静止滑到 (π, 2) 的几条路径及所用时间（g = 1，y 轴向下）。"
                       "摆线最快；圆弧先沉到终点以下再升上来。"))
