import numpy as np

from blogkit.display import md_table, value
from blogkit.mitchell import LOG_ERROR_ARGMAX, div_rel_error, log_error, mul_rel_error

# A fine grid of mantissas x1, x2 in [0, 1); the error depends on nothing else.
x = np.arange(2000) / 2000
x1, x2 = np.meshgrid(x, x, indexing="ij")
mul = mul_rel_error(x1, x2)
div = div_rel_error(x1, x2)
i = np.unravel_index(np.argmin(mul), mul.shape)
j = np.unravel_index(np.argmax(div), div.shape)
xs = np.linspace(0, 1, 200_001)
log = log_error(xs)
rows = [("乘法：最大相对误差", -mul.min(), f"({x[i[0]]:.3f}, {x[i[1]]:.3f})", 1 / 9),
        ("除法：最大相对误差", div.max(), f"({x[j[0]]:.3f}, {x[j[1]]:.3f})", 1 / 8),
        ("对数：$\\log_2(1+x)-x$ 的最大值", log.max(), f"$x={xs[np.argmax(log)]:.5f}$",
         float(log_error(LOG_ERROR_ARGMAX)))]
print(md_table(rows, ["误差", "网格上的最大值", "取到的位置", "闭式解"],
               [None, ".6f", None, ".6f"]))
assert abs(-mul.min() - 1 / 9) < 1e-15 and mul.max() <= 0  # worst case 1/9; never overestimates
assert abs(div.max() - 1 / 8) < 1e-15 and div.min() >= 0  # worst case 1/8; never underestimates
assert abs(log.max() - log_error(LOG_ERROR_ARGMAX)) < 1e-10
value("mitchell-mul-max", -mul.min(), ".6f")
value("mitchell-div-max", div.max(), ".6f")
value("mitchell-log-argmax", LOG_ERROR_ARGMAX, ".6f")
value("mitchell-log-max", float(log_error(LOG_ERROR_ARGMAX)), ".6f")

