import torch

from blogkit.display import figure, md_table, svg, value
from blogkit.posenc import shaw_clip, t5_bucket

num_buckets, max_distance, k = 32, 128, 16
print(f"num_buckets = {num_buckets},max_distance = {max_distance};Shaw 的截断取 k = {k}。")
print()
rels = [-200, -64, -8, -1, 0, 1, 8, 64, 200]
rows = [(r, shaw_clip(r, k), t5_bucket(r, True, num_buckets, max_distance),
         t5_bucket(r, False, num_buckets, max_distance)) for r in rels]
print(md_table(rows, ["rel = j − i", "Shaw clip(rel, k)", "T5 双向", "T5 单向"]))

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

fig, ax = figure(size=(6.4, 3.6))
ax.step(rel.numpy(), bi.numpy(), where="mid", label="T5, bidirectional")
ax.step(rel.numpy(), uni.numpy(), where="mid", ls="--", label="T5, unidirectional")
ax.step(rel.numpy(), (shaw_clip(rel, k) + k).numpy(), where="mid", ls=":",
        label=f"Shaw: clip(rel, {k}) + {k}")
ax.set_xlabel("relative position $j-i$")
ax.set_ylabel("embedding / bucket id")
ax.legend(loc="center right", fontsize=8)
print()
print(svg(fig, caption="把相对位置映射为编号的两种办法。Shaw 的截断在 ±k 之外一刀切;"
                       "T5 的桶在近处逐个精确,远处按对数变宽,足够远之后全部归入同一个桶。"))
