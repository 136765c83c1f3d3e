import numpy as np

from blogkit.attention import error_summary, power_law_slope, prf_rms_error, relative_errors, unit_pair
from blogkit.display import figure, md_table, svg, value

d, reps = 16, 100
ms = [16, 64, 256, 1024, 4096]
cosines = [-0.5, 0.0, 0.5]  # q·k for unit q, k, so |q+k|² = 1, 2, 3
pairs = [unit_pair(d, c, seed=i) for i, c in enumerate(cosines)]
q = np.array([p[0] for p in pairs])  # (3, d)
k = np.array([p[1] for p in pairs])
# 100 repetitions; in each, one 4096-row Gaussian W whose first m rows serve every m
err = relative_errors(q, k, ms, reps, seed=0)  # (reps, len(ms), 3)
mean, _, rms = error_summary(err)  # (len(ms), 3) each
theory = np.array([prf_rms_error(q, k, m) for m in ms])  # (len(ms), 3)
se = theory / np.sqrt(reps)  # standard error of a mean of 100 unbiased estimates

rows = [(m, *[x for j in range(3) for x in (rms[i, j], theory[i, j])]) for i, m in enumerate(ms)]
heads = ["$m$"] + [f"{h}（$q\\cdot k={c:g}$）" for c in cosines for h in ("实测", "理论")]
print(md_table(rows, heads, ["d"] + [".3f"] * 6))

ratio = rms[1:] / theory[1:]  # m >= 64
assert np.all((ratio > 0.75) & (ratio < 1.3))
slopes = [power_law_slope(ms, rms[:, j]) for j in range(3)]
assert all(-0.6 < s < -0.4 for s in slopes)
z = mean / se
assert np.all(abs(z) < 3)  # every mean relative error lies within 3 standard errors of 0

print()
cells = [(m, *[f"{mean[i, j]:+.4f} ± {se[i, j]:.4f}" for j in range(3)]) for i, m in enumerate(ms)]
print(md_table(cells, ["$m$"] + [f"平均相对误差（$q\\cdot k={c:g}$）" for c in cosines],
               ["d", None, None, None], align=["r", "r", "r", "r"]))

value("pv-d", d, "d")
value("pv-reps", reps, "d")
value("pv-mmax", max(ms), "d")
value("pv-ratio-min", ratio.min(), ".2f")
value("pv-ratio-max", ratio.max(), ".2f")
value("pv-slope-min", min(slopes), ".2f")
value("pv-slope-max", max(slopes), ".2f")
value("pv-zmax", abs(z).max(), ".1f")
value("pv-cells", z.size, "d")  # one unbiasedness test per (m, q·k) cell
value("pv-sqrt-reps", np.sqrt(reps), "g")  # standard error = RMS / √reps
value("pv-rms16-hi", rms[0, 2], ".2f")
value("pv-th16-hi", theory[0, 2], ".2f")
worst = err[:, 0, 2]  # the reps relative errors at m = 16, q·k = 0.5
assert worst.max() ** 2 > 0.5 * (worst**2).sum()  # one estimate makes most of the sum of squares
value("pv-max16-hi", worst.max(), ".1f")
below = np.mean(worst < 0)  # share of the estimates below the true value
assert below > 0.5
value("pv-below16-hi", below, ".0%")
value("pv-th1024-0", theory[3, 1], ".3f")
value("pv-rms1024-0", rms[3, 1], ".3f")

fig, ax = figure(size=(6.0, 3.6))
for j, c in enumerate(cosines):
    line = ax.plot(ms, theory[:, j], "-", lw=1, label=f"理论，$q\\cdot k={c:g}$")[0]
    ax.plot(ms, rms[:, j], "o", color=line.get_color(), ms=5, label=f"实测，$q\\cdot k={c:g}$")
ax.set_xscale("log", base=2)
ax.set_yscale("log")
ax.set_xticks(ms, labels=[str(m) for m in ms])
ax.minorticks_off()
ax.set_xlabel("特征数 $m$")
ax.set_ylabel(r"$\hat{e}^{q\cdot k}$ 的均方根相对误差")
ax.set_title(f"$|q|=|k|=1$，$d={d}$，重复 {reps} 次", fontsize=10)
ax.legend(fontsize=7, ncol=2)
print()
print(svg(fig, label="performer-vq-error",
          caption="正随机特征估计 $e^{q\\cdot k}$ 的均方根相对误差与特征数 $m$（双对数坐标）。"
                  f"实线是理论值 $\\sqrt{{(e^{{\\lVert q+k\\rVert^2}}-1)/m}}$，圆点是 {reps} 次重复的实测值；"
                  "$q$ 与 $k$ 越接近同向，误差越大。"))
