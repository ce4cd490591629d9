"""Issue 10: the gate never hides a case, and the rules for time, person, travel and places."""

from __future__ import annotations

import pytest

import triage
from tests.triage_checks import BAND_ORDER


def _at_least(band: str, floor: str) -> bool:
    return BAND_ORDER.index(band) >= BAND_ORDER.index(floor)


@pytest.mark.parametrize(
    "text",
    [
        "Hello, sorry, I don't know if this is the right place. My cousin works in a bar in "
        "Vlora, the owner took her passport and she can't leave. Is this normal?",
        "Përshëndetje, më falni. Vajzën e fqinjit e mbajnë me zor dhe s'e lënë të dalë. "
        "A është normale kjo?",
        "My neighbours are selling their 14 year old daughter for marriage this weekend",
        "A burrë e ka futur motrën në prostitucion, çfarë të bëj?",
    ],
)
def test_a_question_or_greeting_never_hides_a_case(text: str) -> None:
    result = triage.assess(text)
    assert result.band != "not_a_tip"
    assert _at_least(result.band, "medium"), result.band


@pytest.mark.parametrize(
    "text",
    ["Përshëndetje", "Si mund të raportoj në mënyrë anonime?", "What are my rights at work?"],
)
def test_a_message_with_no_sign_at_all_is_not_a_tip(text: str) -> None:
    assert triage.assess(text).band == "not_a_tip"


@pytest.mark.parametrize(
    ("text", "floor"),
    [
        ("e mbajnë me zor në një shtëpi në Durrës", "medium"),
        ("nuk e lëshojnë të dalë prej shpije", "medium"),
        ("ia kanë hequr pasaportën dhe s'ia kthejnë dokumentet", "medium"),
        ("e kanë trafikuar në Itali", "medium"),
        ("e kanë futur në prostitucion dhe e nxjerrin në rrugë çdo natë", "high"),
        ("punon në trotuar për një tip që ia merr lekët", "medium"),
        ("e kanë bërë skllave në një fermë", "medium"),
        ("ka borxh te një fajdexhi dhe punon për bukë", "medium"),
        ("nuk kemi asnjë lajm prej saj që prej tre muajsh", "medium"),
        ("ndihmë ju lutem, më kanë mbyllur", "critical"),
        ("the boss keeps their IDs and won't let them leave", "high"),
        ("they owe him for the trip and work for nothing", "medium"),
    ],
)
def test_everyday_phrasings_are_recognised(text: str, floor: str) -> None:
    result = triage.assess(text)
    assert _at_least(result.band, floor), (result.band, [h.id for h in result.indicators])


@pytest.mark.parametrize(
    "text",
    [
        "Djali im 16 vjeç do të shkojë me shkollën në ekskursion në Itali. Çfarë duhet?",
        "My 15-year-old goes on a school trip to Greece with her teachers next week.",
        "Nipi 16 vjeç shkon në Gjermani te babai me autobus, ka leje noteriale nga e ëma.",
    ],
)
def test_a_minor_travelling_lawfully_is_not_critical(text: str) -> None:
    result = triage.assess(text)
    assert result.minor is True
    assert result.band in ("not_a_tip", "low"), (result.band, result.rules)


def test_a_minor_moved_by_a_stranger_is_still_critical() -> None:
    result = triage.assess("A man is taking a 15 year old girl to Italy tonight, she is crying.")
    assert result.band == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "Para 10 vjetësh më kanë trafikuar në Itali. Tani jam mirë dhe kërkoj një psikolog.",
        "Years ago (2009) I was forced to work in a bar in Greece. I got out and I'm ok now.",
    ],
)
def test_an_exploitation_that_ended_long_ago_is_low(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "low"
    assert "past_event" in result.rules


def test_an_exploitation_that_continues_is_not_lowered_by_its_start_date() -> None:
    result = triage.assess("Që prej 2 vitesh ia kanë marrë pasaportën dhe ende e mbajnë me zor.")
    assert "past_event" not in result.rules
    assert _at_least(result.band, "high")


def test_a_first_person_victim_is_at_least_high() -> None:
    result = triage.assess("More ma kanë marrë pasaportën, s'më lënë të dal nga shtëpia.")
    assert _at_least(result.band, "high")


def test_hearsay_weighs_less_than_what_the_reporter_saw() -> None:
    heard = triage.assess("People say the owner keeps the girls' passports and they can't leave.")
    seen = triage.assess("I saw that the owner keeps the girls' passports and they can't leave.")
    assert "hearsay" in heard.rules and heard.band == "medium"
    assert _at_least(seen.band, "high")


def test_rome_is_a_place_and_never_a_sign_of_the_roma_community() -> None:
    result = triage.assess("Motra ime punon në Romë si kameriere.")
    assert "marginalised_community" not in {h.id for h in result.indicators}
    assert [p.display("en") for p in result.places] == ["Rome"]
    assert "marginalised_community" in {
        h.id for h in triage.assess("Fëmijët romë lypin").indicators
    }


def test_places_are_named_in_the_readers_language() -> None:
    result = triage.assess("E çuan nga Tirana në Greqi.")
    assert "Tirana" in result.explain("en") and "Greece" in result.explain("en")
    assert "Greqi" in result.explain("sq") and "Greece" not in result.explain("sq")


@pytest.mark.parametrize(
    "text",
    [
        "a man on instagram is asking my 14 year old brother for pics and now says he'll send "
        "them to his school unless he pays",
        "Dikush po i shet fotot e vajzës sime 13 vjeç në një kanal Telegram.",
        "A grown man keeps messaging my 12yo son, sending gifts and asking him to meet alone "
        "and keep it secret.",
    ],
)
def test_online_sexual_exploitation_of_a_child_is_critical(text: str) -> None:
    assert triage.assess(text).band == "critical"


def test_a_van_that_drops_children_off_to_beg_is_critical_and_a_child_begging_alone_medium() -> (
    None
):
    van = triage.assess(
        "Every morning a van drops off six kids at the lights and a man collects their money."
    )
    alone = triage.assess("A little girl, maybe 7, begs alone outside the bazaar every day.")
    assert van.band == "critical"
    assert alone.band == "medium"


def test_a_joke_is_not_a_tip_and_a_chain_message_is_low() -> None:
    assert triage.assess("my boss is a total slave driver lol").band == "not_a_tip"
    chain = triage.assess("SHARE THIS: gangs are kidnapping girls from malls in Tirana!")
    assert chain.band == "low"


def test_freely_chosen_adult_sex_work_is_at_most_low() -> None:
    result = triage.assess(
        "My friend does sex work in Tirana on her own, she keeps her own money, nobody forces her."
    )
    assert result.band in ("low", "not_a_tip")
