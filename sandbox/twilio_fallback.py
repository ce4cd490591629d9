"""Twilio's Fallback URLs: when a TwiML request has failed, and the one request to the fallback.

Owns `fetch_twiml`: send one webhook request for TwiML, judge its answer the way Twilio
does (connection failure or timeout 11205, an HTTP error status 11200, a document that
is not TwiML 12100) and, when it failed and the number has a fallback URL, POST the
same parameters plus `ErrorCode` and `ErrorUrl` to the fallback once (no retries).
The caller continues from whichever answer is returned: relative URLs in a fallback's
TwiML resolve against the fallback URL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from sandbox.twiml import Twiml, TwimlError, parse_twiml

HTTP_RETRIEVAL_FAILURE = 11200
HTTP_CONNECTION_FAILURE = 11205
DOCUMENT_PARSE_FAILURE = 12100

# (url, params, method, is_fallback) -> (HTTP status or None, body, connection error or None)
Sender = Callable[[str, dict[str, str], str, bool], tuple[int | None, str, str | None]]


@dataclasses.dataclass
class Answer:
    """The outcome of one TwiML request, after the fallback when one was made."""

    url: str
    status: int | None
    body: str
    doc: Twiml | None = None
    # Twilio's error code when the request failed (doc is None), and what went wrong.
    code: int | None = None
    reason: str | None = None
    # {"url", "error_code", "error_url", "status", "ok"} when the fallback was requested.
    fallback: dict[str, Any] | None = None

    def describe(self) -> str:
        """Say why the request failed, for a control result's `error`."""
        if self.code == HTTP_CONNECTION_FAILURE:
            return f"could not reach {self.url}: {self.reason}"
        return self.reason or ""


def parse_answer(answer: str) -> Twiml | None:
    """Parse an app's answer; None when it is not TwiML."""
    # An empty 2xx body is treated like <Response/>: nothing to say, nothing to wait for.
    try:
        return parse_twiml(answer) if answer.strip() else Twiml()
    except TwimlError:
        return None


def judge(url: str, status: int | None, body: str, error: str | None) -> Answer:
    """Classify one webhook answer as Twilio does."""
    if error is not None:
        return Answer(url, None, body, code=HTTP_CONNECTION_FAILURE, reason=error)
    if not status or not 200 <= status < 300:
        return Answer(url, status, body, code=HTTP_RETRIEVAL_FAILURE, reason=f"HTTP {status}")
    doc = parse_answer(body)
    if doc is None:
        return Answer(url, status, body, code=DOCUMENT_PARSE_FAILURE, reason="answer is not TwiML")
    return Answer(url, status, body, doc=doc)


def fetch_twiml(
    send: Sender,
    url: str,
    params: dict[str, str],
    method: str,
    fallback_url: str | None,
) -> Answer:
    """Request TwiML from url; on failure, POST once to fallback_url and return its answer."""
    answer = judge(url, *send(url, params, method, False))
    # A failed request to the fallback URL itself is not retried there.
    if answer.code is None or not fallback_url or url == fallback_url:
        return answer
    fallback_params = {**params, "ErrorCode": str(answer.code), "ErrorUrl": url}
    used = judge(fallback_url, *send(fallback_url, fallback_params, "POST", True))
    used.fallback = {
        "url": fallback_url,
        "error_code": answer.code,
        "error_url": url,
        "status": used.status,
        "ok": used.code is None,
    }
    return used
