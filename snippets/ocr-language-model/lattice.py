import itertools

import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.nlp import bigram_logp, dict_char_stats, path_logp, unigram_logp, viterbi

# The recognizer's candidates for the two character boxes and their probabilities W(s_t).
first, second = ["电", "宙"], ["柳", "视", "规"]
w1, w2 = np.array([0.99996, 0.00004]), np.array([0.87838, 0.12148, 0.00012])

stats = dict_char_stats(first + second)  # jieba's dict.txt: pairs inside words, weighted by frequency
prior = unigram_logp(stats, first)  # log P(s_1)                              (2,)
move = bigram_logp(stats, first, second)  # log P(s_2 | s_1), add-one smoothing   (2, 3)
emission = [np.log(w1), np.log(w2)]

print(md_table([("词条数", stats.words), ("词频总和", stats.word_total), ("字频总和 N", stats.total),
                ("不同的字 V", stats.vocab)], ["jieba 词典 dict.txt", "值"], [None, ",d"]))
print()
pairs = [(a, b, stats.bigram.get((a, b), 0), stats.row.get(a, 0), float(np.exp(move[i, j])))
         for i, a in enumerate(first) for j, b in enumerate(second)]
print(md_table(pairs, ["前字 a", "后字 b", "词内相邻次数 n(ab)", "n(a·)", "P(b ∣ a)"],
               [None, None, ",d", ",d", ".3e"]))

rows = []
for i, j in itertools.product(range(2), range(3)):
    lm = prior[i] + move[i, j]
    total = path_logp([i, j], emission, [move], prior)
    rows.append((first[i] + second[j], w1[i] * w2[j], float(np.exp(lm)), float(np.exp(total))))
best, score = viterbi(emission, [move], prior)
rows.sort(key=lambda r: -r[3])
print()
print(md_table(rows, ["组合", "图像模型 W(s₁)W(s₂)", "语言模型 P(s₁)P(s₂ ∣ s₁)", "乘积"],
               [None, ".4g", ".3e", ".3e"]))

by_name = {r[0]: r for r in rows}
assert first[best[0]] + second[best[1]] == "电视" == rows[0][0]
assert abs(np.exp(score) - rows[0][3]) < 1e-12 * rows[0][3]
assert max(rows, key=lambda r: r[1])[0] == "电柳"  # the image model alone prefers 电柳
value("ocr-dict-words", stats.words, ",d")
value("ocr-dict-vocab", stats.vocab, ",d")
value("ocr-n-dianshi", stats.bigram[("电", "视")], ",d")
value("ocr-p-shi", float(np.exp(move[0, 1])), ".4f")
value("ocr-p-liu", float(np.exp(move[0, 0])), ".2e")
value("ocr-ratio", by_name["电视"][3] / by_name["电柳"][3], ".0f")
value("ocr-lm-ratio", by_name["电视"][2] / by_name["电柳"][2], ",.0f")
value("ocr-w-ratio", by_name["电柳"][1] / by_name["电视"][1], ".2f")

# The lattice: two columns of candidates, every edge labelled with P(s_2 | s_1).
fig, ax = figure(size=(6.0, 3.2))
ys1, ys2 = {0: 0.72, 1: 0.28}, {0: 0.85, 1: 0.5, 2: 0.15}
for i, j in itertools.product(range(2), range(3)):
    on = [i, j] == best
    ax.plot([0.2, 0.8], [ys1[i], ys2[j]], color="C1" if on else "0.6", lw=2.6 if on else 0.9,
            zorder=1)
    ax.text(0.38, ys1[i] + (ys2[j] - ys1[i]) * 0.3, f"{np.exp(move[i, j]):.1e}",
            fontsize=7, ha="center", va="center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"}, zorder=2)
for col, x, ys, w in ((first, 0.2, ys1, w1), (second, 0.8, ys2, w2)):
    for k, ch in enumerate(col):
        ax.scatter([x], [ys[k]], s=900, color="white", edgecolors="C0", zorder=3)
        ax.text(x, ys[k], ch, fontsize=15, ha="center", va="center", zorder=4)
        ax.text(x + (-0.09 if x < 0.5 else 0.09), ys[k], f"W = {w[k]:.5f}", fontsize=8,
                ha="right" if x < 0.5 else "left", va="center")
ax.text(0.2, 0.02, "第一个字", ha="center", fontsize=9)
ax.text(0.8, 0.02, "第二个字", ha="center", fontsize=9)
ax.set_xlim(-0.15, 1.15)
ax.set_ylim(0, 1)
ax.axis("off")
print()
print(svg(fig, caption="候选字组成的格：节点上是图像模型给出的概率，边上是语言模型的转移概率 P(s₂ ∣ s₁)；"
                       "粗线是动态规划选出的“电视”。"))
