import random

from blogkit.display import md_table, value
from blogkit.tfrecord import crc32c, mask

rng = random.Random(0)
msgs = [b"", b"a", b"TFRecord", bytes(rng.randrange(256) for _ in range(100))]
rows = []
for m in msgs:
    c = crc32c(m)
    plain = crc32c(m + c.to_bytes(4, "little"))  # the CRC of the data followed by its own CRC
    masked = crc32c(m + mask(c).to_bytes(4, "little"))
    rows.append((repr(m) if len(m) < 12 else f"{len(m)} 个随机字节", f"0x{c:08X}", f"0x{plain:08X}",
                 f"0x{masked:08X}"))
print(md_table(rows, ["m", "c = crc32c(m)", "crc32c(m ‖ c)", "crc32c(m ‖ mask(c))"]))
assert {r[2] for r in rows} == {"0x48674BC7"} and len({r[3] for r in rows}) == len(rows)
value("tf-residue", rows[0][2])
