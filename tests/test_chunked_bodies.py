"""A chunked body over the limit is refused with 413, over real HTTP (issue 12, item 11).

Werkzeug stopped reading a body without Content-Length at RAPORTO_MAX_BODY_BYTES without an
error, so a request signed over its first bytes was taken cut short.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from raporto.app import create_app
from raporto.runtime import Runtime
from tests.conftest import make_runtime
from tests.helpers import row_counts
from tests.live import LiveServer
from webhooks.security import hotline_signature


def nothing_written(runtime: Runtime) -> bool:
    return all(count == 0 for count in row_counts(runtime).values())


LIMIT = 4096


@pytest.fixture
def live(tmp_path: Path, database_url: str) -> Iterator[tuple[str, Runtime]]:
    runtime = make_runtime(tmp_path, database_url, RAPORTO_MAX_BODY_BYTES=str(LIMIT))
    server = LiveServer(create_app(runtime=runtime)).start()
    try:
        yield server.url, runtime
    finally:
        server.stop()
        runtime.db.dispose()


def record_of_size(size: int) -> bytes:
    """A hotline record whose JSON is exactly `size` bytes."""
    record = {"record_id": "HL-chunk", "received_at": "2024-05-01T10:00:00+02:00", "summary": ""}
    bare = len(json.dumps(record).encode())
    prefix = "Një vajzë punon pa pagë. "
    record["summary"] = prefix + "x" * (size - bare - len(prefix.encode()))
    body = json.dumps(record, ensure_ascii=False).encode()
    assert len(body) == size
    return body


def chunked(body: bytes, piece: int = 1000) -> Iterator[bytes]:
    """Yield the body in pieces: requests then sends it chunked, without Content-Length."""
    for start in range(0, len(body), piece):
        yield body[start : start + piece]


def hotline_headers(runtime: Runtime, signed: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    secret = runtime.settings.hotline_hmac_secret
    return {
        "X-Raporto-Timestamp": timestamp,
        "X-Raporto-Signature": hotline_signature(secret, timestamp, signed),
        "Content-Type": "application/json",
    }


def test_a_chunked_body_over_the_limit_is_refused_with_413(live: tuple[str, Runtime]) -> None:
    url, runtime = live
    signed = record_of_size(LIMIT)
    # Signed over the first LIMIT bytes; the rest is JSON whitespace, so a body cut to the
    # limit is a whole, correctly signed record: before the fix it was stored.
    body = signed + b" " * 2000
    response = requests.post(
        url + "/webhooks/hotline",
        data=chunked(body),
        headers=hotline_headers(runtime, signed),
        timeout=30,
    )
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in response.request.headers
    assert response.status_code == 413
    assert nothing_written(runtime)


def test_a_chunked_body_one_byte_over_the_limit_is_refused(live: tuple[str, Runtime]) -> None:
    url, runtime = live
    signed = record_of_size(LIMIT)
    response = requests.post(
        url + "/webhooks/hotline",
        data=chunked(signed + b" "),
        headers=hotline_headers(runtime, signed),
        timeout=30,
    )
    assert response.status_code == 413
    assert nothing_written(runtime)


def test_a_chunked_body_within_the_limit_is_taken_whole(live: tuple[str, Runtime]) -> None:
    url, runtime = live
    body = record_of_size(LIMIT)
    response = requests.post(
        url + "/webhooks/hotline",
        data=chunked(body),
        headers=hotline_headers(runtime, body),
        timeout=30,
    )
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert response.status_code == 201, response.text
    assert row_counts(runtime)["tips"] == 1
