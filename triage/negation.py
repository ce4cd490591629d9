"""Negation: "nuk i kanë marrë pasaportën" and "they did not take her passport" cancel a sign."""

from __future__ import annotations

from triage.engine import Tokens
from triage.lexicon import LanguageData

# How far back a negator still reaches: "nuk ia kanë marrë" has it three words before the verb.
WINDOW = 4


def is_negator(tokens: Tokens, i: int, data: LanguageData) -> bool:
    """True when token i negates (nuk, s'ia, not, n't, never …)."""
    word = tokens.folded[i]
    if word in data.negators or tokens.norm[i] in data.negators:
        return True
    # Albanian writes the negation as a prefix: s'ka, s'ia, s'e (split off as "s'" by the
    # tokenizer when a word follows).
    return data.lang == "sq" and word.startswith("s'")


def _is_boundary(tokens: Tokens, i: int, data: LanguageData) -> bool:
    return tokens.clause_end[i] or tokens.folded[i] in data.boundaries


def is_negated(tokens: Tokens, start: int, end: int, data: LanguageData, look_inside: bool) -> bool:
    """True when a negator governs the matched tokens start..end (end exclusive).

    A negator counts if it stands at most WINDOW words before the match in the same clause,
    or (when look_inside) among the words the match skipped over ("passport was not taken").
    The tokens are the engine's view of the tip (their key, folded text and clause ends).
    """
    index = start - 1
    while index >= 0 and start - index <= WINDOW:
        if _is_boundary(tokens, index, data):
            break
        if is_negator(tokens, index, data):
            return True
        index -= 1
    return look_inside and any(is_negator(tokens, i, data) for i in range(start, end))
