import numpy as np

from blogkit.display import md_table
from blogkit.mitchell import decompose, float32_bitmul, mitchell_div, mitchell_mul

a = np.array([3.0, 1.5, 6.0, 100.0, 0.3])
b = np.array([3.0, 1.5, 7.0, 0.02, 12.5])
k1, x1 = decompose(a)
k2, x2 = decompose(b)
prod, quot = mitchell_mul(a, b), mitchell_div(a, b)
bits = float32_bitmul(a.astype(np.float32), b.astype(np.float32))
rows = [(f"{ai:g}", f"{bi:g}", f"$2^{{{k1i:g}}}(1+{x1i:.4g})$", f"$2^{{{k2i:g}}}(1+{x2i:.4g})$",
         ai * bi, p, float(q), p / (ai * bi) - 1, f / (ai / bi) - 1)
        for ai, bi, k1i, x1i, k2i, x2i, p, q, f in zip(a, b, k1, x1, k2, x2, prod, bits, quot,
                                                      strict=True)]
print(md_table(rows, ["a", "b", "a 的分解", "b 的分解", "ab", "Mitchell 积", "float32 位运算",
                      "积的相对误差", "商的相对误差"],
               [None, None, None, None, ".6g", ".6g", ".6g", "+.4%", "+.4%"]))
a32, b32 = a.astype(np.float32), b.astype(np.float32)
assert np.array_equal(bits, mitchell_mul(a32, b32))  # the integer trick gives the same numbers
