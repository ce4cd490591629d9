"""A cheap guess of sq or en for replies, on triage's word cues (triage has the full detector).

The words, the folding and the reading of a named language are triage's (`triage.language`),
so a reply and the assessment weigh a text alike. What stays here is the bot's policy: no lingua
(a reply must not wait for a model), a tie keeps the caller's default, and greetings count more.
"""

from __future__ import annotations

from triage.language import cue_counts, explicit_choice, has_albanian_letters, words

# A greeting is how many reports begin, and it names its language plainly: it counts double.
_GREETINGS = {
    "sq": frozenset(["pershendetje", "tungjatjeta", "miredita", "mirembrema", "tung", "ckemi"]),
    "en": frozenset(["hello", "hi", "hey", "good", "morning", "evening", "please", "help"]),
}


def _counts(text: str, greetings: int = 0) -> tuple[int, int] | None:
    """(Albanian, English) common-word counts, greetings weighted; None for Albanian letters."""
    # ë and ç settle it at once here: an SMS reply needs no weighing against a few English words.
    if has_albanian_letters(text):
        return None
    found = words(text)
    sq, en = cue_counts(found)
    if greetings:
        sq += greetings * sum(w in _GREETINGS["sq"] for w in found)
        en += greetings * sum(w in _GREETINGS["en"] for w in found)
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
    # The primary subtag only ("en-GB" → "en"); triage reads it as it reads a chosen language.
    return explicit_choice((code or "").split("-")[0])
