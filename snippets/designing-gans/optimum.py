import numpy as np

from blogkit.display import md_table, value
from blogkit.gan import DESIGNS, induced_f, optimal_critic

rows_text = {  # φ(z), ψ(z), D* = ω(r), F(r), the divergence E_q f(p/q)
    "vanilla": (r"$\log z$", r"$\log(1-z)$", r"$\frac{r}{1+r}$",
                r"$r\log\frac{r}{1+r}+\log\frac{1}{1+r}$", r"$2\,\mathrm{JS}(p,q)$"),
    "least-squares": (r"$-(1-z)^2$", r"$-z^2$", r"$\frac{r}{1+r}$", r"$-\frac{r}{1+r}$",
                      r"$\frac14\int\frac{(p-q)^2}{p+q}$"),
    "chi2": (r"$z$", r"$-\frac{z^2}{2}$", r"$r$", r"$\frac{r^2}{2}$", r"$\frac12\chi^2(p\Vert q)$"),
    "kl": (r"$z$", r"$-e^{z-1}$", r"$1+\log r$", r"$r\log r$", r"$\mathrm{KL}(p\Vert q)$"),
}
r = np.logspace(-3, 3, 601)  # likelihood ratios p/q
rows, worst = [], 0.0
for name, design in DESIGNS.items():
    err = np.abs(optimal_critic(design, r) - design.omega(np.log(r))).max()  # bisection vs closed form
    f = induced_f(design, r)
    slopes = np.diff(f) / np.diff(r)  # chord slopes increase: f is convex
    assert np.diff(slopes).min() > -1e-9 and float(induced_f(design, 1.0)) == 0
    worst = max(worst, err)
    rows.append((name, *rows_text[name], err))
print(md_table(rows, ["设计", "φ(z)", "ψ(z)", "最优判别器 D*", "F(r)", "对应的散度", "二分法误差"],
               [None, None, None, None, None, None, ".0e"]))
assert worst < 1e-9
value("dg-omega-err", worst, ".0e")
