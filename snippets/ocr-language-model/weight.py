import itertools

import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.nlp import bigram_logp, dict_char_stats, lambda_crossover, unigram_logp, viterbi

first, second = ["电", "宙"], ["柳", "视", "规"]
w1, w2 = np.array([0.99996, 0.00004]), np.array([0.87838, 0.12148, 0.00012])
stats = dict_char_stats(first + second)
prior, move = unigram_logp(stats, first), bigram_logp(stats, first, second)

# score_λ(s) = log W(s₁) + log W(s₂) + λ [log P(s₁) + log P(s₂ | s₁)]
paths = list(itertools.product(range(2), range(3)))
logw = {p: np.log(w1[p[0]]) + np.log(w2[p[1]]) for p in paths}
loglm = {p: prior[p[0]] + move[p] for p in paths}
lam_star = lambda_crossover(logw[0, 0], loglm[0, 0], logw[0, 1], loglm[0, 1])  # 电柳 → 电视

lams = np.linspace(0, 1, 401)
winners = []
for lam in lams:
    path, _ = viterbi([np.log(w1), np.log(w2)], [lam * move], lam * prior)
    winners.append(first[path[0]] + second[path[1]])
switch = [float(lams[k]) for k in range(1, len(lams)) if winners[k] != winners[k - 1]]
assert set(winners) == {"电柳", "电视"} and len(switch) == 1  # one switch, from 电柳 to 电视
assert winners[0] == "电柳" and abs(switch[0] - lam_star) <= lams[1] - lams[0]

rows = [(f"{lam:g}", winners[int(np.argmin(abs(lams - lam)))]) for lam in (0, 0.1, 0.2, 0.25, 0.5, 1)]
print(md_table(rows, ["λ", "动态规划选出的词"]))
assert 0.15 < lam_star < 0.25  # "about one fifth"
value("ocr-lambda-star", lam_star, ".3f")
value("ocr-dlogw", logw[0, 0] - logw[0, 1], ".3f")
value("ocr-dloglm", loglm[0, 1] - loglm[0, 0], ".3f")

fig, ax = figure(size=(6.0, 3.4))
for p in paths:
    name = first[p[0]] + second[p[1]]
    ax.plot(lams, logw[p] + lams * loglm[p], lw=2.2 if name in ("电视", "电柳") else 1.0,
            label=name)
ax.axvline(lam_star, color="k", lw=0.8, ls=":")
ax.annotate(f"λ* ≈ {lam_star:.3f}", (lam_star, logw[0, 1] + lam_star * loglm[0, 1]),
            xytext=(0.4, -3.5), arrowprops={"arrowstyle": "->"})
ax.set_xlabel("语言模型的权重 λ")
ax.set_ylabel("log W + λ log P")
ax.set_ylim(-40, 1)
ax.legend(fontsize=8, ncol=3, loc="lower left")
print()
print(svg(fig, caption="六条路径的得分随语言模型权重 λ 变化，每条都是直线；"
                       "“电视”与“电柳”两条线在 λ* 处相交，此后动态规划改选“电视”。"))

# Recognizer probabilities read as posteriors: divide by the character prior (延伸).
uni = unigram_logp(stats, first + second)
div = {p: logw[p] - uni[p[0]] - uni[2 + p[1]] + loglm[p] for p in paths}
best_div = max(paths, key=lambda p: div[p])
assert first[best_div[0]] + second[best_div[1]] == "电视"
value("ocr-bayes-ratio", float(np.exp(div[0, 1] - div[0, 0])), ".0f")
value("ocr-prior-liu", float(np.exp(uni[2])), ".2e")
value("ocr-prior-shi", float(np.exp(uni[3])), ".2e")
