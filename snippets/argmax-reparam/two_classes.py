import numpy as np
from scipy.special import expit, ndtr

from blogkit.display import md_table, value
from blogkit.reparam import argmax_probs

rows, worst = [], 0.0
for delta in [0.0, 0.25, 0.5, 1.0, 2.0]:
    mu = np.array([delta, 0.0])  # Δ = μ1 − μ2
    closed = {"gumbel": expit(delta), "gaussian": ndtr(delta / np.sqrt(2)),
              "uniform": 1 - (1 - min(delta, 1.0)) ** 2 / 2}  # 1 − (1 − Δ)²/2 for 0 ≤ Δ ≤ 1
    got = {k: argmax_probs(mu, k)[0] for k in closed}
    worst = max(worst, *(abs(got[k] - closed[k]) for k in closed))
    rows.append((delta, got["gumbel"], got["gaussian"], got["uniform"]))
print(md_table(rows, ["Δ = μ₁ − μ₂", "Gumbel：σ(Δ)", "正态：Φ(Δ/√2)", "均匀：1 − (1 − Δ)²/2"],
               [".2f", ".6f", ".6f", ".6f"]))
assert worst < 1e-12 and rows[-1][3] == 1.0 and rows[-1][2] < 1
value("ar-two-err", worst, ".0e")
