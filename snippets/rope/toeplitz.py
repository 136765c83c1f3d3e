import torch

from blogkit.display import figure, heatmap, md_table, svg
from blogkit.rope import apply_rope

gen = torch.Generator().manual_seed(1)
d, L = 64, 64
q = torch.randn(d, generator=gen, dtype=torch.float64)
k = torch.randn(d, generator=gen, dtype=torch.float64)
pos = torch.arange(L)
Q = apply_rope(q.expand(L, d), pos)  # the same query at every position: (L, d)
K = apply_rope(k.expand(L, d), pos)
S = Q @ K.T  # S[m, n] = q^T R_{n-m} k: (L, L)
# Toeplitz: every diagonal n - m = const is constant.
spread = max((torch.diagonal(S, off).max() - torch.diagonal(S, off).min()).item()
             for off in range(-L + 1, L))
print(md_table([("每条对角线上的最大起伏", spread)], ["检查", "值"], [None, ".2e"]))
assert spread < 1e-12
fig, ax = figure(size=(4.6, 3.8))
heatmap(ax, S.numpy(), xlabel="键的位置 $n$", ylabel="查询的位置 $m$")
print()
print(svg(fig, label="rope-toeplitz",
          caption="固定 q、k，把它们放在所有位置上得到的打分矩阵：第 m 行第 n 列是 qᵀ·R(n − m)·k。"
                  "沿每条对角线数值不变（Toeplitz 矩阵），打分只取决于相对位置。"))
