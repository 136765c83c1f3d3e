import numpy as np

from blogkit.display import md_table, value
from blogkit.distributed import ring_allreduce

rng = np.random.default_rng(0)
rows = []
for n, m in [(2, 1000), (4, 1000), (8, 1000), (16, 1000), (4, 1001), (64, 4096)]:
    chunks = [rng.normal(size=m) for _ in range(n)]
    reduced, sent = ring_allreduce(chunks)
    total = np.sum(chunks, axis=0)
    err = max(np.abs(r - total).max() for r in reduced)
    formula = 2 * (n - 1) * m / n
    rows.append((n, m, err, min(sent), max(sent), formula, (n - 1) * m, n * m))
    assert err < 1e-12 and sum(sent) == 2 * (n - 1) * m  # every rank has the sum; total traffic
    if m % n == 0:
        assert set(sent) == {formula}
    else:
        assert max(abs(s - formula) for s in sent) <= 2  # segments differ by at most one element
print(md_table(rows, ["进程数 N", "元素数 M", "与总和的最大差", "每个进程发送（最少）",
                      "每个进程发送（最多）",
                      "2(N−1)M/N", "朴素：每个进程发给所有人", "参数服务器：服务器收发各"],
               ["d", "d", ".0e", "d", "d", ".1f", "d", "d"]))
value("ddp-sent-4", rows[1][3], "d")
value("ddp-naive-4", rows[1][6], "d")
