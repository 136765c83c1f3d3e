from blogkit.display import md_table, value
from blogkit.tfrecord import crc32c, mask, unmask

CHECK = 0xE3069283  # the published check value of CRC-32C (Castagnoli) for b"123456789"
msgs = [b"123456789", b"", b"a", b"TFRecord", bytes(32), bytes([0xFF]) * 32]
rows = [(repr(m) if len(m) < 12 else f"{m[:1]!r} × {len(m)}", f"0x{crc32c(m):08X}",
         f"0x{mask(crc32c(m)):08X}") for m in msgs]
print(md_table(rows, ["数据", "crc32c", "mask(crc32c)"]))
assert crc32c(b"123456789") == CHECK
assert all(unmask(mask(crc32c(m))) == crc32c(m) for m in msgs)
value("tf-check", f"0x{crc32c(b'123456789'):08X}")
