import numpy as np

from blogkit.display import md_table, value
from blogkit.dynamics import (
    BISTABLE,
    COEXISTENCE,
    SPECIES1,
    SPECIES2,
    Competition,
    competition_outcome,
    equilibria,
    integrate,
    jacobian,
)

names = {COEXISTENCE: "共存", SPECIES1: "物种 1 胜出", SPECIES2: "物种 2 胜出",
         BISTABLE: "双稳：谁胜取决于初值"}
cases = [(0.005, 0.005), (0.005, 0.015), (0.015, 0.005), (0.02, 0.02)]  # (a1, a2); r = 1, N = 100
rows, eq_rows, ends = [], [], {}
# 144 initial states, none exactly on the diagonal (the separatrix of the symmetric bistable case)
grid = np.stack(np.meshgrid(np.linspace(5, 150, 12), np.linspace(6, 149, 12)), -1).reshape(-1, 2)
for a1, a2 in cases:
    p = Competition(1.0, 1.0, 100.0, 100.0, a1, a2)
    outcome = competition_outcome(p.r1, p.r2, p.n1, p.n2, p.a1, p.a2)
    stable = []
    for key, e in equilibria(p).items():
        lam = np.linalg.eigvals(jacobian(p, e))
        assert np.all(np.abs(lam.imag) == 0)  # never a spiral: real eigenvalues only
        lam = np.sort(lam.real)
        kind = "稳定结点" if lam[1] < 0 else ("鞍点" if lam[0] < 0 else "不稳定结点")
        if lam[1] < 0:
            stable.append(key)
        eq_rows.append((names[outcome], key, f"({e[0]:.2f}, {e[1]:.2f})", f"{lam[0]:+.3f}",
                        f"{lam[1]:+.3f}", kind))
    expected = {COEXISTENCE: ["E*"], SPECIES1: ["E1"], SPECIES2: ["E2"], BISTABLE: ["E1", "E2"]}[outcome]
    assert sorted(stable) == expected
    _, path = integrate(p, grid, 200.0, 0.1)  # all initial states at once
    eqs = np.stack([equilibria(p)[k] for k in expected])  # (stable, 2)
    dist = np.abs(path[-1][:, None, :] - eqs[None]).max(-1)  # (144, stable)
    assert dist.min(1).max() < 1e-3  # every orbit ends at a stable equilibrium
    ends[outcome] = [expected[i] for i in dist.argmin(1)]
    _, one = integrate(p, [30.0, 40.0], 200.0, 0.1)
    rows.append((names[outcome], a1, a2, p.sigma1, p.sigma2, f"({one[-1][0]:.2f}, {one[-1][1]:.2f})"))
print(md_table(rows, ["情形", "$a_1$", "$a_2$", r"$\sigma_1$", r"$\sigma_2$", "从 (30, 40) 出发的终点"],
               [None, "g", "g", ".2f", ".2f", None]))
print()
print(md_table(eq_rows, ["情形", "平衡点", "位置", r"$\lambda_1$", r"$\lambda_2$", "类型"]))
assert ends[BISTABLE].count("E1") == ends[BISTABLE].count("E2") == len(grid) // 2  # half on each side
value("cp-bistable-e1", ends[BISTABLE].count("E1"), "d")
value("cp-bistable-e2", ends[BISTABLE].count("E2"), "d")
value("cp-grid", len(grid), "d")
