"""`GET /metrics` (Prometheus text) and the count of every answer the web process gives.

Who may read it: in production, only a request carrying `Authorization: Bearer
$RAPORTO_METRICS_TOKEN` (compared in constant time); without the token configured production
answers 404, as if the page did not exist, since the counts of tips by band and hour tell an
outsider when the line is busy and what it hears about. In development and the sandbox it
answers requests from this machine (loopback, not forwarded by a proxy or tunnel), or anyone
with the token.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from flask import Flask, Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST

from alerts import metrics
from console.loopback import from_loopback
from raporto import monitoring

if TYPE_CHECKING:
    from raporto.runtime import Runtime


def bearer_matches(token: str) -> bool:
    """True when the request carries `Authorization: Bearer <token>` (never for no token)."""
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def register(app: Flask, runtime: Runtime) -> None:
    """Add /metrics and count every answer by endpoint and status."""
    settings = runtime.settings

    @app.get("/metrics")
    def prometheus_metrics() -> Response:
        """Serve the host's metrics to Prometheus."""
        token = settings.metrics_token
        if settings.production:
            if not token:
                abort(404)
            if not bearer_matches(token):
                return Response(
                    "unauthorized\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}
                )
        elif not (bearer_matches(token) or from_loopback()):
            abort(403)
        return Response(monitoring.scrape(runtime), content_type=CONTENT_TYPE_LATEST)

    @app.after_request
    def count_answer(response: Response) -> Response:
        # The route's name, never the path: a path may hold a reference code or a number.
        rule = request.url_rule
        metrics.http_response(rule.endpoint if rule is not None else None, response.status_code)
        return response
