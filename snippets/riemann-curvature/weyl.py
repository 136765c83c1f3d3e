from blogkit.display import md_table, value
from blogkit.riemann import independent_components, ricci_rank, weyl_dimension

rows = []
for n in range(2, 6):
    total, ric, weyl = independent_components(n), ricci_rank(n), weyl_dimension(n)
    assert total == ric + weyl
    rows.append((n, total, ric, n * (n + 1) // 2, weyl))
print(md_table(rows, ["$n$", "黎曼张量", "Ricci 部分（缩并的秩）", "$n(n+1)/2$", "Weyl 部分（缩并的核）"],
               ["d"] * 5))
assert rows[0][2] == 1 and all(r[2] == r[3] for r in rows[1:])  # n = 2: Ricci is K g, one number
assert rows[0][4] == rows[1][4] == 0 and rows[2][4] == 10
value("rc-weyl-4", rows[2][4], "d")
value("rc-ricci-4", rows[2][2], "d")
