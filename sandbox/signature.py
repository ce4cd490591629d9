"""Twilio's X-Twilio-Signature and signed webhook requests, with the standard library only.

The sandbox may not import the twilio package, so this re-implements
`RequestValidator.compute_signature`: base64(HMAC-SHA1(auth_token, url + every
name+value pair, names sorted, each name's distinct values sorted)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

Params = Mapping[str, Any] | Iterable[tuple[str, str]] | None


def _pairs(params: Params) -> dict[str, set[str]]:
    # Accept a plain dict, a werkzeug MultiDict (getlist), a dict of lists, or pairs.
    grouped: dict[str, set[str]] = {}
    if params is None:
        return grouped
    if isinstance(params, Mapping):
        getlist = getattr(params, "getlist", None)
        for name in params:
            values = getlist(name) if getlist else params[name]
            if isinstance(values, str | bytes) or not isinstance(values, Iterable):
                values = [values]
            grouped.setdefault(str(name), set()).update(str(v) for v in values)
        return grouped
    for name, value in params:
        grouped.setdefault(str(name), set()).add(str(value))
    return grouped


def twilio_signature(auth_token: str, url: str, params: Params = None) -> str:
    """Return the X-Twilio-Signature Twilio would send for a POST of params to url."""
    payload = url
    grouped = _pairs(params)
    for name in sorted(grouped):
        # Twilio sorts a repeated parameter's values too (and counts each once).
        for value in sorted(grouped[name]):
            payload += name + value
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def post_form(
    url: str,
    params: dict[str, str],
    auth_token: str | None,
    *,
    method: str = "POST",
    signature: str | None = None,
    sign_url: str | None = None,
    sign: bool = True,
    timeout: float = 15.0,
) -> tuple[int | None, str, str | None]:
    """Send a Twilio-style webhook request; return (status or None, body, error text).

    POST sends params as a form; GET appends them to the query string and signs the
    full URL with no params, as Twilio does. `signature`, `sign_url` and `sign=False`
    exist so tests can forge, mis-sign or omit the signature.
    """
    headers = {"User-Agent": "TwilioProxy/1.1", "Accept": "*/*"}
    data: bytes | None = None
    if method.upper() == "GET":
        joiner = "&" if "?" in url else "?"
        url = url + joiner + urllib.parse.urlencode(params) if params else url
        signed_params: dict[str, str] = {}
    else:
        data = urllib.parse.urlencode(params).encode("utf-8")
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        signed_params = params
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    elif sign and auth_token:
        headers["X-Twilio-Signature"] = twilio_signature(auth_token, sign_url or url, signed_params)
    req = urllib.request.Request(url, data, headers, method=method.upper())
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace"), None
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), None
    # A peer that dies mid-answer (IncompleteRead, BadStatusLine) is a failed connection to
    # Twilio too (11205), like a refused one.
    except (OSError, http.client.HTTPException) as exc:
        return None, "", f"{type(exc).__name__}: {exc}"
