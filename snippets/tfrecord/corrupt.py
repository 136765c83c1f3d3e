import random
import tempfile
from pathlib import Path

from blogkit.display import md_table, value
from blogkit.tfrecord import TFRecordError, encode_example, flip_bits, read_records, write_records

rng = random.Random(1)
good = [encode_example({"label": [k], "x": [0.5 * k, 1.0]}) for k in range(2)]
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "data.tfrecord"
    write_records(path, good)
    raw = path.read_bytes()
    nbits = 8 * len(raw)
    boundary = len(good[0]) + 16  # where the second record starts
    trials = {
        "翻转 1 个比特（每个位置各一次）": [flip_bits(raw, [i]) for i in range(nbits)],
        "翻转 2 个比特（随机 300 组）": [flip_bits(raw, rng.sample(range(nbits), 2)) for _ in range(300)],
        "连续 ≤ 32 个比特的突发错误（随机 300 组）": [
            flip_bits(raw, range(s, s + w)) for s, w in ((rng.randrange(nbits - 32), rng.randint(2, 32))
                                                         for _ in range(300))],
        "截断在记录内部（每个长度各一次）": [raw[:n] for n in range(1, len(raw)) if n != boundary],
    }
    rows, messages = [], {}
    for name, variants in trials.items():
        caught = 0
        for v in variants:
            path.write_bytes(v)
            try:
                read_records(path)
            except TFRecordError as e:
                caught += 1
                messages.setdefault(name, str(e))
        rows.append((name, len(variants), caught))
    path.write_bytes(raw[:boundary])  # cut exactly between the two records
    left = read_records(path)
print(md_table(rows, ["损坏方式", "损坏的文件", "读取时报错"], [None, "d", "d"]))
assert all(n == c for _, n, c in rows)
assert left == good[:1]  # a cut at a record boundary leaves a valid, shorter file
print()
print(md_table([(k, f"`{v}`") for k, v in messages.items()], ["损坏方式", "报错信息（第一例）"]))
value("tf-bits", nbits, "d")
value("tf-boundary", boundary, "d")
