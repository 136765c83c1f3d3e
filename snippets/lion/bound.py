import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.optim import lion_linf_envelope, lion_update

torch.manual_seed(0)
d, steps, lr, wd = 1000, 3000, 0.02, 0.5
theta = 6 * torch.randn(d, dtype=torch.float64)
theta0_inf = theta.abs().max().item()
drift = torch.sign(torch.randn(d, dtype=torch.float64))  # each coordinate has a preferred direction
exp_avg = torch.zeros(d, dtype=torch.float64)
linf = [theta0_inf]
for _ in range(steps):
    grad = drift + 4 * torch.randn(d, dtype=torch.float64)  # noisy gradients: signs flip now and then
    theta, exp_avg = lion_update(theta, grad, exp_avg, lr, 0.9, 0.99, wd)
    linf.append(theta.abs().max().item())
linf = torch.tensor(linf, dtype=torch.float64)
t = torch.arange(steps + 1)
envelope = lion_linf_envelope(theta0_inf, lr, wd, t)
cap = max(theta0_inf, 1 / wd)
first_inside = int(torch.nonzero(linf <= 1 / wd)[0].item())

rows = [(r"$\Vert\theta_0\Vert_\infty$", f"{theta0_inf:.4f}"),
        (r"$1/\lambda$", f"{1 / wd:.4f}"),
        (r"$\max_{t\ge 1}\Vert\theta_t\Vert_\infty$", f"{linf[1:].max().item():.4f}"),
        (r"首次 $\Vert\theta_t\Vert_\infty\le 1/\lambda$ 的步数 $t$", str(first_inside)),
        (rf"$\Vert\theta_{{{steps}}}\Vert_\infty$", f"{linf[-1].item():.8f}")]
print(md_table(rows, [f"量（d = {d}，η = {lr:g}，λ = {wd:g}）", "值"], align=["l", "r"]))

assert bool((linf <= cap).all())  # the bound max(‖θ0‖∞, 1/λ) at every step
assert bool((linf <= envelope * (1 + 1e-12)).all())  # and the sharper envelope
assert bool((linf[first_inside:] <= 1 / wd).all())  # once inside, it stays inside
assert 1 / wd - 1e-6 < linf[-1].item() <= 1 / wd  # ends at most 1/λ, and within 1e-6 of it
value("lion-theta0", theta0_inf, ".2f")
value("lion-first-inside", first_inside, "d")
value("lion-inv-wd", 1 / wd, "g")
value("lion-theta-end", linf[-1].item(), ".8f")

fig, (ax, zoom) = figure(1, 2, size=(7.2, 3.4))
ax.semilogy(t.numpy(), linf.numpy(), label=r"Lion 的 $\Vert\theta_t\Vert_\infty$")
ax.semilogy(t.numpy(), envelope.numpy(), "--", label="包络")
ax.axhline(1 / wd, color="k", lw=0.8, ls=":", label=rf"$1/\lambda = {1 / wd:g}$")
ax.set_xlabel("步数 $t$")
ax.set_ylabel(r"$\Vert\theta_t\Vert_\infty$")
ax.legend(fontsize=8)
zoom.plot(t.numpy(), linf.numpy())
zoom.plot(t.numpy(), envelope.numpy(), "--")
zoom.axhline(1 / wd, color="k", lw=0.8, ls=":")
zoom.axvline(first_inside, color="grey", lw=0.8)
zoom.set_ylim(1 / wd - 0.01, 1 / wd + 0.01)
zoom.set_xlabel("步数 $t$")
zoom.set_title(r"$1/\lambda$ 附近放大", fontsize=9)
print()
print(svg(fig, caption=f"λ = {wd:g}、η = {lr:g} 时 {d} 维参数的无穷范数随步数的变化"
                       "：左为对数纵轴全程，右为 1/λ 附近的放大（竖线为首次回到 1/λ 以内的步数）。"
                       "虚线是包络：超出 1/λ 的部分每步至少缩小为 (1 − ηλ) 倍；点线是 1/λ。"))
