import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.posenc import (
    sinusoidal_dot,
    sinusoidal_encode,
    sinusoidal_positions,
    sinusoidal_shift_matrix,
    toeplitz_defect,
)

d = 64
eye = torch.eye(d, dtype=torch.float64)
rows = []
for k, delta in [(0, 1), (5, 17), (300, -42), (1000, 250)]:
    m = sinusoidal_shift_matrix(delta, d)
    p_k, p_kd = sinusoidal_encode(torch.tensor([k, k + delta]), d)
    rows.append((k, delta, (m @ p_k - p_kd).abs().max().item(), (m.T @ m - eye).abs().max().item(),
                 abs((p_k @ p_kd).item() - sinusoidal_dot(delta, d).item())))
print(md_table(rows, ["$k$", r"$\Delta$", r"$\max\lvert M_\Delta p_k-p_{k+\Delta}\rvert$",
                      r"$\max\lvert M_\Delta^\top M_\Delta-I\rvert$",
                      r"$\lvert\langle p_k,p_{k+\Delta}\rangle-\sum_i\cos\Delta\omega_i\rvert$"],
               [None, None, ".0e", ".0e", ".0e"]))
assert max(max(r[2:]) for r in rows) < 1e-12

n = 96
p = sinusoidal_positions(n, d)
gram = p @ p.T  # gram[k, k'] = <p_k, p_k'>
spread = toeplitz_defect(gram)
assert spread < 1e-12
value("posenc-survey-gram-spread", spread, ".0e")
curve = sinusoidal_dot(torch.arange(-n + 1, n), d)  # Δ = -(n-1) ... n-1
assert torch.allclose(curve, curve.flip(0), rtol=0, atol=1e-12)  # even in Δ
assert abs(curve[n - 1].item() - d / 2) < 1e-12  # Δ = 0: Σ 1 = d/2
assert curve.argmax().item() == n - 1  # and that is the largest value
value("posenc-survey-dot0", curve[n - 1].item(), ".0f")

fig, (ax1, ax2) = figure(1, 2, size=(7.6, 3.3))
im = ax1.imshow(gram.numpy(), cmap="RdBu_r", interpolation="nearest")
ax1.set_xlabel("位置 $k'$")
ax1.set_ylabel("位置 $k$")
ax1.grid(False)
fig.colorbar(im, ax=ax1, shrink=0.85)
ax2.plot(range(-n + 1, n), curve.numpy())
ax2.set_xlabel(r"$\Delta$")
ax2.set_ylabel(r"$\langle p_k, p_{k+\Delta}\rangle$")
print()
print(svg(fig, label="posenc-survey-gram",
          caption=f"左：$n={n}$、$d={d}$ 的内积矩阵 $\\langle p_k,p_{{k'}}\\rangle$，沿每条对角线不变；"
                  "右：同一个内积作为 $\\Delta$ 的函数，左右对称。"))
