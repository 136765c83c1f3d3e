import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.posenc import shaw_clip, t5_bucket, t5_saturation_distance

num_buckets, max_distance, k = 32, 128, 16
print(f"T5 取 `num_buckets` = {num_buckets}、`max_distance` = {max_distance}；Shaw 的截断取 $k={k}$。")
print()
rels = [-200, -64, -8, -1, 0, 1, 8, 64, 200]
rows = [(r, shaw_clip(r, k), t5_bucket(r, True, num_buckets, max_distance),
         t5_bucket(r, False, num_buckets, max_distance)) for r in rels]
print(md_table(rows, ["$j-i$", r"Shaw：$\operatorname{clip}(j-i,k)$", "T5 双向", "T5 单向"]))

rel = torch.arange(-200, 201)
bi = t5_bucket(rel, True, num_buckets, max_distance)
uni = t5_bucket(rel, False, num_buckets, max_distance)
# The facts the prose states, read off the computed buckets.
sizes = torch.bincount(bi[rel <= 0])  # how many relative positions share each bucket (rel ≤ 0)
exact = int((sizes == 1).sum())  # buckets that hold a single distance
first_top = int(rel[bi == num_buckets - 1].min())  # smallest rel in the last bucket
assert first_top == -int(rel[bi == num_buckets // 2 - 1].max())  # the same distance on both sides
used = torch.unique(bi)
# rel = 0 lands in bucket 0, so bucket num_buckets // 2 (offset + 0) is never used
assert len(used) == num_buckets - 1 and num_buckets // 2 not in used.tolist()
assert exact == num_buckets // 4
assert (sizes[:exact] == 1).all() and (bi[rel <= 0].flip(0)[:exact] == torch.arange(exact)).all()
assert (bi[rel > 0] >= num_buckets // 2).all() and (bi[rel <= 0] < num_buckets // 2).all()
assert (uni[rel >= 0] == 0).all()
value("posenc-survey-exact", exact)
value("posenc-survey-half", num_buckets // 2)
value("posenc-survey-saturate", first_top)
value("posenc-survey-used", len(used))

# Where the last bucket starts, against Eq. (posenc-survey-saturate), for other settings too.
sat_rows = []
dist = torch.arange(0, 4001)
for nb, dmax in [(32, 128), (32, 512), (64, 128), (16, 64), (128, 1000)]:
    measured = int(dist[t5_bucket(-dist, True, nb, dmax) == nb // 2 - 1].min())
    closed = t5_saturation_distance(nb, dmax)
    per_dir = nb // 2
    sat_rows.append((nb, dmax, per_dir // 2, per_dir - per_dir // 2, measured, closed, closed / dmax))
    assert measured == closed < dmax
print()
print(md_table(sat_rows, ["`num_buckets`", "$D$", "精确桶 $N_e$", "对数桶 $N-N_e$", "最后一个桶的起点",
                          "闭式解", "起点 / $D$"], ["d", "d", "d", "d", "d", "d", ".3f"]))
assert sat_rows[0][4] == first_top
value("posenc-survey-sat-ratio", sat_rows[0][6], ".2f")

fig, ax = figure(size=(6.4, 3.6))
ax.step(rel.numpy(), bi.numpy(), where="mid", label="T5 双向")
ax.step(rel.numpy(), uni.numpy(), where="mid", ls="--", label="T5 单向")
ax.step(rel.numpy(), (shaw_clip(rel, k) + k).numpy(), where="mid", ls=":",
        label=f"Shaw：$\\mathrm{{clip}}(j-i,{k})+{k}$")
ax.set_xlabel("相对位置 $j-i$")
ax.set_ylabel("向量编号 / 桶编号")
ax.legend(loc="center right", fontsize=8)
print()
for x0 in (-first_top, first_top):
    ax.axvline(x0, color="0.5", lw=0.8, ls=":")
print(svg(fig, label="posenc-survey-buckets",
          caption="把相对位置映射为编号的两种办法。Shaw 的截断在 $\\pm k$ 之外一刀切；"
                  "T5 的桶在近处逐个精确，远处按对数变宽，"
                  f"距离达到 {first_top}（灰色点线）之后全部归入同一个桶。"))
