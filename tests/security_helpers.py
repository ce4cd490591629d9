"""Helpers of the security tests (issue 12): /health with its token, clients at given addresses."""

from __future__ import annotations

from dataclasses import replace

from flask.testing import FlaskClient

from raporto.app import create_app
from raporto.runtime import Runtime

HEALTH_TOKEN = "health-token-for-tests-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {HEALTH_TOKEN}"}


def health_client(runtime: Runtime) -> FlaskClient:
    """A client of an app whose /health details open with HEALTH_TOKEN."""
    runtime.settings = replace(runtime.settings, health_token=HEALTH_TOKEN)
    return create_app(runtime=runtime).test_client()


def client_at(client: FlaskClient, address: str, forwarded: str | None = None) -> FlaskClient:
    """Make a test client's requests come from an address (optionally through a proxy)."""
    client.environ_base["REMOTE_ADDR"] = address
    if forwarded is not None:
        client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded
    return client
