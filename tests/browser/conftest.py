"""The whole service for browser tests: app over HTTP, job thread, sandbox, Debian's chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from alerts.queue import InProcessQueue
from bot.sweeper import sweeper_loop
from raporto.app import create_app
from raporto.runtime import build_runtime
from sandbox import SandboxServer
from tests.browser.browser_helpers import VIEWPORT, BrowserStack
from tests.conftest import make_settings
from tests.console_helpers import demo_officials, make_account
from tests.live import LiveServer
from tests.migrated import migrate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ACCOUNTS = {"admin": "admin1", "onac": "onac1", "official": "official1"}


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserStack]:
    """Start a migrated SQLite service with the demo roster and one account per role."""
    tmp = tmp_path_factory.mktemp("browser")
    live = LiveServer()
    settings = make_settings(
        tmp, f"sqlite:///{tmp / 'raporto.sqlite'}", PUBLIC_BASE_URL=live.url, RAPORTO_SANDBOX="1"
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
    queue = InProcessQueue()
    runtime = build_runtime(settings, queue=queue)
    app = create_app(runtime=runtime)
    app.extensions["raporto.sandbox"] = sandbox
    live.app = app
    live.start()
    queue.start()  # jobs run on their own thread, as in `raporto serve`
    stop = threading.Event()
    threading.Thread(target=sweeper_loop, args=(runtime.intake, stop, 1.0), daemon=True).start()
    hook = live.url + "/webhooks/telegram"
    runtime.telegram().set_webhook(hook, settings.telegram_webhook_secret)
    officials = demo_officials(runtime)
    make_account(runtime, ACCOUNTS["admin"], "admin")
    make_account(runtime, ACCOUNTS["onac"], "onac")
    make_account(runtime, ACCOUNTS["official"], "official", official_id=officials[0])
    try:
        yield BrowserStack(app, runtime, live.url, sandbox, dict(ACCOUNTS), officials)
    finally:
        stop.set()
        queue.stop()
        live.stop()
        sandbox.stop()
        runtime.db.dispose()


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver for the session."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's chromium, headless; its absence is a failure, never a skip."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/services (it installs Debian's chromium)")
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page; CSP violations are collected."""
    context = browser.new_context(viewport=VIEWPORT, locale="sq-AL")  # type: ignore[arg-type]
    opened = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        where = str(message.location.get("url", ""))
        # Chromium asks for /favicon.ico by itself; the console has none.
        if message.type == "error" and not where.endswith("/favicon.ico"):
            errors.append(f"{message.text} ({where})")

    opened.on("console", on_console)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    opened.console_errors = errors  # type: ignore[attr-defined]
    yield opened
    context.close()
