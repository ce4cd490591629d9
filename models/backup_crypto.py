"""The encrypted backup file: a header, then the dump in authenticated chunks (issue 18).

The construction is STREAM (Hoang, Reyhanitabar, Rogaway and Vizár, "Online authenticated-
encryption and its nonce-reuse misuse-resistance", CRYPTO 2015), the one Google's Tink and age
use, over AES-256-GCM from `cryptography`:

- header = MAGIC (8 bytes) | version (1) | engine length (1) | engine (ascii) | salt (16) |
  key check (16);
- the file key and the key check are HKDF-SHA256(RAPORTO_BACKUP_KEY, salt, "raporto-backup-v1"):
  a fresh random salt per file makes a fresh key per file, so nonces never repeat across files;
- the dump is cut into chunks of CHUNK bytes; chunk i is AES-256-GCM under the file key with the
  nonce counter i (11 bytes, big-endian) | final flag (1 byte: 1 on the last chunk only), and the
  whole header as associated data (the engine and version cannot be changed unnoticed);
- each chunk's ciphertext is CHUNK + 16 bytes except the last, which is shorter or equal.

Reordered, altered, dropped or appended chunks fail the tag: the counter fixes each chunk's
place, and the final flag makes a file cut at a chunk boundary fail too (its new last chunk was
sealed as not final). The key check tells a wrong key from a damaged file before any chunk.
Nothing decrypted is handed out before its chunk's tag has been checked.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"RPTOBAK\n"
VERSION = 1
ENGINES = ("sqlite", "postgresql")
SALT_BYTES = 16
CHECK_BYTES = 16
TAG_BYTES = 16
CHUNK = 1024 * 1024
INFO = b"raporto-backup-v1"


class BackupError(RuntimeError):
    """The backup cannot be made, read or restored; the message says why (never a secret)."""


@dataclass(frozen=True)
class Header:
    """What a backup file says about itself before its first chunk."""

    engine: str
    salt: bytes
    check: bytes

    def encode(self) -> bytes:
        """The header's bytes, as written and as authenticated with every chunk."""
        name = self.engine.encode("ascii")
        return MAGIC + bytes([VERSION, len(name)]) + name + self.salt + self.check


def _derive(key: bytes, salt: bytes) -> tuple[bytes, bytes]:
    """The file key and the key check for one file's salt."""
    okm = HKDF(algorithm=SHA256(), length=32 + CHECK_BYTES, salt=salt, info=INFO).derive(key)
    return okm[:32], okm[32:]


def _nonce(counter: int, final: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if final else b"\x00")


def _read_exactly(src: BinaryIO, n: int) -> bytes:
    data = b""
    while len(data) < n:
        more = src.read(n - len(data))
        if not more:
            break
        data += more
    return data


def encrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    key: bytes,
    engine: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the encrypted backup of `src` (a dump of `engine`) to `dst`; return bytes read."""
    if engine not in ENGINES:
        raise BackupError(f"unknown database engine {engine!r}")
    salt = os.urandom(SALT_BYTES)
    file_key, check = _derive(key, salt)
    header = Header(engine, salt, check).encode()
    dst.write(header)
    aead = AESGCM(file_key)
    counter, total = 0, 0
    chunk = _read_exactly(src, CHUNK)
    while True:
        # Read one chunk ahead: only then is it known whether this one is the last.
        following = _read_exactly(src, CHUNK) if len(chunk) == CHUNK else b""
        final = not following
        dst.write(aead.encrypt(_nonce(counter, final), chunk, header))
        total += len(chunk)
        if progress is not None:
            progress(len(chunk))
        if final:
            return total
        counter += 1
        chunk = following


def read_header(src: BinaryIO) -> Header:
    """Read and parse a backup file's header, or raise BackupError."""
    start = _read_exactly(src, len(MAGIC) + 2)
    if len(start) < len(MAGIC) + 2 or not start.startswith(MAGIC):
        raise BackupError("this is not a Raporto backup file (or its beginning is damaged)")
    version, length = start[len(MAGIC)], start[len(MAGIC) + 1]
    if version != VERSION:
        raise BackupError(f"backup format version {version} is not known to this Raporto")
    rest = _read_exactly(src, length + SALT_BYTES + CHECK_BYTES)
    if len(rest) < length + SALT_BYTES + CHECK_BYTES:
        raise BackupError("the backup file is truncated (its header is incomplete)")
    engine = rest[:length].decode("ascii", errors="replace")
    if engine not in ENGINES:
        raise BackupError("the backup file's header is damaged (unknown database engine)")
    salt = rest[length : length + SALT_BYTES]
    return Header(engine, salt, rest[length + SALT_BYTES :])


def check_key(header: Header, key: bytes) -> bytes:
    """Return the file key when `key` is the one the backup was made with, else raise."""
    file_key, check = _derive(key, header.salt)
    if not hmac.compare_digest(check, header.check):
        raise BackupError(
            "RAPORTO_BACKUP_KEY is not the key this backup was made with (or its header is "
            "damaged); nothing was restored"
        )
    return file_key


def decrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    key: bytes,
    progress: Callable[[int], None] | None = None,
) -> Header:
    """Check and decrypt a backup file from `src` into `dst`; return its header.

    Raises BackupError for a wrong key, a damaged, reordered, truncated or extended file. What
    was written to `dst` before the error is unusable: callers write into a private temporary
    file and keep it only when this returns.
    """
    header = read_header(src)
    aad = header.encode()
    aead = AESGCM(check_key(header, key))
    counter = 0
    sealed = CHUNK + TAG_BYTES
    chunk = _read_exactly(src, sealed)
    while True:
        following = _read_exactly(src, sealed) if len(chunk) == sealed else b""
        final = not following
        try:
            plain = aead.decrypt(_nonce(counter, final), chunk, aad)
        except InvalidTag:
            raise BackupError(
                f"the backup file is damaged or truncated (chunk {counter + 1} fails its "
                "authentication check); nothing was restored"
            ) from None
        dst.write(plain)
        if progress is not None:
            progress(len(chunk))
        if final:
            return header
        counter += 1
        chunk = following
