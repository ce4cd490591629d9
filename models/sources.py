"""Who added a part of a tip's text: marks stored in the text, never writable by a sender.

Anyone who knows a reference code can add text to that tip. Text added that way starts with a
mark saying whether it came from the tip's own reporter (the same keyed pseudonym) or from
another sender, and officials see the mark as a label in their language. The marks are two
private-use characters; every text a sender writes is stripped of them before it is stored, so a
sender cannot forge a label (nor hide one).
"""

from __future__ import annotations

from collections.abc import Mapping

SAME_REPORTER = "\ue001"
OTHER_SENDER = "\ue002"
MARKS = {SAME_REPORTER: "same", OTHER_SENDER: "other"}
_STRIP = str.maketrans({mark: None for mark in MARKS})


def clean(text: str) -> str:
    """Remove every source mark from a sender's text."""
    return text.translate(_STRIP)


def mark(source: str) -> str:
    """The mark that starts an added part: "same" (the reporter) or "other" (another sender)."""
    return SAME_REPORTER if source == "same" else OTHER_SENDER


def plain(text: str, labels: Mapping[str, str]) -> str:
    """Replace each mark by its (translated) label in brackets, for plain-text readers."""
    for character, source in MARKS.items():
        text = text.replace(character, f"[{labels[source]}]")
    return text
