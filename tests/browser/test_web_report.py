"""The web form in chromium with JavaScript off: report, note code and passphrase, come back,
read an official's question, answer it; the answer reaches the officials' tip page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from bot.relay import ask_reporter
from models.accounts import User
from models.tables import Tip
from tests.browser.browser_helpers import VIEWPORT, BrowserStack, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

REPORT = (
    "Në Durrës, në një lokal afër portit, një vajzë 16 vjeçe punon çdo natë; "
    "i kanë marrë pasaportën."
)
QUESTION = "Si quhet lokali dhe në cilën rrugë ndodhet?"
ANSWER = "Lokali quhet Bar Delfini, në Rrugën Tregtare."


@pytest.fixture
def no_script(browser: Browser) -> Iterator[Page]:
    """A fresh context with JavaScript disabled, as in Tor Browser's safest mode."""
    context = browser.new_context(
        viewport=VIEWPORT,  # type: ignore[arg-type]
        locale="sq-AL",
        java_script_enabled=False,
    )
    yield context.new_page()
    context.close()


def test_report_come_back_and_answer_a_question_without_javascript(
    no_script: Page, page: Page, stack: BrowserStack
) -> None:
    web = no_script
    web.goto(f"{stack.url}/report")
    assert web.context.cookies() == []
    web.fill("#text", REPORT)
    web.select_option("#qark", "durres")
    web.check("input[name=minor][value=yes]")
    with web.expect_navigation():
        web.click("button[type=submit]")
    codes = web.locator("dd.code").all_inner_texts()
    assert len(codes) == 2, web.content()
    reference, passphrase = codes
    assert web.context.cookies() == []

    with stack.runtime.db.transaction() as s:
        tip = s.execute(select(Tip).where(Tip.reference == reference)).scalar_one()
        assert tip.channel == "web"
        user = s.execute(select(User).where(User.username == stack.accounts["official"]))
        user_id = user.scalar_one().id
        ask_reporter(s, stack.runtime.intake, tip, QUESTION, actor="user:official", user_id=user_id)

    web.goto(f"{stack.url}/report/status")
    web.fill("#code", reference)
    web.fill("#passphrase", passphrase)
    with web.expect_navigation():
        web.click("button[type=submit]")
    assert QUESTION in web.inner_text("ol.questions")
    web.fill("#answer", ANSWER)
    with web.expect_navigation():
        web.click("button[type=submit]")
    assert web.locator("p.info").count() == 1
    assert web.context.cookies() == []

    sign_in(page, stack.url, stack.accounts["official"])
    page.goto(f"{stack.url}/console/tips/{reference}")
    assert ANSWER in page.locator("pre.tiptext").inner_text()
