"""Albanian inflection, SMS spelling, negation and mixed-language matching."""

from __future__ import annotations

import pytest

import triage
from tests.triage_checks import fired
from triage import matching


@pytest.mark.parametrize(
    "form", ["pasaportë", "pasaporta", "pasaportën", "pasaportat", "pasaportave"]
)
def test_every_form_of_pasaportë_reaches_the_same_key(form: str) -> None:
    lemmatise = matching.pipeline("sq").lemmatiser
    assert lemmatise(form) == lemmatise("pasaportë")
    assert "documents_withheld" in fired(f"Ia morën {form}.")


@pytest.mark.parametrize("form", ["vajzë", "vajza", "vajzën", "vajzat", "VAJZE", "vajz"])
def test_every_form_of_vajzë_reaches_the_same_key(form: str) -> None:
    lemmatise = matching.pipeline("sq").lemmatiser
    assert lemmatise(form) == lemmatise("vajzë")


def test_inflection_comes_from_stems_not_from_one_literal_per_form() -> None:
    lemmatiser = matching.pipeline("sq").lemmatiser
    assert "pasaportën" not in lemmatiser.explicit
    assert "pasaport" in lemmatiser.stems


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("femijet lypin cdo dite", "begging"),
        ("FËMIJËT LYPIN ÇDO DITË", "begging"),
        ("e kane qu ne Itali", "moved_abroad"),  # SMS: q for ç in "çuar"
        ("ia kan marr pasaporten", "documents_withheld"),  # SMS: dropped ë
        ("qika e vogel lyp", "minor_mentioned"),  # SMS: q for ç in "çika"
    ],
)
def test_sms_spelling_and_missing_diacritics_still_match(text: str, indicator: str) -> None:
    assert indicator in fired(text)


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("Nuk i kanë marrë pasaportën.", "documents_withheld"),
        ("S'ia kanë marrë pasaportën.", "documents_withheld"),
        ("They did not take her passport.", "documents_withheld"),
        ("They didn't take her passport.", "documents_withheld"),
        ("Her passport was not taken.", "documents_withheld"),
        ("Nuk e mbajnë të mbyllur.", "locked_in"),
        ("They never locked her in.", "locked_in"),
        ("Askush nuk e detyron të prostituohet.", "forced_prostitution"),
        ("Nobody forced her to work.", "forced_labour"),
        ("Vajza nuk është në rrezik.", "imminent_danger"),
    ],
)
def test_negation_stops_the_strongest_indicators(text: str, indicator: str) -> None:
    result = triage.assess(text)
    assert indicator not in {hit.id for hit in result.indicators}
    assert indicator in result.negated


def test_negation_does_not_reach_across_a_clause() -> None:
    found = fired("Nuk flet shqip, por ia kanë marrë pasaportën.")
    assert "documents_withheld" in found


def test_a_pattern_that_is_itself_negative_is_not_cancelled_by_its_own_negation() -> None:
    assert "cannot_leave" in fired("Nuk e lënë të dalë nga shtëpia.")
    assert "wages_withheld" in fired("He was not paid for three months.")


def test_mixed_albanian_and_english_match_both_lexicons() -> None:
    found = fired("Vajza e komshiut e kane qu ne Itali. Her boyfriend took her passport.")
    assert {"moved_abroad", "documents_withheld", "lover_method"} <= found


def test_mixed_messages_match_both_lexicons_whatever_language_is_chosen() -> None:
    text = "Shoqja ime eshte locked in nje apartament, ska pasaporte"
    assert fired(text, "sq") == fired(text, "en")
    assert {"locked_in", "no_documents"} <= fired(text, "sq")


def test_typographic_apostrophes_are_read_as_plain_ones() -> None:
    result = triage.assess("S’ia kanë marrë pasaportën. They didn’t take her ID either.")
    assert "documents_withheld" not in {hit.id for hit in result.indicators}
    assert "documents_withheld" in result.negated


def test_word_gaps_do_not_cross_sentence_punctuation() -> None:
    assert "documents_withheld" not in fired("Ia morën. Pasaporta ishte në shtëpi.")


def test_a_longer_prefix_in_the_catalogue_does_not_hide_words_from_a_shorter_one() -> None:
    # "promise*" (deception) and "promis*" (marriage) both exist in the English lexicon.
    assert "marriage_promise" in fired("He promised to marry her and took her to Italy.")
    assert "deception" in fired("It was a false promise of work.")


def test_a_long_tip_is_matched_piece_by_piece_without_losing_signs_or_offsets() -> None:
    filler = "dhe ai tha se " * 30
    text = f"{filler}ia morën pasaportën {filler}. {filler}E mbajnë të mbyllur."
    result = triage.assess(text)
    found = {hit.id: hit.spans for hit in result.indicators}
    assert "documents_withheld" in found and "locked_in" in found
    for spans in found.values():
        assert all(text[start:end] == words for start, end, words in spans)
