import numpy as np

from blogkit.display import md_table, value
from blogkit.smoothmax import max_from_abs

rng = np.random.default_rng(0)
x, y = rng.normal(size=(2, 100_000))  # pairs of any sign
xp, yp = np.abs(x), np.abs(y)  # pairs of non-negative numbers
general = np.abs(max_from_abs(x, y) - np.maximum(x, y)).max()
nonneg_pos = np.abs(max_from_abs(xp, yp, form="nonneg") - np.maximum(xp, yp)).max()
nonneg_any = np.abs(max_from_abs(x, y, form="nonneg") - np.maximum(x, y))
as_absmax = np.abs(max_from_abs(x, y, form="nonneg") - np.maximum(np.abs(x), np.abs(y))).max()
g_form = r"$\tfrac12(x+y+\lvert x-y\rvert)$"
n_form = r"$\tfrac12(\lvert x+y\rvert+\lvert x-y\rvert)$"
rows = [(g_form, "任意实数", "$\\max(x,y)$", general),
        (n_form, "$x,y\\ge0$", "$\\max(x,y)$", nonneg_pos),
        (n_form, "任意实数", "$\\max(x,y)$", nonneg_any.max()),
        (n_form, "任意实数", r"$\max(\lvert x\rvert,\lvert y\rvert)$", as_absmax)]
print(md_table(rows, ["公式", "取值范围", "比较对象", "最大偏差"], [None, None, None, ".2e"]))
assert general < 1e-15 and nonneg_pos < 1e-15 and as_absmax < 1e-15
assert nonneg_any.max() > 1
value("sm-nonneg-wrong", np.mean(nonneg_any > 1e-12), ".0%")
