import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.utils.extmath import softmax

from blogkit.display import md_table, value
from blogkit.genmodels import BernoulliNaiveBayes, binarized_digits, naive_bayes_param_count

x_train, x_test, y_train, y_test = binarized_digits(threshold=8, test_size=450, seed=0)
nb = BernoulliNaiveBayes(alpha=1.0).fit(x_train, y_train)
lr = LogisticRegression(C=1.0, max_iter=5000).fit(x_train, y_train)  # p(y|x) fitted directly

# The naive Bayes posterior is a softmax of a linear function of x.
w, b = nb.as_linear()
soft = softmax(x_test @ w.T + b)  # (450, 10), scikit-learn's softmax of the logits
gap = float(np.abs(soft - nb.predict_proba(x_test)).max())
assert gap < 1e-12

rows = []
for name, model, count in [("朴素贝叶斯(生成式)", nb, naive_bayes_param_count(64, 10)),
                           ("逻辑回归(判别式)", lr, lr.coef_.size + lr.intercept_.size)]:
    losses = [-np.mean(np.log(model.predict_proba(x)[np.arange(len(y)), y]))
              for x, y in ((x_train, y_train), (x_test, y_test))]
    acc = float(np.mean(model.predict(x_test) == y_test))
    confidence = float(model.predict_proba(x_test).max(1).mean())  # mean probability of its guess
    rows.append((name, count, *losses, acc, confidence))
print(md_table(rows, ["模型", "参数量", "训练集 −log p(y∣x)", "测试集 −log p(y∣x)", "测试集准确率",
                      "测试集平均置信度"], [None, ",d", ".3f", ".3f", ".1%", ".1%"]))
(_, _, nb_tr, nb_te, nb_acc, nb_conf), (_, _, lr_tr, lr_te, lr_acc, lr_conf) = rows
assert lr_tr < nb_tr and lr_te < nb_te and lr_acc > nb_acc > 0.8
assert nb_conf > nb_acc + 0.05 and lr_conf < lr_acc  # naive Bayes is overconfident, LR is not
value("nb-conf", nb_conf, ".1%")
value("nb-linear-gap", gap, ".0e")
value("nb-acc", nb_acc, ".1%")
value("lr-acc", lr_acc, ".1%")
value("nb-ll-test", nb_te, ".3f")
value("lr-ll-test", lr_te, ".3f")

# Naive Bayes as a model of the pixels: p(x) = Σ_y p(y) Π_i p(x_i | y), against independent
# pixels (naive Bayes with a single class) — test negative log-likelihood in nats per image.
indep = BernoulliNaiveBayes(alpha=1.0).fit(x_train, np.zeros(len(x_train), dtype=int))
nll_ind = -float(indep.log_marginal(x_test).mean())
nll_x = -float(nb.log_marginal(x_test).mean())
nll_xy = -float(nb.log_joint(x_test)[np.arange(len(y_test)), y_test].mean())
print()
print(md_table([("各像素独立 p(x)", nll_ind), ("朴素贝叶斯 p(x)(对 y 求和)", nll_x),
                ("朴素贝叶斯 p(x, y)", nll_xy)], ["模型", "测试集负对数似然(nat/图)"],
               [None, ".2f"]))
assert nll_x < nll_ind - 3 and nll_x < nll_xy < nll_x + np.log(10)
value("nb-nll-ind", nll_ind, ".2f")
value("nb-nll-x", nll_x, ".2f")
value("nb-nll-xy", nll_xy, ".2f")
