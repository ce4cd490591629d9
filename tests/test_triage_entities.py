"""Linking entities (issue 17): each kind, canonical values, own numbers, false positives."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from triage import matching
from triage.entities import Entity, find_entities

TRIAGE = Path(__file__).resolve().parent.parent / "triage"


def values(text: str, kind: str, own: tuple[str, ...] = ()) -> list[str]:
    return [e.value for e in find_entities(text, own) if e.kind == kind]


def one(text: str, kind: str) -> Entity:
    found = [e for e in find_entities(text) if e.kind == kind]
    assert len(found) == 1, found
    return found[0]


# --- Phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Rekrutuesi ka numrin 069 12 34 567.",
        "The recruiter's number is +355 69 123 4567",
        "numri i tij: 00355691234567",
        "thirre ne 0691234567 nese do pune",
        "i called 069-123-4567 yesterday",
        "shkruaji në WhatsApp: wa.me/355691234567",
    ],
)
def test_albanian_mobile_in_any_spelling_is_one_e164_value(text: str) -> None:
    assert values(text, "phone") == ["+355691234567"]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("pronari italian +39 347 123 4567", "+393471234567"),
        ("ne Greqi, +30 694 123 4567", "+306941234567"),
        ("the agent in London, +44 7911 123456", "+447911123456"),
    ],
)
def test_foreign_numbers_with_a_country_code(text: str, number: str) -> None:
    assert values(text, "phone") == [number]


def test_the_senders_own_number_is_never_returned_but_a_third_partys_is() -> None:
    text = "Nga 0691234567 ju shkruaj. Burri që i mori pasaportat: 068 765 4321."
    assert values(text, "phone", own=("+355691234567",)) == ["+355687654321"]
    # Without own_numbers the sender's number is an ordinary number of the tip.
    assert "+355691234567" in values(text, "phone")


@pytest.mark.parametrize(
    "text",
    [
        "Numri im është 069 123 4567, ndërsa trafikanti ka 068 765 4321.",
        "numri im eshte 0691234567 kurse i tij 0687654321",
        "My number is +355 69 123 4567. The pimp uses 068 765 4321.",
        "Call me on 069 123 4567; the driver's phone is 068 765 4321",
        "mund të më kontaktoni në 0691234567. Rekrutuesi: 0687654321",
        "Më telefononi në 069 12 34 567, ai ka 0687654321",
        "me merrni ne 0691234567, shefi i tyre 0687654321",
        "0691234567 (numri im). Rekrutuesi: 0687654321",
    ],
)
def test_a_number_the_writer_calls_their_own_is_not_an_entity(text: str) -> None:
    assert values(text, "phone") == ["+355687654321"]


def test_the_own_number_stays_out_where_it_is_repeated_without_the_cue() -> None:
    text = "numri im 0691234567. Ai ka 0687654321. Përsëris: 069 123 4567."
    assert values(text, "phone") == ["+355687654321"]


def test_his_number_is_not_my_number() -> None:
    assert values("numri i tij është 069 123 4567", "phone") == ["+355691234567"]
    assert values("his number is 069 123 4567", "phone") == ["+355691234567"]


@pytest.mark.parametrize(
    "text",
    [
        "i paguajnë 300 euro në muaj",
        "që nga viti 2024, vajza 15 vjeç",
        "punon 12 orë në ditë, 7 ditë në javë, 1500 lekë",
    ],
)
def test_prices_years_and_ages_are_not_phones(text: str) -> None:
    assert values(text, "phone") == []


# --- Plates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "një Benz me targa AA 123 BB",
        "makina ishte AA123BB",
        "e mori me furgon aa-123-bb",
        "targa aa 123 bb, e bardhe",
        "a black car, plate Aa 123 bB",
        "AA 123 BB",
    ],
)
def test_albanian_plates_in_any_spelling_are_one_value(text: str) -> None:
    assert values(text, "plate") == ["AA123BB"]


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        ("kamion nga Kosova 01-123-AB", "01123AB"),
        ("furgon italian targa EF 456 GH", "EF456GH"),
        ("Greek van, plate ΙΚΥ-1234", "IKY1234"),
        ("the car was IKY-1234", "IKY1234"),
        ("UK plate ab12 cde", "AB12CDE"),
        ("a white van AB12 CDE", "AB12CDE"),
        ("German car M-AB 1234", "MAB1234"),
    ],
)
def test_foreign_plates(text: str, plate: str) -> None:
    assert values(text, "plate") == [plate]


def test_greek_and_latin_look_alikes_give_one_value() -> None:
    assert values("targa ΙΚΥ-1234", "plate") == values("targa iky 1234", "plate") == ["IKY1234"]


@pytest.mark.parametrize(
    "text",
    [
        "ne 123 ka qene aty",
        "makina ishte ne 123 ka, jo me larg",
        "the van was at 123 on the main road",
        "NE 123 KA QENE ATY, JU LUTEM NDIHMONI VAJZAT",  # all capitals: case says nothing
        "kushton EUR 1500 ne muaj",
        "makina kushtoi ALL 5000 lekë të reja, targa s'dihet",
        "ka 15 vjeç dhe 300 euro borxh",
    ],
)
def test_ordinary_words_and_prices_are_not_plates(text: str) -> None:
    assert values(text, "plate") == []


# --- Web addresses and handles --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Shiko https://www.punejashte.al/oferta/?utm=fb#top",
        "faqja www.PuneJashte.al/oferta",
        "punejashte.al/oferta/ ka oferta",
        "http://m.punejashte.al/oferta.",
    ],
)
def test_web_addresses_are_host_and_path(text: str) -> None:
    assert values(text, "url") == ["punejashte.al/oferta"]


@pytest.mark.parametrize(
    "text",
    [
        "ndiq @pune_italia",
        "instagram.com/pune_italia",
        "https://www.instagram.com/Pune_Italia/",
        "https://www.facebook.com/pune_italia?ref=bookmarks",
        "fb.com/pune_italia",
        "tiktok.com/@pune_italia",
        "t.me/pune_italia",
        "x.com/Pune_Italia",
        "twitter.com/pune_italia",
        "youtube.com/@pune_italia",
        "faqja pune_italia në Facebook",
        "profili Pune_Italia ne Instagram",
        "the page pune_italia on TikTok",
    ],
)
def test_handles_are_platform_agnostic(text: str) -> None:
    assert values(text, "handle") == ["pune_italia"]
    assert values(text, "url") == []


def test_non_profile_social_links_are_addresses_not_handles() -> None:
    assert values("facebook.com/groups/punaitalia", "handle") == []
    assert values("facebook.com/groups/punaitalia", "url") == ["facebook.com/groups/punaitalia"]


@pytest.mark.parametrize(
    "text",
    [
        "faqja e saj ne Facebook",
        "profili i tij në Instagram",
        "llogaria zyrtare ne TikTok",
        "ndiq @gmail.com",
        "cmimi @ 5 euro",
    ],
)
def test_pronouns_ordinary_words_and_domains_are_not_handles(text: str) -> None:
    assert values(text, "handle") == []


def test_a_whatsapp_link_that_is_no_valid_number_is_no_phone() -> None:
    assert values("wa.me/12", "phone") == []


def test_an_email_gives_no_handle_and_no_address() -> None:
    found = find_entities("shkruaj te Ana.Koci@Gmail.com per pune")
    assert [(e.kind, e.value) for e in found] == [("email", "ana.koci@gmail.com")]


@pytest.mark.parametrize(
    "text", ["ishte aty.Me ate shkoi", "p.sh. ne Tirane", "ora 5.30", "e.g. the bar"]
)
def test_missing_spaces_and_abbreviations_are_not_addresses(text: str) -> None:
    assert values(text, "url") == []


# --- E-mail and IBAN ------------------------------------------------------------------------


def test_emails_are_lower_case() -> None:
    assert values("Email: Agjencia.Pune@Yahoo.COM.", "email") == ["agjencia.pune@yahoo.com"]


@pytest.mark.parametrize(
    "text",
    [
        "IBAN AL47 2121 1009 0000 0002 3569 8741 dhe asgjë tjetër",
        "llogaria al47212110090000000235698741",
        "paguani ne AL47212110090000000235698741.",
    ],
)
def test_albanian_iban_with_or_without_spaces(text: str) -> None:
    assert values(text, "iban") == ["AL47212110090000000235698741"]
    assert values(text, "phone") == []


def test_foreign_iban_and_invalid_checksums() -> None:
    assert values("DE89 3704 0044 0532 0130 00", "iban") == ["DE89370400440532013000"]
    assert values("DE89370400440532013000", "iban") == ["DE89370400440532013000"]
    assert values("AL47 2121 1009 0000 0002 3569 8742", "iban") == []
    assert values("DE88370400440532013000", "iban") == []


# --- Businesses and places ------------------------------------------------------------------


def test_one_business_in_two_spellings_gives_one_value() -> None:
    first = values("punon në bar Dolce Vita në Vlorë", "business")
    second = values("Bari 'Dolce Vita' ne Vlore", "business")
    third = values("she works at Bar “Dolce Vita” in Vlora", "business")
    assert first == second == third
    assert len(first) == 1
    assert first[0].startswith("bar|") and first[0].endswith("|al:vlore")


@pytest.mark.parametrize(
    ("one_text", "other_text"),
    [
        ("fabrika e këpucëve në Durrës", "ne nje fabrike kepucesh ne Durres"),
        ("serra e domateve ne Divjake", "punojnë në një serrë domatesh në Divjakë"),
        ("Hotel Adriatik në Durrës", "hoteli Adriatiku ne Durres"),
        ("the Blue Moon bar in Sarande", "barin Blue Moon në Sarandë"),
        ("sallon masazhi 'Lotus' te Blloku", "Sallon masazhi Lotus ne ish-Bllokun"),
    ],
)
def test_business_spellings_link(one_text: str, other_text: str) -> None:
    first, second = values(one_text, "business"), values(other_text, "business")
    assert len(first) == 1
    assert first == second


def test_business_needs_a_name_and_a_place() -> None:
    assert values("punon në një bar në Vlorë", "business") == []
    assert values("bar Dolce Vita", "business") == []
    assert values("a shoe factory in Fier", "business") == ["factory|sho|al:fier"]


def test_places_are_weak_and_at_the_finest_level() -> None:
    found = find_entities("te Kombinati ne Tirane, pastaj ne Greqi")
    assert [(e.kind, e.value, e.strong) for e in found] == [
        ("place", "al:kombinat", False),
        ("place", "al:tirane", False),
        ("place", "gr:greqi", False),
    ]


def test_the_same_place_spelled_twice_is_one_entity() -> None:
    assert values("ne Durres, pikerisht në Durrës", "place") == ["al:durres"]


# --- Offsets, order, determinism, purity ----------------------------------------------------

MIXED = (
    "Numri im është 0691234567. Rekrutuesi (+355 68 765 4321, @pune_italia) i çon vajzat me "
    "furgon AA 123 BB te Hotel Adriatik në Durrës; paguani në AL47 2121 1009 0000 0002 3569 "
    "8741 ose shkruani te info@punejashte.al, www.punejashte.al/oferta."
)


def test_offsets_point_at_the_words_and_entities_come_in_order() -> None:
    found = find_entities(MIXED)
    assert [(e.kind, MIXED[e.start : e.end]) for e in found] == [
        ("phone", "+355 68 765 4321"),
        ("handle", "@pune_italia"),
        ("plate", "AA 123 BB"),
        ("business", "Hotel Adriatik"),
        ("place", "Durrës"),
        ("iban", "AL47 2121 1009 0000 0002 3569 8741"),
        ("email", "info@punejashte.al"),
        ("url", "www.punejashte.al/oferta"),
    ]
    assert all(e.strong for e in found if e.kind != "place")


def test_deduplicated_by_kind_and_value_keeping_the_first() -> None:
    found = find_entities("0687654321 ... 068 765 4321 ... +355687654321")
    assert [(e.kind, e.value, e.start) for e in found] == [("phone", "+355687654321", 0)]


def test_deterministic_and_precomputed_matches_give_the_same_answer() -> None:
    assert find_entities(MIXED) == find_entities(MIXED)
    assert find_entities(MIXED, matches=matching.find(MIXED)) == find_entities(MIXED)


def test_an_empty_tip_and_a_tip_without_entities() -> None:
    assert find_entities("") == ()
    assert find_entities("Ju lutem ndihmoni, ajo ka frikë dhe nuk flet me askënd.") == ()


def test_entities_imports_only_stdlib_triage_phonenumbers_and_stdnum() -> None:
    allowed = {"triage", "phonenumbers", "stdnum"} | set(sys.stdlib_module_names)
    for name in ("entities.py", "entity_patterns.py"):
        tree = ast.parse((TRIAGE / name).read_text(encoding="utf-8"))
        imported = {
            alias.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
            for alias in n.names
        } | {
            n.module.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module and n.level == 0
        }  # fmt: skip
        assert imported <= allowed, (name, imported - allowed)
