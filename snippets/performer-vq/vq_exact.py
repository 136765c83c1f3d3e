import numpy as np

from blogkit.attention import softmax_attention, vq_assign, vq_attention
from blogkit.display import md_table, value

rng = np.random.default_rng(0)
n, d, c, dv = 1024, 16, 64, 8  # length, head size, codebook size, value size
C = rng.standard_normal((c, d)) / d**0.25  # codebook; q·c_j is then of order 1
Q = rng.standard_normal((n, d)) / d**0.25
V = rng.standard_normal((n, dv))

# Case 1: every key is a codeword
idx = rng.integers(0, c, n)
K = C[idx]
assert np.array_equal(vq_assign(K, C), idx)
exact = softmax_attention(Q, K, V)
diff_in = np.abs(vq_attention(Q, C, idx, V) - exact).max()

# Case 2: keys near the codewords; VQ replaces each by its nearest codeword K̂ = ΔC
K2 = C[idx] + 0.3 * rng.standard_normal((n, d)) / d**0.25
idx2 = vq_assign(K2, C)
out2 = vq_attention(Q, C, idx2, V)
diff_hat = np.abs(out2 - softmax_attention(Q, C[idx2], V)).max()
diff_raw = np.abs(out2 - softmax_attention(Q, K2, V)).max()

rows = [("key 本身就是码字", r"$\operatorname{softmax}(QK^\top)V$", diff_in),
        ("key 带噪声，先做 VQ", r"$\operatorname{softmax}(Q\hat K^\top)V$，$\hat K=\Delta C$", diff_hat),
        ("key 带噪声，先做 VQ", r"$\operatorname{softmax}(QK^\top)V$（原始 key）", diff_raw)]
print(md_table(rows, ["情形", "与 VQ 注意力比较的对象", "最大绝对差"], [None, None, ".1e"]))
assert diff_in < 1e-13 and diff_hat < 1e-13 and diff_raw > 1e-3

print()
print(md_table([(r"标准注意力 $\exp(QK^\top)$", f"{n} × {n}", n * n),
                (r"Transformer-VQ $\exp(QC^\top)$", f"{n} × {c}", n * c),
                (r"Transformer-VQ $\Delta^\top V$", f"{c} × {dv}", c * dv)],
               ["中间矩阵", "形状", "元素个数"], [None, None, ",d"]))

value("pv-n", n, "d")
value("pv-c", c, "d")
value("pv-diff-in", diff_in, ".1e")
value("pv-diff-raw", diff_raw, ".2f")
