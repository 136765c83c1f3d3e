import math
from collections import Counter

import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.nlp import (
    jieba_top_words,
    learn_unigram,
    recall_by_length,
    relative_logp,
    sample_corpus,
    segment,
    segmentation_logp,
    segmentation_prf,
    substring_counts,
)

# The corpus: sentences of i.i.d. words from jieba's 5000 most frequent Han words, drawn with
# probability ∝ frequency; the spaces are thrown away and only the raw text is learned from.
words, freqs = jieba_top_words(5000)
gold = sample_corpus(words, freqs, n_words=30_000, mean_len=8, seed=0)
raw = ["".join(s) for s in gold]

true_logp = relative_logp(dict(zip(words, freqs.tolist(), strict=True)))
longest = max(map(len, words))
oracle_cut = [segment(s, true_logp, max_len=longest) for s in raw]
oracle = segmentation_prf(oracle_cut, gold)
counts = substring_counts(raw, 4)

rows, fits, cuts = [], {}, {}
for m in (2, 3, 5, 10):
    fit = learn_unigram(raw, max_len=4, min_count=m, rounds=3, counts=counts)
    fits[m] = fit
    cuts[m] = [segment(s, fit.word_logp, max_len=4) for s in raw]
    prf = segmentation_prf(cuts[m], gold)
    rows.append((f"学出的模型，m = {m}", fit.vocab_size[0], len(fit.word_logp), *prf))
rows.append(("真实词表与词频", len(words), len(words), *oracle))
print(md_table(rows, ["模型", "候选词数", "最终词数", "准确率", "召回率", "F1"],
               [None, ",d", ",d", ".3f", ".3f", ".3f"]))

lik = [(m, *fits[m].loglik) for m in fits]
print()
print(md_table(lik, ["m", "第 1 轮切分", "第 2 轮切分", "第 3 轮切分"], ["d", ",.0f", ",.0f", ",.0f"]))
for fit in fits.values():  # alternating maximisation never lowers the likelihood ...
    l0, l1, l2 = fit.loglik
    assert l0 <= l1 <= l2 and l2 - l1 < 0.05 * (l1 - l0)  # ... and settles after one round

# Two reference points for the objective: the gold segmentation with its own relative
# frequencies, and "every sentence is one word".
gold_model = relative_logp(Counter(w for t in gold for w in t))
gold_lik = sum(segmentation_logp(s, gold_model) for s in gold)
whole = relative_logp(Counter(raw))
whole_lik = sum(whole[s] for s in raw)
n_sent = len(raw)
assert whole_lik > gold_lik > max(f.loglik[-1] for f in fits.values())
assert whole_lik >= -n_sent * math.log(n_sent)  # Σ n_u log(n_u / S) ≥ −S log S

f1 = {m: r[-1] for m, r in zip(fits, rows, strict=False)}
best_m = max(f1, key=f1.get)
assert best_m == 3 and f1[3] > f1[5] > f1[10] and oracle[2] > f1[best_m]
value("seg-chars", sum(map(len, raw)), ",d")
value("seg-sents", len(raw), ",d")
value("seg-oracle-f1", oracle[2], ".3f")
value("seg-best-f1", f1[best_m], ".3f")
value("seg-f1-m10", f1[10], ".3f")
value("seg-gold-lik", gold_lik, ",.0f")
value("seg-whole-lik", whole_lik, ",.0f")
value("seg-slogs", -n_sent * math.log(n_sent), ",.0f")
value("seg-learned-lik", fits[best_m].loglik[-1], ",.0f")

# Which words are found: recall by the length of the gold word.
learned = recall_by_length(cuts[best_m], gold)
truth = recall_by_length(oracle_cut, gold)
lengths = [k for k in learned if k <= 4]
fig, ax = figure(size=(6.0, 3.2))
x = np.arange(len(lengths))
for off, res, name in ((-0.2, learned, f"从生语料学出（m = {best_m}）"), (0.2, truth, "真实词表与词频")):
    ax.bar(x + off, [res[k][0] / res[k][1] for k in lengths], width=0.4, label=name)
ax.set_xticks(x, [f"{k} 字词\n（{truth[k][1]:,} 个）" for k in lengths])
ax.set_ylabel("召回率")
ax.set_ylim(0, 1.25)
ax.legend(fontsize=8, loc="upper center", ncol=2)
print()
print(svg(fig, caption="按真实词长统计的召回率：学出的模型对单字词和双字词最可靠，"
                       "更长的词需要在语料里反复出现才能被当成一个整体。"))
rec = {k: learned[k][0] / learned[k][1] for k in lengths}
assert min(rec[1], rec[2]) > max(rec[3], rec[4])
value("seg-rec-1", rec[1], ".3f")
value("seg-rec-2", rec[2], ".3f")
value("seg-rec-3", rec[3], ".3f")
