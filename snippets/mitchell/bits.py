import numpy as np

from blogkit.display import md_table, value
from blogkit.mitchell import float32_bitdiv, float32_bitmul, mitchell_div, mitchell_mul

rng = np.random.default_rng(2020)
n = 1_000_000
# Log-uniform float32 operands over twelve orders of magnitude, products stay normal numbers.
a = np.exp(rng.uniform(np.log(1e-6), np.log(1e6), n)).astype(np.float32)
b = np.exp(rng.uniform(np.log(1e-6), np.log(1e6), n)).astype(np.float32)
mul_diff = np.abs(float32_bitmul(a, b) - mitchell_mul(a, b)).max()
div_diff = np.abs(float32_bitdiv(a, b) - mitchell_div(a, b)).max()
rows = [("乘法：bits(a)+bits(b)−bits(1)", n, float(mul_diff)),
        ("除法：bits(a)−bits(b)+bits(1)", n, float(div_diff))]
print(md_table(rows, ["整数运算", "随机 float32 对数", "与公式结果的最大差"], [None, ",d", ".1f"]))
assert mul_diff == 0 and div_diff == 0  # bit for bit the same numbers
value("mitchell-bits-n", n, ",d")
