import numpy as np
import torch

from blogkit.device import default_device
from blogkit.display import figure, md_table, svg, value
from blogkit.genmodels import (
    FVSBN,
    NADE,
    IndependentBernoulli,
    binarized_digits,
    fit_autoregressive,
    param_counts,
)

dev = default_device()
big = dev.type == "cuda"  # longer training and a wider NADE where a GPU is present
d, steps_fvsbn, lr_fvsbn, steps_nade, batch = ((128, 1500, 0.05, 3000, 256) if big
                                                else (32, 100, 0.1, 200, 100))
x_train, x_test, _, _ = binarized_digits(threshold=8, test_size=450, seed=0)
xtr = torch.tensor(x_train, dtype=torch.float32, device=dev)  # (1347, 64)
xte = torch.tensor(x_test, dtype=torch.float32, device=dev)  # (450, 64)

models = {"各像素独立": IndependentBernoulli.from_data(xtr, alpha=1.0),
          "FVSBN": FVSBN(64, device=dev),
          f"NADE(d = {d})": NADE(64, d, device=dev, generator=torch.Generator().manual_seed(0))}
fit_autoregressive(models["FVSBN"], xtr, steps_fvsbn, lr=lr_fvsbn, weight_decay=1e-3)
fit_autoregressive(models[f"NADE(d = {d})"], xtr, steps_nade, lr=0.05, weight_decay=1e-3,
                   batch_size=batch, generator=torch.Generator().manual_seed(1))
pc = param_counts(64, d)
counts = {"各像素独立": pc["independent"], "FVSBN": pc["fvsbn"], f"NADE(d = {d})": pc["nade"]}
rows = []
with torch.no_grad():
    for name, m in models.items():
        nll_tr, nll_te = -m.log_prob(xtr).mean().item(), -m.log_prob(xte).mean().item()
        rows.append((name, counts[name], nll_tr, nll_te, nll_te / 64 / np.log(2)))
print(md_table(rows, ["模型", "参数量", "训练集 NLL(nat/图)", "测试集 NLL(nat/图)", "测试集(bit/像素)"],
               [None, ",d", ".2f", ".2f", ".3f"]))
ind, fvsbn, nade = (r[3] for r in rows)
assert nade < fvsbn < ind - 5  # both autoregressive models far below independent pixels
value("ar-nll-ind", ind, ".2f")
value("ar-nll-fvsbn", fvsbn, ".2f")
value("ar-nll-nade", nade, ".2f")
value("ar-gain", ind - fvsbn, ".1f")
value("ar-d", d, "d")
value("ar-n-images", len(x_train) + len(x_test), ",d")
value("ar-n-test", len(x_test), "d")

# Samples: a row of real test digits, then 12 exact samples from each model.
gen = torch.Generator().manual_seed(2)
rows_img = [x_test[:12]] + [m.sample(12, generator=gen).cpu().numpy() for m in models.values()]
fig, axes = figure(len(rows_img), 1, size=(6.4, 2.9))
for ax, imgs, name in zip(axes, rows_img, ["测试集", *models], strict=True):
    strip = np.concatenate([np.pad(im.reshape(8, 8), 1, constant_values=0.5) for im in imgs], axis=1)
    ax.imshow(strip, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    ax.set_title(name, fontsize=8, loc="left")
print()
print(svg(fig, caption="第一行是测试集里的真实数字(二值化的 8×8 图);下面三行分别是从各像素独立的模型、"
                       "FVSBN 与 NADE 中按链式法则逐个像素抽出的样本。"))
