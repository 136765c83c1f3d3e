from blogkit.display import md_table, value
from blogkit.genmodels import joint_param_count, naive_bayes_param_count

rows = []
for name, n in [("8×8 数字", 64), ("28×28 MNIST", 784)]:
    joint = joint_param_count(n, 10)
    rows.append((name, n, f"{joint:.3e}", naive_bayes_param_count(n, 10)))
print(md_table(rows, ["图像", "像素数 n", "完整联合表 10·2ⁿ − 1", "朴素贝叶斯 9 + 10n"],
               [None, "d", None, ",d"]))
assert naive_bayes_param_count(784, 10) == 9 + 10 * 784
value("nb-count-784", naive_bayes_param_count(784, 10), ",d")
value("nb-count-64", naive_bayes_param_count(64, 10), ",d")
value("nb-joint-digits", len(str(joint_param_count(784, 10))), "d")
