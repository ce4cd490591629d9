"""The documentation's statistics screenshot, taken from the running console as ONAC sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.browser_helpers import SCREENSHOTS, BrowserStack, screenshot, sign_in
from tests.stats_world import add_tips, tip_specs

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def test_statistics_screenshot(page: Page, stack: BrowserStack) -> None:
    # A year of invented tips (counts only: their text is not a real ciphertext and never read),
    # so the charts have something to draw.
    with stack.runtime.db.transaction() as session:
        add_tips(
            session, [{**spec, "reference": f"S{i:05d}"} for i, spec in enumerate(tip_specs())]
        )
    sign_in(page, stack.url, stack.accounts["onac"])
    response = page.goto(stack.url + "/console/stats?from=2025-12-01&to=2026-04-30")
    assert response is not None and response.status == 200
    assert page.locator("svg[role=img] rect").count() > 10  # bars, not only suppressed cells
    path = screenshot(page, "statistics")
    assert path == SCREENSHOTS / "statistics.png"
    assert path.read_bytes().startswith(b"\x89PNG") and path.stat().st_size < 400_000
    assert page.console_errors == []  # type: ignore[attr-defined]
