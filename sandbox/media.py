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
