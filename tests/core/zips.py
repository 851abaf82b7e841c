"""Zip archives built by hand for upload tests: a zip bomb (1 GiB of zeros in about 1 MB) in well under a
second, and archives whose headers lie."""

import io
import struct
import zlib

GIB = 1024**3
MIB = 1024**2
STAMP = (2021, 1, 1, 0, 0, 0)


def _dos_time() -> tuple[int, int]:
    year, month, day, hour, minute, second = STAMP
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def raw_zip(members: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip from (name, method, data as stored, CRC-32, size declared) members, written by hand: zipfile
    cannot take data already compressed, and compressing 1 GiB of zeros through it takes seconds."""
    time, day = _dos_time()
    out, directory = io.BytesIO(), io.BytesIO()
    for name, method, data, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        fields = (20, 0, method, time, day, crc, len(data), size, len(encoded))
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded + data)
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset) + encoded)
    start, listing = out.tell(), directory.getvalue()
    out.write(listing)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(listing), start, 0))
    return out.getvalue()


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """`size` bytes of zeros as one raw deflate stream, and their CRC-32, a MiB at a time: after a full
    flush the compressor starts afresh, so every MiB compresses to the same bytes (computed once)."""
    block = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // MIB):
        crc = zlib.crc32(block, crc)
    return piece * (size // MIB) + compressor.flush(zlib.Z_FINISH), crc


def docx_with(name: str, size: int) -> bytes:
    """A Word file whose member `name` unpacks to `size` zeros."""
    types = b"<Types/>"
    data, crc = deflated_zeros(size)
    return raw_zip([
        ("[Content_Types].xml", 0, types, zlib.crc32(types), len(types)),
        ("word/document.xml", 0, b"<x/>", zlib.crc32(b"<x/>"), 4),
        (name, 8, data, crc, size),
    ])  # fmt: skip
