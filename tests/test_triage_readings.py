"""Readings that change what a sign means: copies, the reporter's own caution, survivors,
lessons and films, recruiters' adverts, and someone held and beaten today."""

from __future__ import annotations

import pytest

import triage
from tests.triage_checks import BAND_ORDER, fired


@pytest.mark.parametrize(
    "text",
    [
        "Is it legal for a UK landlord to keep a copy of my passport for the right to rent check?",
        "Agjencia turistike kërkon fotokopje të pasaportës për biletat e ekskursionit.",
        "agjencia kerkon fotokopje te pashaportes per biletat",
    ],
)
def test_a_copy_of_a_document_is_not_a_document_taken(text: str) -> None:
    ids = fired(text)
    assert "document_copy" in ids
    assert not ids & {"documents_withheld", "passport_requested"}


@pytest.mark.parametrize(
    "text",
    [
        "The owner keeps my passport and won't give it back.",
        "Pronari ia mban pasaportën dhe nuk ia kthen.",
    ],
)
def test_the_document_itself_taken_is_still_a_sign(text: str) -> None:
    assert "documents_withheld" in fired(text)


def test_the_reporters_own_caution_is_not_wages_or_papers_withheld() -> None:
    ids = fired("A është e licencuar kjo agjenci? Nuk kam paguar gjë e s'kam dhënë dokument.")
    assert "nothing_given" in ids
    assert not ids & {"wages_withheld", "documents_withheld", "no_documents"}
    assert triage.assess("Shefi nuk më ka paguar rrogën prej tre muajsh.").band != "not_a_tip"
    assert "wages_withheld" in fired("I haven't been paid for three months.")


@pytest.mark.parametrize(
    "text",
    [
        "For a school project on modern slavery we need the difference between forced labour "
        "and bad working conditions. Can you explain?",
        "We're making a short film about a girl trafficked to Italy. Could someone check our "
        "script?",
        "Do you have a lesson plan for 14–16 year olds about sextortion? I'm a civics teacher.",
        "Jam mësuese, dua të bëj një orë mësimi për ofertat false të punës. Keni materiale?",
    ],
)
def test_a_lesson_a_project_or_a_film_is_not_a_case(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "not_a_tip"
    assert "awareness" in result.rules


def test_a_teacher_who_saw_something_is_still_read_as_a_report() -> None:
    result = triage.assess(
        "I'm preparing a lesson plan about trafficking, and I saw a man take the passport of "
        "one of my students' mothers and lock her in the shop."
    )
    assert "awareness" not in result.rules
    assert BAND_ORDER.index(result.band) >= BAND_ORDER.index("high")


def test_a_school_exchange_with_a_host_family_is_lawful_travel_for_a_minor() -> None:
    result = triage.assess(
        "Hello, my son (15) has a place on a school exchange to Ireland in March; the host "
        "family was arranged by the school. Does he need a visa?"
    )
    assert result.minor
    assert result.band in {"not_a_tip", "low"}


@pytest.mark.parametrize(
    "text",
    [
        "Survivor here. I'm safe in a shelter in Vlorë but my support period ends soon. What "
        "services are there after?",
        "Kam qenë e strehuar në 2016. Tani dua një kurs profesional; ku mund të aplikoj?",
    ],
)
def test_a_survivor_asking_for_services_is_recorded_low_not_sent_away(text: str) -> None:
    assert triage.assess(text).band == "low"


def test_a_question_about_shelters_is_not_a_survivors_story() -> None:
    assert triage.assess("Where can I find a shelter for women in Tirana?").band == "not_a_tip"


def test_a_recruiters_advert_that_asks_for_a_fee_is_reviewed_a_plain_advert_is_not() -> None:
    fee = triage.assess(
        "te facebook grupi 'Pune ne Gjermani' nje admin kerkon 350 euro per 'rezervim vendi' "
        "ne nje ferme dhe dokumentin e identitetit, nuk tregon emrin e kompanise"
    )
    assert fee.band != "not_a_tip"
    assert triage.assess("Shes apartament 2+1 në Kamëz, çmim i volitshëm.").band == "not_a_tip"


@pytest.mark.parametrize(
    "text",
    [
        "jam ne Greqi, ne nji shpi. nji burr shqiptar me mban ketu, sot me rrahu shume. ma "
        "moren pashaporten",
        "The owner keeps their passports and beats them, and today one of the women said he "
        "will kill her.",
    ],
)
def test_held_and_beaten_today_is_danger_now(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "critical"
    assert "held_and_harmed_now" in result.rules


def test_held_and_beaten_as_hearsay_is_not_danger_now() -> None:
    result = triage.assess("Kam dëgjuar që pronari i mban pasaportat e grave dhe sot i ka rrahur.")
    assert "held_and_harmed_now" not in result.rules


def test_heard_with_ones_own_ears_is_not_hearsay() -> None:
    result = triage.assess(
        "E kam dëgjuar me veshët e mi: tutori i saj i tha që nëse nuk sjell 300 euro natën, do "
        "ta rrahë. Ajo punon në rrugë në Tiranë."
    )
    assert "hearsay" not in result.rules
    assert BAND_ORDER.index(result.band) >= BAND_ORDER.index("high")


@pytest.mark.parametrize("text", ["ndihmë", "help me pls", "ndihme!!"])
def test_a_plea_for_help_and_nothing_else_is_critical(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "critical"
    assert "plea_alone" in result.rules


def test_a_question_that_asks_for_help_is_not_a_plea() -> None:
    assert triage.assess("Can you help me find a job?").band != "critical"


def test_a_short_plea_from_someone_being_moved_is_critical() -> None:
    result = triage.assess("ndihm jemi 3 vajza ne nje makine ne Rinas na cojn jasht")
    assert result.band == "critical"


def test_officials_covering_an_exploitation_make_it_high() -> None:
    result = triage.assess(
        "pronari i barit ne plazh nuk u paguan rrogat goca te huaja, policet e zones pijne falas "
        "aty dhe e lajmerojne para kontrolleve",
        second_opinion=False,
    )
    assert "official_complicity" in {i.id for i in result.indicators}
    assert "complicity_with_exploitation" in result.rules
    assert result.band == "high"


@pytest.mark.parametrize(
    "text",
    [
        "Para 6 vjetesh me shiti per 10 mije euro nje kusheri. Tani ai sapo doli nga burgu dhe "
        "po pyet per mua.",
        "I was trafficked to the UK in 2016. The same man texted me last week offering a job; "
        "he knows where I live.",
    ],
)
def test_a_past_exploitation_whose_author_is_back_is_not_capped_as_past(text: str) -> None:
    result = triage.assess(text)
    assert "past_event" not in result.rules
    assert BAND_ORDER.index(result.band) >= BAND_ORDER.index("medium")


@pytest.mark.parametrize(
    "text",
    [
        "Kam qene pale ne gjyq kunder trafikantit ne 2020, ai u denua me burg. Tani dua te di si "
        "mund te kerkoj demshperblim.",
        "My mum told me her neighbour was sold into marriage back in the 90s, but she's a "
        "grandmother now and happy.",
    ],
)
def test_a_story_that_ended_is_recorded_low_not_sent_away(text: str) -> None:
    assert triage.assess(text).band == "low"


def test_an_age_then_is_not_a_minor_now() -> None:
    result = triage.assess(
        "Jom djal 24 vjec, kam punu me zor ne nji sere ne Greqi kur isha 17, pa pagese. Tani "
        "jom ne shpi, mire jom."
    )
    assert not result.minor
    assert result.band == "low"


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
