import numpy as np

from blogkit.display import figure, md_table, svg, value
from blogkit.smoothmax import smooth_abs, smooth_max

ks = [1.0, 2.0, 5.0, 20.0]
z = np.arange(-3000, 3001) / 1000  # x = 0 is on the grid
rows = []
for k in ks:
    err = smooth_abs(z, k) - np.abs(z)
    rows.append((k, err.max(), z[np.argmax(err)], np.log(2) / k))
    assert err.min() >= 0 and abs(err.max() - np.log(2) / k) < 1e-15 and z[np.argmax(err)] == 0
print(md_table(rows, ["$k$", r"$A_k(x)-\lvert x\rvert$ 的最大值", "取到最大值的 $x$", r"$\ln 2/k$"],
               [".0f", ".6f", ".1f", ".6f"]))
dz = np.gradient(smooth_abs(z, 2.0), z)  # the derivative is tanh(kx), a smooth sign
slope_err = np.abs(dz - np.tanh(2.0 * z))[1:-1].max()
assert slope_err < 1e-5
value("sm-abs-ln2", np.log(2), ".4f")

fig, (ax1, ax2) = figure(1, 2, size=(7.4, 3.2))
ax1.plot(z, np.abs(z), "k", lw=2.2, label="|x|")
for k in ks:
    ax1.plot(z, smooth_abs(z, k), label=f"k = {k:g}")
ax1.set_xlabel("x")
ax1.set_title(r"光滑绝对值 $A_k(x)$", fontsize=9)
ax1.legend(fontsize=7)
ax2.plot(z, np.maximum(z, 0.5), "k", lw=2.2, label="max(x, 0.5)")
pairs = np.stack([z, np.full_like(z, 0.5)], -1)  # (6001, 2)
curves = np.stack([smooth_max(pairs, k) for k in ks])  # (len(ks), 6001)
assert np.all(curves >= np.maximum(z, 0.5)) and np.all(np.diff(curves, axis=0) <= 0)
for k, c in zip(ks, curves, strict=True):
    ax2.plot(z, c, label=f"k = {k:g}")
ax2.set_xlabel("x")
ax2.set_title(r"光滑最大值 $\mathrm{smax}_k(x,\ 0.5)$", fontsize=9)
ax2.legend(fontsize=7)
print()
print(svg(fig, caption="左：光滑绝对值与 |x|，它处处在 |x| 上方，差距在 x = 0 处最大；"
                       "右：x 与 0.5 的光滑最大值，折角被磨圆，k 越大越贴近折线，"
                       "而且始终不低于 max(x, 0.5)。"))
