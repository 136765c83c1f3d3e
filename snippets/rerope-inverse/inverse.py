from blogkit.display import md_table, value
from blogkit.rope import rerope_relative_positions

L_train, w = 512, 128
rows = []
for k in (1.0, 0.25, 1 / 16):
    reach = rerope_relative_positions(L_train, w, k).max().item()
    rows.append((f"{k:g}", f"{1 / k:g}", reach))
print(md_table(rows, ["k", "窗口外每步增加 1/k", "训练中见过的最大相对位置"], [None, None, ".0f"]))
assert rows[2][2] == w + (L_train - 1 - w) * 16  # the farthest pair: m - j = L_train - 1
value("rerope-reach-4", rows[1][2], ".0f")
value("rerope-reach-16", rows[2][2], ".0f")
