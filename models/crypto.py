"""Column encryption and keyed pseudonyms; the keys come from settings, never from the database."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class DecryptionError(RuntimeError):
    """A stored token could not be opened with any configured key."""


class Vault:
    """Encrypt and decrypt column values with MultiFernet: the first key encrypts, all decrypt."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._newest = Fernet(keys[0].encode())
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, data: bytes) -> bytes:
        """Return a Fernet token for the bytes."""
        return self._fernet.encrypt(data)

    def decrypt(self, token: bytes) -> bytes:
        """Return the plaintext of a token, or raise DecryptionError."""
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise DecryptionError("token does not open with any configured key") from exc

    def encrypt_text(self, text: str) -> bytes:
        """Encrypt a string."""
        return self.encrypt(text.encode("utf-8"))

    def decrypt_text(self, token: bytes) -> str:
        """Decrypt a string."""
        return self.decrypt(token).decode("utf-8")

    def encrypt_json(self, value: Any) -> bytes:
        """Encrypt a JSON-serialisable value."""
        return self.encrypt(json.dumps(value, ensure_ascii=False).encode("utf-8"))

    def decrypt_json(self, token: bytes) -> Any:
        """Decrypt a JSON value."""
        return json.loads(self.decrypt(token))

    def is_current(self, token: bytes) -> bool:
        """Whether the token opens with the newest key alone (else it still needs an older one)."""
        try:
            self._newest.decrypt(token)
        except InvalidToken:
            return False
        return True

    def rotate(self, token: bytes) -> bytes:
        """Re-encrypt a token under the first (newest) key."""
        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise DecryptionError("token does not open with any configured key") from exc


class Pseudonymizer:
    """Keyed HMAC-SHA256 of identities: stable per person, useless without the key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("pseudonym key must hold at least 32 bytes")
        self._key = key

    def __call__(self, namespace: str, identity: str) -> str:
        """Return the hex pseudonym of an identity within a namespace (e.g. "tel", "tg")."""
        message = f"{namespace}:{identity}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


class EntityKeys:
    """Keyed hashes of what links tips (a phone number, a plate, a handle) under rotatable keys.

    The newest key hashes everything written; older keys still find rows not yet rehashed by
    `raporto keys rotate`. Only the hash and the kind are stored: the words stay in the
    encrypted tip.
    """

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys or any(len(k) < 32 for k in keys):
            raise ValueError("entity keys must each hold at least 32 bytes")
        self._keys = tuple(keys)

    @staticmethod
    def _id(key: bytes) -> str:
        # A short fingerprint says which key made a row without revealing the key.
        return hashlib.sha256(b"raporto-entity-key-id:" + key).hexdigest()[:8]

    @property
    def current_id(self) -> str:
        """The fingerprint of the newest key."""
        return self._id(self._keys[0])

    @property
    def key_ids(self) -> tuple[str, ...]:
        """The fingerprints of every configured key, newest first."""
        return tuple(self._id(k) for k in self._keys)

    def digest(self, kind: str, value: str) -> str:
        """The hex HMAC-SHA256 of an entity under the newest key."""
        return self.digests(kind, value)[0]

    def digests(self, kind: str, value: str) -> list[str]:
        """The entity's hash under every configured key, newest first."""
        message = f"{kind}:{value}".encode()
        return [hmac.new(k, message, hashlib.sha256).hexdigest() for k in self._keys]
