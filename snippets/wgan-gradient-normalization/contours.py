import torch

from blogkit.display import figure, svg
from blogkit.gan import gradient_normalize, piecewise_gradient_normalize, relu_mlp

net = relu_mlp([2, 64, 64, 1], 0)  # the first critic of the table above
k = 161
s = torch.linspace(-3, 3, k, dtype=torch.float64)
grid = torch.stack(torch.meshgrid(s, s, indexing="xy"), dim=-1).reshape(-1, 2)  # (k², 2)
panels = [("原始判别器 f", net(grid).detach().reshape(k, k)),
          ("GN：f/(‖∇f‖+∣f∣)", gradient_normalize(net, grid).detach().reshape(k, k)),
          ("GraN：f/‖∇f‖", piecewise_gradient_normalize(net, grid).detach().reshape(k, k))]
a, b = torch.tensor([-3.0, -2.0]), torch.tensor([3.0, 2.5])  # the segment of the next section

fig, axes = figure(1, 3, size=(7.6, 2.9))
for ax, (title, z) in zip(axes, panels, strict=True):
    m = float(z.abs().max())
    im = ax.imshow(z, origin="lower", extent=(-3, 3, -3, 3), cmap="RdBu_r", vmin=-m, vmax=m)
    ax.contour(s, s, z, levels=[0.0], colors="k", linewidths=0.6)
    ax.plot([a[0], b[0]], [a[1], b[1]], "--", color="0.3", lw=0.8)
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("$x_1$")
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.7, location="bottom")
axes[0].set_ylabel("$x_2$")
print(svg(fig, caption="同一个随机 ReLU 判别器在归一化前后的取值（黑线为零水平线，虚线是下一节取的线段）。"
                       "GN 把值压进 (−1, 1)，GraN 则是到局部零平面的带符号距离；"
                       "两者在线性区域的边界上都可以看到台阶。"))
