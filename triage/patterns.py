"""The small pattern language of the catalogue: words, alternatives, groups, gaps, prefixes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

DEFAULT_GAP = 3


@dataclass(frozen=True)
class Word:
    """A word in any of its inflected forms; a trailing * makes it a prefix."""

    text: str


@dataclass(frozen=True)
class GroupRef:
    """A reference to a named word group (@NAME)."""

    name: str


@dataclass(frozen=True)
class Number:
    """A number from minimum up (#12+, at most 999), or a range (#1990-2023)."""

    minimum: int
    maximum: int = 999


@dataclass(frozen=True)
class Url:
    """A web address (<url>)."""


Alternative = Word | GroupRef | Number | Url


@dataclass(frozen=True)
class Choice:
    """One position of a pattern: any of the alternatives, possibly optional."""

    alternatives: tuple[Alternative, ...]
    optional: bool = False


@dataclass(frozen=True)
class Gap:
    """Up to `most` other words (not punctuation) between two positions."""

    most: int


Slot = Choice | Gap
Pattern = tuple[Slot, ...]


class PatternError(ValueError):
    """A catalogue pattern that cannot be parsed."""


def _alternative(text: str) -> Alternative:
    if text.startswith("@") and len(text) > 1:
        return GroupRef(text[1:])
    if text.startswith("#") and text.endswith("+") and text[1:-1].isdigit():
        if int(text[1:-1]) > Number.maximum:
            raise PatternError(f"{text!r}: open ranges end at {Number.maximum}")
        return Number(int(text[1:-1]))
    low, dash, high = text[1:].partition("-")
    if text.startswith("#") and dash and low.isdigit() and high.isdigit() and int(low) <= int(high):
        return Number(int(low), int(high))
    if text == "<url>":
        return Url()
    return Word(text)


@cache
def parse(pattern: str) -> Pattern:
    """Parse one pattern string; raise PatternError when it is malformed (cached: pure)."""
    slots: list[Slot] = []
    for part in pattern.split():
        if part.startswith("~"):
            rest = part[1:]
            if rest and not rest.isdigit():
                raise PatternError(f"bad gap {part!r} in {pattern!r}")
            if not slots or isinstance(slots[-1], Gap):
                raise PatternError(f"gap at the start or after a gap in {pattern!r}")
            slots.append(Gap(int(rest) if rest else DEFAULT_GAP))
            continue
        optional = part.endswith("?") and len(part) > 1
        body = part[:-1] if optional else part
        alternatives = tuple(_alternative(a) for a in body.split("|") if a)
        if not alternatives:
            raise PatternError(f"empty position in {pattern!r}")
        slots.append(Choice(alternatives, optional))
    if not slots or isinstance(slots[-1], Gap):
        raise PatternError(f"empty pattern or gap at the end: {pattern!r}")
    return tuple(slots)


def words_of(pattern: Pattern, groups: dict[str, tuple[str, ...]]) -> list[str]:
    """Every literal word a pattern uses, group entries included (for the lemmatiser)."""
    found: list[str] = []
    for slot in pattern:
        if isinstance(slot, Gap):
            continue
        for alt in slot.alternatives:
            if isinstance(alt, Word) and not alt.text.startswith("="):
                found.append(alt.text)
            elif isinstance(alt, GroupRef):
                for phrase in groups.get(alt.name, ()):
                    found.extend(phrase.split())
    return found
