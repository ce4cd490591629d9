"""The reporter's Telegram screens, walked in the simulator in Albanian and English, photographed.

Each step waits for the bot's answer, checks that it is in the walk's language (words, letters and
button counts, not exact sentences: the wording is still being edited) and saves the chat panel as
docs/screenshots/telegram-<lang>-<screen>.png for the documentation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from bot import replies
from bot import services_directory as directory
from tests.browser.browser_helpers import SCREENSHOTS, BrowserStack, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

CODE = re.compile(r"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b")
WORD = re.compile(r"[^\W\d_]+")


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Function words only one of the two languages has; a screen in one must not carry the other's.
SQ_WORDS = _words("dhe një për të ju juaj ose nëse ku çfarë në është nuk keni këtë tani dikush nga")
# ("to" is left out: Albanian has it too, "te to", "to them").
EN_WORDS = _words("the and your you of for or what where if is in now this how can we")
REPORTS = {
    "sq": "Një vajzë 15 vjeçe punon çdo natë në një lokal. Pronari i ka marrë pasaportën.",
    "en": "A girl of 15 works every night in a bar. The owner has taken her passport.",
}
PLACE = "Durrës"
REGION = "tirane"
MAX_BYTES = 300_000
PANEL_HEIGHT = "38rem"  # the live page's 22rem would cut a services list in two

# Scroll the panel so one screen shows whole: from the first bubble's top to the last one's
# bottom, with what came before above it when there is room (as a phone shows it), or from the
# first bubble's top when the screen is taller than the panel.
SHOW = """([first, last, height]) => {
  const list = last.parentElement;
  list.style.maxHeight = height;
  const bottom = last.offsetTop + last.offsetHeight + 6 - list.clientHeight;
  list.scrollTop = Math.max(0, Math.min(first.offsetTop - 6, bottom));
}"""


def _labels(lang: str) -> set[str]:
    """The main menu's and the navigation's button labels in one language."""
    rows = (*replies.main_menu(lang).buttons, replies.nav(lang))
    return {label for row in rows for label, _data in row}


def albanian_words(text: str) -> list[str]:
    """Words written with ë or ç that are not names (names start with a capital)."""
    return [w for w in WORD.findall(text) if w[0].islower() and re.search("[ëç]", w)]


def check_language(bubble: Locator, lang: str) -> str:
    """Assert that a bot message and its buttons are in `lang` only; return its text."""
    text = bubble.inner_text()
    words = {w.lower() for w in WORD.findall(text)}
    labels = set(bubble.locator(".buttons button").all_inner_texts())
    other = "en" if lang == "sq" else "sq"
    foreign = labels & (_labels(other) - _labels(lang))
    assert not foreign, f"{lang} screen has {other} buttons {foreign}: {text!r}"
    if lang == "sq":
        assert albanian_words(text), f"no ë or ç in an Albanian screen: {text!r}"
        assert not words & EN_WORDS, f"English words {words & EN_WORDS} in: {text!r}"
    else:
        assert not albanian_words(text), f"Albanian words in an English screen: {text!r}"
        assert words & EN_WORDS, f"no common English word in: {text!r}"
        assert not words & SQ_WORDS, f"Albanian words {words & SQ_WORDS} in: {text!r}"
    return text


class Phone:
    """The reporter's Telegram chat on the simulator page."""

    def __init__(self, page: Page, stack: BrowserStack, lang: str) -> None:
        self.page, self.stack, self.lang = page, stack, lang
        self.chat = page.locator("#reporter-telegram")
        self.bot = self.chat.locator("li.bubble:not(.mine)")

    def _messages(self) -> list[dict[str, Any]]:
        state = self.page.request.get(self.stack.url + "/console/simulator/state").json()
        messages: list[dict[str, Any]] = state["reporter"]["telegram"]["messages"]
        return messages

    def _await(self, before: int, replies_expected: int) -> Locator:
        expect(self.bot).to_have_count(before + replies_expected, timeout=20_000)
        return self.bot.last

    def write(self, text: str, replies_expected: int = 1) -> Locator:
        """Type and send a message; return the bot's (last) answer."""
        before = self.bot.count()
        self.page.fill("#telegram-text", text)
        self.page.click("form[data-channel=telegram] button[type=submit]")
        expect(self.chat.locator("li.bubble.mine", has_text=text)).to_have_count(1)
        return self._await(before, replies_expected)

    def press(self, data: str, replies_expected: int = 1) -> Locator:
        """Press the newest button that carries this callback data; return the bot's answer."""
        # Labels are still being reworded: the button is found by its data in the page's state,
        # then clicked where the page drew it (same message, row and column).
        found = [
            (message["id"], r, c)
            for message in self._messages()
            for r, row in enumerate(message["buttons"])
            for c, button in enumerate(row)
            if button["data"] == data
        ]
        assert found, f"no button {data!r} on the reporter's screen"
        message_id, r, c = found[-1]
        bubble = self.chat.locator(f'li.bubble[data-message-id="{message_id}"]')
        before = self.bot.count()
        bubble.locator(".buttons .row").nth(r).locator("button").nth(c).click()
        return self._await(before, replies_expected)

    def shoot(self, screen: str, last: Locator, first: Locator | None = None) -> Path:
        """Save the chat panel, scrolled to show this screen, as telegram-<lang>-<screen>.png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"telegram-{self.lang}-{screen}.png"
        handles = [(first or last).element_handle(), last.element_handle()]
        self.page.evaluate(SHOW, [*handles, PANEL_HEIGHT])
        self.chat.screenshot(path=str(path))
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) < MAX_BYTES, (path, len(data))
        return path


def open_simulator(page: Page, stack: BrowserStack, lang: str) -> None:
    """Sign in as the demo official, open the simulator, and switch the console to `lang`."""
    sign_in(page, stack.url, stack.accounts["official"])
    page.goto(stack.url + "/console/simulator")
    if lang == "en":  # the simulator tells the bot the console's language, as Telegram would
        with page.expect_navigation():
            page.click("button[name=lang][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#reporter-telegram li.empty")).to_have_count(1)  # a new reporter


@pytest.mark.parametrize("lang", ["sq", "en"])
def test_the_reporters_telegram_screens(page: Page, stack: BrowserStack, lang: str) -> None:
    open_simulator(page, stack, lang)
    phone = Phone(page, stack, lang)

    # /start: Telegram gave the language (the console's), so the menu comes without the picker.
    menu = phone.write("/start")
    check_language(menu, lang)
    assert menu.locator(".buttons button").count() >= 5
    assert "112" in menu.inner_text()
    phone.shoot("start", menu, phone.chat.locator("li.bubble.mine").last)

    # The language picker (the menu's Language button) is in both languages at once.
    picker = phone.press("menu:lang")
    assert picker.locator(".buttons button").all_inner_texts() == ["Shqip", "English"]
    both = picker.inner_text()
    assert albanian_words(both) and {"choose", "your"} <= set(both.lower().split())
    phone.shoot("language", picker)
    menu = phone.press(f"lang:{lang}")
    check_language(menu, lang)
    assert menu.locator(".buttons button").count() >= 5
    phone.shoot("menu", menu)

    # Information: the topics, then one topic (rights) with its next step and the way back.
    topics = phone.press("menu:info")
    check_language(topics, lang)
    assert topics.locator(".buttons button").count() >= 6 + 2  # the topics, Back, Main menu
    phone.shoot("information", topics)
    rights = phone.press("info:rights")
    body = check_language(rights, lang)
    assert len(body) > 300 and "112" in body
    assert rights.locator(".buttons button").count() == 3
    phone.shoot("rights", rights)

    # Services near me: the regions with the hint that a shared location finds the nearest one.
    phone.press("menu:home")
    regions = phone.press("svc:menu")
    hint = check_language(regions, lang)
    assert re.search(r"vendndodhj" if lang == "sq" else r"\blocation\b", hint, re.IGNORECASE)
    assert regions.locator(".buttons button").count() == len(directory.qarks()) + 2
    phone.shoot("location", regions)
    listed = phone.press(f"svc:q:{REGION}")
    services = check_language(listed, lang)
    qark = directory.qark(REGION)
    assert qark is not None and qark.name(lang) in services
    assert "116 006" in services and "129" in services
    phone.shoot("services", listed)

    # A report through the guided questions, then the thanks with its reference code.
    phone.press("menu:home")
    check_language(phone.press("menu:report"), lang)
    check_language(phone.write(REPORTS[lang]), lang)  # where? (a place, or a location)
    check_language(phone.write(PLACE), lang)  # a child involved?
    check_language(phone.press("ans:yes"), lang)  # danger now?
    check_language(phone.press("ans:no"), lang)  # a photo, voice note or location?
    confirm = phone.press("media:done")
    check_language(confirm, lang)
    assert confirm.locator(".buttons button").count() == 2  # Send, Cancel
    phone.shoot("report", confirm)
    phone.press("confirm:send", replies_expected=2)  # the thanks, then the consent question
    coded = phone.chat.locator("li.bubble:not(.mine)", has_text=CODE)
    expect(coded).to_have_count(2)
    thanks = coded.first
    check_language(thanks, lang)
    check_language(coded.last, lang)
    codes = {m.group(0) for m in CODE.finditer(" ".join(coded.all_inner_texts()))}
    assert len(codes) == 1, codes
    phone.shoot("thanks", coded.last, thanks)
    assert page.console_errors == []  # type: ignore[attr-defined]
