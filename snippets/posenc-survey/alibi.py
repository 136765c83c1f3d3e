import math

from blogkit.display import md_table
from blogkit.posenc import alibi_slopes

h = 8
slopes = alibi_slopes(h)
rows = [(s + 1, m, math.log2(m)) for s, m in enumerate(slopes.tolist())]
print(md_table(rows, ["头 $s$", "斜率 $m_s$", r"$\log_2 m_s$"], [None, ".8f", ".0f"]))
assert slopes.tolist() == [2.0 ** -(s + 1) for s in range(h)]  # h = 8: exactly 1/2, 1/4, ..., 1/256
