"""Negation: "nuk i kanë marrë pasaportën" and "they did not take her passport" cancel a sign."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from triage.lexicon import LanguageData
from triage.normalise import fold

# How far back a negator still reaches: "nuk ia kanë marrë" has it three words before the verb.
WINDOW = 4


def is_negator(token: Token, data: LanguageData) -> bool:
    """True when the token negates (nuk, s'ia, not, n't, never …)."""
    word = fold(token.text)
    if word in data.negators or token.norm_ in data.negators:
        return True
    # Albanian writes the negation as a prefix: s'ka, s'ia, s'e (split off as "s'" by the
    # tokenizer when a word follows).
    return data.lang == "sq" and word.startswith("s'")


def _is_boundary(token: Token, data: LanguageData) -> bool:
    return token.is_punct or fold(token.text) in data.boundaries


def is_negated(doc: Doc, start: int, end: int, data: LanguageData, look_inside: bool) -> bool:
    """True when a negator governs the matched tokens doc[start:end].

    A negator counts if it stands at most WINDOW words before the match in the same clause,
    or (when look_inside) among the words the match skipped over ("passport was not taken").
    """
    index = start - 1
    while index >= 0 and start - index <= WINDOW:
        token = doc[index]
        if _is_boundary(token, data):
            break
        if is_negator(token, data):
            return True
        index -= 1
    return look_inside and any(is_negator(t, data) for t in doc[start:end])
