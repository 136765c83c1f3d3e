from blogkit.display import md_table, value
from blogkit.patches import compression_ratio, patchify, raw_bits, synthetic_image, vq_bits

# Bits per p×p RGB patch at 8 bits per channel, raw versus one VQ code
rows = []
for p in (8, 16):
    for size in (1024, 8192, 16384):
        rows.append((p, f"{p}×{p}×3", raw_bits(p), size, vq_bits(size), compression_ratio(p, size)))
print(md_table(rows, ["$p$", "patch", r"原始比特 $p^2\cdot 3\cdot 8$", "码本大小 $K$", r"VQ 比特 $\log_2 K$",
                      "压缩倍数"],
               ["d", None, "d", "d", ".0f", ".1f"], align=["r", "l", "r", "r", "r", "r"]))

raw16, bits8192, ratio = raw_bits(16), vq_bits(8192), compression_ratio(16, 8192)
assert raw16 == 6144 and bits8192 == 13
value("multimodal-lossless-input-raw16", raw16, "d")
value("multimodal-lossless-input-bits8192", bits8192, ".0f")
value("multimodal-lossless-input-ratio", ratio, ".1f")
value("multimodal-lossless-input-ratio-min", min(r[-1] for r in rows), ".1f")
value("multimodal-lossless-input-ratio-max", max(r[-1] for r in rows), ".1f")

# A whole 256×256 RGB image cut into 16×16 patches, one 13-bit code per patch
img = synthetic_image(256, 256, seed=0)
tokens = patchify(img, 16).shape[0]
vq_total = tokens * bits8192
raw_total = img.nbytes * 8
assert tokens == 256 and vq_total % 8 == 0
assert raw_total > 400 * vq_total  # the pigeonhole gap: far more images than code strings
value("multimodal-lossless-input-tokens", tokens, "d")
value("multimodal-lossless-input-vq-total-bits", vq_total, ".0f")
value("multimodal-lossless-input-vq-total-bytes", vq_total / 8, ".0f")
value("multimodal-lossless-input-raw-total-bits", raw_total, "d")
value("multimodal-lossless-input-raw-total-bytes", img.nbytes, "d")
print()
print(md_table([("原始 8 位 RGB 图", img.nbytes, raw_total),
                (f"VQ 序列（{tokens} 个 {bits8192:.0f} 比特的编码）", vq_total / 8, vq_total)],
               ["256×256 的整张图", "字节", "比特"], [None, ".0f", ".0f"]))
