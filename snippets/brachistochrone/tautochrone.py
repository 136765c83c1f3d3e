import numpy as np

from blogkit.calcvar import arc_length, cycloid, descent_time
from blogkit.display import md_table, value

r, g = 1.0, 1.0
R = 4 * r  # the circle with the cycloid's curvature at the bottom
s = np.linspace(0, 1, 4001)  # clustered at the start, where the bead is slow
rows, worst = [], 0.0
for th0 in (0.0, 0.5, 1.5, 2.5, 3.0):
    x, y = cycloid(r, th0 + (np.pi - th0) * s**2)
    t_cyc = descent_time(x - x[0], y - y[0], g)  # depth measured from the point of release
    h0 = 2 * r - y[0]  # height above the bottom
    arc = arc_length(x, y)[-1]
    assert abs(arc - 4 * r * np.cos(th0 / 2)) < 1e-6 and abs(h0 - arc**2 / (8 * r)) < 1e-6
    phi0 = np.arccos(1 - h0 / R)  # release on the circle at the same height
    phi = phi0 * (1 - s**2)
    t_circ = descent_time(R * (np.sin(phi0) - np.sin(phi)), R * (np.cos(phi) - np.cos(phi0)), g)
    worst = max(worst, abs(t_cyc - np.pi * np.sqrt(r / g)))
    rows.append((f"{th0:.1f}", h0, arc, t_cyc, t_circ))
print(md_table(rows, ["释放处 θ₀", "离最低点的高度", "到最低点的弧长 s", "摆线上的用时",
                      "半径 4r 的圆上的用时"], [None, ".4f", ".6f", ".7f", ".5f"]))
assert worst < 1e-6
t_c = [row[4] for row in rows]
assert np.all(np.diff(t_c) < 0)  # on the circle: the higher the start, the longer
assert t_c[-1] - np.pi < 2e-3 < 0.2 < t_c[0] - np.pi  # only small swings are nearly isochronous
value("bc-taut-err", worst, ".0e")
value("bc-circ-max", t_c[0], ".4f")
