"""Every text a person reads exists in Albanian and English, with the same placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from locales.i18n import LOCALE_DIR, gettext, normalise_language

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def catalog(name: str):  # type: ignore[no-untyped-def]
    path = LOCALE_DIR / (name if name.endswith(".pot") else f"{name}/LC_MESSAGES/messages.po")
    with path.open("rb") as fh:
        return read_po(fh)


def message_ids() -> list[str]:
    return [m.id for m in catalog("messages.pot") if m.id]


@pytest.mark.parametrize("lang", ["sq", "en"])
def test_every_message_has_a_translation_with_the_same_placeholders(lang: str) -> None:
    translated = {m.id: m for m in catalog(lang) if m.id}
    ids = message_ids()
    assert ids, "the template is empty"
    for msgid in ids:
        assert msgid in translated, f"{lang}: missing {msgid!r}"
        message = translated[msgid]
        assert not message.fuzzy, f"{lang}: fuzzy (stale) translation of {msgid!r}"
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        source = msgid[-1] if isinstance(msgid, tuple) else msgid
        assert forms and all(forms), f"{lang}: empty translation of {msgid!r}"
        for form in forms:
            assert sorted(set(PLACEHOLDER.findall(form))) == sorted(
                set(PLACEHOLDER.findall(source))
            ), (lang, msgid, form)


def test_albanian_is_actually_albanian() -> None:
    # A catalog copied from English would pass the checks above; Albanian must differ.
    translated = {m.id: m.string for m in catalog("sq") if m.id}
    same = [msgid for msgid, text in translated.items() if text == msgid]
    assert same == []
    assert any("ë" in str(text) for text in translated.values())


def test_the_compiled_catalogs_match_the_sources() -> None:
    for lang in ("sq", "en"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo").open("rb") as fh:
            compiled = Translations(fh)
        for message in catalog(lang):
            if isinstance(message.id, tuple):
                singular, plural = message.id
                assert compiled.ngettext(singular, plural, 1) == message.string[0]
                assert compiled.ngettext(singular, plural, 5) == message.string[-1]
            elif message.id:
                assert compiled.gettext(message.id) == message.string, (lang, message.id)


def test_the_template_is_up_to_date_with_the_source() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "i18n"), "check"],
        cwd=ROOT,
        env={"PYTHON": sys.executable, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_translation_picks_the_language_and_fills_placeholders() -> None:
    msg = "Message received. Code: %(reference)s. Thank you."
    assert gettext("sq", msg, reference="K7P-3XA") == "Mesazhi u mor. Kodi: K7P-3XA. Faleminderit."
    assert gettext("en", msg, reference="K7P-3XA") == "Message received. Code: K7P-3XA. Thank you."


@pytest.mark.parametrize(
    ("hint", "lang"),
    [("sq-AL", "sq"), ("EN", "en"), ("en_GB", "en"), ("it", "sq"), (None, "sq"), ("", "sq")],
)
def test_language_hints_map_to_supported_languages(hint: str | None, lang: str) -> None:
    assert normalise_language(hint) == lang


def test_plural_forms_follow_the_number() -> None:
    from locales.i18n import ngettext

    one = ngettext(
        "sq",
        "Raporto: %(n)d tip held during a flood:",
        "Raporto: %(n)d tips held during a flood:",
        1,
    )
    many = ngettext(
        "sq",
        "Raporto: %(n)d tip held during a flood:",
        "Raporto: %(n)d tips held during a flood:",
        6,
    )
    assert one.startswith("Raporto: 1 raportim i grupuar")
    assert many.startswith("Raporto: 6 raportime të grupuara")
