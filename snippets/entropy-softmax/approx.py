import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.entropy import mean_entropy, quick_entropy_approx, quick_lambda, sample_scores, score_spread

n = 512
s = sample_scores("gaussian", 32, n, seed=2)
lams = np.linspace(0, 8, 161)
h = np.array([mean_entropy(s, lam) for lam in lams])
approx = np.array([quick_entropy_approx(s, lam).mean() for lam in lams])
assert np.all(h >= approx - 1e-12)  # the approximation is a lower bound for every λ >= 0
assert abs(h[0] - np.log(n)) < 1e-12 and abs(approx[0] - np.log(n)) < 1e-12  # exact at λ = 0

show = [0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]
idx = [int(np.argmin(abs(lams - lam))) for lam in show]
rows = [(lams[i], h[i], approx[i], h[i] - approx[i]) for i in idx]
print(md_table(rows, [r"$\lambda$", "真实平均熵 $H$", r"快速近似 $\log n-\lambda(s_{\max}-\bar s)$", "差值"],
               [".1f", ".3f", ".3f", ".3f"]))
spread = score_spread(s)
lam_zero = quick_lambda(s, 0.0)  # where the approximation reaches zero entropy
value("es-approx-n", n, "d")
value("es-approx-spread", spread, ".2f")
value("es-approx-zero", lam_zero, ".2f")
value("es-approx-h-at-zero", mean_entropy(s, lam_zero), ".2f")
value("es-approx-gap-1", rows[2][3], ".2f")

fig, ax = figure(size=(6.0, 3.3))
ax.plot(lams, h, label="真实平均熵 $H(\\lambda)$")
ax.plot(lams, approx, "--", label=r"快速近似 $\log n-\lambda(s_{\max}-\bar s)$")
ax.axhline(0, color="k", lw=0.6)
ax.set_xlabel(r"$\lambda$")
ax.set_ylabel("熵（nats）")
ax.set_title(f"标准高斯分数，$n={n}$，32 行", fontsize=10)
ax.legend(fontsize=8)
print()
print(svg(fig, label="entropy-softmax-approx",
          caption="真实熵与快速近似。近似在 $\\lambda=0$ 处精确、处处位于真实值下方，"
                  "但它是一条直线，而真实熵在 $\\lambda=0$ 处斜率为零、$\\lambda$ 很大时趋于零。"))
