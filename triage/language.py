"""Language of a tip: the person's explicit choice wins, then cheap cues, then lingua (sq/en)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from triage.normalise import fold

# Frequent words that exist in only one of the two languages (after folding ë→e).
_SQ_TEXT = (
    "nje te ne dhe per qe eshte nuk ka kam jam ajo ai une ju si ku cfare shume vajza vajze "
    "djali femije pune ia kane jane ishte mund do ta edhe por nese tani sonte kush e "
    "pershendetje faleminderit motra shoqja lokal"
)
_EN_TEXT = (
    "the and is to of she he they was her his my not with for that this are at have has "
    "been from there works work girl girls boy child children please help who what where "
    "how hello thank thanks you your our their"
)
_SQ_WORDS = frozenset(_SQ_TEXT.split())
_EN_WORDS = frozenset(_EN_TEXT.split())
LINGUA_CHARS = 400
_WORD = re.compile(r"[a-z']+")
_SQ_LETTERS = re.compile(r"[ëçËÇ]")


def explicit_choice(lang: str | None) -> str | None:
    """Return "sq" or "en" for a language the person named ("Shqip", "en-GB"), else None."""
    if not lang:
        return None
    value = lang.strip().lower()
    if value.startswith(("sq", "al", "shq", "alb")):
        return "sq"
    if value.startswith("en"):
        return "en"
    return None


def has_albanian_letters(text: str) -> bool:
    """Return True when the text has ë or ç, which only Albanian of our two languages writes."""
    return _SQ_LETTERS.search(text) is not None


def words(text: str) -> list[str]:
    """Return the folded words of text (ë→e, ç→c, lower case), as the cues count them."""
    return _WORD.findall(fold(text))


def cue_counts(found: list[str]) -> tuple[int, int]:
    """Return how many of the words are frequent only in Albanian, and only in English."""
    return sum(w in _SQ_WORDS for w in found), sum(w in _EN_WORDS for w in found)


@cache
def _detector() -> Any:
    # Imported here: lingua loads its models lazily and only for texts the cues cannot settle.
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ALBANIAN, Language.ENGLISH).build()


def detect(text: str, lang: str | None = None) -> str:
    """Return "sq" or "en" for the tip; an explicit choice by the person always wins."""
    chosen = explicit_choice(lang)
    if chosen:
        return chosen
    found = words(text)
    sq, en = cue_counts(found)
    sq += 3 * len(_SQ_LETTERS.findall(text))
    if sq >= en + 2:
        return "sq"
    if en >= sq + 2:
        return "en"
    if not found:
        return "sq"  # an Albanian service: empty or digit-only messages default to Albanian
    from lingua import Language

    # The first few hundred characters settle the language; lingua's cost grows with length.
    found = _detector().detect_language_of(text[:LINGUA_CHARS])
    if found == Language.ENGLISH:
        return "en"
    if found == Language.ALBANIAN:
        return "sq"
    return "sq" if sq >= en else "en"
