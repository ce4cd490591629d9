"""Rules and words from the fifth round of issue 10: an offer before anyone is controlled, an
adult begging alone, a child in sex work, and words that meant something else."""

from __future__ import annotations

import pytest

import triage
from tests.triage_checks import at_most, fired


@pytest.mark.parametrize(
    "text",
    [
        "A recruiter on Facebook offered me a job in a Dubai hotel but wants my passport sent by "
        "courier and a 900 euro 'processing fee' before I sign anything.",
        "nje grua mbledh goca per te pastruar hotele ne Gjermani, u thote borxhin e biletes e "
        "laj atje, s'ka kontrata",
    ],
)
def test_red_flags_of_an_offer_before_anyone_is_controlled_are_medium(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "medium"
    assert "offer_only" in result.rules


def test_an_offer_that_has_become_control_is_not_held_at_medium() -> None:
    text = (
        "Agjencia ne Korce i coi ne Greqi per pune, tani pronari ua ka marre pasaportat, nuk i "
        "paguan dhe nuk i le te dalin nga ferma."
    )
    result = triage.assess(text)
    assert "offer_only" not in result.rules
    assert result.band in {"high", "critical"}


def test_an_offer_made_to_a_child_is_still_critical() -> None:
    text = "Nje agjenci i kerkon motres time 16 vjec pasaporten dhe 500 euro per pune ne Greqi."
    assert triage.assess(text).band == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "Nje plak lyp cdo mengjes te tregu i Fierit, me duket se eshte i semure",
        "I keep seeing an old man begging outside the supermarket in Lushnjë every day.",
    ],
)
def test_an_adult_begging_alone_is_recorded_low(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "low"
    assert "begging_alone" in result.rules


@pytest.mark.parametrize(
    "text",
    [
        "burr pa kembe lyp tek Tabakeve, nje tip ja merr lekt",
        "ne kryqezimin e zogut te zi cdo mengjes nje furgon le 4-5 cuna te vegjel me shit shami",
    ],
)
def test_begging_with_someone_taking_the_money_or_a_child_is_not_begging_alone(
    text: str,
) -> None:
    result = triage.assess(text)
    assert "begging_alone" not in result.rules
    assert not at_most(text, "low")


@pytest.mark.parametrize(
    "text",
    [
        "goca 15 vjec ne klub nate ne Elbasan",
        "my cousin is 16 and works as an escort, she says it's her own choice",
    ],
)
def test_a_child_in_sex_work_is_critical_whatever_the_choice_said(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "critical"
    assert "sex_work_alone" not in result.rules


def test_a_sex_worker_with_children_is_not_a_child_in_sex_work() -> None:
    text = (
        "te pallati jone ka nje femer qe pret burra ne shtepi, duket se e ben vete per leke, ka "
        "dhe femije qe shkojne ne shkolle"
    )
    assert at_most(text, "low")


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        # "po" is "but" or "if" here, not "right now".
        ("afentiko e kercenoi qe po foli e con ne police si ilegal", "urgent_soon"),
        # "helped me leave" is the end of the story, not a plea to help now.
        ("A friend helped me leave and now I'm home in Fier with my parents.", "imminent_danger"),
        # Saving the number in a phone is not cutting someone off.
        ("E dëgjova numrin në radio dhe thjesht doja ta ruaj në telefon.", "isolation"),
        # The catch is sold, not a person.
        ("The captain pays us 'when the catch is sold', it's been 6 weeks.", "sold_person"),
        # A forged passport bought from a friend is a thing sold.
        ("Nje mik me shiti nje pasaporte te rreme per 1500 euro.", "sold_person"),
        # A WhatsApp chain is not a chain on someone's leg.
        ("WhatsApp chain going round Shkodra says women steal babies.", "locked_in"),
        # A coached "I'm fine, I'm fine" on the phone is not a story that ended.
        ("kur e marrim n telefon thot jam mir jam mir, si me pas dike afer", "past_event"),
        # The line's opening hours are not someone's working hours.
        ("pershendetje, kjo linja punon 24 ore?", "excessive_hours"),
    ],
)
def test_words_that_mean_something_else(text: str, absent: str) -> None:
    assert absent not in fired(text)


@pytest.mark.parametrize(
    ("text", "present"),
    [
        ("afentiko e kercenoi, tani po e con ne police", "urgent_soon"),
        ("Please help me now, they are taking us tonight", "imminent_danger"),
        ("degjova qe nje vajze nga Librazhdi eshte shitur ne Greqi", "sold_person"),
        ("e kan shite motren time nje burri ne Itali", "sold_person"),
        ("girl 15 sold to old man in Shkoder", "sold_person"),
        ("nusen e mbajne lidhur me zinxhir ne kasolle", "violence"),
        ("boss na merr pasaportat, s'lejon dalje", "cannot_leave"),
        ("polici ne Kukes i kthen tek pronari vajzat qe ikin", "cannot_leave"),
    ],
)
def test_the_contrasts_still_fire(text: str, present: str) -> None:
    assert present in fired(text)


@pytest.mark.parametrize(
    "text",
    [
        "Is it legal for a Greek employer to hold an Albanian worker's passport?",
        "cilat jane te drejtat e mia nese punedhenesi ne Gjermani do te mbaje pasaporten?",
    ],
)
def test_a_general_question_about_rights_is_not_a_tip(text: str) -> None:
    assert triage.assess(text).band == "not_a_tip"


def test_a_rights_question_with_the_case_told_after_it_is_a_case() -> None:
    text = (
        "Is it legal for my boss to keep my passport? He has had it for 3 months and won't give "
        "it back, I can't leave"
    )
    assert triage.assess(text).band in {"high", "critical"}


@pytest.mark.parametrize(
    "text",
    [
        "We moved back from Germany, how do I enrol my kids (8 and 11) in a school in Shkodër?",
        "gjyshja me mbesen 6 vjece po kalojn ne Kakavije te nesermen, prinderit ne Athine i "
        "presin. duhet gje tjeter pervec pasaportes?",
    ],
)
def test_a_question_about_a_childs_journey_with_the_family_is_not_critical(text: str) -> None:
    result = triage.assess(text)
    assert "travel_question" in result.rules
    assert at_most(text, "low")


def test_a_child_moved_by_someone_else_and_asked_about_is_still_critical() -> None:
    text = "A man took my neighbour's son (13) to Greece last week, is that allowed?"
    result = triage.assess(text)
    assert "travel_question" not in result.rules
    assert result.band == "critical"


def test_a_question_about_the_subject_that_comes_with_a_case_is_never_hidden() -> None:
    text = (
        "What is the difference between smuggling and trafficking? Asking because the guy who "
        "got my brother into UK in a lorry now says he owes 15k more and must sell drugs for "
        "him in Birmingham, otherwise they hurt our mum in Elbasan"
    )
    assert triage.assess(text).band != "not_a_tip"
    # The essay question alone stays an information request.
    assert (
        triage.assess(
            "What's the difference between smuggling and trafficking? It's for my school essay."
        ).band
        == "not_a_tip"
    )


def test_a_relatives_request_for_help_is_not_a_plea_from_the_person_in_danger() -> None:
    relative = (
        "pls help my sister in Germany, her 'husband' puts her on the street and keeps her ID"
    )
    assert "plea_for_help" in fired(relative)
    assert triage.assess(relative).band == "high"
    assert triage.assess("HELP they locked me in the back room").band == "critical"


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("our au pair (17, from Albania) told me", 17),
        ("two girls, 16 max, were brought in by the owner's cousin", 16),
        ("2 boys approx 12-13 unload trucks every night", 12),
        ("nje teze mori 3 cuna, me i madhi ska 14 vjet", 14),
        ("goca jeme 13 vjet u zhduk gjith diten", 13),
        ("cika e vllait 16 vjet ka ni shok 35 vjet", 16),
    ],
)
def test_ages_written_the_way_people_write_them(text: str, age: int) -> None:
    result = triage.assess(text)
    assert result.minor and age in result.ages


@pytest.mark.parametrize(
    "text",
    ["We are 3 friends from Elbasan, want to go to Canada", "they're 3 of them in the car"],
)
def test_a_count_of_people_is_not_an_age(text: str) -> None:
    assert not triage.assess(text).ages


def test_an_adult_age_beside_a_child_word_keeps_the_children() -> None:
    # "Fëmijë" are children whatever the age of the man who collects their money.
    begging = "Te Pazari i Ri ka femije qe lypin, nje djale rreth 25 vjec u merr leket"
    assert triage.assess(begging).minor
    # "Goca" also names young women: "goca 22 vjeç" is an adult.
    assert not triage.assess("goca 22 vjec punon ne bar").minor


def test_a_second_topic_after_a_question_is_read_as_a_report() -> None:
    text = (
        "Training on NRM in Gjirokaster next month, can someone attend? Also: a participant "
        "told us 2 boys from her school were taken to Greece by their uncle and haven't returned"
    )
    result = triage.assess(text)
    assert "awareness" not in result.rules
    assert not at_most(text, "low")


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("ne plazh nje cuc e vogel, sja jep me shume se 13-14, hyn ne dhomat", 13),
        ("nje 50 vjecar ka marre per nuse nje cupe qe si ka mbush 15", 15),
        ("Albanian girl in Brussels, 17 years, her 'boyfriend' makes her work", 17),
    ],
)
def test_more_ages_as_people_write_them(text: str, age: int) -> None:
    result = triage.assess(text)
    assert result.minor and age in result.ages


def test_a_grade_in_brackets_is_read_as_a_grade_not_an_emoticon() -> None:
    # spaCy reads "8)" as a smiley; "(klasa e 8)" must still say the pupils are minors.
    assert triage.assess("shkolla jone (klasa e 8) shkon ekskursion ne Oher").minor
    assert "minor_stated" in fired("vajza jone (klasa e 8)")
