"""Text folding that keeps character offsets: lower case, ë→e, ç→c, typographic quotes→'."""

from __future__ import annotations

# One character in, one character out, so offsets in the folded text are offsets in the tip.
_FOLD = str.maketrans(
    {
        "ë": "e",
        "Ë": "e",
        "ç": "c",
        "Ç": "c",
        "é": "e",
        "è": "e",
        "ê": "e",
        "à": "a",
        "á": "a",
        "ö": "o",
        "ü": "u",
        "’": "'",
        "‘": "'",
        "`": "'",
        "´": "'",
        "–": "-",
        "—": "-",
    }
)

# Only the apostrophes and dashes, for the text handed to the tokenizer (it must keep case).
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def fold(text: str) -> str:
    """Return the folded form of text; always the same length as text."""
    lowered = text.lower()
    if len(lowered) != len(text):
        # A few characters (e.g. "İ") lower-case to two; fall back per character.
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(_FOLD)


def for_tokenizer(text: str) -> str:
    """Return text with typographic apostrophes made plain, same length, case kept."""
    return text.translate(_QUOTES)


def sms_variants(word: str) -> tuple[str, ...]:
    """Return the folded word and its SMS spelling with q for ç (if it has a ç)."""
    base = fold(word)
    if "ç" not in word and "Ç" not in word:
        return (base,)
    # Only letters that were ç become q: "vjeç" → "vjeq", but "cili" stays.
    sms = "".join("q" if c == "ç" else f for c, f in zip(word.lower(), base, strict=True))
    return (base, sms)
