"""The sandbox server: one threaded werkzeug server serving both fakes on one port.

Owns the Flask app that joins the Telegram and Twilio fakes and their control
endpoints, the `/sandbox/messages` log endpoints, and `SandboxServer`, which runs it
in a daemon thread for `raporto serve`, the console simulator and the tests.
"""

from __future__ import annotations

import re
import threading
from types import TracebackType
from typing import Any

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.faults import DropConnection, faults_blueprint
from sandbox.state import SandboxConfig, SandboxState
from sandbox.telegram_api import BotApi, telegram_blueprint
from sandbox.telegram_updates import WebhookPusher
from sandbox.telegram_users import telegram_users_blueprint
from sandbox.twilio_api import twilio_blueprint
from sandbox.twilio_control import twilio_control_blueprint

MAX_MESSAGE_WAIT = 30.0
SURROGATE = re.compile("[\ud800-\udfff]")


class SandboxFlask(Flask):
    """Flask that lets a dropped-connection fault reach werkzeug unconverted."""

    def handle_exception(self, e: Exception) -> Any:
        """Re-raise DropConnection so werkzeug abandons the socket instead of answering 500."""
        if isinstance(e, DropConnection):
            raise e
        return super().handle_exception(e)


class ReadableJSON(DefaultJSONProvider):
    """JSON with non-ASCII text as is (readable with curl), lone surrogates as \\u escapes.

    Half a UTF-16 pair cannot be encoded in UTF-8; Telegram sends it as a JSON escape, so the
    fake can hand a bot the same text a forger could put in a message.
    """

    ensure_ascii = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialise obj, escaping lone surrogates."""
        text = super().dumps(obj, **kwargs)
        return SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


class QuietHandler(WSGIRequestHandler):
    """Request handler that skips the per-request access log line (errors still log)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log nothing: tests and benchmarks make thousands of requests."""


def create_app(state: SandboxState) -> Flask:
    """Build the WSGI app serving both fakes and the control endpoints over `state`."""
    app = SandboxFlask("sandbox")
    # Twilio sends non-ASCII bodies; keep JSON readable for people using curl.
    app.json = ReadableJSON(app)
    for blueprint in (
        telegram_blueprint(state),
        telegram_users_blueprint(state),
        twilio_blueprint(state),
        twilio_control_blueprint(state),
        faults_blueprint(state),
    ):
        app.register_blueprint(blueprint)

    @app.get("/sandbox/messages")
    def list_messages() -> ResponseReturnValue:
        """List logged outbound messages, optionally long-polling for new ones."""
        since = request.args.get("since", 0, type=int)
        channel = request.args.get("channel")
        recipient = request.args.get("recipient")
        method = request.args.get("method")
        wait = min(request.args.get("wait", 0.0, type=float), MAX_MESSAGE_WAIT)
        if wait > 0:
            # Long poll: a console simulator waits for the next reply without busy looping.
            state.wait_for(
                lambda: (
                    state.messages(channel, recipient, method=method, since=since) or state.closed
                ),
                wait,
            )
        found = state.messages(channel, recipient, method=method, since=since)
        return jsonify([m.to_json() for m in found])

    @app.delete("/sandbox/messages")
    def clear_messages() -> ResponseReturnValue:
        """Empty the outbound message log."""
        state.clear_messages()
        return "", 204

    @app.post("/sandbox/reset")
    def reset() -> ResponseReturnValue:
        """Forget all sandbox state."""
        state.reset()
        return "", 204

    @app.get("/sandbox/health")
    def health() -> ResponseReturnValue:
        """Answer that the sandbox is up."""
        return jsonify(ok=True)

    return app


class SandboxServer:
    """The Telegram and Twilio fakes on one local port, run in a daemon thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        telegram_token: str | None = None,
        twilio_account_sid: str | None = None,
        twilio_auth_token: str | None = None,
        public_base_url: str | None = None,
        telegram_webhook_secret: str | None = None,
        *,
        twilio_phone_number: str = "+15005550006",
        latency: float = 0.0,
        access_log: bool = False,
    ) -> None:
        self.host, self.port, self.access_log = host, port, access_log
        config = SandboxConfig(
            telegram_token=telegram_token,
            twilio_account_sid=twilio_account_sid,
            twilio_auth_token=twilio_auth_token,
            public_base_url=public_base_url,
            telegram_webhook_secret=telegram_webhook_secret,
            twilio_phone_number=twilio_phone_number,
            latency=latency,
        )
        self.state = SandboxState(config)
        self.app = create_app(self.state)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._pusher: WebhookPusher | None = None

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:8001 (known once started)."""
        if self._server is None:
            raise RuntimeError("the sandbox server is not started")
        return f"http://{self.host}:{self._server.server_port}"

    def configure(self, **settings: Any) -> None:
        """Change settings (public_base_url, latency, tokens...) while running."""
        with self.state.cond:
            for key, value in settings.items():
                if not hasattr(self.state.config, key):
                    raise AttributeError(f"unknown sandbox setting {key!r}")
                setattr(self.state.config, key, value)

    def start(self) -> SandboxServer:
        """Bind the port and serve in a daemon thread; return self."""
        if self._server is not None:
            return self
        handler = WSGIRequestHandler if self.access_log else QuietHandler
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=handler
        )
        self.state.closed = False
        self.state.config.sandbox_url = self.url
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="sandbox-http", daemon=True
        )
        self._thread.start()
        self._pusher = WebhookPusher(self.state, self._run_method)
        self._pusher.start()
        return self

    def _run_method(self, method: str, params: dict[str, Any]) -> Any:
        """Run a Bot API method a webhook answered with, as the bot that set the webhook."""
        return BotApi(self.state, self.state.bot_token or "").call(method, params)

    def stop(self) -> None:
        """Stop serving, wake long polls and the webhook thread, and free the port."""
        if self._server is None:
            return
        self.state.close()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pusher is not None:
            self._pusher.thread.join(timeout=5)
        self._server = self._thread = self._pusher = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
