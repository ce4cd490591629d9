"""The indicator catalogue: coverage of ILO and UNODC indicators, validity, wording."""

from __future__ import annotations

import re

import pytest

from triage import matching
from triage.catalogue import ILO_INDICATORS, UNODC_GROUPS, CatalogueError, coverage_table, load
from triage.patterns import PatternError, parse

CORE_CATEGORIES = {
    "recruitment", "control", "documents", "debt", "wages", "isolation", "conditions", "sexual",
    "labour", "begging", "child", "movement", "vulnerability", "complicity", "danger",
}  # fmt: skip


def test_the_coverage_table_covers_all_eleven_ilo_indicators_and_six_unodc_groups() -> None:
    table = coverage_table()
    assert len(ILO_INDICATORS) == 11
    assert len(UNODC_GROUPS) == 6
    assert set(table) == {f"ilo:{k}" for k in ILO_INDICATORS} | {f"unodc:{k}" for k in UNODC_GROUPS}
    uncovered = [key for key, ids in table.items() if not ids]
    assert uncovered == []


def test_the_coverage_table_only_names_real_indicators() -> None:
    ids = {i.id for i in load().indicators}
    assert all(set(covering) <= ids for covering in coverage_table().values())


def test_the_catalogue_has_every_category_the_issue_asks_for() -> None:
    categories = {i.category for i in load().indicators}
    assert categories >= CORE_CATEGORIES


def test_every_indicator_has_a_source_and_descriptions_in_albanian_and_english() -> None:
    for indicator in load().indicators:
        assert indicator.sources, indicator.id
        assert indicator.description["sq"].strip() and indicator.description["en"].strip()
        assert indicator.description["sq"] != indicator.description["en"], indicator.id


def test_no_text_a_person_reads_calls_anyone_a_victim() -> None:
    catalogue = load()
    texts = [d for i in catalogue.indicators for d in i.description.values()]
    texts += [label for c in catalogue.categories.values() for label in c.values()]
    assert not [t for t in texts if re.search(r"victim|viktim", t, re.IGNORECASE)]


def test_albanian_descriptions_are_written_with_albanian_letters() -> None:
    joined = " ".join(i.description["sq"] for i in load().indicators)
    assert "ë" in joined and "ç" in joined


def test_the_catalogue_version_names_the_data() -> None:
    assert re.fullmatch(r"\d{4}\.\d{2}-\d+\+[0-9a-f]{8}", load().version)


@pytest.mark.parametrize("lang", ["sq", "en"])
def test_every_catalogue_pattern_compiles_to_indexed_token_tests(lang: str) -> None:
    pipeline = matching.pipeline(lang)
    engine = pipeline.engine
    assert pipeline.pattern_count == len(engine.owners) == len(engine.required) > 1000
    indexed = {n for numbers in engine.by_anchor.values() for n in numbers} | set(engine.always)
    assert indexed == set(range(pipeline.pattern_count))  # every pattern can be found
    for slots in engine.patterns:
        assert not slots[0].is_gap and not slots[-1].is_gap  # no gap at an edge
        assert () not in slots[0].choices and () not in slots[-1].choices


@pytest.mark.parametrize("bad", ["~ pasaportë", "pasaportë ~", "a ~ ~ b", "", "marr ~x pasaportë"])
def test_malformed_patterns_are_rejected(bad: str) -> None:
    with pytest.raises(PatternError):
        parse(bad)


def test_a_too_short_prefix_is_rejected() -> None:
    from triage.catalogue import check_prefixes

    with pytest.raises(CatalogueError):
        check_prefixes(parse("di* emrin"), "test")


def test_start_up_builds_the_catalogue_and_matchers_once() -> None:
    # Start-up time is measured in bench/triage.py, not timed here.
    load.cache_clear()
    matching.pipeline.cache_clear()
    first = load()
    matching.warm_up()
    assert load() is first
    assert matching.pipeline.cache_info().currsize >= 1
