import numpy as np

from blogkit.display import figure, svg
from blogkit.genmodels import BernoulliNaiveBayes, binarized_digits

x_train, _, y_train, _ = binarized_digits(threshold=8, test_size=450, seed=0)
nb = BernoulliNaiveBayes(alpha=1.0).fit(x_train, y_train)
rng = np.random.default_rng(0)
fig, axes = figure(3, 10, size=(7.0, 2.4))
for k, label in enumerate(nb.classes_):
    draws = nb.sample(label, 2, rng)  # (2, 64) from p(x | y = label)
    for row, img in enumerate([nb.feature_prob_[k], *draws]):
        ax = axes[row, k]
        ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    axes[0, k].set_title(f"y = {label}", fontsize=8)
axes[0, 0].set_ylabel("θ", fontsize=9)
axes[1, 0].set_ylabel("样本", fontsize=8)
axes[2, 0].set_ylabel("样本", fontsize=8)
print(svg(fig, caption="第一行:每个类别的像素概率 θ(颜色越深越接近 1),也就是 p(x | y) 的均值;"
                       "下面两行:从 p(x | y) 中抽出的样本,各像素在给定类别后相互独立。"))
