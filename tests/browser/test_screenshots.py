"""The documentation's statistics screenshot, taken from the running console as ONAC sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.browser_helpers import SCREENSHOTS, BrowserStack, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_statistics_screenshot(page: Page, stack: BrowserStack) -> None:
    sign_in(page, stack.url, stack.accounts["onac"])
    response = page.goto(stack.url + "/console/stats")
    assert response is not None and response.status == 200
    path = screenshot(page, "statistics")
    assert path == SCREENSHOTS / "statistics.png"
    assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size < 400_000
    assert page.console_errors == []  # type: ignore[attr-defined]
