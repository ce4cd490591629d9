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
