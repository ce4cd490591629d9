"""Ages and the minor flag, places, phone numbers, urgency and language."""

from __future__ import annotations

import pytest

import triage
from triage import places
from triage.ages import find_ages
from triage.language import detect
from triage.phones import find_phones


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Vajza është 15 vjeç.", 15),
        ("Një 15-vjeçare nga Fieri.", 15),
        ("Goca është pesëmbëdhjetë vjeç.", 15),
        ("goca eshte pesembedhjete vjece", 15),
        ("A fifteen-year-old girl.", 15),
        ("she is 15 yo", 15),
        ("a 15-year-old", 15),
        ("the 16-vjeçarja from Laç", 16),
        ("djem 15-17 vjeç", 17),
        ("a girl of 13", 13),
        ("Nipi im, 24 vjeç", 24),
        ("njëzet e dy vjeç", 22),
        ("My cousin's lad, 15, went to the UK", 15),
        ("16 vjecja e pallatit tone", 16),
        ("15-year-olds from our town", 15),
        ("kam 15 vjet, babai me ka fejuar", 15),
        ("hi i am fifteen and i work in a car wash", 15),
        ("a boy, barely ten, begging", 10),
        ("two girls, maybe eleven and thirteen", 11),
        ("a robotics team, ages 13-16", 13),
        ("She hasn't turned 16 yet", 16),
        ("djemte e mi (10 e 13) luajn", 13),
        ("po kerkon 'goca te reja, 15-16' per nje lokal", 15),
        ("A gymnasium student, 16, told the nurse", 16),
        ("My son's classmate, thirteen, stopped coming", 13),
    ],
)
def test_ages_are_read_from_digits_and_words(text: str, age: int) -> None:
    assert age in find_ages(text).ages


@pytest.mark.parametrize(
    "text",
    [
        "punon 14 orë në ditë",
        "i paguan 2000 lekë",
        "about 12 hours a day",
        "prej 5 vjetësh",
        "she is one of the girls",
        "about ten minutes later",
        "girls from Fier, 15 of them",
    ],
)
def test_numbers_that_are_not_ages_are_ignored(text: str) -> None:
    assert find_ages(text).ages == ()


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("Vajza është 15 vjeç.", True),
        ("Vajza është 19 vjeç.", False),
        ("a fifteen-year-old", True),
        ("she looks under 16", True),
        ("Një fëmijë lyp te semafori.", True),
        ("Një grua lyp te semafori.", False),
        ("Our school football team (U15) is going to a tournament.", True),
        ("Our under-16 basketball team is going to Thessaloniki.", True),
        ("nje grua po kerkon bleres per bebin qe do lindi", True),
        ("I am eighteen and I work in a bar.", False),
    ],
)
def test_the_minor_flag_follows_ages_under_18_and_child_words(text: str, minor: bool) -> None:
    assert triage.assess(text).minor is minor


def test_the_guided_flow_answer_sets_the_minor_flag() -> None:
    assert triage.assess("Punon në një lokal.", answers={"minor": True}).minor is True
    assert triage.assess("Punon në një lokal.", answers={"minor": None}).minor is False


QARK_FORMS = {
    "Berat": ["Berat", "Beratit"],
    "Dibër": ["Dibër", "Dibra", "Diber"],
    "Durrës": ["Durrës", "Durres", "Durrësit"],
    "Elbasan": ["Elbasan", "Elbasani"],
    "Fier": ["Fier", "Fieri"],
    "Gjirokastër": ["Gjirokastër", "Gjirokastra"],
    "Korçë": ["Korçë", "Korça", "Korca", "Korçës"],
    "Kukës": ["Kukës", "Kukesi"],
    "Lezhë": ["Lezhë", "Lezha", "Lezhës"],
    "Shkodër": ["Shkodër", "Shkodra", "Shkoder", "Shkodrën"],
    "Tiranë": ["Tiranë", "Tirana", "Tiranës"],
    "Vlorë": ["Vlorë", "Vlora", "Vlore"],
}


@pytest.mark.parametrize(
    ("qark", "form"), [(q, f) for q, forms in QARK_FORMS.items() for f in forms]
)
def test_all_twelve_qarks_are_found_in_every_written_form(qark: str, form: str) -> None:
    found = triage.assess(f"E pashë në {form} dje.").places
    assert any(p.name == qark and p.kind == "qark" and p.qark == qark for p in found), found


def test_there_are_exactly_twelve_qarks_and_sixty_one_municipalities() -> None:
    entries = places.entries()
    qarks = [e for e in entries if e.kind == "qark"]
    municipalities = [e for e in entries if e.kind == "municipality"]
    assert len(qarks) == 12
    assert len(qarks) + len(municipalities) == 61


@pytest.mark.parametrize(
    ("text", "name", "kind", "qark"),
    [
        ("Punon në Kamzë.", "Kamëz", "municipality", "Tiranë"),
        ("Jeton në Sarandë.", "Sarandë", "municipality", "Vlorë"),
        ("Nga Malësia e Madhe.", "Malësi e Madhe", "municipality", "Shkodër"),
        ("U pa në Kakavijë.", "Kakavijë", "border_crossing", "Gjirokastër"),
        ("kaluan nga Kapshtica", "Kapshticë", "border_crossing", "Korçë"),
        ("në Qafë Thanë", "Qafë Thanë", "border_crossing", "Elbasan"),
        ("në Qafe-Thane", "Qafë Thanë", "border_crossing", "Elbasan"),
        ("te Morina", "Morinë", "border_crossing", "Kukës"),
        ("në Hanin e Hotit", "Hani i Hotit", "border_crossing", "Shkodër"),
        ("at Rinas airport", "Aeroporti i Rinasit", "airport", "Tiranë"),
        ("në aeroportin e Rinasit", "Aeroporti i Rinasit", "airport", "Tiranë"),
        ("nga porti i Durrësit", "Porti i Durrësit", "port", "Durrës"),
        ("from Durres port", "Porti i Durrësit", "port", "Durrës"),
        ("në Bathore", "Bathore", "neighbourhood", "Tiranë"),
    ],
)
def test_municipalities_neighbourhoods_and_border_crossings_are_found(
    text: str, name: str, kind: str, qark: str
) -> None:
    found = triage.assess(text).places
    assert any(p.name == name and p.kind == kind and p.qark == qark for p in found), found


@pytest.mark.parametrize(
    ("form", "country"),
    [
        ("Greqi", "GR"), ("Greqia", "GR"), ("Greqinë", "GR"), ("Greqise", "GR"), ("Greece", "GR"),
        ("Itali", "IT"), ("Italia", "IT"), ("Italinë", "IT"), ("Italy", "IT"),
        ("Kosova", "XK"), ("Kosovë", "XK"), ("Kosovo", "XK"),
        ("Mal të Zi", "ME"), ("Montenegro", "ME"), ("Angli", "GB"), ("England", "GB"),
        ("Gjermani", "DE"), ("Zvicër", "CH"), ("Belgjikë", "BE"),
    ],
)  # fmt: skip
def test_destination_countries_in_albanian_and_english_forms(form: str, country: str) -> None:
    found = triage.assess(f"Shkoi në {form} vitin e kaluar.").places
    assert any(p.kind == "country" and p.country == country and p.qark is None for p in found), (
        found
    )


def test_an_ordinary_word_that_is_also_a_place_needs_a_capital() -> None:
    assert not triage.assess("She has no papers").places
    assert any(p.name == "Has" for p in triage.assess("Jeton në Has.").places)


@pytest.mark.parametrize("text", ["Si bëhet procedura?", "Çfarë bëri ai?", "Ai e bën çdo ditë."])
def test_a_verb_that_shares_a_places_stem_is_not_that_place(text: str) -> None:
    # Berat and bëj (bëri, bëhet) share a stem: the place is matched as written.
    assert not triage.assess(text).places
    assert [p.name for p in triage.assess("Jeton në Beratin e vjetër.").places] == ["Berat"]


def test_no_place_form_reduces_to_the_stem_of_another_word() -> None:
    from triage.lexicon import build_lemmatiser, fold

    lemmatiser = build_lemmatiser("sq", {})
    clashing = [
        form.pattern
        for entry in places.entries()
        for form in entry.forms
        if form.pattern.isalpha() and not fold(form.pattern).startswith(lemmatiser(form.pattern))
    ]
    assert clashing == []


def test_phone_numbers_are_normalised_to_e164_with_region_al() -> None:
    assert find_phones("Më telefononi: 069 123 4567 ose +355 68 765 4321") == (
        "+355691234567",
        "+355687654321",
    )
    assert triage.assess("numri i tij është 0691234567").phones == ("+355691234567",)


def test_text_without_a_valid_number_has_no_phones() -> None:
    assert find_phones("i paguan 2000 lekë, 14 orë në ditë") == ()


@pytest.mark.parametrize(
    "text", ["Do ta nisin sonte.", "Është atje tani.", "She needs help right now.", "Tonight!"]
)
def test_time_urgency_sets_the_urgent_flag(text: str) -> None:
    assert triage.assess(text).urgent is True


def test_no_time_word_leaves_urgent_false_unless_danger_is_answered() -> None:
    assert triage.assess("Punon në një lokal në Durrës.").urgent is False
    assert triage.assess("Punon në një lokal.", answers={"danger_now": True}).urgent is True


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Hello, I need help", "sq", "sq"),
        ("Përshëndetje", "en", "en"),
        ("Përshëndetje", "Shqip", "sq"),
        ("femijet lypin cdo dite te semafori", None, "sq"),
        ("The children are begging at the lights", None, "en"),
        ("Vajza e komshiut, 16 vjeç, e kanë çuar në Itali", None, "sq"),
    ],
)
def test_an_explicit_language_choice_wins_and_otherwise_the_text_decides(
    text: str, lang: str | None, expected: str
) -> None:
    assert detect(text, lang) == expected
    assert triage.assess(text, lang).language == expected


def test_short_ambiguous_text_falls_back_to_lingua_restricted_to_albanian_and_english() -> None:
    assert detect("faleminderit shume") == "sq"
    assert detect("thanks a lot") == "en"
    assert detect("") == "sq"
