import numpy as np

from blogkit.display import md_table, value
from blogkit.entropy import (
    fit_log_law,
    gaussian_mean_field_lambda,
    lambda_for_entropy,
    quick_lambda,
    sample_scores,
    score_spread,
)

target = 2.0  # nats
ns = 2 ** np.arange(6, 13)  # 64 ... 4096
gauss = sample_scores("gaussian", 32, 4096, seed=0)  # 32 rows; length n = the first n columns
qk = sample_scores("qk", 32, 4096, seed=1, d=64)  # q·k/√d, d = 64

rows, lam_g, lam_qk = [], [], []
for n in ns:
    g, s = gauss[:, :n], qk[:, :n]
    lam_g.append(lambda_for_entropy(g, target))
    lam_qk.append(lambda_for_entropy(s, target))
    halves = [lambda_for_entropy(g[rows_, :], target) for rows_ in (slice(0, 16), slice(16, 32))]
    mean_field = gaussian_mean_field_lambda(n, target)
    rows.append((int(n), score_spread(g), quick_lambda(g, target), mean_field, lam_g[-1], *halves,
                 lam_qk[-1]))
    assert quick_lambda(g, target) <= lam_g[-1] and quick_lambda(s, target) <= lam_qk[-1]
    assert mean_field < lam_g[-1]  # the mean field undershoots here: few scores carry the mass
print(md_table(rows, ["$n$", r"$s_{\max}-\bar s$", r"快速近似的 $\lambda$", r"平均场的 $\lambda$",
                      r"$\lambda^*$", r"$\lambda^*$（第 1–16 行）", r"$\lambda^*$（第 17–32 行）",
                      r"$q\cdot k/\sqrt{d}$ 的 $\lambda^*$"], ["d"] + [".3f"] * 7))
half_gap = max(abs(r[5] - r[6]) / r[4] for r in rows)  # how far two halves of the rows disagree

fits = []
for name, lams in (("高斯", lam_g), (r"$q\cdot k/\sqrt{d}$", lam_qk)):
    a, b, r2 = fit_log_law(ns, lams)
    r2_sqrt = fit_log_law(ns, lams, power=0.5)[2]
    fits.append((name, a, b, r2, r2_sqrt))
print()
print(md_table(fits, ["分数", "$a$", "$b$", r"$R^2$：$a+b\log n$", r"$R^2$：$a+b\sqrt{\log n}$"],
               [None, ".3f", ".3f", ".4f", ".4f"]))

assert lam_g[-1] > 1.5 * lam_g[0] and lam_qk[-1] > 1.5 * lam_qk[0]
assert lam_g[-1] / lam_g[3] < np.log(4096) / np.log(512)  # Gaussian: slower than log n past n = 512
assert min(f[3] for f in fits) > 0.85
assert fits[0][4] > fits[0][3] and fits[1][3] > fits[1][4]  # neither form wins on both
value("es-lam-g-first", lam_g[0], ".2f")
value("es-lam-g-last", lam_g[-1], ".2f")
value("es-spread-first", rows[0][1], ".2f")
value("es-spread-last", rows[-1][1], ".2f")
value("es-half-gap", half_gap, ".1%")
