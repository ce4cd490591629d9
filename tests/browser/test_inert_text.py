"""A hostile tip is shown inert in a real browser: no script runs, no element or link is made."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Dialog, Page

from tests.browser.browser_helpers import BrowserStack, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

RLO = "\u202e"
HOSTILE = (
    "Punë në Itali <script>alert(1)</script> <img src=x onerror=alert(2)> "
    f"https://evil.example/pay {RLO}gnp.exe vajza 16 vjeçe"
)
CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{3}-[0-9A-HJKMNP-TV-Z]{3}\b")


def test_script_image_link_and_bidi_override_stay_text(page: Page, stack: BrowserStack) -> None:
    sent = stack.control("/sandbox/twilio/sms", **{"from": "+355692345077", "body": HOSTILE})
    assert sent["status"] == 200
    found = CODE.search(" ".join(sent["replies"]))
    assert found, sent
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    sign_in(page, stack.url, stack.accounts["official"])
    page.goto(f"{stack.url}/console/tips/{found.group(0)}")
    shown = page.locator("pre.tiptext").inner_text()
    # The markup is on the screen as characters, and nothing it describes exists in the page.
    assert "<script>alert(1)</script>" in shown and "<img src=x onerror=alert(2)>" in shown
    assert page.locator("pre.tiptext script, pre.tiptext img").count() == 0
    assert page.locator("a[href^='https://evil']").count() == 0
    assert page.locator("img[src='x']").count() == 0
    # The right-to-left override is made visible instead of reversing what follows it.
    assert RLO not in shown and "U+202E" in shown
    assert dialogs == []
    assert page.console_errors == []  # type: ignore[attr-defined]
