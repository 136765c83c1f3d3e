import numpy as np

from blogkit.display import md_table, value
from blogkit.reparam import NOISES, argmax_frequencies, argmax_probs, argmax_probs_quad, softmax

mu = np.array([1.2, 0.5, -0.3, 2.0])
draws = 200_000
names = {"gumbel": "Gumbel", "gaussian": "标准正态", "uniform": "U[0, 1]"}
rows, worst_z = [], 0.0
for k, noise in enumerate(NOISES):
    p = argmax_probs(mu, noise)
    freq = argmax_frequencies(mu, noise, draws, seed=k)
    sd = np.sqrt(np.maximum(p * (1 - p), 1e-300) / draws)  # binomial standard error
    z = np.where(p > 0, np.abs(freq - p) / sd, 0.0)
    worst_z = max(worst_z, float(z.max()))
    assert np.all(freq[p == 0] == 0)  # a zero probability is never drawn
    rows.append((names[noise], "精确", *p))
    rows.append(("", f"抽样 {draws:,} 次", *freq))
print(md_table(rows, ["噪声", "", *[f"p{i + 1}" for i in range(4)]],
               [None, None, ".5f", ".5f", ".5f", ".5f"]))
gap = np.abs(argmax_probs_quad(mu, "gumbel") - softmax(mu)).max()  # integral vs closed form
assert gap < 1e-13 and worst_z < 5
assert np.count_nonzero(argmax_probs(mu, "uniform") == 0) == 2 and np.all(argmax_probs(mu, "gaussian") > 0)
gum, gau = argmax_probs(mu, "gumbel"), argmax_probs(mu, "gaussian")
top = np.argmax(mu)
assert gau[top] > gum[top] and np.all(gau[np.argsort(mu)[:2]] < gum[np.argsort(mu)[:2]])
value("ar-mu", "(" + ", ".join(f"{m:g}" for m in mu) + ")")
value("ar-gumbel-gap", gap, ".0e")
value("ar-worst-z", worst_z, ".1f")
value("ar-draws", draws, ",d")
