from blogkit.diffusion import GaussianMixture, VPSchedule, reverse_step_moments
from blogkit.display import md_table, value

# A 1-D mixture, so that the exact posterior can be integrated on a grid.
data = GaussianMixture.of([0.3, 0.7], [-2.0, 1.5], [0.3, 0.5])
vp = VPSchedule(beta_min=0.1, beta_max=20.0)
y, t = 0.5, 0.3
rows = []
for dt in (1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4):
    (m, v), (m_approx, v_approx) = reverse_step_moments(vp, data, y, t, dt)
    rows.append((dt, m, m_approx, abs(m - m_approx), abs(m - m_approx) / dt**2, v / v_approx - 1))
print(md_table(rows, ["Δt", "精确后验均值", "式中的均值", "均值之差", "差 / Δt²", "方差的相对差"],
               [".0e", ".6f", ".6f", ".1e", ".2f", "+.2e"]))
small = rows[3:]
ratios = [r[4] for r in small]
assert max(ratios) / min(ratios) < 1.2  # the mean error is C·Δt² with a stable C
assert all(abs(r[5]) / r[0] < 4 for r in rows[2:])  # the variance error is O(Δt)
assert all(r[3] < 0.02 * r[0] for r in rows[2:])  # much smaller than the drift term ~ Δt
value("sde-step-c", sum(ratios) / len(ratios), ".2f")
value("sde-step-var", rows[-1][5], "+.1e")
