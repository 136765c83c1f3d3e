import numpy as np

from blogkit.display import md_table, value
from blogkit.patches import (
    embed,
    embedding_summary,
    null_space,
    patchify,
    recover,
    synthetic_image,
)

p = 16
img = synthetic_image(128, 128, seed=0)
pix = patchify(img, p)  # (64, 768) uint8: 64 patches of 16×16×3
x = pix / 255.0  # float64 in [0, 1]
n = x.shape[1]
rng = np.random.default_rng(0)

rows, weights = [], {}
for D in (512, 768, 1024):
    W = rng.standard_normal((D, n)) / np.sqrt(n)  # a random Gaussian embedding R^768 -> R^D
    weights[D] = W
    rank, nullity, cond = embedding_summary(W)  # one SVD
    err64 = np.abs(recover(embed(x, W), W) - x).max() * 255  # worst float64 error, in grey levels
    if D >= n:  # injective: recovered to rounding level, and exactly after rounding to 8 bits
        W32, x32 = W.astype(np.float32), x.astype(np.float32)
        x_hat32 = recover(embed(x32, W32), W32)
        assert x_hat32.dtype == np.float32
        levels32 = np.abs(x_hat32 - x32).max() * 255  # worst float32 error, in grey levels
        back8 = np.array_equal(np.rint(x_hat32 * 255), pix)  # float32 recovery, rounded to 8 bits
        assert rank == n and nullity == 0 and err64 < 1e-8 and levels32 < 0.5 and back8
        rows.append((D, rank, nullity, cond, "< 1e-8", f"{levels32:.1g}", "是"))
    else:  # 768 − D directions are invisible to W: not even float64 gets the patches back
        assert rank == D and nullity == n - D and err64 > 25
        rows.append((D, rank, nullity, cond, f"{err64:.0f}", "—", "否"))
print(md_table(rows, ["$D$", r"$\operatorname{rank}W$", r"零空间维数 $768-\operatorname{rank}W$", "条件数",
                      "float64 最大还原误差（灰阶）", "float32 最大还原误差（灰阶）", "还原取整后等于原像素"],
               ["d", "d", "d", ".1f", None, None, None], align=["r"] * 6 + ["c"]))

# D < 768: two different patches with the same embedding
W = weights[512]
kernel = null_space(W)
assert kernel.shape == (n, n - 512)
v = kernel[:, 0]
x1 = x[0]
x2 = x1 + 0.1 / np.abs(v).max() * v  # move each pixel by at most 0.1, i.e. 25.5 grey levels
gap_pixels = np.abs(x2 - x1).max() * 255
gap_embed = np.abs(embed(x2, W) - embed(x1, W)).max()
assert gap_pixels > 25 and gap_embed < 1e-12
print(f"\n$D=512$ 时，沿零空间方向改动第一个 patch：像素最多相差 {gap_pixels:.1f} 个灰阶，"
      "两个嵌入向量的差却不到 $10^{-12}$（舍入级别）。")

value("multimodal-lossless-input-n", n, "d")
value("multimodal-lossless-input-npatches", len(x), "d")
value("multimodal-lossless-input-nullity512", rows[0][2], "d")
value("multimodal-lossless-input-cond768", rows[1][3], ".0f")
value("multimodal-lossless-input-cond1024", rows[2][3], ".1f")
value("multimodal-lossless-input-lev32-768", rows[1][5])
value("multimodal-lossless-input-gap-pixels", gap_pixels, ".1f")
