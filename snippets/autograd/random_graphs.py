import random

import torch

from blogkit.autograd import OPS, Value, random_program, run_program, topological_order
from blogkit.display import md_table, value

rng = random.Random(2026)
rows, worst_all, total = [], 0.0, 0
for n_inputs, n_ops in [(2, 10), (3, 40), (5, 120)]:
    kept, worst, nodes, reused = 0, 0.0, 0, 0  # graphs, max difference, totals
    for _ in range(40):
        prog = random_program(rng, n_inputs, n_ops)
        xs = [rng.uniform(-2, 2) for _ in range(n_inputs)]
        leaves = [Value(v) for v in xs]
        out = run_program(prog, leaves)
        out.backward()
        ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in xs]
        run_program(prog, ts).backward()
        for a, t in zip(leaves, ts, strict=True):
            worst = max(worst, abs(a.grad - t.grad.item()) / max(1.0, abs(t.grad.item())))
        graph = topological_order([out])
        uses: dict[int, int] = {}
        for node in graph:
            for p in node.parents:
                uses[id(p)] = uses.get(id(p), 0) + 1
        nodes += len(graph)
        reused += sum(1 for c in uses.values() if c > 1)
        kept += 1
    rows.append((n_inputs, n_ops, kept, nodes / kept, reused / kept, worst))
    worst_all, total = max(worst_all, worst), total + kept
print(md_table(rows, ["输入个数", "指令条数", "随机图", "平均节点数", "平均被复用的节点",
                      "梯度最大差（相对）"],
               ["d", "d", "d", ".0f", ".1f", ".1e"]))
assert worst_all < 1e-12
value("ag-rand-n", total, "d")
value("ag-rand-ops", len(OPS), "d")
value("ag-rand-worst", worst_all, ".0e")
