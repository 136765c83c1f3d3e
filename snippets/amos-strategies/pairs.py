import torch

from blogkit.device import default_device
from blogkit.display import md_table, value
from blogkit.optim import (
    adamw_noise_walk,
    decay_equilibrium_rms,
    decay_for_scale,
    momentum_equilibrium_rms,
    simulate_decay_walk,
)

torch.set_num_threads(1)
dev = default_device()
d = 20_000 if dev.type == "cpu" else 400_000
xi = 0.05  # the target scale: RMS of the entries, e.g. initialisation with variance 1/400
rows, drift = [], []
for i, lr in enumerate((0.001, 0.003, 0.01, 0.02)):
    rho = decay_for_scale(lr, xi).item()
    sim = simulate_decay_walk(lr, rho, d, 200, rms0=xi, seed=10 + i, device=dev)  # start at the target
    drift.append((sim / xi - 1).abs().max().item())
    rows.append((lr, rho, lr**2 / (2 * xi**2), rho / lr**2, rho / lr, sim[-1].item()))
print(md_table(rows, ["学习率 α", "衰减率 ρ（精确）", "α²/(2ξ²)", "ρ/α²", "AdamW 的 λ = ρ/α",
                      "200 步后的 RMS"],
               [".3g", ".6g", ".6g", ".2f", ".4g", ".5f"]))
assert all(abs(decay_equilibrium_rms(r[0], r[1]).item() - xi) < 1e-12 for r in rows)
assert all(abs(r[1] / r[2] - 1) < 0.1 for r in rows)  # ρ ≈ α²/(2ξ²) ...
assert all(rows[k + 1][3] > rows[k][3] for k in range(3))  # ... slightly above it, more so at large α
assert max(drift) < 0.03  # starting at ξ, the scale stays at ξ along the whole run
value("amos-pairs-xi", xi, "g")
value("amos-pairs-ratio", 1 / (2 * xi**2), "g")
value("amos-pairs-drift", max(drift), ".1%")

# AdamW (torch's implementation) on pure-noise gradients: its decay is ρ = ηλ
d_adam = 4_000 if dev.type == "cpu" else 100_000
lr, wd, steps = 0.01, 2.0, 300
rows2, meas = [], {}
for beta1 in (0.0, 0.9):
    rms, u_rms = adamw_noise_walk(lr, wd, (beta1, 0.999), d_adam, steps, seed=3, device=dev)
    tail = rms[-200:].square().mean().sqrt().item()
    meas[beta1] = (tail, u_rms)
    rows2.append((beta1, u_rms, decay_equilibrium_rms(lr, lr * wd).item(),
                  momentum_equilibrium_rms(lr, lr * wd, beta1), tail))
print()
print(md_table(rows2, ["AdamW 的 β1", "RMS(u)", "白噪声公式", "动量公式", f"模拟（d = {d_adam}，末 200 步）"],
               [".1f", ".3f", ".5f", ".5f", ".5f"]))
white, mom = rows2[1][2], rows2[1][3]
dev_mom = abs(meas[0.9][0] / mom - 1)
assert abs(meas[0.0][0] / white - 1) < 0.02 and dev_mom < 0.02
assert abs(meas[0.9][0] / white - 1) > 0.05  # momentum visibly lowers the equilibrium ...
assert meas[0.9][1] < 0.3 < 0.9 < meas[0.0][1]  # ... though RMS(u) drops far more
value("amos-adamw-urms", meas[0.9][1], ".3f")
value("amos-adamw-ratio", mom / white, ".3f")
value("amos-adamw-lr", lr, "g")
value("amos-adamw-dev", dev_mom, ".1%")
value("amos-adamw-wd", wd, "g")
