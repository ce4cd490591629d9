"""A photo from the web form, re-encoded with Pillow so nothing but its pixels is kept.

EXIF (GPS position, camera serial, time), XMP, IPTC, ICC profiles and comments can name the
person who took a photo. The pixels are copied into a new image and saved as a plain JPEG, so no
block of the original file survives; orientation is applied first so the picture still stands.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

# Larger pictures are scaled down: officials need to see, not to print.
MAX_SIDE = 2048
# Refused rather than decoded: a small file can claim gigapixels (a decompression bomb).
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF", "MPO"}


class PhotoRefused(ValueError):
    """The upload is not a picture Pillow can read within the limits."""


def clean_photo(data: bytes) -> bytes:
    """Return the picture as a metadata-free JPEG; raise PhotoRefused when it is not one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise PhotoRefused("unsupported format")
                if image.width * image.height > MAX_PIXELS:
                    raise PhotoRefused("too many pixels")
                image.load()
                upright = ImageOps.exif_transpose(image).convert("RGB")
    except PhotoRefused:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PhotoRefused("not a readable picture") from exc
    except Image.DecompressionBombWarning as exc:
        raise PhotoRefused("too many pixels") from exc
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    # A fresh image holds the pixels and nothing else: no `info` is carried over.
    fresh = Image.frombytes("RGB", upright.size, upright.tobytes())
    out = io.BytesIO()
    fresh.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
