"""Draw the integration's brand images (brand/icon.png, icon@2x.png, logo.png).

An original design: a white roof over a telephone handset on a teal rounded
square. Pure Python (signed-distance shapes, 2x2 supersampling), so it runs on
any interpreter: ``python3 scripts/make_brand_images.py``.
"""

import math
from pathlib import Path
import struct
import zlib

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "sipgate" / "brand"
TOP, BOTTOM = (0x12, 0x9E, 0x8F), (0x0B, 0x5C, 0x7A)


def _segment(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def _arc(px: float, py: float, cx: float, cy: float, r: float, a0: float, a1: float) -> float:
    angle = math.degrees(math.atan2(cy - py, px - cx)) % 360
    if a0 <= angle <= a1:
        return abs(math.hypot(px - cx, py - cy) - r)
    ends = [(cx + r * math.cos(math.radians(a)), cy - r * math.sin(math.radians(a))) for a in (a0, a1)]
    return min(math.hypot(px - x, py - y) for x, y in ends)


def _rounded_square(px: float, py: float, size: float, radius: float) -> float:
    half = size / 2
    qx, qy = abs(px - half) - (half - radius), abs(py - half) - (half - radius)
    return math.hypot(max(qx, 0), max(qy, 0)) + min(max(qx, qy), 0) - radius


def _sample(x: float, y: float) -> tuple[float, float, float, float]:
    """Colour at (x, y) in a 256-unit square: RGBA with 0..1 channels."""
    if _rounded_square(x, y, 256, 56) > 0:
        return (0.0, 0.0, 0.0, 0.0)
    roof = min(_segment(x, y, 52, 118, 128, 52), _segment(x, y, 128, 52, 204, 118)) - 10
    handset = min(
        _arc(x, y, 128, 196, 56, 22, 158) - 10,
        _segment(x, y, 62, 184, 90, 184) - 14,
        _segment(x, y, 166, 184, 194, 184) - 14,
    )
    if min(roof, handset) <= 0:
        return (1.0, 1.0, 1.0, 1.0)
    t = y / 256
    return (*(((1 - t) * a + t * b) / 255 for a, b in zip(TOP, BOTTOM, strict=True)), 1.0)


def render(size: int) -> bytes:
    """Return the RGBA pixels of a size x size image, 2x2 supersampled."""
    scale = 256 / size
    offsets = (0.25, 0.75)
    rows = bytearray()
    for row in range(size):
        rows.append(0)  # PNG filter: none
        for col in range(size):
            acc = [0.0, 0.0, 0.0, 0.0]
            for oy in offsets:
                for ox in offsets:
                    r, g, b, a = _sample((col + ox) * scale, (row + oy) * scale)
                    acc = [acc[0] + r * a, acc[1] + g * a, acc[2] + b * a, acc[3] + a]
            alpha = acc[3] / 4
            if alpha:
                rows += bytes(round(255 * c / acc[3]) for c in acc[:3]) + bytes([round(255 * alpha)])
            else:
                rows += b"\0\0\0\0"
    return bytes(rows)


def png(size: int) -> bytes:
    """Encode the icon at ``size`` pixels as a PNG file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(render(size), 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    BRAND.mkdir(parents=True, exist_ok=True)
    icon = png(256)
    (BRAND / "icon.png").write_bytes(icon)
    (BRAND / "logo.png").write_bytes(icon)
    (BRAND / "icon@2x.png").write_bytes(png(512))
