"""The pattern engine: choices, optional words, gaps that stop at a clause end, indexing."""

from __future__ import annotations

from triage.engine import Engine, Slot, Tokens, trim
from triage.engine import Test as TokenTest


def _tokens(*words: str) -> Tokens:
    lowered = [w.lower() for w in words]
    return Tokens(
        norm=lowered,
        lower=lowered,
        orth=list(words),
        folded=lowered,
        clause_end=[w in {",", "."} for w in words],
        title=[w.istitle() for w in words],
        url=[w.startswith("www.") for w in words],
    )


def _word(*values: str) -> Slot:
    return Slot(((TokenTest("norm", frozenset(values)),),))


def _matches(slots: list[Slot], *words: str) -> set[tuple[int, int]]:
    engine = Engine()
    engine.add(7, slots)
    return {(start, end) for rule, start, end in engine.find(_tokens(*words)) if rule == 7}


def test_a_gap_skips_words_but_never_a_clause_end() -> None:
    pattern = [_word("took"), Slot(gap=3), _word("passport")]
    assert _matches(pattern, "they", "took", "her", "passport") == {(1, 4)}
    assert _matches(pattern, "took", "a", "b", "c", "passport") == {(0, 5)}
    assert _matches(pattern, "took", "a", "b", "c", "d", "passport") == set()
    assert _matches(pattern, "took", "it", ",", "passport") == set()


def test_an_optional_word_may_be_missing_even_at_the_edges() -> None:
    optional = Slot(((TokenTest("norm", frozenset({"her"})),), ()))
    pattern = [optional, _word("passport")]
    assert _matches(pattern, "her", "passport") == {(0, 2), (1, 2)}
    assert _matches(pattern, "the", "passport") == {(1, 2)}
    assert len(trim(pattern)) == 2


def test_a_phrase_alternative_and_a_set_alternative_share_one_slot() -> None:
    identity = (TokenTest("norm", frozenset({"identity"})), TokenTest("norm", frozenset({"card"})))
    choice = Slot(((TokenTest("norm", frozenset({"id", "papers"})),), identity))
    pattern = [_word("kept"), choice]
    assert _matches(pattern, "kept", "identity", "card") == {(0, 3)}
    assert _matches(pattern, "kept", "papers") == {(0, 2)}
    assert _matches(pattern, "kept", "identity") == set()


def test_a_capitalised_name_test_refuses_the_ordinary_word() -> None:
    pattern = [Slot(((TokenTest("lower", frozenset({"has"}), title=True),),))]
    assert _matches(pattern, "Has") == {(0, 1)}
    assert _matches(pattern, "has") == set()


def test_a_pattern_is_indexed_under_its_least_common_required_words() -> None:
    engine = Engine()
    engine.add(1, [_word("e"), Slot(gap=2), _word("pasaporte", "dokument")])
    assert set(engine.by_anchor) == {"pasaporte", "dokument"}
    # A tip with the common word only never reaches the pattern's matching.
    assert list(engine.find(_tokens("e", "mori", "lekët"))) == []
    assert list(engine.find(_tokens("e", "mori", "pasaporte"))) == [(1, 0, 3)]
