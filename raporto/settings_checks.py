"""What production demands of its secrets and provider addresses (issue 12, item 14).

A one-character session key or an all-zero pseudonym key passes "is it set?", yet lets anyone
forge a session or re-identify every reporter by brute force; a `TWILIO_API_URL` left over from a
test sends every reporter's number to whoever runs that address. Production therefore refuses
both, naming each problem, and never the value.
"""

from __future__ import annotations

import base64
import binascii

from raporto.settings_fields import Environment

MIN_SECRET_KEY_CHARS = 32
MIN_WEBHOOK_SECRET_CHARS = 16
MIN_KEY_BYTES = 32
WEBHOOK_SECRETS = ("TELEGRAM_WEBHOOK_SECRET", "TWILIO_AUTH_TOKEN", "HOTLINE_HMAC_SECRET")
API_OVERRIDES = ("TELEGRAM_API_URL", "TWILIO_API_URL")
ALLOW_API_OVERRIDE = "RAPORTO_ALLOW_API_OVERRIDE"


def _periodic(value: bytes | str) -> bool:
    """Whether the value repeats a unit at most half its length ("abcabc", "changemechangeme")."""
    n = len(value)
    return any(n % p == 0 and value == value[:p] * (n // p) for p in range(1, n // 2 + 1))


def weak_text(value: str, min_chars: int) -> str | None:
    """Say why a text secret is weak, or None.

    The thresholds never refuse a random secret in practice: 16 random hex digits have fewer
    than 5 distinct ones with probability 4e-7, and a random string is never periodic.
    """
    if len(value) < min_chars:
        return f"is shorter than {min_chars} characters"
    if len(set(value)) < 5 or _periodic(value):
        return "is not random (too few distinct characters, or a repeated pattern)"
    return None


def weak_key(key: bytes) -> str | None:
    """Say why a key is weak, or None (32 random bytes have < 16 distinct values at 3e-17)."""
    if len(key) < MIN_KEY_BYTES:
        return f"holds fewer than {MIN_KEY_BYTES} bytes"
    steps = {(b - a) % 256 for a, b in zip(key, key[1:], strict=False)}
    if len(set(key)) < 16 or len(steps) < 8 or _periodic(key):
        return "is not random (all-equal, counting or repeating bytes)"
    return None


def _b64(raw: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(raw.strip().encode() + b"=" * (-len(raw.strip()) % 4))
    except (ValueError, binascii.Error):
        return None


def production_problems(env: Environment) -> list[str]:
    """Return every reason the environment's secrets or provider URLs are unfit for production."""
    problems: list[str] = []
    why = weak_text(env.given("SECRET_KEY"), MIN_SECRET_KEY_CHARS)
    if why:
        problems.append(f"SECRET_KEY {why}")
    for name in WEBHOOK_SECRETS:
        why = weak_text(env.given(name), MIN_WEBHOOK_SECRET_CHARS)
        if why:
            problems.append(f"{name} {why}")
    keys = [k for k in env.given("RAPORTO_ENCRYPTION_KEYS").split(",") if k.strip()]
    for number, raw in enumerate(keys, start=1):
        decoded = _b64(raw)
        # A malformed key is reported by the Fernet check that follows; only judge real keys.
        why = weak_key(decoded) if decoded is not None and len(decoded) == 32 else None
        if why:
            problems.append(f"RAPORTO_ENCRYPTION_KEYS key {number} {why}")
    pseudonym = _b64(env.given("RAPORTO_PSEUDONYM_KEY"))
    why = weak_key(pseudonym) if pseudonym is not None else "is not base64"
    if why:
        problems.append(f"RAPORTO_PSEUDONYM_KEY {why}; `raporto keys generate` prints a good one")
    entity_keys = [k for k in env.given("RAPORTO_ENTITY_KEYS").split(",") if k.strip()]
    for number, raw in enumerate(entity_keys, start=1):
        decoded = _b64(raw)
        why = weak_key(decoded) if decoded is not None else "is not base64"
        if why:
            problems.append(f"RAPORTO_ENTITY_KEYS key {number} {why}")
    if env.given("RAPORTO_BACKUP_KEY"):  # optional: only `raporto backup` and `restore` use it
        backup = _b64(env.given("RAPORTO_BACKUP_KEY"))
        why = weak_key(backup) if backup is not None else "is not base64"
        if why:
            problems.append(f"RAPORTO_BACKUP_KEY {why}; `raporto keys generate` prints a good one")
    overrides = [name for name in API_OVERRIDES if env.given(name)]
    if overrides and not env.allow_api_override:
        problems.append(
            f"{' and '.join(overrides)} would send provider traffic (reporters' numbers, "
            f"officials' alerts) somewhere other than Telegram and Twilio; unset it, or set "
            f"{ALLOW_API_OVERRIDE}=1 if that address is yours (e.g. a local Bot API server)"
        )
    return problems
