import numpy as np

from blogkit.display import md_table, value
from blogkit.gan import DESIGNS, design_value, gaussian_logpdf, induced_f

x = np.linspace(-40, 40, 160_001)  # integration grid
logp = gaussian_logpdf(x)  # p = N(0, 1)
rows, vals = [], {}
for m in [0.0, 0.5, 1.0, 2.0]:
    logq = gaussian_logpdf(x, m)  # q = N(m, 1)
    v = {name: design_value(d, logp, logq, x) for name, d in DESIGNS.items()}
    vals[m] = v
    rows.append((m, v["vanilla"], v["least-squares"], v["chi2"], np.exp(m**2) / 2, v["kl"], m**2 / 2))
print(md_table(rows, ["m", "vanilla", "least-squares", "chi2", "闭式 $e^{m^2}/2$", "kl", "闭式 $m^2/2$"],
               [".1f", ".6f", ".6f", ".6f", ".6f", ".6f", ".6f"]))
for m, v in vals.items():  # closed forms, and the minimum F(1) at p = q
    assert abs(v["chi2"] - np.exp(m**2) / 2) < 1e-9 * np.exp(m**2) and abs(v["kl"] - m**2 / 2) < 1e-9
    for name, d in DESIGNS.items():
        f1 = float(d.terms(np.zeros(()))[0] + d.terms(np.zeros(()))[1])  # F(1)
        assert v[name] >= f1 - 1e-12 and (m > 0 or abs(v[name] - f1) < 1e-12)
        assert m == 0 or v[name] > vals[max(k for k in vals if k < m)][name]  # grows with m
assert abs(vals[0.0]["vanilla"] + np.log(4)) < 1e-12 and induced_f(DESIGNS["kl"], 1.0) == 0
value("dg-vanilla-2", vals[2.0]["vanilla"], ".5f")
value("dg-log4", -np.log(4), ".5f")
