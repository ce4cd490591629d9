"""The pattern engine: catalogue patterns compiled to token tests, matched over a tip's tokens.

A pattern is a sequence of slots; a slot is a choice between token sequences (a word, an
inflected word's key, a prefix's keys, an exact spelling, a word group's phrases, a number, a
web address; an optional slot also allows nothing) or a gap of up to N words inside a clause.
Patterns are indexed by the tests their first slot can start with, so a tip only tries the
patterns whose first word it contains, and each is checked from that position only. Word groups
stay sets (one membership test, however many words), so the catalogue can grow without the
combinatorial blow-up of expanding every alternative into its own pattern.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache


# eq=False: tests and slots are built once and shared, so identity is equality, and hashing
# by identity keeps the per-token cache lookups from re-hashing every nested set (a third of
# the matching time when they hashed by value).
@dataclass(frozen=True, eq=False)
class Test:
    """One token test: its matching key (norm), lower-cased text, exact text, or a web address."""

    kind: str  # "norm", "lower", "orth" or "url"
    values: frozenset[str] = frozenset()
    title: bool = False  # the token must be capitalised (names that are also ordinary words)
    # For a prefix word (mbyll*): the folded written word may also just start with one of these.
    prefixes: tuple[str, ...] = ()


Sequence_ = tuple[Test, ...]
# A tip's words are also indexed by every prefix of at least this many letters, marked, so that
# patterns with a prefix word (mbyll*) are found like any other.
MIN_PREFIX = 4
PREFIX_MARK = "\x00"


@dataclass(frozen=True, eq=False)
class Slot:
    """A choice between token sequences (the empty one when optional), or a gap."""

    choices: tuple[Sequence_, ...] = ()
    gap: int = -1  # >= 0: up to this many non-punctuation tokens

    @property
    def is_gap(self) -> bool:
        """True for a gap slot."""
        return self.gap >= 0


@dataclass(frozen=True)
class Tokens:
    """What the tests read of each token of a tip."""

    norm: Sequence[str]
    lower: Sequence[str]
    orth: Sequence[str]
    folded: Sequence[str]
    clause_end: Sequence[bool]
    title: Sequence[bool]
    url: Sequence[bool]
    # Each token's index keys (`index_keys`); computed from the fields above when left empty.
    keys: Sequence[tuple[str, ...]] = ()

    def passes(self, test: Test, i: int) -> bool:
        """Whether token i passes the test."""
        if test.title and not self.title[i]:
            return False
        if test.kind == "norm":
            if self.norm[i] in test.values:
                return True
            return bool(test.prefixes) and self.folded[i].startswith(test.prefixes)
        if test.kind == "lower":
            return self.lower[i] in test.values
        if test.kind == "orth":
            return self.orth[i] in test.values
        return self.url[i]


def trim(slots: Sequence[Slot]) -> list[tuple[Slot, ...]]:
    """The variants of a pattern with no optional slot or gap at either edge.

    An optional first (or last) word becomes two variants, with and without it; a gap left at
    an edge is dropped, as a match never starts or ends with skipped words.
    """
    variants: list[tuple[Slot, ...]] = []
    pending = [tuple(slots)]
    while pending:
        current = pending.pop()
        while current and current[0].is_gap:
            current = current[1:]
        while current and current[-1].is_gap:
            current = current[:-1]
        if not current:
            continue
        for index in (0, len(current) - 1):
            slot = current[index]
            if () in slot.choices:
                required = Slot(tuple(c for c in slot.choices if c))
                without = current[:index] + current[index + 1 :]
                pending.append(current[:index] + (required,) + current[index + 1 :])
                pending.append(without)
                break
        else:
            variants.append(current)
    return variants


@dataclass
class Engine:
    """Compiled patterns, indexed by their rarest required word."""

    patterns: list[tuple[Slot, ...]] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)  # compiled pattern → rule number
    # For each compiled pattern, the words (any of each set) a tip must contain somewhere.
    required: list[tuple[frozenset[str], ...]] = field(default_factory=list)
    by_anchor: dict[str, list[int]] = field(default_factory=dict)
    always: list[int] = field(default_factory=list)  # patterns with no required word

    def add(self, rule: int, slots: Sequence[Slot]) -> None:
        """Compile one catalogue pattern (all its edge variants) for a rule."""
        for variant in trim(slots):
            number = len(self.patterns)
            self.patterns.append(variant)
            self.owners.append(rule)
            needed = _required(variant)
            self.required.append(needed)
            if not needed:
                self.always.append(number)
                continue
            # Indexed under the words of its least common required set: a tip containing none
            # of them cannot match, and common words ("e", "nuk") would select far too much.
            anchor = min(needed, key=_commonness)
            for word in anchor:
                self.by_anchor.setdefault(word, []).append(number)

    def find(self, tokens: Tokens) -> Iterator[tuple[int, int, int]]:
        """Every (rule, start, end) the patterns match, ends exclusive, in token positions."""
        where: dict[str, list[int]] = {}
        keys = tokens.keys or [
            index_keys(*row)
            for row in zip(tokens.norm, tokens.lower, tokens.orth, tokens.folded, strict=True)
        ]
        for i, token_keys in enumerate(keys):
            for key in token_keys:
                if (positions := where.get(key)) is None:
                    where[key] = [i]
                else:
                    positions.append(i)
        # A set, not the dict: frozenset.isdisjoint only iterates the smaller side of a set.
        present = set(where)
        candidates = set(self.always)
        by_anchor = self.by_anchor
        for word in by_anchor.keys() & present:  # iterates the tip's words, not the index
            candidates.update(by_anchor[word])
        required, patterns, owners = self.required, self.patterns, self.owners
        for number in candidates:
            for needed in required[number]:  # a loop, not any(): no generator per candidate
                if needed.isdisjoint(present):
                    break
            else:
                slots, owner = patterns[number], owners[number]
                for start in _starts(slots[0], where, present, tokens):
                    for end in _ends(slots, 0, start, tokens, {}):
                        yield owner, start, end


def index_keys(norm: str, lower: str, orth: str, folded: str) -> tuple[str, ...]:
    """A token's words in the tip index: its key, spellings, and marked prefixes (no repeats)."""
    keys = list(dict.fromkeys((norm, lower, orth)))
    keys += [PREFIX_MARK + folded[:length] for length in range(MIN_PREFIX, len(folded) + 1)]
    return tuple(keys)


def _starts(
    first: Slot, where: dict[str, list[int]], present: set[str], tokens: Tokens
) -> list[int]:
    """Positions where the first slot's first token test can pass."""
    found: set[int] = set()
    for seq in first.choices:
        test = seq[0]
        if test.kind == "url":
            found.update(i for i, url in enumerate(tokens.url) if url)
            continue
        # The intersection iterates the smaller side (a tip's words or a large number range).
        for value in test.values & present:
            found.update(where[value])
        # Prefixes are only looked up for sets smaller than the tip's words, as they always were
        # (a large set took the other branch, which never read them): the same starts as before.
        if len(test.values) < len(where):
            for prefix in test.prefixes:
                found.update(where.get(PREFIX_MARK + prefix, ()))
    return sorted(found)


def _required(slots: tuple[Slot, ...]) -> tuple[frozenset[str], ...]:
    """Per mandatory slot, the words one of which must appear (smallest sets first)."""
    needed = [words for slot in slots if (words := _slot_words(slot)) is not None]
    return tuple(sorted(needed, key=len))


@cache
def _slot_words(slot: Slot) -> frozenset[str] | None:
    """The words one of which a mandatory slot needs, or None (a gap, optional, an address)."""
    if slot.is_gap or () in slot.choices:
        return None
    if any(seq[0].kind == "url" for seq in slot.choices):
        return None
    words = {v for seq in slot.choices for v in seq[0].values}
    words.update(PREFIX_MARK + p for seq in slot.choices for p in seq[0].prefixes)
    return frozenset(words)


@cache
def _commonness(words: frozenset[str]) -> tuple[int, int]:
    # Short words (e, i, në, nuk, the) are everywhere: a set of them is a poor index.
    return (sum(len(w) <= 3 for w in words), len(words))


@cache
def _slot_index(
    slot: Slot,
) -> tuple[bool, tuple[Test, ...], dict[str, list[Sequence_]], tuple[Sequence_, ...]]:
    """Whether a choice is optional, its one-token tests, phrases by first word, other phrases."""
    singles = tuple(seq[0] for seq in slot.choices if len(seq) == 1)
    keyed: dict[str, list[Sequence_]] = {}
    others: list[Sequence_] = []
    for seq in slot.choices:
        if len(seq) < 2:
            continue
        first = seq[0]
        if first.kind in ("norm", "lower") and first.values and not first.prefixes:
            for value in first.values:
                keyed.setdefault(value, []).append(seq)
        else:
            others.append(seq)
    return () in slot.choices, singles, keyed, tuple(others)


def _ends(
    slots: tuple[Slot, ...],
    k: int,
    i: int,
    tokens: Tokens,
    memo: dict[tuple[int, int], frozenset[int]],
) -> frozenset[int]:
    """Positions where slots[k:] can end when started at token i."""
    if k == len(slots):
        return frozenset((i,))
    known = memo.get((k, i))
    if known is not None:
        return known
    slot, n = slots[k], len(tokens.norm)
    found: set[int] = set()
    if slot.gap >= 0:
        j, clause_end = i, tokens.clause_end
        while True:
            found.update(_ends(slots, k + 1, j, tokens, memo))
            if j - i >= slot.gap or j >= n or clause_end[j]:
                break
            j += 1
    else:
        optional, singles, keyed, others = _slot_index(slot)
        if optional:  # an optional word left out
            found.update(_ends(slots, k + 1, i, tokens, memo))
        if i < n:
            norm = tokens.norm[i]
            for test in singles:
                # The common test (a key, no capital required) inline; Tokens.passes otherwise.
                if test.kind == "norm" and not test.title:
                    if not (
                        norm in test.values
                        or (test.prefixes and tokens.folded[i].startswith(test.prefixes))
                    ):
                        continue
                elif not tokens.passes(test, i):
                    continue
                found.update(_ends(slots, k + 1, i + 1, tokens, memo))
            if keyed or others:
                # Phrases (several tokens) are looked up by their first word, not all tried.
                phrases = [*keyed.get(norm, ()), *keyed.get(tokens.lower[i], ()), *others]
                for seq in dict.fromkeys(phrases):
                    length = len(seq)
                    if i + length <= n and all(tokens.passes(t, i + o) for o, t in enumerate(seq)):
                        found.update(_ends(slots, k + 1, i + length, tokens, memo))
    result = memo[(k, i)] = frozenset(found)
    return result
