"""The simulator in a real browser: a Telegram report reaches six phones, one acknowledges."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from alerts.demo import DEMO_CHAT_BASE, OFFICIALS
from models.deliveries import Acknowledgement
from models.tables import Tip
from tests.browser.browser_helpers import BrowserStack, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
REPORT = (
    "Një vajzë 15 vjeçe detyrohet të punojë çdo natë në një lokal në Durrës. "
    "Pronari i ka marrë pasaportën dhe e mban të mbyllur."
)
CODE = re.compile(r"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b")
CHATS = [DEMO_CHAT_BASE + i for i in range(1, 7)]
PRESSER = 3  # the third demo official presses Acknowledge


def test_a_telegram_report_reaches_six_phones_and_one_acknowledgement_shows_on_all(
    page: Page, stack: BrowserStack
) -> None:
    sign_in(page, stack.url, stack.accounts["official"])
    page.goto(stack.url + "/console/simulator")
    expect(page.locator("h1")).to_have_text("Simulatori")
    page.fill("#telegram-text", REPORT)
    page.click("form[data-channel=telegram] button[type=submit]")
    # The reporter's own message, then the bot's thanks with the reference code.
    reporter = page.locator("#reporter-telegram")
    expect(reporter.locator("li.bubble.mine")).to_contain_text("pasaportën")
    thanks = reporter.locator("li.bubble:not(.mine)", has_text=CODE).first
    expect(thanks).to_be_visible(timeout=15_000)
    reference = CODE.search(thanks.inner_text())
    assert reference is not None
    code = reference.group(0)
    # A critical report is sent at once, without waiting for more messages or for Send; the
    # language is the one written (Albanian), so the bot does not ask for it.
    expect(reporter).not_to_contain_text("Zgjidhni gjuhën / Choose your language")

    def alert(chat: int) -> Locator:
        # Other tests' tips may be on the same phones: this tip's alert is the one with its code.
        return page.locator(f'[data-telegram="{chat}"] li.bubble', has_text=code)

    for chat in CHATS:
        expect(alert(chat)).to_have_count(1, timeout=15_000)
    onac = page.locator(f'[data-telegram="{DEMO_CHAT_BASE + 7}"]')
    expect(onac.locator("li.bubble", has_text=code)).to_have_count(0)  # ONAC only on escalation
    acknowledge = re.compile("Konfirmo|Acknowledge")
    alert(CHATS[PRESSER - 1]).get_by_role("button", name=acknowledge).click()
    name = OFFICIALS[PRESSER - 1][0]
    for chat in CHATS:
        expect(alert(chat)).to_contain_text(name, timeout=15_000)
        expect(alert(chat).get_by_role("button", name=acknowledge)).to_have_count(0)
    with stack.runtime.db.transaction() as session:
        tip = session.scalars(select(Tip).where(Tip.reference == code)).one()
        assert tip.band in ("critical", "high") and tip.channel == "telegram"
        assert tip.status == "acknowledged"
        acks = session.scalars(select(Acknowledgement).where(Acknowledgement.tip_id == tip.id))
        assert [a.official_id for a in acks] == [stack.official_ids[PRESSER - 1]]
    assert page.console_errors == []  # type: ignore[attr-defined]  # no CSP violation, no error
    screenshot(page, "simulator")
    # The console's tip page shows the same tip, its text and who acknowledged it.
    response = page.goto(f"{stack.url}/console/tips/{code}")
    assert response is not None and response.status == 200
    main = page.locator("main")
    expect(main).to_contain_text(code)
    expect(main).to_contain_text("pasaportën")
    expect(main).to_contain_text(name)
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_a_burst_of_short_messages_becomes_one_report_sent_with_one_code(
    page: Page, stack: BrowserStack
) -> None:
    sign_in(page, stack.url, stack.accounts["official"])
    page.goto(stack.url + "/console/simulator")
    reporter = page.locator("#reporter-telegram")
    parts = ["Përshëndetje", "Ka një vajzë në lokalin ngjitur në Sarandë", "Punon çdo natë"]
    for index, part in enumerate(parts, start=1):
        page.fill("#telegram-text", part)
        page.click("form[data-channel=telegram] button[type=submit]")
        expect(reporter.locator("li.bubble.mine")).to_have_count(index, timeout=10_000)
    # One reply for the whole burst, with Send; no code yet.
    received = reporter.locator("li.bubble:not(.mine)", has_text="E morëm")
    expect(received).to_have_count(1, timeout=15_000)
    expect(reporter.locator("li.bubble:not(.mine)", has_text=CODE)).to_have_count(0)
    received.get_by_role("button", name="Dërgo").click()
    # The thanks with the code, then the question about follow-up questions (same code).
    coded = reporter.locator("li.bubble:not(.mine)", has_text=CODE)
    expect(coded).to_have_count(2, timeout=15_000)
    found = {m.group(0) for m in CODE.finditer(" ".join(coded.all_inner_texts()))}
    assert len(found) == 1
    reference = CODE.search(coded.first.inner_text())
    assert reference is not None
    with stack.runtime.db.transaction() as session:
        tip = session.scalars(select(Tip).where(Tip.reference == reference.group(0))).one()
        text = stack.runtime.vault.decrypt_text(tip.text_enc or b"")
        assert all(part in text for part in parts) and tip.submitted
    assert page.console_errors == []  # type: ignore[attr-defined]
    screenshot(page, "simulator-burst")


def test_the_simulator_is_not_for_onac(page: Page, stack: BrowserStack) -> None:
    sign_in(page, stack.url, stack.accounts["onac"])
    response = page.goto(stack.url + "/console/simulator")
    assert response is not None and response.status == 403
    state = page.request.get(stack.url + "/console/simulator/state")
    assert state.status == 403


def test_a_whatsapp_report_gets_its_code_in_the_whatsapp_tab(
    page: Page, stack: BrowserStack
) -> None:
    sign_in(page, stack.url, stack.accounts["official"])
    page.goto(stack.url + "/console/simulator")
    page.click(".sim-tab[data-channel=whatsapp]")
    page.fill("#whatsapp-text", REPORT)
    page.click("form[data-channel=whatsapp] button[type=submit]")
    chat = page.locator("#reporter-whatsapp")
    expect(chat).to_contain_text("pasaportën")  # the reporter's own message
    expect(chat.locator("li", has_text=CODE).first).to_be_visible(timeout=15_000)
    reference = CODE.search(chat.inner_text())
    assert reference is not None
    with stack.runtime.db.transaction() as session:
        tip = session.scalars(select(Tip).where(Tip.reference == reference.group(0))).one()
        assert tip.channel == "whatsapp"
    assert page.console_errors == []  # type: ignore[attr-defined]
