"""A whole Raporto (app over HTTP, job thread, sandbox providers) for end-to-end tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import requests

from alerts.queue import InProcessQueue, JobQueue
from bot.polling import poll
from bot.sweeper import sweeper_loop
from raporto.app import create_app
from raporto.runtime import Runtime, build_runtime
from sandbox import SandboxServer
from tests.conftest import make_settings
from tests.live import LiveServer
from tests.migrated import migrate


@dataclass
class Stack:
    """The running pieces of one end-to-end test."""

    runtime: Runtime
    app_url: str
    sandbox: SandboxServer

    def control(self, path: str, **body: Any) -> dict[str, Any]:
        """Call a sandbox control endpoint (the fake plays the citizen)."""
        response = requests.post(self.sandbox.url + path, json=body, timeout=30)
        assert response.status_code < 500, response.text
        result: dict[str, Any] = response.json()
        return result

    def sent(
        self, channel: str, recipient: str | None = None, method: str | None = None
    ) -> list[Any]:
        """Return what the fakes were asked to show to people."""
        return self.sandbox.state.messages(channel=channel, recipient=recipient, method=method)

    def wait_sent(self, count: int, channel: str, recipient: str | None = None) -> list[Any]:
        """Wait until a recipient got `count` sends on a channel."""
        methods = {"telegram": "sendMessage", "sms": "messages.create"}
        return self.sandbox.state.wait_for(
            lambda: (
                found
                if len(
                    found := [
                        m
                        for m in self.sent(channel, recipient)
                        if m.method == methods.get(channel, m.method)
                    ]
                )
                >= count
                else None
            ),
            timeout=30,
        )


@contextmanager
def running_stack(
    tmp_path: Path,
    database_url: str,
    *,
    telegram_mode: str = "webhook",
    queue: JobQueue | None = None,
    start_jobs: bool = True,
    sweep_every: float = 1.0,
    **env: str,
) -> Iterator[Stack]:
    """Start the app, the job thread, the sweeper and the sandbox; stop them afterwards."""
    live = LiveServer()
    settings = make_settings(
        tmp_path, database_url, PUBLIC_BASE_URL=live.url, RAPORTO_SANDBOX="1", **env
    )
    sandbox = SandboxServer(
        telegram_token=settings.telegram_bot_token,
        twilio_account_sid=settings.twilio_account_sid,
        twilio_auth_token=settings.twilio_auth_token,
        public_base_url=live.url,
        telegram_webhook_secret=settings.telegram_webhook_secret,
    ).start()
    settings = replace(settings, telegram_api_url=sandbox.url, twilio_api_url=sandbox.url)
    migrate(settings.database_url)
    runtime = build_runtime(settings, queue=queue or InProcessQueue())
    app = create_app(runtime=runtime)
    app.extensions["raporto.sandbox"] = sandbox
    live.app = app
    live.start()
    stop = threading.Event()
    if start_jobs and isinstance(runtime.queue, InProcessQueue):
        runtime.queue.start()
    threading.Thread(
        target=sweeper_loop, args=(runtime.intake, stop, sweep_every), daemon=True
    ).start()
    if telegram_mode == "webhook":
        runtime.telegram().set_webhook(
            live.url + "/webhooks/telegram", settings.telegram_webhook_secret
        )
    else:
        threading.Thread(
            target=poll, args=(runtime.intake, runtime.telegram(), stop, 1), daemon=True
        ).start()
    try:
        yield Stack(runtime=runtime, app_url=live.url, sandbox=sandbox)
    finally:
        stop.set()
        if isinstance(runtime.queue, InProcessQueue):
            runtime.queue.stop()
        live.stop()
        sandbox.stop()
        runtime.db.dispose()
