"""The pattern engine: catalogue patterns compiled to token tests, matched over a tip's tokens.

A pattern is a sequence of slots; a slot is a choice between token sequences (a word, an
inflected word's key, a prefix's keys, an exact spelling, a word group's phrases, a number, a
web address; an optional slot also allows nothing) or a gap of up to N words inside a clause.
Patterns are indexed by their rarest required word, so a tip only tries the patterns whose
required words it all contains, each from the positions where its first slot can start (the slot
matching itself is in `triage.slotmatch`). Word groups
stay sets (one membership test, however many words), so the catalogue can grow without the
combinatorial blow-up of expanding every alternative into its own pattern.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from triage.slotmatch import MIN_PREFIX, PREFIX_MARK, ends, first_starts


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
        if not tokens.keys:  # the slot matcher's guards read them
            computed = [
                index_keys(*row)
                for row in zip(tokens.norm, tokens.lower, tokens.orth, tokens.folded, strict=True)
            ]
            tokens = replace(tokens, keys=computed)
        keys = tokens.keys
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
        # Patterns share their first slot (a word group's choice): its starts are found once.
        starts_of: dict[Slot, list[int]] = {}
        for number in candidates:
            for needed in required[number]:  # a loop, not any(): no generator per candidate
                if needed.isdisjoint(present):
                    break
            else:
                slots, owner = patterns[number], owners[number]
                starts = starts_of.get(slots[0])
                if starts is None:
                    starts = starts_of[slots[0]] = first_starts(slots[0], where, present, tokens)
                for start in starts:
                    for end in ends(slots, 0, start, tokens, {}):
                        yield owner, start, end


def index_keys(norm: str, lower: str, orth: str, folded: str) -> tuple[str, ...]:
    """A token's words in the tip index: its key, spellings, and marked prefixes (no repeats)."""
    keys = list(dict.fromkeys((norm, lower, orth)))
    keys += [PREFIX_MARK + folded[:length] for length in range(MIN_PREFIX, len(folded) + 1)]
    return tuple(keys)


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
