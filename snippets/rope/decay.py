from blogkit.display import figure, md_table, svg, value
from blogkit.rope import rope_decay_bound

d, R = 128, 256
bound = rope_decay_bound(d, R)  # (R + 1,)
dists = [0, 16, 64, 128, 256]
print(md_table([(r, bound[r].item()) for r in dists], ["相对距离 n − m", "上界 (1/(d/2)) Σ ∣S_j∣"],
               [None, ".2f"]))
assert abs(bound[0].item() - (d // 2 + 1) / 2) < 1e-12  # at r = 0, S_j = j and the mean is (d/2+1)/2
value("rope-bound-0", bound[0].item(), ".1f")
value("rope-bound-256", bound[256].item(), ".2f")
fig, ax = figure(size=(6.4, 3.2))
ax.plot(range(R + 1), bound.numpy())
ax.set_xlabel("relative distance $n-m$")
ax.set_ylabel(r"$\frac{1}{d/2}\sum_j |S_j|$")
ax.set_title(f"d = {d}, base = 10000")
print()
print(svg(fig, caption="RoPE 的远程衰减上界随相对距离的变化(d = 128)。整体趋势向下,但并不单调,"
                       "远处有明显的起伏。"))
