"""Media the sandbox's citizens send by WhatsApp, kept as Twilio keeps them until deleted.

A control request's `media` (a list of {"content_type", "data" (base64)}) become Media
resources under the inbound message; the app fetches `.../Messages/<MM>/Media/<ME>` and then
deletes it, as it must at Twilio. Keyed by the media SID (random), so several sandboxes in one
process do not meet.
"""

from __future__ import annotations

import base64
import binascii
import threading
from dataclasses import dataclass
from typing import Any

from sandbox.twilio_resources import new_sid

_lock = threading.Lock()


@dataclass
class Medium:
    """One stored media file."""

    message_sid: str
    content_type: str
    data: bytes


_kept: dict[str, Medium] = {}
deleted: set[str] = set()


def keep(message_sid: str, items: list[Any]) -> list[tuple[str, str]]:
    """Store a control request's media; return (media SID, content type) per item."""
    out: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("each media item is an object")
        content_type = str(item.get("content_type") or "image/jpeg")
        try:
            data = base64.b64decode(str(item.get("data") or ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("media data must be base64") from exc
        sid = new_sid("ME")
        with _lock:
            _kept[sid] = Medium(message_sid, content_type, data)
        out.append((sid, content_type))
    return out


def get(message_sid: str, media_sid: str) -> Medium | None:
    """The stored media, if it is still kept under this message."""
    with _lock:
        found = _kept.get(media_sid)
    return found if found is not None and found.message_sid == message_sid else None


def delete(message_sid: str, media_sid: str) -> bool:
    """Delete a media file; False when there was none."""
    with _lock:
        found = _kept.get(media_sid)
        if found is None or found.message_sid != message_sid:
            return False
        del _kept[media_sid]
        deleted.add(media_sid)
    return True


def kept_for(message_sid: str) -> list[str]:
    """The media SIDs still kept under a message."""
    with _lock:
        return [sid for sid, m in _kept.items() if m.message_sid == message_sid]
