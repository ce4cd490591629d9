"""Run the real app on a real socket in a thread, for tests that go over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class LiveServer:
    """A threaded werkzeug server; the app can be set after the port is known."""

    def __init__(self, app: Flask | None = None) -> None:
        self.app: Flask | None = app
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # serve_forever checks for shutdown every poll_interval (0.5 s by default): stopping a
        # server, once per test, would wait that long.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert self.app is not None, "set LiveServer.app before sending requests"
        return self.app.wsgi_app(environ, start_response)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
