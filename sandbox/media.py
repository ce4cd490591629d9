"""Small but well-formed media bytes for the fakes' downloads.

Owns the fake photo (an 8x8 grey baseline JPEG), voice note (Ogg/Opus header pages),
and call recording audio (WAV via the `wave` module, silent MP3 frames), so that code
checking magic numbers or parsing headers sees real formats.
"""

from __future__ import annotations

import io
import math
import struct
import wave

# An 8x8 grey baseline JPEG: one block whose DC and AC are all zero. The Huffman
# tables hold a single 1-bit code each (DC category 0, AC end-of-block).
TINY_JPEG = (
    b"\xff\xd8"
    + b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    + b"\xff\xdb\x00\x43\x00"
    + b"\x01" * 64
    + b"\xff\xc0\x00\x0b\x08\x00\x08\x00\x08\x01\x01\x11\x00"
    + b"\xff\xc4\x00\x14\x00\x01"
    + b"\x00" * 15
    + b"\x00"
    + b"\xff\xc4\x00\x14\x10\x01"
    + b"\x00" * 15
    + b"\x00"
    + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    + b"\x3f"
    + b"\xff\xd9"
)


def _ogg_crc(data: bytes) -> int:
    # Ogg uses the non-reflected CRC-32 with polynomial 0x04C11DB7 and zero init.
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(payload: bytes, sequence: int, header_type: int, granule: int = 0) -> bytes:
    segments = [255] * (len(payload) // 255) + [len(payload) % 255]
    header = struct.pack(
        "<4sBBqIIIB", b"OggS", 0, header_type, granule, 0x52415030, sequence, 0, len(segments)
    )
    page = header + bytes(segments) + payload
    crc = _ogg_crc(page)
    return page[:22] + struct.pack("<I", crc) + page[26:]


def tiny_ogg() -> bytes:
    """Return an Ogg/Opus stream holding only its two header pages."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    vendor = b"raporto-sandbox"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    return _ogg_page(head, 0, 0x02) + _ogg_page(tags, 1, 0x00)


def wav_bytes(seconds: float, rate: int = 8000) -> bytes:
    """Return a mono 16-bit WAV with a quiet 440 Hz tone lasting `seconds`."""
    frames = max(1, int(seconds * rate))
    samples = b"".join(
        struct.pack("<h", int(1000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(frames)
    )
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples)
    return out.getvalue()


def mp3_bytes(seconds: float) -> bytes:
    """Return silent MPEG-1 Layer III mono frames (128 kbit/s, 44.1 kHz) for `seconds`."""
    # 417-byte frames of 1152 samples; zeroed side info decodes as silence.
    frame = b"\xff\xfb\x90\xc0" + b"\x00" * 413
    count = max(1, math.ceil(seconds * 44100 / 1152))
    return frame * count


def jpeg(width: int, height: int) -> bytes:
    """Return a grey baseline JPEG of the given size (TINY_JPEG's tables, one code a block)."""
    blocks = -(-width // 8) * -(-height // 8)
    # Each 8x8 block is two 1-bit codes ("0" DC category 0, "0" end-of-block); the last
    # byte is padded with 1 bits. Zero bytes need no 0xFF stuffing.
    bits = 2 * blocks
    scan = bytes(bits // 8) + (bytes([0xFF >> (bits % 8)]) if bits % 8 else b"")
    size = struct.pack(">HH", height, width)
    start = TINY_JPEG.index(b"\xff\xc0")
    scan_start = TINY_JPEG.index(b"\xff\xda") + 10
    head = TINY_JPEG[: start + 5] + size + TINY_JPEG[start + 9 : scan_start]
    return head + scan + b"\xff\xd9"


def tiny_mp4() -> bytes:
    """Return an ISO base media file: an `ftyp` box and an empty `mdat` (what magic checks see)."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 0x200) + b"isomiso2avc1mp41"
    return struct.pack(">I", 4 + len(ftyp)) + ftyp + struct.pack(">I", 8) + b"mdat"


def tiny_pdf() -> bytes:
    """Return a one-page blank PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


class _LsbBits:
    """Bit writer, least significant bit first, as WebP lossless (VP8L) reads them."""

    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def put(self, value: int, width: int) -> None:
        """Append `width` bits of `value`."""
        self.value |= value << self.count
        self.count += width

    def bytes(self) -> bytes:
        """Return the bits so far, zero-padded to a whole byte."""
        return self.value.to_bytes(-(-self.count // 8), "little")


def webp(width: int, height: int, argb: tuple[int, int, int, int] = (255, 255, 204, 0)) -> bytes:
    """Return a lossless WebP of one colour: five one-symbol prefix codes, zero bits a pixel."""
    bits = _LsbBits()
    bits.put(0x2F, 8)  # VP8L signature
    bits.put(width - 1, 14)
    bits.put(height - 1, 14)
    bits.put(1, 1)  # alpha is used, as in sticker images
    bits.put(0, 3)  # version
    bits.put(0, 1)  # no transform
    bits.put(0, 1)  # no colour cache
    bits.put(0, 1)  # no meta prefix codes
    alpha, red, green, blue = argb
    # Green, red, blue, alpha, distance: each a "simple" code holding one 8-bit symbol.
    for symbol in (green, red, blue, alpha, 0):
        bits.put(1, 1)  # simple code
        bits.put(0, 1)  # one symbol
        bits.put(1, 1)  # the symbol takes 8 bits
        bits.put(symbol, 8)
    chunk = bits.bytes()
    chunk += b"\x00" * (len(chunk) % 2)  # RIFF chunks are padded to even length
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(bits.bytes())) + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body
