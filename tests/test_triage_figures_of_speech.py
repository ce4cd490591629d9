"""Figures of speech and other people's words (issue 10, fourth round): a quoted label, a
simile, a laugh before a report, an old person at home, a question whether someone is in
danger. Each reading has a contrast that must stay a sign."""

from __future__ import annotations

import pytest

import triage
from tests.triage_checks import at_most, fired


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        (
            "Kushuriri 16 vjec punon veren me babain e tij ne lokalin e familjes ne Golem dhe "
            "thote 'jam skllav'. Normale kjo?",
            "servitude",
        ),
        (
            "My aunt says our neighbour 'sold his daughter' when she married a man from "
            "Switzerland. She's 34 and seems happy in the photos.",
            "sold_person",
        ),
    ],
)
def test_a_short_quoted_label_is_somebody_elses_word_not_the_sign(text: str, sign: str) -> None:
    assert sign not in fired(text)
    assert at_most(text, "medium")


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        (
            "There's a nanny next door who just threw a note from the balcony: 'they lock me, "
            "no passport, no salary, help'. 5th floor, Blloku.",
            "locked_in",
        ),
        (
            "Found a teenage girl (says she's 15) crying at the bus station, says she ran from a "
            "man who 'sold her to a club'. She's with me now.",
            "sold_person",
        ),
    ],
)
def test_a_quoted_message_in_the_victims_own_words_is_still_the_sign(text: str, sign: str) -> None:
    assert sign in fired(text)
    assert triage.assess(text).band in {"high", "critical"}


def test_elisions_are_not_quotation_marks() -> None:
    # "s'e", "n'Itali", "m'ka": the apostrophe after a letter never opens a quotation.
    text = "E shiten n'Itali, s'e lene te dale, m'ka thene motra"
    assert "sold_person" in fired(text)


@pytest.mark.parametrize(
    "text",
    [
        "Na mbajti peng trafiku ne rrugen e Rinasit 2 ore, do vonohem per darken.",
        "Stuck at Durres port, customs held us hostage for 3 hours.",
        "E shiten ndeshjen keta te Tiranes, skandal!! 3-0 ne shtepi",
        "My ex sold me out to his friends and told them all my secrets.",
    ],
)
def test_a_figure_of_speech_is_not_the_act(text: str) -> None:
    assert "figurative" in fired(text)
    assert at_most(text, "low")


def test_treated_like_a_slave_with_her_passport_taken_is_still_a_case() -> None:
    text = (
        "the bride from Peshkopi in my husband's family in Belgium is treated like a slave, she "
        "cleans for 9 people, they took her passport"
    )
    assert "figurative" not in fired(text)
    assert triage.assess(text).band in {"high", "critical"}


def test_an_old_person_cared_for_at_home_is_not_held() -> None:
    text = (
        "Gjyshja 89 vjeç nuk del më nga shtëpia, e mbajmë në krevat unë e nusja. A ka ndonjë "
        "ndihmë nga bashkia për infermiere në shtëpi?"
    )
    assert "cannot_leave" not in fired(text)
    assert at_most(text, "low")


def test_asking_whether_someone_is_in_danger_is_not_danger_now() -> None:
    text = (
        "Lexova ne gazete qe arrestuan nje trafikant ne Fier. Ishte fqinji yne. Gruaja e tij a "
        "mund te jete ne rrezik?"
    )
    assert "imminent_danger" not in fired(text)
    assert triage.assess(text).band != "critical"
    assert "imminent_danger" in fired("Vajza është në rrezik tani, ejani shpejt.")


def test_a_question_with_a_help_is_not_a_plea_that_makes_it_critical() -> None:
    text = (
        "Quick question, does this line help men too? I'm in Croatia on a building site, the "
        "boss took all our passports and we've not been paid for 3 months."
    )
    result = triage.assess(text)
    assert result.band == "high"
    assert "imminent_danger" not in result.rules


def test_many_signs_about_someone_else_outweigh_a_laugh() -> None:
    text = (
        "lol my classmate (15) sells pics to some guy in Italy and now he wants videos or he'll "
        "send the old ones to her dad 💀"
    )
    assert triage.assess(text).band == "critical"


def test_a_laugh_about_ones_own_boss_stays_a_joke() -> None:
    text = "shefi me ka bo skllav sot me 3 raporte hahaha po me vret kjo pune"
    assert "joke" in fired(text)
    assert at_most(text, "low")


def test_a_small_hotel_is_not_a_child() -> None:
    # "të vogël" (small) after any noun made a minor of the tip: the word group matched it.
    assert "minor_mentioned" not in fired("une punoj ne nje hotel te vogel si pastruese")
    assert "minor_mentioned" in fired("vajza e vogel punon ne fushe")
