from blogkit.display import md_table, value
from blogkit.distributed import ddp_train, single_process_train

# Two processes, gloo on 127.0.0.1, 32 rows of the 64-row batch each; then one process, all rows.
world, steps, n = 2, 5, 64
ranks = ddp_train(world_size=world, steps=steps, n=n)
first, final = single_process_train(steps=steps, n=n)
rows = []
for r, res in enumerate(ranks):
    g = max((a - b).abs().max().item() for a, b in zip(res["first"], first, strict=True))
    p = max((a - b).abs().max().item() for a, b in zip(res["final"], final, strict=True))
    rows.append((f"进程 {r}", g, p))
print(md_table(rows, ["DDP", "第一步梯度与单进程之差", f"{steps} 步后参数与单进程之差"],
               [None, ".1e", ".1e"]))
assert max(max(r[1:]) for r in rows) < 1e-12
same = all((a == b).all() for a, b in zip(ranks[0]["final"], ranks[1]["final"], strict=True))
assert same  # the replicas stay identical bit for bit
value("ddp-world", world, "d")
value("ddp-steps", steps, "d")
value("ddp-n", n, "d")
value("ddp-shard", n // world, "d")
value("ddp-maxdiff", max(max(r[1:]) for r in rows), ".0e")
