"""A linter for the catalogue's pattern syntax: one position per word, so "a|b c" is (a|b) then c.

Writing a phrase as an alternative ("haven't|have not", "u lirua|u lirova") silently makes a
pattern that matches neither phrase; example tests caught such bugs only where an example
happened to use the phrase. These checks find the shapes that betray the mistake.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from triage.catalogue import load

_MARKERS = ("~", "@", "#")
_CONTRACTION = re.compile(r"\w['’]\w")


def _folded(word: str) -> str:
    return re.sub(r"[-'’ =*]", "", word.lower())


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) != 1:
        return False
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def problems(pattern: str) -> Iterator[str]:
    """Why two neighbouring positions of a pattern look like a phrase written as alternatives."""
    words = pattern.split()
    for first, second in zip(words, words[1:], strict=False):
        if first.startswith(_MARKERS) or second.startswith(_MARKERS):
            continue
        left, right = first.split("|"), second.split("|")
        if len(left) == 1 and len(right) == 1:
            continue
        alternatives = {w: _folded(w) for w in left + right}
        for a in left:
            for b in right:
                joined = _folded(a + b)
                for other, folded in alternatives.items():
                    if other in (a, b):
                        continue
                    # "night club|nightclub", or "did not" beside "didn't".
                    if joined == folded or (
                        _CONTRACTION.search(other) and _one_edit_apart(joined, folded)
                    ):
                        yield f"'{a} {b}' reads as the alternative '{other}'"
        if set(left) & set(right) and (len(left) == 1 or len(right) == 1):
            yield f"'{first}' and '{second}' repeat a word"  # "u lirua|u lirova"
        if any(_CONTRACTION.search(w) for w in left) and any(_CONTRACTION.search(w) for w in right):
            yield f"'{first}' and '{second}' both hold contractions"  # "i'm|i am|we're"


@pytest.mark.parametrize(
    "pattern",
    [
        "haven't|have not ~2 paid",
        "didn't|did not|don't ~1 bring ~1 enough",
        "u lirua|u lirova|shpëtova",
        "night club|nightclub",
        "i'm|i am|we're ~1 planning",
        "shkoll* ~1 9-vjeçare|9 vjeçare|9vjeçare|fillore",
    ],
)
def test_the_linter_finds_a_phrase_written_as_an_alternative(pattern: str) -> None:
    assert list(problems(pattern))


@pytest.mark.parametrize(
    "pattern",
    [
        "i can't|cannot ~2 leave|go",
        "nuk|s' jane|janë ~1 kthyer",
        "vitin|viti ~1 e|i ~1 parë|pare",
        "didn't|don't ~1 bring ~1 enough",
    ],
)
def test_the_linter_accepts_positions_of_single_words(pattern: str) -> None:
    assert not list(problems(pattern))


def test_no_catalogue_pattern_writes_a_phrase_as_an_alternative() -> None:
    found = [
        f"{indicator.id} ({lang}): {pattern}: {problem}"
        for indicator in load().indicators
        for lang, patterns in indicator.patterns.items()
        for pattern in patterns
        for problem in problems(pattern)
    ]
    assert not found, "\n".join(found)
