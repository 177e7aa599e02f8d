"""Real files made with Pillow for the photo tests: phone-like JPEGs with EXIF and GPS, and the files to refuse."""
from __future__ import annotations

import io

from PIL import Image

ORIENTATION, GPS_IFD, MAKE, SERIAL = 0x0112, 0x8825, 0x010F, 0xA431
GPS = {1: "N", 2: (14.0, 8.0, 24.0), 3: "W", 4: (16.0, 4.0, 12.0)}  # Kaolack


def phone_photo(width: int = 2000, height: int = 1500, rotated: bool = True) -> bytes:
    """A JPEG as a phone writes it: EXIF with the GPS position, the camera and its serial, and an orientation tag
    saying the picture must be turned (stored landscape, shown portrait)."""
    image = Image.new("RGB", (width, height), (200, 40, 40))
    image.paste((20, 20, 200), (0, 0, width // 4, height // 4))  # a marker in the top-left corner
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[SERIAL] = "SN-1234567"
    exif[GPS_IFD] = GPS
    if rotated:
        exif[ORIENTATION] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90, comment=b"taken at home")
    return out.getvalue()


def png(width: int = 64, height: int = 48, transparent: bool = False) -> bytes:
    image = Image.new("RGBA" if transparent else "RGB", (width, height), (0, 128, 0, 0) if transparent else "green")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def truncated_jpeg() -> bytes:
    whole = phone_photo(800, 600, rotated=False)
    return whole[: len(whole) // 2]


def bomb() -> bytes:
    """A 20,000 × 20,000 PNG: a few kilobytes on the wire, 1.2 GB once decoded."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>')


def metadata_of(data: bytes) -> dict:
    """What a stored file says about itself beyond its pixels."""
    with Image.open(io.BytesIO(data)) as image:
        return {"format": image.format, "size": image.size, "exif": dict(image.getexif()),
                "info": {k: v for k, v in image.info.items() if k not in ("jfif", "jfif_version", "jfif_unit",
                                                                           "jfif_density", "progressive",
                                                                           "progression")}}
