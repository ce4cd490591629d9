"""Browser test helpers: signing in through the form and the documentation's screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from playwright.sync_api import Page

from raporto.runtime import Runtime
from sandbox import SandboxServer
from tests.console_helpers import PASSWORD

VIEWPORT = {"width": 1280, "height": 800}


@dataclass
class BrowserStack:
    """The running service a browser test talks to."""

    app: Flask
    runtime: Runtime
    url: str
    sandbox: SandboxServer
    accounts: dict[str, str]  # role -> username; every password is PASSWORD
    official_ids: list[int]

    def control(self, path: str, **body: Any) -> dict[str, Any]:
        """Play a citizen or an official on the sandbox's control endpoints."""
        response = requests.post(self.sandbox.url + path, json=body, timeout=30)
        assert response.status_code < 500, response.text
        result: dict[str, Any] = response.json()
        return result


def sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form and wait for the landing page."""
    page.goto(base + "/console/login")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/console/login" not in page.url, f"{username} could not sign in"


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page: Page, name: str) -> Path:
    """Save the visible viewport (1280x800, not the full page) as docs/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.set_viewport_size(VIEWPORT)  # type: ignore[arg-type]
    page.evaluate("window.scrollTo(0, 0)")  # the top of the page, whatever was clicked last
    page.screenshot(path=str(path), full_page=False)
    return path
