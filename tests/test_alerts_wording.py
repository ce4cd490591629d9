"""What officials read in an alert: channel in words, one sign a line, places in their language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from alerts import content
from models.tables import Tip

RECEIVED = datetime(2026, 12, 4, 0, 3, tzinfo=UTC)  # 01:03 in Tirana
SIGNS = ["threats", "locked_in", "documents_withheld", "moved_abroad", "transported", "fear"]


def tip(channel: str = "telegram", minor: bool = True) -> Tip:
    return Tip(
        reference="WHM-AT9",
        channel=channel,
        received_at=RECEIVED,
        minor=minor,
        urgent=False,
        answers={},
    )


def assessment(places: list[dict[str, str]], signs: list[str] = SIGNS) -> dict[str, Any]:
    hits = [{"id": s, "category": "control", "weight": 2, "spans": []} for s in signs]
    return {"indicators": hits, "places": places}


def telegram(channel: str, lang: str, places: list[dict[str, str]] | None = None) -> str:
    facts = content.facts(tip(channel), assessment(places or []), lang, None, "critical")
    return content.telegram_alert(facts, lang, "summary", "https://r.example")


@pytest.mark.parametrize(
    ("channel", "words"),
    [
        ("telegram", "(on Telegram, 01:03)"),
        ("sms", "(by SMS, 01:03)"),
        ("voice", "(by phone call, 01:03)"),
        ("hotline", "(from the 116 006 hotline, 01:03)"),
    ],
)
def test_the_first_line_names_the_channel_in_words(channel: str, words: str) -> None:
    first = telegram(channel, "en").splitlines()[0]
    assert first == f"🔴 CRITICAL tip WHM-AT9 {words}"


# Needs the Albanian of the new message ids (/tmp/h/po_B2.json) in the compiled catalogue.
@pytest.mark.parametrize(
    ("channel", "words"),
    [
        ("telegram", "(në Telegram, 01:03)"),
        ("sms", "(me SMS, 01:03)"),
        ("voice", "(me thirrje zanore, 01:03)"),
        ("hotline", "(nga Qendra e thirrjeve 116 006, 01:03)"),
    ],
)
def test_the_albanian_first_line_names_the_channel_in_albanian(channel: str, words: str) -> None:
    first = telegram(channel, "sq").splitlines()[0]
    assert first == f"🔴 Raportim WHM-AT9, prioriteti KRITIK {words}"


@pytest.mark.parametrize("lang", ["sq", "en"])
def test_signs_are_one_a_line_without_stray_punctuation(lang: str) -> None:
    text = telegram("telegram", lang)
    signs = [line for line in text.splitlines() if line.startswith("• ")]
    assert len(signs) == 5  # at most five, each on its own line
    assert all(not line.endswith(".") for line in signs)
    assert ".;" not in text and ". ;" not in text
    sms = content.sms_alert(
        content.facts(tip(), assessment([]), lang, None, "critical"), lang, "summary", "123456"
    )
    assert ".;" not in sms and "; ;" not in sms


@pytest.mark.parametrize(
    ("stored", "english", "albanian"),
    [
        # Older assessments stored the Albanian name only.
        ({"name": "Greqi"}, "Greece", "Greqi"),
        ({"name": "Mbretëria e Bashkuar"}, "United Kingdom", "Mbretëria e Bashkuar"),
        ({"name": "Tiranë"}, "Tirana", "Tiranë"),
        ({"name": "Sarandë"}, "Saranda", "Sarandë"),
        ({"name": "Durrës", "name_en": "Durrës"}, "Durrës", "Durrës"),
        ({"name": "Itali", "name_en": "Italy"}, "Italy", "Itali"),
    ],
)
def test_places_are_named_in_the_readers_language(
    stored: dict[str, str], english: str, albanian: str
) -> None:
    assert f"Place: {english}\n" in telegram("sms", "en", [stored])
    sq = telegram("sms", "sq", [stored])
    assert f": {albanian}\n" in sq
    if english != albanian:
        assert english not in sq


def test_several_places_are_listed_under_a_plural_heading() -> None:
    text = telegram("sms", "en", [{"name": "Greqi"}, {"name": "Vlorë"}])
    assert "Places: Greece, Vlora\n" in text


@pytest.mark.parametrize("lang", ["sq", "en"])
def test_the_sms_keeps_two_segments_the_place_and_the_code(lang: str) -> None:
    places = [{"name": "Mbretëria e Bashkuar"}, {"name": "Maqedoni e Veriut"}, {"name": "Sarandë"}]
    facts = content.facts(tip(), assessment(places), lang, None, "critical")
    facts = facts.__class__(**{**facts.__dict__, "late_minutes": 14})
    sms = content.sms_alert(facts, lang, "summary", "482913")
    assert sms.isascii() and len(sms) <= content.SMS_LIMIT
    assert "OK 482913" in sms
    # Whole signs are dropped before the place or a word is cut.
    assert ("Sarande" if lang == "sq" else "Saranda") in sms
    assert "; ..." in sms


def test_a_single_long_part_is_still_cut_to_two_segments() -> None:
    facts = content.facts(tip(minor=False), assessment([]), "en", None, "high")
    facts = facts.__class__(**{**facts.__dict__, "signs": ("x" * 400,)})
    sms = content.sms_alert(facts, "en", "summary", "482913")
    assert len(sms) == content.SMS_LIMIT and sms.endswith("Reply OK 482913 to acknowledge.")
