import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.gan import (
    activation_pattern,
    affine_piece,
    boundary_point,
    gradient_normalize,
    path_quotients,
    piecewise_gradient_normalize,
    relu_mlp,
)

net = relu_mlp([2, 64, 64, 1], 0)
a = torch.tensor([-3.0, -2.0], dtype=torch.float64)
b = torch.tensor([3.0, 2.5], dtype=torch.float64)
s = torch.linspace(0, 1, 4001, dtype=torch.float64)
path = a + s[:, None] * (b - a)  # (4001, 2) points on the segment
pattern = activation_pattern(net, path)
same = (pattern[1:] == pattern[:-1]).all(dim=1)  # consecutive points in one linear region
curves = {"f": net(path).detach()[:, 0], "GN": gradient_normalize(net, path).detach(),
          "GraN": piecewise_gradient_normalize(net, path).detach()}
rows = []
for name, v in curves.items():
    q = path_quotients(v, path)
    rows.append((name, q[same].max().item(), q[~same].max().item(), int((q[~same] > 1).sum())))
crossings = int((~same).sum())
print(md_table(rows, ["函数", "同一区域内相邻点：最大差商", "跨边界的相邻点：最大差商",
                      f"{crossings} 个跨边界差商中大于 1 的个数"], [None, ".4f", ".2f", "d"]))
assert rows[1][1] <= 1 and rows[2][1] <= 1 + 1e-9  # inside a region: 1-Lipschitz
assert rows[0][2] < 1 and rows[1][2] > 10 and rows[2][2] > 10  # across: f is fine, f̂ jumps
value("gn-crossings", crossings, "d")
value("gn-path-n", len(s), "d")

# The crossing with the largest GN quotient: bisect to the boundary, then shrink the step h.
q = path_quotients(curves["GN"], path)
k = int(torch.argmax(torch.where(~same, q, torch.zeros_like(q))))
x_minus, x_plus = boundary_point(net, a, b, s[k].item(), s[k + 1].item())
x0, u = (x_minus + x_plus) / 2, (b - a) / (b - a).norm()
(w_m, b_m), (w_p, b_p) = (affine_piece(net, p)
                          for p in activation_pattern(net, torch.stack([x_minus, x_plus])))
f0 = (w_m @ x0 + b_m).item()  # both affine pieces agree at the boundary: f is continuous
assert abs(f0 - (w_p @ x0 + b_p).item()) < 1e-12
predicted = f0 / (w_p.norm().item() + abs(f0)) - f0 / (w_m.norm().item() + abs(f0))
hs = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6]
rows = []
for h in hs:
    v = gradient_normalize(net, torch.stack([x0 - h / 2 * u, x0 + h / 2 * u])).detach()
    rows.append((h, (v[1] - v[0]).item(), ((v[1] - v[0]).abs() / h).item()))
print()
print(md_table(rows, ["跨过边界的步长 h", "f̂(x₀ + h/2) − f̂(x₀ − h/2)", "差商"], [".0e", "+.6f", ".4g"]))
assert abs(rows[-1][1] - predicted) < 1e-5 and rows[-1][2] > 1e4
value("gn-jump", predicted, "+.6f")
value("gn-jump-f0", f0, ".4f")
value("gn-jump-gm", w_m.norm().item(), ".4f")
value("gn-jump-gp", w_p.norm().item(), ".4f")

fig, (ax, ax2) = figure(1, 2, size=(7.4, 3.0))
ax.plot(s, curves["f"] / curves["f"].abs().max(), color="0.5", lw=1, label="f（缩放到 ±1）")
ax.plot(s, curves["GN"], lw=1, label="GN")
ax.set_xlabel("线段上的位置 s")
ax.legend(fontsize=8)
ax2.plot(s, curves["GraN"], color="C1", lw=1, label="GraN")
ax2.set_xlabel("线段上的位置 s")
ax2.legend(fontsize=8)
print()
print(svg(fig, caption="沿线段 a + s(b − a) 的取值。原始判别器连续（只是有折点），"
                       "归一化之后每跨过一次区域边界就可能出现一个台阶。"))
