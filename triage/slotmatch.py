"""The pattern engine's slot matcher: where a pattern's first slot starts, where its slots end.

Kept apart from `triage.engine` (patterns, index, candidates), which it serves; it reads the
engine's types only through their attributes.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.engine import Sequence_, Slot, Test, Tokens

    _Index = tuple[
        bool,
        frozenset[str] | None,
        tuple[Test, ...],
        dict[str, list[Sequence_]],
        tuple[Sequence_, ...],
    ]

# A tip's words are also indexed by every prefix of at least this many letters, marked, so that
# patterns with a prefix word (mbyll*) are found like any other.
MIN_PREFIX = 4
PREFIX_MARK = "\x00"


def first_starts(
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


_NOTHING: frozenset[int] = frozenset()


@cache
def _slot_index(slot: Slot) -> _Index:
    """A choice's optionality, guard, one-token tests, phrases by first word, other phrases.

    The guard holds the index keys (`index_keys`) one of which a token must have to pass any
    first test of the choice, or None when that cannot be said (a gap, an optional choice, a
    web address, a prefix shorter than the index's): a token without one ends nothing here.
    """
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
    optional = () in slot.choices
    guard = None
    firsts = [seq[0] for seq in slot.choices if seq]
    if not slot.is_gap and not optional and all(_guardable(test) for test in firsts):
        guard = frozenset(v for t in firsts for v in (*t.values, *_marked(t.prefixes)))
    return optional, guard, singles, keyed, tuple(others)


def _guardable(test: Test) -> bool:
    return test.kind in ("norm", "lower", "orth") and all(
        len(p) >= MIN_PREFIX for p in test.prefixes
    )


def _marked(prefixes: tuple[str, ...]) -> list[str]:
    return [PREFIX_MARK + p for p in prefixes]


def ends(
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
        j, clause_end, keys = i, tokens.clause_end, tokens.keys
        guard = _slot_index(slots[k + 1])[1] if k + 1 < len(slots) else None
        while True:
            # Most words in a gap start nothing: the next slot's guard skips them without a call.
            if guard is None or (j < n and not guard.isdisjoint(keys[j])):
                found.update(ends(slots, k + 1, j, tokens, memo))
            if j - i >= slot.gap or j >= n or clause_end[j]:
                break
            j += 1
    else:
        optional, guard, singles, keyed, others = _slot_index(slot)
        if guard is not None and (i >= n or guard.isdisjoint(tokens.keys[i])):
            memo[(k, i)] = _NOTHING
            return _NOTHING
        if optional:  # an optional word left out
            found.update(ends(slots, k + 1, i, tokens, memo))
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
                found.update(ends(slots, k + 1, i + 1, tokens, memo))
            if keyed or others:
                # Phrases (several tokens) are looked up by their first word, not all tried.
                phrases = [*keyed.get(norm, ()), *keyed.get(tokens.lower[i], ()), *others]
                for seq in dict.fromkeys(phrases):
                    length = len(seq)
                    if i + length <= n and all(tokens.passes(t, i + o) for o, t in enumerate(seq)):
                        found.update(ends(slots, k + 1, i + length, tokens, memo))
    result = memo[(k, i)] = frozenset(found)
    return result
