"""Readings from the fourth round of issue 10: a question about a word, a dispute told by the
accused, animals, house rules, someone found safe, a relative's partner, years since the end,
a child's lawful journey, and a sex worker wronged by a client rather than controlled."""

from __future__ import annotations

import pytest

import triage
from tests.triage_checks import at_most, fired


@pytest.mark.parametrize(
    "text",
    [
        "My daughter babysits in Italy, they didn't pay her this month. Is that exploitation?",
        "Nuk më paguajnë orët shtesë. A është kjo shfrytëzim?",
    ],
)
def test_asking_whether_it_is_exploitation_is_not_the_sign(text: str) -> None:
    ids = fired(text)
    assert "asks_whether" in ids
    assert "exploited" not in ids


def test_exploitation_told_as_a_fact_is_still_the_sign() -> None:
    assert "exploited" in fired("They exploit her in a bar in Durrës every night.")


@pytest.mark.parametrize(
    "text",
    [
        "ish burri me akuzon qe po e coj djalin jashte pa lejen e tij. djali eshte 10 vjec dhe "
        "po shkojme 1 jave pushime ne Greqi, kam vendim gjykate. ai thote do me raportoj per "
        "trafikim!!",
        "My ex-wife told the police I 'sell girls' because I run a model agency in Tirana. It's "
        "licensed, all the models are adults with contracts. How do I clear my name?",
    ],
)
def test_a_dispute_told_by_the_accused_is_recorded_at_most_low(text: str) -> None:
    result = triage.assess(text)
    assert "accused_reporter" in result.rules
    assert at_most(text, "low")


def test_a_threat_to_accuse_a_worker_of_theft_is_not_a_dispute_but_a_threat() -> None:
    text = (
        "me kane marre pasaporten ne nje hotel ne Sarande, punoj 16 ore pa pushim, kur kerkova "
        "te iki me kercenuan se do me akuzojne per vjedhje"
    )
    result = triage.assess(text)
    assert "accused_reporter" not in fired(text)
    assert result.band in {"high", "critical"}


def test_a_dog_on_a_chain_is_not_a_person_held() -> None:
    text = "a pranoni edhe raportime per kafshe? ka nje qen te lidhur me zinxhir pa uje"
    assert "locked_in" not in fired(text)
    assert at_most(text, "low")
    assert "locked_in" in fired("E mbajnë të lidhur me zinxhir në bodrum.")


def test_a_dormitory_curfew_is_a_house_rule_not_confinement() -> None:
    text = (
        "jam studente ne Tirane dhe banoj ne konvikt, na mbyllin deren ne ora 22 dhe nuk na "
        "lene te dalim pas asaj ore. a eshte e ligjshme?"
    )
    assert not fired(text) & {"locked_in", "cannot_leave"}
    assert at_most(text, "low")


def test_someone_found_safe_is_not_missing() -> None:
    text = (
        "vajza ime 16 vjec u grind me babain dhe iku te gjyshja ne Lezhe, nuk na pergjigjet ne "
        "telefon po gjyshja me tha qe eshte aty dhe mire"
    )
    assert "found_safe" in fired(text)
    assert "missing_contact" not in fired(text)
    assert triage.assess(text).band != "critical"


def test_asking_whether_the_line_is_anonymous_is_not_a_chain_message() -> None:
    ids = fired("Is it true nobody can see my number?")
    assert "service_question" in ids and "chain_message" not in ids
    assert "chain_message" in fired("Is it true that girls are kidnapped at the mall? Forward it!")


def test_an_aunts_boyfriend_is_not_the_girls_boyfriend() -> None:
    assert "lover_method" not in fired("She is flying to Germany with her aunt's boyfriend.")
    assert "lover_method" in fired("Her boyfriend is taking her to Germany next week.")


@pytest.mark.parametrize(
    "text",
    [
        "I was trafficked to the UK in 2015 and got out in 2016. I've been back home in Tirana "
        "for years now. Can you tell me where I can get help finding a job?",
        "e kam pas nje shoqe qe e kishin cuar ne Belgjike ne 2010, ka dale prej vitesh dhe tani "
        "ka femije. dua thjesht te di a ka ndihme psikologjike per te",
    ],
)
def test_years_since_the_end_do_not_make_the_story_continue(text: str) -> None:
    result = triage.assess(text)
    assert "since_left" in fired(text)
    assert "past_event" in result.rules
    assert at_most(text, "low")


def test_exploitation_kept_up_for_years_still_continues() -> None:
    text = "E mbajnë të mbyllur prej vitesh në një lokal në Durrës dhe ia marrin lekët."
    assert "since_left" not in fired(text)
    assert "past_event" not in triage.assess(text).rules


def test_a_childs_journey_with_family_for_school_is_low_and_not_raised() -> None:
    text = (
        "nji djal 15 vjec nga lagja shkoi ne Angli me xhaxhain e vet per shkolle, prinderit jan "
        "te qete dhe flasin cdo dite"
    )
    result = triage.assess(text)
    assert result.band == "low"
    assert "lawful_journey" in result.rules


def test_a_child_sent_abroad_to_work_is_never_a_lawful_journey() -> None:
    text = "vajza ime 16 vjec do te shkoje ne Itali per pune ne nje hotel me nje agjenci"
    assert "lawful_journey" not in triage.assess(text).rules


def test_a_sex_worker_threatened_by_a_client_is_not_controlled_by_a_third_party() -> None:
    text = (
        "jam 26 vjec dhe punoj si escort ne Tirane vete, pa njeri mbi vete. nje klient nuk me "
        "pagoi dhe me kercenoi ne telefon. a mund te shkoj ne polici pa u arrestu une?"
    )
    result = triage.assess(text)
    assert "sex_work_alone" in result.rules
    assert at_most(text, "low")


def test_a_woman_whose_papers_are_kept_by_the_man_who_brought_her_is_not_sex_work_alone() -> None:
    text = (
        "I do escort work in Tirana and I'm fine with it, it's my choice. But a new girl in our "
        "flat is different: the guy who brought her has her passport, she works every night and "
        "cries all the time."
    )
    result = triage.assess(text)
    assert "documents_withheld" in fired(text)
    assert result.band in {"medium", "high", "critical"}


def test_a_child_who_does_not_look_over_sixteen_is_a_minor() -> None:
    text = "cdo te premte coj 2-3 goca, sme duken mbi 16, me nje tip qe u mban telefonat"
    result = triage.assess(text)
    assert result.minor
    assert result.band == "critical"


def test_children_collected_by_a_van_and_their_takings_collected_are_organised_begging() -> None:
    text = (
        "a van picks up about six kids from the camp every morning and drops them back at 9pm. "
        "The driver collects an envelope from each kid."
    )
    result = triage.assess(text)
    assert "begging_organised" in fired(text)
    assert result.band == "critical"


def test_hours_after_a_place_name_are_not_a_countdown() -> None:
    assert "urgent_soon" not in fired("I work at a restaurant in Tirana 13 hours a day.")
    assert "urgent_soon" in fired("They are moving her in 2 hours.")


def test_a_laugh_that_opens_a_long_message_does_not_make_the_report_after_it_a_joke() -> None:
    text = (
        "hahaha po e provoj a punon kjo aplikacioni 😂 po seriozisht tash, ne kantierin tone "
        "jane dy cuna 15 vjec nga Kukesi qe flejne ne kantier, nuk shkojne ne shkolle e shefi "
        "nuk i paguan fare"
    )
    result = triage.assess(text)
    assert "joke" not in fired(text)
    assert result.band == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "haha shefi im me ka bere skllav, me ben te punoj 10 ore lol",
        "lol my sister says I'm 'held hostage' at home because mum won't let me go to the concert",
        "hahaha shoku im thot qe vjehrra e ka shit per nje pule 🐔 arrestojeni ju lutem",
    ],
)
def test_a_laugh_about_what_follows_it_is_still_a_joke(text: str) -> None:
    assert "joke" in fired(text)
    assert at_most(text, "low")
