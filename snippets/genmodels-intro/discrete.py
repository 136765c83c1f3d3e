import numpy as np

from blogkit.display import md_table, value
from blogkit.genmodels import kl_discrete

# Three distributions on four outcomes; r puts no mass on the last one.
p = np.array([0.4, 0.3, 0.2, 0.1])
q = np.array([0.25, 0.25, 0.25, 0.25])
r = np.array([0.5, 0.3, 0.2, 0.0])
pairs = [("p", p, "q", q), ("q", q, "p", p), ("p", p, "r", r), ("r", r, "p", p), ("p", p, "p", p)]
kl = {f"KL({a} ‖ {b})": kl_discrete(x, y) for a, x, b, y in pairs}
rows = [(k, "+∞" if np.isinf(v) else f"{v:.4f}") for k, v in kl.items()]
print(md_table([("p", *p), ("q", *q), ("r", *r)], ["分布", "P(1)", "P(2)", "P(3)", "P(4)"],
               [None, ".2f", ".2f", ".2f", ".2f"]))
print()
print(md_table(rows, ["散度", "值(nat)"], align=["l", "r"]))

assert kl["KL(p ‖ q)"] > 0 and kl["KL(q ‖ p)"] > 0 and kl["KL(p ‖ p)"] == 0
assert kl["KL(p ‖ q)"] != kl["KL(q ‖ p)"]  # not symmetric
assert kl["KL(p ‖ r)"] == np.inf and np.isfinite(kl["KL(r ‖ p)"])  # r misses an outcome of p
value("gi-kl-pq", kl["KL(p ‖ q)"], ".4f")
value("gi-kl-qp", kl["KL(q ‖ p)"], ".4f")
value("gi-kl-rp", kl["KL(r ‖ p)"], ".4f")
