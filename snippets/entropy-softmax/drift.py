import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.entropy import (
    entropy_invariant_scale,
    kappa_for_scale,
    lambda_for_entropy,
    mean_entropy,
    sample_scores,
)

target, n0 = 2.0, 512  # calibrate both rules at the "training length" n0
ns = np.unique(np.round(2 ** np.arange(6, 12.01, 0.5)).astype(int))  # 64 ... 4096, half octaves
data = {"高斯": sample_scores("gaussian", 32, 4096, seed=0),  # same draws as the table above
        "q·k/√d": sample_scores("qk", 32, 4096, seed=1, d=64)}
titles = ["Gaussian scores", "q·k/√d scores, d = 64"]

fig, axes = figure(1, 2, size=(7.6, 3.2), sharey=True)
rows = []
for ax, title, (name, s) in zip(axes, titles, data.items(), strict=True):
    lam0 = lambda_for_entropy(s[:, :n0], target)
    kappa = kappa_for_scale(lam0, n0, d=1)  # κ log n = λ*(n0) at n = n0
    h_fixed = [mean_entropy(s[:, :n], lam0) for n in ns]
    h_log = [mean_entropy(s[:, :n], entropy_invariant_scale(n, 1, kappa)) for n in ns]
    ax.plot(ns, h_fixed, "o-", ms=3, label=f"fixed λ = {lam0:.2f}")
    ax.plot(ns, h_log, "s-", ms=3, label=f"λ = κ log n, κ = {kappa:.3f}")
    ax.set_xscale("log", base=2)
    ax.set_xticks([64, 256, 1024, 4096], labels=["64", "256", "1024", "4096"])
    ax.minorticks_off()
    ax.axhline(target, color="k", lw=0.8, ls=":")
    ax.set_xlabel("n")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    rows.append((name, lam0, kappa, min(h_fixed), max(h_fixed), min(h_log), max(h_log)))
    assert max(h_log) - min(h_log) < max(h_fixed) - min(h_fixed)
    assert h_fixed[-1] - h_fixed[0] > 0.9  # a fixed λ lets the entropy climb with n
    if name == "高斯":  # κ log n over-corrects at the long end for these Gaussian rows
        assert all(h < target for h, n in zip(h_log, ns, strict=True) if n > 1024)
axes[0].set_ylabel("mean entropy (nats)")
print(md_table(rows, ["分数", "λ*(512)", "κ", "固定 λ:H 最小", "固定 λ:H 最大", "κ log n:H 最小",
                      "κ log n:H 最大"], [None, ".3f", ".4f", ".2f", ".2f", ".2f", ".2f"]))
print()
print(svg(fig, caption="两种缩放下平均熵随长度 n 的变化(32 行,前 n 列)。两条曲线都在 n = 512 处"
                       "校准到 2 nats;固定 λ 的熵随 n 总体上升,λ = κ log n 的熵在目标附近起伏。"))
for tag, r in zip(("g", "qk"), rows, strict=True):
    value(f"es-fixed-{tag}-min", r[3], ".2f")
    value(f"es-fixed-{tag}-max", r[4], ".2f")
    value(f"es-log-{tag}-min", r[5], ".2f")
    value(f"es-log-{tag}-max", r[6], ".2f")
