import struct
import tempfile
from pathlib import Path

from blogkit.display import figure, md_table, svg, value
from blogkit.tfrecord import crc32c, decode_example, encode_example, mask, read_records, write_records

examples = [{"label": [7], "pixels": [0.25, 1.5]}, {"label": [-3], "name": [b"cat"]}]
payloads = [encode_example(e) for e in examples]
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "two.tfrecord"
    size = write_records(path, payloads)
    raw = path.read_bytes()
    back = read_records(path)
# Example{features (field 1): Features{entry (field 1): {key (field 1) = "label" ...}}}
assert payloads[0][:8] == bytes.fromhex("0a280a0e0a056c61") and payloads[0][1] == len(payloads[0]) - 2
assert back == payloads and [decode_example(b) for b in back] == examples and size == len(raw)

rows, spans, pos = [], [], 0
for k, data in enumerate(payloads):
    n = len(data)
    fields = [("长度 uint64", 8, f"{n}"),
              ("mask(crc32c(长度))", 4, f"0x{mask(crc32c(raw[pos:pos + 8])):08X}"),
              ("数据（tf.Example）", n, f"{n} 字节"),
              ("mask(crc32c(数据))", 4, f"0x{mask(crc32c(data)):08X}")]
    for name, width, meaning in fields:
        chunk = raw[pos:pos + width]
        shown = chunk.hex(" ") if width <= 8 else chunk[:8].hex(" ") + " …"
        rows.append((k, pos, name, shown, meaning))
        spans.append((k, pos, width, name))
        pos += width
    assert struct.unpack("<Q", raw[rows[-4][1]:rows[-4][1] + 8])[0] == n
assert pos == len(raw)
print(md_table(rows, ["记录", "偏移", "字段", "字节（小端）", "含义"], ["d", "d", None, None, None]))
value("tf-size", len(raw), "d")
value("tf-overhead", 16, "d")
assert len(raw) - sum(len(p) for p in payloads) == 16 * len(payloads)

fig, ax = figure(size=(7.2, 2.2))
colours = {"长度 uint64": "#0072B2", "mask(crc32c(长度))": "#56B4E9", "数据（tf.Example）": "#E69F00",
           "mask(crc32c(数据))": "#D55E00"}
for k, start, width, name in spans:
    ax.barh(0, width, left=start, color=colours[name], edgecolor="white", height=0.6)
    if width >= 8:
        ax.text(start + width / 2, 0, "长度" if width == 8 else f"记录 {k} 的数据\n{width} 字节",
                ha="center", va="center", fontsize=7.5, color="white")
for name, c in colours.items():
    ax.barh(0, 0, color=c, label=name)
ax.set_xlim(0, len(raw))
ax.set_yticks([])
ax.set_xlabel("文件中的字节偏移")
ax.legend(ncol=4, fontsize=7.5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
ax.grid(False)
print()
print(svg(fig, caption=f"两条记录、共 {len(raw)} 字节的 TFRecord 文件的字节布局。"
                       "每条记录在数据之前多出 12 个字节"
                       "（长度与长度的校验和），之后多出 4 个字节（数据的校验和）。"))
