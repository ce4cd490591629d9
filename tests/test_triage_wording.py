"""The triage explanation reads as written by a person: headings once, the glossary's terms."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from triage import assess, places
from triage.catalogue import load
from triage.wording import BAND_LABELS, ROUTES, RULES, TEXT, number

CRITICAL = (
    "Një vajzë 15 vjeçe mbahet e mbyllur në një shtëpi në Sarandë, i kanë marrë pasaportën, i "
    "kërcënojnë familjen dhe nuk e lënë të dalë. Sonte do ta çojnë në Greqi me makinë."
)
LABOUR = (
    "Dy burra punojnë në një fermë në Lushnjë pa pagë, pronari u mban pasaportat. Policët e "
    "zonës marrin para prej tij. Punëtori tjetër e çuan në Angli."
)
NEGATED = "Vajza nuk mbahet e mbyllur dhe nuk e kërcënojnë, punon në Tiranë."
TEXTS = [CRITICAL, LABOUR, NEGATED, "Përshëndetje", "Ku mund të raportoj trafikim?"]
# Nested or side-by-side brackets, as the glossary's typography test reads them.
BRACKETS = re.compile(r"\([^()]*\(|\)\s*\(")
# Forms the glossary bans in Albanian (docs/GLOSSARY.md), folded: ë→e, ç→c.
BANNED = re.compile(
    r"\bsinjaliz\w*|\bpun\w* seksi\b|\bkontraband\w*\b(?! (e )?emigrant)|\bpanumeruar\w*"
    r"|\brrug\w* (e|te) vecanta\b|\bvetvetiu\b|\bviktim\w* potencial\w*|\bfjal\w* qe treguan\b"
)


def fold(text: str) -> str:
    return text.lower().replace("ë", "e").replace("ç", "c")


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("lang", ["sq", "en"])
def test_no_heading_is_repeated_line_after_line(text: str, lang: str) -> None:
    lines = assess(text).explain(lang).splitlines()
    headings = [line.split(":")[0] for line in lines if ":" in line and not line.startswith("- ")]
    assert len(headings) == len(set(headings)), lines
    # A sign line never starts with its category (that was "- Kontroll …: …" on every line).
    categories = {c[lang] for c in load().categories.values()}
    assert not [
        line for line in lines if line.startswith("- ") and line[2:].split(":")[0] in categories
    ]
    assert not [line for line in lines if line.startswith(("Fjalët:", "Words:"))]
    assert "Fjalët:" not in "\n".join(lines) and "Words:" not in "\n".join(lines)


def test_signs_sit_under_their_category_once() -> None:
    lines = assess(CRITICAL).explain("sq").splitlines()
    assert lines.count("Kontroll dhe shtrëngim:") == 1
    start = lines.index("Kontroll dhe shtrëngim:")
    under = []
    for line in lines[start + 1 :]:
        if not line.startswith("- "):
            break
        under.append(line)
    assert len(under) >= 2  # threats, locked in, cannot leave: one heading for them all
    assert lines[1] == "Shenjat e gjetura dhe fjalët që i aktivizuan:"


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("lang", ["sq", "en"])
def test_no_brackets_inside_or_beside_brackets(text: str, lang: str) -> None:
    explanation = assess(text).explain(lang)
    assert not BRACKETS.search(explanation), explanation
    assert ".." not in explanation.replace("...", "")


@pytest.mark.parametrize("text", TEXTS)
def test_the_albanian_explanation_uses_the_glossary(text: str) -> None:
    assert not BANNED.search(fold(assess(text).explain("sq")))


def test_the_glossary_terms_of_the_review() -> None:
    labour = assess(LABOUR).explain("sq")
    assert "Referime të veçanta: " in labour
    assert "Inspektoratin Shtetëror të Punës dhe Shërbimeve Shoqërore" in labour
    negated = assess(NEGATED).explain("sq")
    assert "(nuk u llogaritën)" in negated
    assert "(not counted)" in assess(NEGATED).explain("en")
    assert "Raportimi ka të bëjë me një person nën 18 vjeç." in assess(CRITICAL).explain("sq")
    not_a_tip = assess("Përshëndetje").explain("sq").splitlines()[0]
    assert not_a_tip == "Prioriteti: nuk është raportim (pikët: 0)."


def test_every_albanian_wording_avoids_the_banned_forms() -> None:
    tables = (BAND_LABELS, RULES, TEXT, ROUTES)
    texts = [sq for table in tables for sq, _en in table.values()]
    catalogue = load()
    texts += [i.description["sq"] for i in catalogue.indicators]
    texts += [c["sq"] for c in catalogue.categories.values()]
    found = [t for t in texts if BANNED.search(fold(t)) or "’" in t]
    assert found == []


@pytest.mark.parametrize(("value", "sq", "en"), [(10.5, "10,5", "10.5"), (7.0, "7", "7")])
def test_scores_use_the_readers_decimal_mark(value: float, sq: str, en: str) -> None:
    assert number(value, "sq") == sq and number(value, "en") == en
    result = replace(assess(CRITICAL), score=value)
    assert f"(pikët: {sq})." in result.explain("sq").splitlines()[0]
    assert f"(score: {en})." in result.explain("en").splitlines()[0]


def test_places_are_named_in_the_readers_language() -> None:
    en, sq = assess(LABOUR).explain("en"), assess(LABOUR).explain("sq")
    assert "Lushnja (municipality)" in en and "United Kingdom (country)" in en
    assert "Lushnjë" not in en and "Mbretëria" not in en
    assert "Lushnjë (bashki)" in sq and "Mbretëria e Bashkuar (shtet)" in sq
    critical = assess(CRITICAL).explain("en")
    assert "Saranda (municipality), Greece (country)" in critical


@pytest.mark.parametrize(
    ("albanian", "english"),
    [
        ("Tiranë", "Tirana"),
        ("Durrës", "Durrës"),
        ("Vlorë", "Vlora"),
        ("Shkodër", "Shkodra"),
        ("Korçë", "Korça"),
        ("Greqi", "Greece"),
        ("Itali", "Italy"),
        ("Mbretëria e Bashkuar", "United Kingdom"),
        ("Kavajë", "Kavaja"),
        ("Beograd", "Belgrade"),
    ],
)
def test_the_gazetteer_has_english_names(albanian: str, english: str) -> None:
    assert places.display_name(albanian, "en") == english
    assert places.display_name(albanian, "sq") == albanian
    # A name stored with the assessment wins; an unknown name is shown as it is.
    assert places.display_name(albanian, "en", "Stored") == "Stored"
    assert places.display_name("Nowhere", "en") == "Nowhere"


def test_no_english_name_is_an_albanian_country_name() -> None:
    for entry in places.entries():
        if entry.kind == "country" and entry.country not in ("PK", "BD", "NP"):
            assert entry.name_en != entry.name, entry
