"""Readings that explain a sign away or keep it: lawful holders, debts and donations, things
sold, adverts, a child in the street, violence at home, and papers kept for a trip."""

from __future__ import annotations

import pytest

import triage
from tests.triage_checks import fired


@pytest.mark.parametrize(
    ("text", "withheld"),
    [
        (
            "Ma kane mbajt pasaporten ne ambasade 2 jave per vizen amerikane, a eshte normale?",
            "documents_withheld",
        ),
        ("Kam borxh ne banke per kredine e shtepise, ku ankohem?", "debt_bondage"),
        ("I want to donate a kidney to my aunt; is it legal in Albania?", "organ_removal"),
    ],
)
def test_lawful_holders_debts_and_donations_are_not_signs(text: str, withheld: str) -> None:
    assert withheld not in fired(text)


def test_a_job_offered_abroad_to_a_minor_is_recruitment() -> None:
    result = triage.assess(
        "Instagram account sends DMs to girls in my class (we are 17) about 'hostess job in "
        "Milano, 2000 per week'"
    )
    assert result.minor
    assert result.band == "critical"


def test_a_minor_flying_to_a_parent_is_lawful_travel() -> None:
    result = triage.assess(
        "my daughter 15 is flying alone to her father in Germany for summer, he will pick her "
        "up at airport. what forms do we need"
    )
    assert result.band in {"not_a_tip", "low"}


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("ku mund te ankohem per nje dyqan qe me shiti telefon te prishur", "not_a_tip"),
        ("Someone in Durres is selling fake Italian residence permits for 2000 euros.", "low"),
    ],
)
def test_selling_a_thing_is_not_the_sale_of_a_person(text: str, band: str) -> None:
    result = triage.assess(text)
    assert "sold_person" not in fired(text)
    assert result.band == band


@pytest.mark.parametrize(
    "text", ["e shiti vajzen per nje makine", "they sold her and the car", "E kanë shitur vajzën."]
)
def test_a_person_sold_is_still_a_sale_when_things_are_named(text: str) -> None:
    assert "sold_person" in fired(text)
    assert triage.assess(text).band == "critical"


def test_the_reporters_own_marriage_is_not_a_child_marriage() -> None:
    text = "Si behet birësimi i nje femije? Une dhe burri jemi te martuar 8 vjet, pa femije."
    assert "child_marriage" not in fired(text)
    assert triage.assess(text).band == "not_a_tip"


def test_a_recruiters_advert_for_abroad_is_medium_and_a_scam_for_home_is_low() -> None:
    abroad = triage.assess(
        "Advert: 'Dancers wanted for clubs in Cyprus, 3000€/month, flat and flights paid, no "
        "experience needed, send full-body photos'."
    )
    assert abroad.band == "medium"
    home = triage.assess(
        "Work from home! Earn 300€ a day, no experience needed, just send a photo of your ID to "
        "our WhatsApp"
    )
    assert home.band in ("low", "not_a_tip")


@pytest.mark.parametrize(
    "text",
    [
        "little boy maybe 6 begging alone outside the supermarket every night, no adult around",
        "cuna te vegjel, nja 10-12 vjec, lajn xhamat e makinave te rrethrrotullimi ne Durres "
        "deri vone naten",
    ],
)
def test_a_child_alone_in_the_street_is_medium_and_the_model_does_not_raise_it(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "medium"
    assert "child_in_street" in result.rules
    assert "second_opinion" not in result.rules


@pytest.mark.parametrize(
    "text",
    [
        "there is a little girl maybe 7 selling tissues at Skanderbeg square late at night, a "
        "man sits on the bench across watching her and she gives him the coins every time",
        "jan nja 6 cuna te vegjel qe lajne xhamat e makinave, ne pasdite vjen nje burre me "
        "motor e merr paret",
    ],
)
def test_a_child_in_the_street_with_an_adult_taking_the_money_is_critical(text: str) -> None:
    assert triage.assess(text).band == "critical"


@pytest.mark.parametrize(
    "text",
    [
        "my dad gets violent when he's drunk. I'm 16. where can I get help",
        "Burri me rreh kur pi, kam 2 femije. nuk di ku te shkoj.",
        "komshiu e rreh gruan cdo nate, degjohen britmat deri ne kat te trete",
    ],
)
def test_violence_at_home_with_no_exploitation_is_recorded_low(text: str) -> None:
    result = triage.assess(text)
    assert (result.band, "domestic_violence" in result.rules) == ("low", True)


def test_violence_at_home_with_forced_begging_is_still_critical() -> None:
    text = "babai e rreh djalin 10 vjec dhe e con cdo dite te lype, i merr te gjitha leket"
    assert triage.assess(text).band == "critical"


def test_threats_with_exploitation_are_high_and_a_threat_to_fire_is_not_a_threat() -> None:
    text = (
        "a man in our village keeps his wife's cousin to work his fields and house for no pay, "
        "she's an adult and he threatens to throw her in the river if she tells anyone"
    )
    result = triage.assess(text)
    assert (result.band, "threats_with_exploitation" in result.rules) == ("high", True)
    found = fired("Nuk e kanë paguar prej tre muajsh. Shefi e kërcënon se do ta pushojë.")
    assert "dismissal_threat" in found
    assert "threats" not in found


@pytest.mark.parametrize(
    "text",
    [
        "vellai punon ne Itali pa kontrate, capo i thot qe pagen ja jep kur mbaron kantieri. "
        "pasaporten e ka vete",
        "mu vodh çanta me dokumenta ne Rome ne stacionin Termini. si kthehem pa pasaporte?",
    ],
)
def test_own_or_stolen_papers_are_not_papers_withheld(text: str) -> None:
    assert "documents_withheld" not in fired(text)


def test_papers_kept_by_a_boss_are_withheld_whatever_the_pronoun() -> None:
    assert "documents_withheld" in fired("caporale has his documenti and he works for 2 euro")
    assert "own_documents" not in fired("her 'husband' keeps her ID and takes everything")


@pytest.mark.parametrize(
    "text",
    [
        "djali 15 vjec luan futboll, e kan ftu me ekipin per turne ne Gjermani. trajneri do i "
        "mbaj pasaportat e te gjithe cunave gjate udhetimit, a esht normale kjo?",
        "mesuesja i mblodhi pasaportat per ekskursionin ne Maqedoni dhe s'i ka kthyer ende",
    ],
)
def test_a_coach_or_teacher_keeping_the_passports_for_a_trip_withholds_nothing(text: str) -> None:
    # yields_to_tip: the lawful holder anywhere in the tip explains the documents away.
    ids = fired(text)
    assert "lawful_holder" in ids
    assert "documents_withheld" not in ids
    assert triage.assess(text).band in ("not_a_tip", "low")


def test_a_boss_keeping_the_passports_is_still_withholding_them() -> None:
    assert "documents_withheld" in fired("Pronari i fermës i mban pasaportat dhe nuk paguan.")


def test_a_child_smuggled_across_the_border_is_critical() -> None:
    text = "sonte ne 10 do vije nje gomone per 4 vajza qe jane ne nje shtepi. njera eshte e mitur"
    result = triage.assess(text)
    assert (result.band, "minor_with_sign" in result.rules) == ("critical", True)
