"""A cheap guess of sq or en for replying to SMS and calls (triage has the full detector)."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[a-zëç]+")
_SQ = frozenset(
    [
        "nje",
        "një",
        "dhe",
        "per",
        "për",
        "eshte",
        "është",
        "jane",
        "janë",
        "nuk",
        "ne",
        "në",
        "te",
        "të",
        "qe",
        "që",
        "me",
        "se",
        "si",
        "ka",
        "kane",
        "kanë",
        "une",
        "unë",
        "ajo",
        "ai",
        "ata",
        "ato",
        "ku",
        "kur",
        "ndihme",
        "ndihmë",
        "vajza",
        "djali",
        "femije",
        "fëmijë",
        "pune",
        "punë",
        "mire",
        "mirë",
        "faleminderit",
        "pershendetje",
        "përshëndetje",
        "po",
        "jo",
    ]
)
_EN = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "not",
        "a",
        "an",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "she",
        "he",
        "they",
        "it",
        "my",
        "her",
        "his",
        "was",
        "were",
        "help",
        "please",
        "work",
        "girl",
        "boy",
        "child",
        "children",
        "thanks",
        "hello",
        "yes",
        "no",
    ]
)


# A greeting is how many reports begin, and it names its language plainly: it counts double.
_GREETINGS = {
    "sq": frozenset(["pershendetje", "tungjatjeta", "miredita", "mirembrema", "tung", "ckemi"]),
    "en": frozenset(["hello", "hi", "hey", "good", "morning", "evening", "please", "help"]),
}


def _counts(text: str, greetings: int = 0) -> tuple[int, int] | None:
    """(Albanian, English) common-word counts, greetings weighted; None for Albanian letters."""
    lowered = text.lower()
    if "ë" in lowered or "ç" in lowered:
        return None
    words = _WORDS.findall(lowered)
    sq = sum(w in _SQ for w in words) + greetings * sum(w in _GREETINGS["sq"] for w in words)
    en = sum(w in _EN for w in words) + greetings * sum(w in _GREETINGS["en"] for w in words)
    return sq, en


def guess_language(text: str, default: str = "sq") -> str:
    """Return "sq" or "en" by counting common words; Albanian letters decide at once."""
    counts = _counts(text)
    if counts is None:
        return "sq"
    sq, en = counts
    if sq == en:
        return default
    return "sq" if sq > en else "en"


def detect_language(text: str) -> str | None:
    """Return "sq" or "en" when the text clearly is one of them, otherwise None."""
    counts = _counts(text, greetings=2)
    if counts is None:
        return "sq"
    sq, en = counts
    # One shared-looking word ("a", "me", "ne") is not enough to decide.
    if max(sq, en) < 2 or sq == en:
        return None
    return "sq" if sq > en else "en"


def known_language(code: str | None) -> str | None:
    """Telegram's language_code when it is one of ours ("en-GB" counts as "en"), else None."""
    base = (code or "").split("-")[0].lower()
    return base if base in ("sq", "en") else None
