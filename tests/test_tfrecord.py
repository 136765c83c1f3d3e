"""blogkit.tfrecord: CRC-32C against google-crc32c (a peer implementation from PyPI) and a bitwise
oracle, the record framing against an independent reader/writer written here with struct and
google-crc32c, corruption errors, and tf.Example bytes in the protobuf wire format."""

from __future__ import annotations

import random
import struct

import google_crc32c
import pytest

from blogkit import tfrecord as tr


def bitwise_crc32c(data: bytes) -> int:
    """Slow oracle: the Castagnoli polynomial 0x1EDC6F41 applied bit by bit, MSB-first on reflected
    bytes (no table, no reflected constant)."""
    poly, c = 0x1EDC6F41, 0xFFFFFFFF
    for byte in data:
        rb = int(f"{byte:08b}"[::-1], 2)  # reflect the input byte
        c ^= rb << 24
        for _ in range(8):
            c = ((c << 1) ^ poly) & 0xFFFFFFFF if c & 0x80000000 else (c << 1) & 0xFFFFFFFF
    out = int(f"{c:032b}"[::-1], 2)  # reflect the register
    return out ^ 0xFFFFFFFF


def test_eqn_tfrecord_crc_check_value() -> None:
    assert tr.crc32c(b"123456789") == 0xE3069283
    assert google_crc32c.value(b"123456789") == 0xE3069283


@pytest.mark.parametrize("n", [0, 1, 2, 3, 7, 8, 31, 64, 255, 1000, 4099])
def test_crc32c_matches_google_crc32c_and_bitwise_oracle(n: int) -> None:
    rng = random.Random(n)
    for _ in range(5):
        data = bytes(rng.randrange(256) for _ in range(n))
        assert tr.crc32c(data) == google_crc32c.value(data)
        if n <= 255:
            assert tr.crc32c(data) == bitwise_crc32c(data)


def test_crc32c_iscsi_vectors() -> None:
    # 32 zero bytes and 32 0xFF bytes, checked by google-crc32c as well
    for data in (bytes(32), b"\xff" * 32, bytes(range(32)), bytes(range(31, -1, -1))):
        assert tr.crc32c(data) == google_crc32c.value(data)
    assert tr.crc32c(bytes(32)) == 0x8A9136AA and tr.crc32c(b"\xff" * 32) == 0x62A8AB43


def test_crc_of_concatenation_is_not_the_crc_of_parts() -> None:
    a, b = b"hello ", b"world"
    assert tr.crc32c(a + b) != tr.crc32c(a) ^ tr.crc32c(b)
    assert tr.crc32c(a + b) == google_crc32c.value(a + b)


def test_eqn_tfrecord_mask_roundtrip_and_rotation() -> None:
    rng = random.Random(0)
    for _ in range(2000):
        c = rng.getrandbits(32)
        m = tr.mask(c)
        assert 0 <= m < 2**32 and tr.unmask(m) == c
        # rotation by 15 to the right: bit 15 of c lands on bit 0 before the constant is added
        rot = (m - tr.MASK_DELTA) % 2**32
        assert all(((rot >> ((i - 15) % 32)) & 1) == ((c >> i) & 1) for i in range(32))
    assert tr.mask(0) == tr.MASK_DELTA


def test_eqn_tfrecord_residue_plain_crc_is_constant_masked_is_not() -> None:
    rng = random.Random(1)
    plain, masked = set(), set()
    for n in range(0, 60, 3):
        m = bytes(rng.randrange(256) for _ in range(n))
        c = google_crc32c.value(m)
        plain.add(tr.crc32c(m + c.to_bytes(4, "little")))
        masked.add(tr.crc32c(m + tr.mask(c).to_bytes(4, "little")))
    assert plain == {0x48674BC7} and len(masked) == 20


# --- the framing against an independent writer and reader -------------------------------------


def independent_write(records: list[bytes]) -> bytes:
    """The format as specified, written with struct and google-crc32c only."""

    def masked(data: bytes) -> int:
        c = google_crc32c.value(data)
        return ((c >> 15 | c << 17) + 0xA282EAD8) % 2**32

    out = b""
    for r in records:
        length = struct.pack("<Q", len(r))
        out += length + struct.pack("<I", masked(length)) + r + struct.pack("<I", masked(r))
    return out


def independent_read(raw: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(raw):
        (n,) = struct.unpack_from("<Q", raw, pos)
        out.append(raw[pos + 12:pos + 12 + n])
        pos += 16 + n
    return out


RECORDS = [[], [b""], [b"a"], [b"hello", b"", bytes(range(256)) * 3], [bytes(70_000)]]


@pytest.mark.parametrize("records", RECORDS)
def test_eqn_tfrecord_frame_interoperates_with_independent_code(records, tmp_path) -> None:
    path = tmp_path / "x.tfrecord"
    n = tr.write_records(path, records)
    raw = path.read_bytes()
    assert raw == independent_write(records) and n == len(raw)
    assert independent_read(raw) == records
    path.write_bytes(independent_write(records))
    assert tr.read_records(path) == records
    assert len(raw) == sum(16 + len(r) for r in records)


def test_corruption_raises_clear_errors(tmp_path) -> None:
    path = tmp_path / "x.tfrecord"
    tr.write_records(path, [b"first record", b"second"])
    raw = path.read_bytes()
    cases = {
        "length CRC mismatch": tr.flip_bits(raw, [3]),
        "data CRC mismatch": tr.flip_bits(raw, [8 * 14]),
        "truncated header": raw[:5],
        "truncated data": raw[:20],
    }
    for message, data in cases.items():
        path.write_bytes(data)
        with pytest.raises(tr.TFRecordError, match=message):
            tr.read_records(path)
    path.write_bytes(tr.flip_bits(raw, [8 * (28 + 14)]))  # inside the second record's data
    with pytest.raises(ValueError, match=r"record 1 at byte 28"):
        tr.read_records(path)
    # a damaged stored CRC is caught too
    path.write_bytes(raw[:-1] + bytes([raw[-1] ^ 1]))
    with pytest.raises(tr.TFRecordError):
        tr.read_records(path)


def test_every_single_bit_flip_is_detected(tmp_path) -> None:
    path = tmp_path / "x.tfrecord"
    tr.write_records(path, [b"0123456789" * 3])
    raw = path.read_bytes()
    for i in range(8 * len(raw)):
        path.write_bytes(tr.flip_bits(raw, [i]))
        with pytest.raises(tr.TFRecordError):
            tr.read_records(path)


# --- tf.Example ---------------------------------------------------------------------------------


def test_protobuf_varint_known_bytes() -> None:
    # the protobuf documentation's example: field 1 = 150 is 08 96 01; here packed in an Int64List
    ex = tr.encode_example({"a": [150]})
    assert bytes.fromhex("0a029601") in ex  # tag 1 (packed), length 2, varint 150
    neg = tr.encode_example({"a": [-1]})
    assert bytes.fromhex("ff" * 9 + "01") in neg  # int64 −1: ten bytes


def test_example_roundtrip() -> None:
    rng = random.Random(4)
    for _ in range(50):
        feats = {}
        for k in range(rng.randint(0, 5)):
            kind = rng.choice(["b", "f", "i"])
            n = rng.randint(1, 6)
            if kind == "b":
                feats[f"k{k}"] = [bytes(rng.randrange(256) for _ in range(rng.randint(0, 9)))
                                  for _ in range(n)]
            elif kind == "f":
                feats[f"k{k}"] = [float(struct.unpack("<f", struct.pack("<f", rng.gauss(0, 9)))[0])
                                  for _ in range(n)]
            else:
                feats[f"k{k}"] = [rng.randint(-2**63, 2**63 - 1) for _ in range(n)]
        assert tr.decode_example(tr.encode_example(feats)) == feats


def test_example_structure_by_hand() -> None:
    ex = tr.encode_example({"x": [b"hi"]})
    # Example{features(1): Features{feature(1): entry{key(1)="x", value(2): Feature{bytes_list(1):
    #   BytesList{value(1)="hi"}}}}}
    bytes_list = b"\x0a\x02hi"
    feature = b"\x0a" + bytes([len(bytes_list)]) + bytes_list
    entry = b"\x0a\x01x" + b"\x12" + bytes([len(feature)]) + feature
    features = b"\x0a" + bytes([len(entry)]) + entry
    assert ex == b"\x0a" + bytes([len(features)]) + features
    with pytest.raises(TypeError):
        tr.encode_example({"bad": [1, b"x"]})
