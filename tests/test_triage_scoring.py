"""Scoring rules, bands, forms, routes, explanation offsets and the routing policy."""

from __future__ import annotations

import json

import pytest

import triage
from tests.triage_checks import BAND_ORDER
from triage.policy import RoutingPolicy


def _rank(band: str) -> int:
    return BAND_ORDER.index(band)


@pytest.mark.parametrize(
    "text",
    [
        "Vajza 15 vjeç punon në një bar dhe pronari ia ka marrë pasaportën.",
        "A 14-year-old boy is begging every day at the lights and a man takes his money.",
        "Një djalë 16 vjeç u nis me një burrë për në Greqi.",
        "My 17 year old niece is working in a hotel and is not paid.",
    ],
)
def test_a_minor_with_any_exploitation_control_or_movement_sign_is_critical(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "critical"
    assert "minor_with_sign" in result.rules


def test_a_minor_with_only_context_signs_is_not_raised_to_critical() -> None:
    result = triage.assess("Vajza ime 15 vjeç do të studiojë në Itali. Çfarë dokumentesh duhen?")
    assert result.minor is True
    assert result.band != "critical"


@pytest.mark.parametrize(
    "text",
    [
        "Ndihmë! Më kanë mbyllur në një dhomë.",
        "They will kill her if she tries to leave.",
        "Sonte do ta shesin te një burrë tjetër.",
        "HELP they locked me in the back room",
    ],
)
def test_imminent_danger_is_critical(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "critical"
    assert "imminent_danger" in result.rules


def test_the_danger_now_answer_makes_any_tip_critical() -> None:
    result = triage.assess("Kam parë diçka të çuditshme.", answers={"danger_now": True})
    assert result.band == "critical"
    assert "danger_answer" in result.rules


@pytest.mark.parametrize(
    "text",
    [
        "Një grup kalon kufirin ilegalisht çdo natë me gomone, 3000 euro për person.",
        "He smuggles migrants to the UK in lorries from Durres port.",
        "Dikush po shet pasaporta false për të shkuar në Amerikë.",
    ],
)
def test_smuggling_alone_is_at_most_low(text: str) -> None:
    result = triage.assess(text)
    assert _rank(result.band) <= _rank("low")
    assert "smuggling_alone" in result.rules


def test_smuggling_with_coercion_is_not_capped() -> None:
    result = triage.assess(
        "E nxorën me gomone për në Itali, e kanë detyruar me forcë dhe e rrahin."
    )
    assert _rank(result.band) >= _rank("high")


@pytest.mark.parametrize(
    "text",
    [
        "Në pallatin tonë një grua punon si prostitutë, e bën me dëshirën e saj.",
        "A friend works as an escort in Milan by her own choice.",
    ],
)
def test_voluntary_sex_work_alone_is_at_most_low(text: str) -> None:
    result = triage.assess(text)
    assert _rank(result.band) <= _rank("low")
    assert "sex_work_alone" in result.rules


def test_forced_prostitution_is_not_capped_as_sex_work() -> None:
    result = triage.assess("E detyrojnë të prostituohet dhe ia marrin të gjitha paratë.")
    assert _rank(result.band) >= _rank("medium")
    assert "sexual" in result.forms


@pytest.mark.parametrize(
    "tip",
    [
        "Pronari ia mori pasaportën dhe nuk e paguan.",
        "The farmer took their passports and they are not paid.",
        "E detyrojnë të punojë 14 orë në ditë.",
    ],
)
@pytest.mark.parametrize(
    "legal",
    [
        "Ajo udhëtoi ligjërisht me pasaportën e saj.",
        "She travelled legally with her own passport.",
        "U nis me pasaportë në rregull nga Rinasi.",
    ],
)
def test_travelling_legally_with_a_passport_never_lowers_the_score(tip: str, legal: str) -> None:
    alone, with_legal = triage.assess(tip), triage.assess(f"{legal} {tip}")
    assert with_legal.score >= alone.score
    assert _rank(with_legal.band) >= _rank(alone.band)


@pytest.mark.parametrize(
    "text",
    [
        "Përshëndetje",
        "hi",
        "Si mund të raportoj në mënyrë anonime?",
        "What is trafficking?",
        "test",
    ],
)
def test_greetings_and_information_requests_are_not_a_tip_and_are_kept(text: str) -> None:
    result = triage.assess(text)
    assert result.band == "not_a_tip"
    assert result.ack_deadline_minutes > 0  # routed to the information flow, never dropped


def test_a_chain_message_is_at_most_low_even_with_a_child() -> None:
    result = triage.assess(
        "Shpërndajeni! Po rrëmbejnë fëmijë me furgon në Tiranë dhe i çojnë jashtë shtetit!"
    )
    assert _rank(result.band) <= _rank("low")


def test_routes_child_complicity_and_labour() -> None:
    child = triage.assess("Një djalë 12 vjeç punon 14 orë në ditë në një lavazh.")
    complicity = triage.assess("Një polic merr para nga pronari që mban vajzat të mbyllura.")
    labour = triage.assess("Në kantier nuk i paguajnë punëtorët dhe ua kanë marrë pasaportat.")
    assert "child" in child.routes and "labour" in child.routes
    assert "complicity" in complicity.routes
    assert "labour" in labour.routes and "child" not in labour.routes


def test_forms_name_sexual_labour_and_begging() -> None:
    assert triage.assess("E detyrojnë të shkojë me klientë.").forms == ("sexual",)
    assert "labour" in triage.assess("E detyrojnë të punojë në fermë pa pagë.").forms
    assert "begging" in triage.assess("I detyrojnë të lypin çdo ditë.").forms


def test_explanation_offsets_point_at_the_exact_words_that_fired() -> None:
    text = "Motra ime është në Itali. Pronari ia mori pasaportën dhe e rreh."
    result = triage.assess(text)
    assert result.indicators
    for hit in result.indicators:
        for start, end, words in hit.spans:
            assert text[start:end] == words
    documents = next(h for h in result.indicators if h.id == "documents_withheld")
    assert [s[2] for s in documents.spans] == ["mori pasaportën"]


def test_the_explanation_names_each_indicator_its_description_and_words_in_both_languages() -> None:
    result = triage.assess("Pronari ia mori pasaportën.")
    sq, en = result.explain("sq"), result.explain("en")
    assert "Dokumente të mbajtura" in sq and "«mori pasaportën»" in sq
    assert "Documents withheld" in en and "“mori pasaportën”" in en
    assert "victim" not in en.lower() and "viktim" not in sq.lower()


def test_to_dict_is_json_ready_with_the_agreed_keys() -> None:
    data = triage.assess("Vajza 15 vjeç lyp në Tiranë, 0691234567.").to_dict()
    encoded = json.loads(json.dumps(data, ensure_ascii=False))
    for key in ("band", "score", "language", "minor", "ages", "indicators", "places", "forms",
                "urgent", "routes", "explanation"):  # fmt: skip
        assert key in encoded
    assert encoded["indicators"][0].keys() >= {"id", "category", "weight", "spans"}
    assert encoded["indicators"][0]["spans"][0].keys() == {"start", "end", "text"}
    assert encoded["places"][0].keys() == {"name", "name_en", "kind", "qark", "country"}


def test_the_assessment_is_immutable_and_deterministic() -> None:
    text = "Shoqja ime në Greqi, ia kanë marrë pasaportën dhe e mbajnë të mbyllur."
    first, second = triage.assess(text), triage.assess(text)
    assert first == second
    with pytest.raises(AttributeError):
        first.band = "low"  # type: ignore[misc]


def test_the_default_policy_deadlines_follow_the_issue() -> None:
    policy = RoutingPolicy.default()
    assert [policy.ack_deadline_minutes(b) for b in ("critical", "high", "medium", "low")] == [
        15, 60, 240, 1440,
    ]  # fmt: skip
    assert triage.assess("Ndihmë! Më kanë mbyllur.").ack_deadline_minutes == 15


def test_the_policy_is_configurable_from_a_mapping() -> None:
    policy = RoutingPolicy.from_mapping(
        {"critical": {"ack_minutes": 10, "escalation": [{"after_minutes": 10, "notify": "chair"}]},
         "low": 720}
    )  # fmt: skip
    assert policy.ack_deadline_minutes("critical") == 10
    assert policy.escalation("critical")[0].notify == "chair"
    assert policy.ack_deadline_minutes("low") == 720
    assert policy.ack_deadline_minutes("high") == 60
    assert triage.assess("Ndihmë! Më kanë mbyllur.", policy=policy).ack_deadline_minutes == 10


@pytest.mark.parametrize(
    "bad",
    [
        {"urgent": 5},
        {"critical": 0},
        {"critical": "soon"},
        {"high": {"escalation": [(60, "a"), (30, "b")]}},
    ],
)
def test_a_bad_policy_is_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        RoutingPolicy.from_mapping(bad)
