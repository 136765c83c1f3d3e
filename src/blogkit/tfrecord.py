r"""TFRecord files without TensorFlow: the record framing, the masked CRC-32C, and tf.Example bytes.

Implements the post ``tfrecord`` (from the second blog's note on TFRecord and tf.Example).

A TFRecord file is a sequence of records, each framed as (all integers little-endian)::

    uint64 length | uint32 masked_crc32c(length bytes) | data[length] | uint32 masked_crc32c(data)

CRC-32C is the Castagnoli CRC: reflected polynomial ``0x82F63B78``, initial value and final XOR
``0xFFFFFFFF`` (check value ``crc32c(b"123456789") == 0xE3069283``). The stored CRCs are masked,
``((c >> 15) | (c << 17)) + 0xA282EAD8`` modulo :math:`2^{32}`, because the plain CRC of a string
that ends with its own CRC is a constant (:func:`crc32c` of ``m + crc32c(m)`` does not depend on
``m``), which makes CRCs of data containing CRCs useless.

The payload of each record is usually a serialized ``tf.Example`` protocol buffer;
:func:`encode_example` and :func:`decode_example` write and read that message in the protobuf wire
format for the three feature kinds (bytes, float, int64).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping, Sequence
from os import PathLike

__all__ = [
    "CRC32C_POLY",
    "MASK_DELTA",
    "TFRecordError",
    "crc32c",
    "decode_example",
    "encode_example",
    "encode_record",
    "flip_bits",
    "mask",
    "read_records",
    "unmask",
    "write_records",
]

CRC32C_POLY = 0x82F63B78  # Castagnoli polynomial 0x1EDC6F41, bit-reversed
MASK_DELTA = 0xA282EAD8
_M32 = 0xFFFFFFFF


def _make_table() -> list[int]:
    table = []
    for byte in range(256):
        c = byte
        for _ in range(8):  # one bit at a time: shift right, XOR the polynomial when a 1 falls out
            c = (c >> 1) ^ CRC32C_POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()


class TFRecordError(ValueError):
    """A TFRecord file is truncated or one of its checksums does not match."""


def crc32c(data: bytes) -> int:
    r"""CRC-32C (Castagnoli) of ``data``, Eq. (eq:tfrecord-crc) of the post tfrecord.

    Reflected, table-driven: :math:`c \leftarrow T[(c \oplus b) \,\&\, 255] \oplus (c \gg 8)` for
    each byte ``b``, starting from ``0xFFFFFFFF`` and XOR-ed with ``0xFFFFFFFF`` at the end.
    """
    c = _M32
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ _M32


def mask(crc: int) -> int:
    r"""TFRecord's masked CRC, Eq. (eq:tfrecord-mask) of the post tfrecord:
    :math:`\mathrm{rot}_{15}(c) + \mathtt{0xA282EAD8} \bmod 2^{32}` (rotate right by 15)."""
    return ((((crc >> 15) | (crc << 17)) & _M32) + MASK_DELTA) & _M32


def unmask(masked: int) -> int:
    """Inverse of :func:`mask`: subtract the constant, rotate left by 15."""
    rot = (masked - MASK_DELTA) & _M32
    return ((rot >> 17) | (rot << 15)) & _M32


def encode_record(data: bytes) -> bytes:
    """One framed record, Eq. (eq:tfrecord-frame) of the post tfrecord:
    ``uint64 len | uint32 mask(crc32c(len)) | data | uint32 mask(crc32c(data))``, little-endian."""
    head = struct.pack("<Q", len(data))
    return (head + struct.pack("<I", mask(crc32c(head))) + bytes(data)
            + struct.pack("<I", mask(crc32c(data))))


def write_records(path: str | PathLike[str], records: Iterable[bytes]) -> int:
    """Write ``records`` (bytes each) to a TFRecord file; returns the number of bytes written."""
    n = 0
    with open(path, "wb") as f:
        for r in records:
            n += f.write(encode_record(r))
    return n


def read_records(path: str | PathLike[str]) -> list[bytes]:
    """Read every record of a TFRecord file, checking both CRCs of each.

    Raises :class:`TFRecordError` (a ``ValueError``) naming the record and the byte offset when a
    header or payload is truncated or a checksum does not match.
    """
    with open(path, "rb") as f:
        buf = f.read()
    out, pos, k = [], 0, 0
    while pos < len(buf):
        if pos + 12 > len(buf):
            raise TFRecordError(f"record {k} at byte {pos}: truncated header "
                                f"({len(buf) - pos} of 12 bytes)")
        head = buf[pos:pos + 8]
        (length,) = struct.unpack("<Q", head)
        (len_crc,) = struct.unpack("<I", buf[pos + 8:pos + 12])
        if mask(crc32c(head)) != len_crc:
            raise TFRecordError(f"record {k} at byte {pos}: length CRC mismatch "
                                f"(stored 0x{len_crc:08X}, computed 0x{mask(crc32c(head)):08X})")
        start, end = pos + 12, pos + 12 + length
        if end + 4 > len(buf):
            raise TFRecordError(f"record {k} at byte {pos}: truncated data "
                                f"({max(0, len(buf) - start)} of {length + 4} bytes)")
        data = buf[start:end]
        (data_crc,) = struct.unpack("<I", buf[end:end + 4])
        if mask(crc32c(data)) != data_crc:
            raise TFRecordError(f"record {k} at byte {pos}: data CRC mismatch "
                                f"(stored 0x{data_crc:08X}, computed 0x{mask(crc32c(data)):08X})")
        out.append(data)
        pos, k = end + 4, k + 1
    return out


def flip_bits(data: bytes, positions: Iterable[int]) -> bytes:
    """``data`` with the given bit positions inverted (bit ``i`` is bit ``i % 8`` of byte ``i // 8``)."""
    b = bytearray(data)
    for i in positions:
        b[i // 8] ^= 1 << (i % 8)
    return bytes(b)


# -- tf.Example in the protobuf wire format ---------------------------------------------------
# message Example  { Features features = 1; }
# message Features { map<string, Feature> feature = 1; }   (entries: key = 1, value = 2)
# message Feature  { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2;
#                                 Int64List int64_list = 3; } }
# message BytesList { repeated bytes value = 1; }
# message FloatList { repeated float value = 1 [packed = true]; }
# message Int64List { repeated int64 value = 1 [packed = true]; }


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # int64 on the wire: two's complement, ten bytes when negative
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    # tag = number << 3 | wire type 2 (length-delimited), then the length
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def encode_example(features: Mapping[str, Sequence[bytes] | Sequence[float] | Sequence[int]]) -> bytes:
    """Serialize a ``tf.Example`` whose features are lists of bytes, floats or ints.

    The kind of each feature follows its elements (``bytes`` → BytesList, ``float`` → FloatList
    stored as float32, ``int`` → Int64List). Keys are written in sorted order, so the bytes are
    deterministic.
    """
    entries = b""
    for key in sorted(features):
        values = list(features[key])
        if all(isinstance(v, bytes | bytearray) for v in values):
            kind = 1
            body = b"".join(_field(1, bytes(v)) for v in values)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            kind = 3
            body = _field(1, b"".join(_varint(v) for v in values)) if values else b""
        elif all(isinstance(v, float | int) for v in values):
            kind = 2
            body = _field(1, struct.pack(f"<{len(values)}f", *values)) if values else b""
        else:
            raise TypeError(f"feature {key!r}: mixed or unsupported value types")
        feature = _field(kind, body)
        entries += _field(1, _field(1, key.encode("utf-8")) + _field(2, feature))
    return _field(1, entries)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, pos


def _fields(buf: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos < len(buf):
        tag, pos = _read_varint(buf, pos)
        if tag & 7 != 2:
            raise ValueError(f"unexpected wire type {tag & 7}")
        n, pos = _read_varint(buf, pos)
        out.append((tag >> 3, buf[pos:pos + n]))
        pos += n
    return out


def decode_example(data: bytes) -> dict[str, list[bytes] | list[float] | list[int]]:
    """Parse bytes written by :func:`encode_example` (or by TensorFlow) back into a dict."""
    result: dict[str, list[bytes] | list[float] | list[int]] = {}
    for _, features in _fields(data):
        for _, entry in _fields(features):
            parts = dict(_fields(entry))
            key = parts.get(1, b"").decode("utf-8")
            kind_body = _fields(parts.get(2, b""))
            if not kind_body:
                result[key] = []
                continue
            kind, body = kind_body[0]
            inner = [v for _, v in _fields(body)]
            if kind == 1:
                result[key] = inner
            elif kind == 2:
                raw = b"".join(inner)
                result[key] = list(struct.unpack(f"<{len(raw) // 4}f", raw))
            else:
                raw, vals, pos = b"".join(inner), [], 0
                while pos < len(raw):
                    v, pos = _read_varint(raw, pos)
                    vals.append(v - (1 << 64) if v >= 1 << 63 else v)
                result[key] = vals
    return result
