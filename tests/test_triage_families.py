"""Rules from the sixth round of issue 10: families' questions about their own children, and the
signs that still make such a question a case."""

from __future__ import annotations

import pytest

import triage
from tests.triage_checks import at_most, fired


@pytest.mark.parametrize(
    "text",
    [
        "Can a 16 year old legally work the summer in a hotel in Albania? asking for my nephew",
        "cuni jem 15 vjet don me punu veres te pasticeria e lagjes, 4 ore n dite. a lejohet kjo?",
        "Djali im 16 vjeç punon verës në një bar në plazh në Durrës. Është normale kjo?",
    ],
)
def test_a_question_about_a_teenagers_summer_job_is_recorded_not_alerted(text: str) -> None:
    result = triage.assess(text)
    assert "work_question" in result.rules
    assert result.minor
    assert at_most(text, "low")


@pytest.mark.parametrize(
    "text",
    [
        # Younger than 15: a child working is a sign by itself.
        "A eshte normale qe nje vajze 13 vjec te punoje ne dyqanin e xhaxhait cdo dite deri ne 10?",
        # A teenager, but the boss keeps her phone and she cannot leave.
        "Vajza ime 16 vjec punon veren ne nje hotel ne Sarande, pronari ia ka marre telefonin "
        "dhe nuk e le te dale. a eshte normale?",
    ],
)
def test_a_question_about_a_child_working_with_a_sign_stays_critical(text: str) -> None:
    result = triage.assess(text)
    assert "work_question" not in result.rules
    assert result.band == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "Ish-burri im nuk paguan asnjë lekë për fëmijët dhe tani thotë se do t'i marrë me vete në "
        "Itali. Ku mund të drejtohem për ndihmë ligjore falas?",
        "ex wife moved to UK with our 2 kids and now she doesnt let me talk to them on phone. i "
        "want to know my rights, who do i call for this?",
    ],
)
def test_separated_parents_quarrel_over_a_childs_journey_is_recorded_low(text: str) -> None:
    result = triage.assess(text)
    assert "family_dispute" in result.rules
    assert result.band == "low"


def test_a_parent_who_promises_a_child_in_marriage_is_critical_in_a_custody_quarrel() -> None:
    text = (
        "My husband and I are separating. He says he will take our daughter (15) to Germany "
        "because he 'promised her' to his friend's son there for marriage, he already took "
        "money. can he do this??"
    )
    result = triage.assess(text)
    assert not {"family_dispute", "travel_question"} & set(result.rules)
    assert result.band == "critical"


@pytest.mark.parametrize(
    ("text", "minor"),
    [
        ("my best friend (we're both 15) has been told she'll be married this summer", True),
        ("bro some dude is selling my ex's pics in a snap group, she's still 16", True),
        ("Saw at Rinas a girl, definitely not more than 15, travelling with a man", True),
        ("nje i huaj ka rezervu dhome me nje goc qe smund te jete me shume se 15", True),
        ("lindur me 2013 dhe punon si lustraxhi kepucesh te sheshi", True),
        ("the 'kids' begging at the lights are actually young men, 19 or 20, on crutches", False),
        ("two adults (2) waited in the van outside the school", False),
    ],
)
def test_ages_said_loosely_decide_whether_the_tip_is_about_a_minor(text: str, minor: bool) -> None:
    assert triage.assess(text).minor is minor


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        # The tokenizer splits these words; an exact pattern word still matches them.
        ("Ish-burri im do t'i marrë fëmijët me vete.", "family_dispute"),
        ("My ex-wife took the kids to her mother's.", "family_dispute"),
        ("o ni kalama i vogel ne ure, s'ka askend afer", "no_controller"),
    ],
)
def test_an_exact_pattern_word_the_tokenizer_splits_still_matches(
    text: str, indicator: str
) -> None:
    assert indicator in fired(text)


@pytest.mark.parametrize(
    "text",
    [
        "kam pas problem me nji burre qe m'shfrytezonte para 6 vjetesh. tash e kom pa tu u sjell "
        "me nji cupe 16 vjece n lagje, i thote qe do e qoj n Itali me 'punu'.",
        "I escaped 3 years ago from a family in Kosovo where I worked as maid without pay. "
        "yesterday I found out they have a new girl there now, they keep her papers.",
    ],
)
def test_a_survivor_who_sees_a_new_victim_today_is_not_telling_a_past(text: str) -> None:
    result = triage.assess(text)
    assert "past_event" not in result.rules
    assert result.band in ("high", "critical")


def test_an_exploiter_in_prison_dates_a_survivors_story() -> None:
    text = (
        "i still have nightmares about the man who sold me, but he's in prison in Italy for 12 "
        "years now. im safe with my husband. just want to know if there is online therapy"
    )
    assert at_most(text, "low")


def test_a_lawful_reason_in_quotes_is_a_cover_story() -> None:
    text = (
        "flm per pergjigjen e djeshme. goca tani asht 13 vjece dhe ai burri po e merr me vete ne "
        "Itali 'me pushime', pa prinderit"
    )
    assert triage.assess(text).band == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "babi nuk me le me dal naten as me shoqet, kam 17 vjet dhe me mban si ne burg. a ka te "
        "drejte me ba kshu?",
        "shefi ma mori pasaporten diten e hene per me ba kopje per lejen e punes dhe ma ktheu te "
        "marten ne mengjes. normale eshte kjo?",
        "Landlord in Tirana is keeping my 500€ deposit and says I 'owe him' for a broken boiler. "
        "Is there anywhere I can complain?",
        "me kane vjedh telefonin ne autobus Tirane-Durres, a mundeni me ma gjet? kishte gjith "
        "fotot e femijeve brenda",
    ],
)
def test_everyday_troubles_told_in_alarming_words_are_not_alerted(text: str) -> None:
    assert at_most(text, "medium")


@pytest.mark.parametrize(
    "text",
    [
        "we paid the man 4000 to take us to UK in truck, now in France he says each pay 3000 more "
        "or we work for his friend when we arrive. we are 5, one is my wife",
        "nje shoqe me tha se kunata e saj ne Belgjike punon ne nje shtepi publike, 'i dashuri' i "
        "ka marre dokumentet dhe e rreh kur nuk sjell para. ka 3 vjet atje",
    ],
)
def test_a_count_of_people_or_of_years_there_is_not_an_age(text: str) -> None:
    result = triage.assess(text)
    assert not result.minor
    assert result.ages == ()


def test_a_rumour_about_a_whole_community_is_not_a_case_for_the_hour() -> None:
    text = (
        "My aunt says every Roma family at the market sells their kids. Please go and check "
        "them all."
    )
    result = triage.assess(text)
    assert "chain_message" in result.rules
    assert at_most(text, "low")


def test_an_aunt_is_not_a_thesis() -> None:
    text = (
        "tezja shkoi per fruta ne Spanje me nje agjenci. tani thote qe ia kane marre pasaporten, "
        "i mbajne ne nje fshat pa makine dhe i kercenojne nese flasin me dike. nuk i paguajne"
    )
    result = triage.assess(text)
    assert "awareness" not in result.rules
    assert result.band in ("high", "critical")
