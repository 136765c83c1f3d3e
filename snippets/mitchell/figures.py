import numpy as np

from blogkit.display import figure, svg
from blogkit.mitchell import LOG_ERROR_ARGMAX, div_rel_error, log_error, mul_rel_error

x = np.linspace(0, 1, 401)
fig, (ax1, ax2) = figure(1, 2, size=(7.2, 3.0))
ax1.plot(x, np.log2(1 + x), label=r"$\log_2(1+x)$")
ax1.plot(x, x, "--", label=r"$x$")
ax1.set_xlabel("$x$")
ax1.legend()
ax2.plot(x, log_error(x), color="C2")
ax2.axvline(LOG_ERROR_ARGMAX, color="k", lw=0.8, ls=":")
ax2.annotate(rf"$x^*=1/\ln 2-1\approx{LOG_ERROR_ARGMAX:.4f}$",
             (LOG_ERROR_ARGMAX, float(log_error(LOG_ERROR_ARGMAX))), xytext=(0.5, 0.02),
             arrowprops={"arrowstyle": "->"})
ax2.set_xlabel("$x$")
ax2.set_title(r"$\log_2(1+x)-x$")
print(svg(fig, label="mitchell-log",
          caption="左为 $\\log_2(1+x)$ 与它的线性近似 $x$，二者在 $x=0$ 与 $x=1$ 处重合；"
                       "右为两者之差，最大值出现在 $x^*=1/\\ln 2-1$。"))
print()

g = np.linspace(0, 1, 301)[:-1]
x1, x2 = np.meshgrid(g, g, indexing="ij")
fig, axes = figure(1, 2, size=(7.6, 3.3))
for ax, err, title, cmap in ((axes[0], -mul_rel_error(x1, x2), "乘法：低估量",
                              "magma_r"),
                             (axes[1], div_rel_error(x1, x2), "除法：高估量", "viridis")):
    im = ax.imshow(err.T, origin="lower", extent=(0, 1, 0, 1), cmap=cmap, aspect="equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title, fontsize=9)
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.85)
axes[0].plot([0, 1], [1, 0], "w--", lw=1)
axes[0].plot([0.5], [0.5], "wo", ms=4)
axes[1].plot([0, 1], [0, 1], "w--", lw=1)
axes[1].plot([0.0], [0.5], "wo", ms=4, clip_on=False)
print(svg(fig, label="mitchell-error",
          caption="相对误差随尾数 $(x_1,x_2)$ 的变化。左：乘法的低估量，虚线 $x_1+x_2=1$ "
                       "是两种情形的分界，最坏点 $(1/2,1/2)$ 处为 $1/9$；右：除法的高估量，"
                       "虚线 $x_1=x_2$ 为分界，最坏点 $(0,1/2)$ 处为 $1/8$。"))
