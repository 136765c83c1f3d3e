import torch

from blogkit.autograd import Value, topological_order
from blogkit.display import figure, md_table, svg, value

# f(x, y) = tanh(xy)·x + xy: x is used twice, and so is u = xy.
x, y = Value(0.8, label="x"), Value(-1.3, label="y")
u = x * y
u.label = "u"
t = u.tanh()
t.label = "t"
p = t * x
p.label = "p"
f = p + u
f.label = "f"
f.backward()

xt = torch.tensor(0.8, dtype=torch.float64, requires_grad=True)
yt = torch.tensor(-1.3, dtype=torch.float64, requires_grad=True)
ut = xt * yt
ut.retain_grad()
ft = (ut.tanh() * xt + ut)
ft.backward()

order = topological_order([f])
rows = [(n.label, n.op or "叶子", n.data, n.grad) for n in reversed(order)]
print(md_table(rows, ["节点（逆拓扑序）", "运算", "值", "伴随 ∂f/∂节点"], [None, None, ".6f", ".6f"]))
assert [n.label for n in order] == ["x", "y", "u", "t", "p", "f"]
assert abs(x.grad - xt.grad.item()) < 1e-15 and abs(y.grad - yt.grad.item()) < 1e-15
assert abs(u.grad - ut.grad.item()) < 1e-15
# the local derivatives recorded in the forward pass, as in the table of rules
assert u.partials == (y.data, x.data) and t.partials == (1 - t.data**2,)
assert p.partials == (x.data, t.data) and f.partials == (1.0, 1.0)
# the two contributions that x collects: through u (= ū·y) and through p (= p̄·t)
via_u, via_p = u.grad * y.data, 1.0 * t.data
assert abs(x.grad - (via_u + via_p)) < 1e-15
value("ag-point", f"({x.data:g}, {y.data:g})")
value("ag-xgrad", x.grad, ".6f")
value("ag-via-u", via_u, ".6f")
value("ag-via-p", via_p, ".6f")
value("ag-torch-xgrad", xt.grad.item(), ".6f")

# drawing positions (column = distance from the leaves), chosen so that no edge crosses a box
pos = {"x": (0, 1.1), "y": (0, 0.1), "u": (1, 0.3), "t": (2, 0.58), "p": (3, 0.58), "f": (4, 0.3)}
fig, ax = figure(size=(7.0, 2.9))
for node in order:
    for parent, local in zip(node.parents, node.partials, strict=True):
        (x0, y0), (x1, y1) = pos[parent.label], pos[node.label]
        ax.annotate("", (x1, y1), (x0, y0), arrowprops={"arrowstyle": "-|>", "color": "0.5", "lw": 1.0,
                                                        "shrinkA": 24, "shrinkB": 26})
        ax.text(0.5 * (x0 + x1), 0.5 * (y0 + y1), f"∂ = {local:.3f}", fontsize=8, ha="center",
                va="center", color="#D55E00", bbox={"fc": "white", "ec": "none", "pad": 0.5})
for node in order:
    px, py = pos[node.label]
    kind = node.op or "叶子"
    ax.text(px, py, f"{node.label}:{kind}\n值 {node.data:.4f}\n梯度 {node.grad:.4f}", ha="center",
            va="center", fontsize=8.5,
            bbox={"boxstyle": "round,pad=0.35", "fc": "#E8F1F8" if node.parents else "#FDF2E6",
                  "ec": "#0072B2" if node.parents else "#E69F00"})
ax.set_xlim(-0.45, 4.45)
ax.set_ylim(-0.05, 1.22)
ax.axis("off")
print()
print(svg(fig, caption="f(x, y) = tanh(xy)·x + xy 的计算图。框内是前向的值与反向得到的梯度，"
                       "箭头旁的橙色数字是前向时记下的局部导数。x 与 u 各有两条出边，"
                       "它们的梯度是两条路径的贡献之和。"))
