"""Hostile scan files, built for real: tiny files that declare enormous pages.

Each is a few hundred bytes to a few tens of kilobytes and would need hundreds of megabytes to
gigabytes of memory if decoded: what a damaged scanner driver, a wrong "scan size" setting or an
attacker with a station token can send.
"""

import io
import struct
import zlib
from functools import cache

from PIL import Image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


@cache
def png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side × side white pixels: zlib-compressed zero rows (≈50 kB for
    20,000², i.e. 400 million pixels; checksums right, so it passes Pillow's verify())."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte "none" and the row's bits
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", body)
        + _png_chunk(b"IEND", b"")
    )


def pdf_bomb(points: int = 14_400) -> bytes:
    """A valid one-page PDF (a few hundred bytes) whose MediaBox is points × points: 14,400 pt
    is 5 m, 60,000 × 60,000 pixels at 300 dpi."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] >>" % (points, points),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def tiff_bomb(side: int = 20_000, *, pages_before: int = 0) -> bytes:
    """A group-4 (CCITT) TIFF written by Pillow, whose last page declares side × side pixels.

    Pillow writes a small page; its ImageWidth and ImageLength tags are then set to `side` (a
    real 20,000² group-4 page is as small, but writing it would itself take 400 MB). With
    `pages_before`, that many ordinary small pages come first.
    """
    small = [Image.new("1", (64, 64), 1) for _ in range(pages_before + 1)]
    buffer = io.BytesIO()
    small[0].save(
        buffer, format="TIFF", compression="group4", save_all=True, append_images=small[1:]
    )
    data = bytearray(buffer.getvalue())
    assert data[:4] == b"II*\x00"
    offset = struct.unpack_from("<I", data, 4)[0]
    for _page in range(pages_before):  # to the last page's directory
        count = struct.unpack_from("<H", data, offset)[0]
        offset = struct.unpack_from("<I", data, offset + 2 + 12 * count)[0]
    count = struct.unpack_from("<H", data, offset)[0]
    for entry in range(count):
        at = offset + 2 + 12 * entry
        tag, kind = struct.unpack_from("<HH", data, at)
        if tag in (256, 257):  # ImageWidth, ImageLength
            if kind == 3:  # SHORT
                struct.pack_into("<H", data, at + 8, min(side, 65_535))
            else:  # LONG
                struct.pack_into("<I", data, at + 8, side)
        if tag == 278:  # RowsPerStrip: one strip for the whole (claimed) page
            struct.pack_into("<HI", data, at + 2, 4, 1)
            struct.pack_into("<I", data, at + 8, side)
    return bytes(data)


def jpeg_bomb(side: int = 20_000) -> bytes:
    """A JPEG whose frame header declares side × side pixels (the scan data is a small image's:
    the decoder allocates the declared size before it finds out)."""
    buffer = io.BytesIO()
    Image.new("L", (16, 16), 255).save(buffer, format="JPEG")
    data = bytearray(buffer.getvalue())
    at = data.index(b"\xff\xc0")  # baseline frame header: length, precision, height, width
    struct.pack_into(">HH", data, at + 5, side, side)
    return bytes(data)
