"""Whether a request comes from this machine itself, and not through a proxy or a tunnel."""

from __future__ import annotations

import ipaddress

from flask import request

# Headers a reverse proxy or a tunnel (ngrok, cloudflared) adds: such a request reaches the
# server from 127.0.0.1 while its sender is anywhere on the internet.
FORWARDING_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-Ip", "Cf-Connecting-Ip")


def from_loopback() -> bool:
    """True for a request whose peer is a loopback address and that no proxy forwarded."""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False
