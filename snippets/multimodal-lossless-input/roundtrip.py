import numpy as np
import torch

from blogkit.device import default_device
from blogkit.display import md_table, value
from blogkit.patches import patchify, synthetic_image, unpatchify

img = synthetic_image(128, 128, seed=0)  # (128, 128, 3) uint8
H, W, _ = img.shape
img_t = torch.from_numpy(img).to(default_device(), torch.float32) / 255  # the same image as a tensor

rows = []
for p in (4, 8, 16, 32):
    patches = patchify(img, p)
    back = unpatchify(patches, p, H, W)
    back_t = unpatchify(patchify(img_t, p), p, H, W)
    same = back.dtype == img.dtype and np.array_equal(back, img)
    same_t = back_t.dtype == img_t.dtype and bool(torch.equal(back_t, img_t))
    assert same and same_t  # the round trip is exact, bit for bit
    rows.append((p, f"{patches.shape[0]} × {patches.shape[1]}", "是" if same else "否",
                 "是" if same_t else "否"))
headers = ["$p$", "patch 序列形状 $N\\times p^2c$", "uint8 数组还原后逐位相等", "float32 张量还原后逐位相等"]
print(md_table(rows, headers, ["d", None, None, None], align=["r", "l", "c", "c"]))

try:  # 128 is not a multiple of 24
    patchify(img, 24)
except ValueError as err:
    print(f"\n切块大小取 24 时报错：`ValueError: {err}`")
value("multimodal-lossless-input-img-size", H, "d")
