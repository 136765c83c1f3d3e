import numpy as np

from blogkit.display import md_table, value
from blogkit.smoothmax import smooth_max, smooth_max_entropy, smooth_max_grad

x = np.array([1.0, 0.8, 0.2, -0.5])
rows, fd_errs = [], []
for k in [1.0, 5.0, 50.0]:
    p = smooth_max_grad(x, k)
    h = 1e-6
    fd = np.array([(smooth_max(x + h * e, k) - smooth_max(x - h * e, k)) / (2 * h) for e in np.eye(len(x))])
    fd_errs.append(np.abs(fd - p).max())
    # Hessian k (diag p − p pᵀ): positive semi-definite, zero along (1, …, 1)
    eig = np.linalg.eigvalsh(k * (np.diag(p) - np.outer(p, p)))
    # d smax / dk = −H(p) / k²
    dk = (smooth_max(x, k + h) - smooth_max(x, k - h)) / (2 * h)
    dk_err = abs(dk + smooth_max_entropy(x, k) / k**2)
    assert p.min() > 0 and abs(p.sum() - 1) < 1e-15 and eig.min() > -1e-12 and dk_err < 1e-8
    rows.append((k, *p, fd_errs[-1], eig.min()))
print(md_table(rows, ["$k$", "$p_1$", "$p_2$", "$p_3$", "$p_4$", "与中心差分的最大差", "Hessian 最小特征值"],
               [".0f", ".4f", ".4f", ".4f", ".4f", ".1e", ".1e"]))
assert max(fd_errs) < 1e-7 and rows[-1][1] > 0.9999
value("sm-p1-k50", rows[-1][1], ".6f")
