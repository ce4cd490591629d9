"""In sandbox mode, GET /sandbox/messages shows what the fake providers received (loopback only)."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, jsonify, request

from console.loopback import from_loopback


def register(app: Flask) -> None:
    """Add the sandbox's message log to the app (never in production)."""

    @app.get("/sandbox/messages")
    def sandbox_messages() -> Response:
        server = current_app.extensions.get("raporto.sandbox")
        # The log holds every reporter's messages: never for another machine, even in development.
        if server is None or not from_loopback():
            abort(404)
        channel = request.args.get("channel")
        return jsonify([m.to_json() for m in server.state.messages(channel=channel)])
