"""The body limit for requests that declare no length (Transfer-Encoding: chunked).

Werkzeug caps such a body at MAX_CONTENT_LENGTH by stopping there: the rest is never read and no
error is raised, so a request whose signature covered its first RAPORTO_MAX_BODY_BYTES bytes was
taken, cut short, as if that were all of it. Reading one byte past the limit tells the two apart.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge

# Read and thrown away after a refusal, so the client gets the 413 instead of a reset
# connection; a sender of more than this is cut off.
DRAIN_BYTES = 1024 * 1024
CHUNK = 64 * 1024


class BodyLimit:
    """WSGI middleware: a body without Content-Length over `limit` bytes gets 413."""

    def __init__(self, app: Callable[..., Iterable[bytes]], limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """Check the body, then hand the request on (its body now read from memory)."""
        try:
            if not buffer_unsized_body(environ, self.limit):
                raise RequestEntityTooLarge()
        except HTTPException as exc:
            return exc(environ, start_response)
        return self.app(environ, start_response)


def buffer_unsized_body(environ: dict[str, Any], limit: int) -> bool:
    """Read a body sent without Content-Length into memory; False when it is over the limit.

    Within the limit the body is served from memory with its real length, so every later read
    sees all of it. Without `wsgi.input_terminated` the server does not end such a stream and
    Werkzeug reads none of it, so there is nothing to check.
    """
    if environ.get("CONTENT_LENGTH") or not environ.get("wsgi.input_terminated"):
        return True
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit:
            chunk = stream.read(min(CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (OSError, ValueError) as exc:  # a broken chunk header, or the client went away
        raise ClientDisconnected() from exc
    if size > limit:
        _drain(stream)
        return False
    body = b"".join(chunks)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    # Now an ordinary body of known length: Werkzeug ignores Content-Length beside chunked.
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)
    return True


def _drain(stream: Any) -> None:
    left = DRAIN_BYTES
    try:
        while left > 0:
            chunk = stream.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
    except (OSError, ValueError):
        return  # the client is gone or its chunks are broken: the 413 stands
