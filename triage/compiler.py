"""Compiling the catalogue in-process: patterns and word groups to engine slots, per language.

This is the slow half of start-up; `triage.compiled` stores its result as a build artefact,
and `triage.matching` only calls `compile_language` when that artefact is missing or stale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import spacy
from spacy.attrs import IS_PUNCT, NORM
from spacy.language import Language
from spacy.util import compile_prefix_regex

from triage import places
from triage.catalogue import Catalogue
from triage.engine import Engine, Slot, Test
from triage.lexicon import Lemmatiser, build_lemmatiser
from triage.normalise import sms_variants
from triage.patterns import Choice, GroupRef, Number, Pattern, Url, Word, parse, words_of

# A gap never crosses these: a sign is read within one clause.
CLAUSE_END_CHARS = frozenset(".,;:!?()…")

# spaCy emoticons made of a digit and a bracket ("8)", "(8"), which are numbers in a tip.
EMOTICON_NUMBER = re.compile(r"\(\d|\d-?\)")


@dataclass(frozen=True)
class Rule:
    """What a compiled pattern reports: an indicator or place, and how negation applies."""

    kind: str
    ident: str
    negatable: bool
    intrinsic_negation: bool  # the pattern itself contains "nuk"/"not": never negated again


@dataclass
class CompiledLanguage:
    """The compiled patterns of one language: what the build artefact stores per language."""

    lemmatiser: Lemmatiser
    engine: Engine
    rules: list[Rule]
    # Words the compiler tokenised before the lemmatiser was complete, whose spaCy lexemes
    # kept an earlier key: restored on a fresh pipeline so it matches exactly like this one.
    early_norms: dict[str, str]


def _groups(lang: str, catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    merged = dict(catalogue.groups[lang])
    merged.update(places.groups())
    return merged


def _place_patterns() -> list[tuple[str, Pattern, bool]]:
    return [(e.id, parse(f.pattern), f.title) for e in places.entries() for f in e.forms]


def _indicator_patterns(lang: str, catalogue: Catalogue) -> list[tuple[str, Pattern, bool]]:
    found = []
    for indicator in catalogue.indicators:
        for text in indicator.patterns.get(lang, ()):
            found.append((indicator.id, parse(text), indicator.negatable))
    return found


class _Compiler:
    """Turns parsed catalogue patterns into engine slots of token tests."""

    def __init__(
        self, nlp: Language, lemmatiser: Lemmatiser, groups: Mapping[str, tuple[str, ...]]
    ):
        self.nlp = nlp
        self.lemmatiser = lemmatiser
        self.groups = groups
        self._words: dict[tuple[str, bool], tuple[Test, ...]] = {}
        self._choices: dict[tuple[Choice, bool], Slot] = {}
        self._group_tests: dict[tuple[str, bool], tuple[tuple[Test, ...], ...]] = {}
        self._runs: dict[tuple[str, bool], tuple[Test, ...] | None] = {}

    def word(self, word: str, title: bool) -> tuple[Test, ...]:
        """The tests of one pattern word (cached: the same words recur across patterns)."""
        found = self._words.get((word, title))
        if found is None:
            found = self._words[(word, title)] = self._word(word, title)
        return found

    def _word(self, word: str, title: bool) -> tuple[Test, ...]:
        if word.startswith("=") and len(word) > 1:
            # Exact word: compared on the lower-cased text, folded or SMS-spelled.
            exact = frozenset({word[1:].lower(), *sms_variants(word[1:])})
            return (Test("lower", exact, title),)
        if word.endswith("*") and len(word) > 1:
            # A prefix also covers irregular forms the lemma table maps elsewhere.
            keys = self.lemmatiser.prefix_keys(self.lemmatiser.key_of_pattern_word(word))
            # The written word may start with the prefix while the analyser gave it the key of
            # a lemma that does not ("fejohet" → fejoj): test the spelling as well.
            prefixes = tuple(sorted(sms_variants(word[:-1])))
            return (Test("norm", frozenset(keys), title, prefixes),)
        if word.endswith("'") and len(word) == 2:
            # An elided word ("s'", "n'") is one token in a tip, where a letter follows it.
            return (Test("norm", frozenset({self.lemmatiser(word)}), title),)
        if word.isalpha():
            # One token for certain: its key without building a spaCy Doc (half of start-up).
            return (Test("norm", frozenset({self.lemmatiser(word)}), title),)
        return tuple(Test("norm", frozenset({t.norm_}), title) for t in self.nlp.make_doc(word))

    def split_run(self, word: str, title: bool) -> tuple[Test, ...] | None:
        """An exact word the tokenizer splits ("=s'ka", "=ex-wife"), as a run of exact tokens.

        Compared whole it matches only where the tokenizer keeps it whole ("DON'T" in capitals).
        """
        if not (word.startswith("=") and len(word) > 1):
            return None
        # The same exact words recur across hundreds of patterns: each is tokenised once.
        if (word, title) not in self._runs:
            parts = [t.text for t in self.nlp.make_doc(word[1:])]
            self._runs[(word, title)] = (
                tuple(Test("lower", frozenset({p.lower(), *sms_variants(p)}), title) for p in parts)
                if len(parts) > 1
                else None
            )
        return self._runs[(word, title)]

    def _choice(self, choice: Choice, title: bool) -> Slot:
        # Word groups recur in hundreds of patterns: each choice is compiled once.
        found = self._choices.get((choice, title))
        if found is None:
            found = self._choices[(choice, title)] = self._compile_choice(choice, title)
        return found

    def _compile_choice(self, choice: Choice, title: bool) -> Slot:
        sequences: list[tuple[Test, ...]] = []
        for alt in choice.alternatives:
            if isinstance(alt, Word):
                sequences.append(self.word(alt.text, title))
                if run := self.split_run(alt.text, title):
                    sequences.append(run)
            elif isinstance(alt, GroupRef):
                sequences.extend(self._group(alt.name, title))
            elif isinstance(alt, Number):
                numbers = frozenset(str(n) for n in range(alt.minimum, alt.maximum + 1))
                sequences.append((Test("orth", numbers),))
            elif isinstance(alt, Url):
                sequences.append((Test("url"),))
        return Slot(_merged(sequences) + ((),) if choice.optional else _merged(sequences))

    def _group(self, name: str, title: bool) -> tuple[tuple[Test, ...], ...]:
        # A group recurs in many choices: its phrases are compiled and merged once.
        found = self._group_tests.get((name, title))
        if found is None:
            if name not in self.groups:
                raise KeyError(f"unknown word group @{name}")
            phrases = [
                tuple(t for w in phrase.split() for t in self.word(w, title))
                for phrase in self.groups[name]
            ]
            found = self._group_tests[(name, title)] = _merged(phrases)
        return found

    def compile(self, pattern: Pattern, title: bool = False) -> list[Slot]:
        """The engine slots of a parsed pattern."""
        return [
            Slot(gap=slot.most) if not isinstance(slot, Choice) else self._choice(slot, title)
            for slot in pattern
        ]


def _merged(sequences: list[tuple[Test, ...]]) -> tuple[tuple[Test, ...], ...]:
    """One-token alternatives of one kind become one set test; repeated sequences go."""
    sets: dict[tuple[str, bool], set[str]] = {}
    prefixes: dict[tuple[str, bool], set[str]] = {}
    rest: dict[tuple[Test, ...], None] = {}  # ordered, repeated sequences once
    for seq in sequences:
        if len(seq) == 1 and seq[0].kind in ("norm", "lower", "orth"):
            key = (seq[0].kind, seq[0].title)
            sets.setdefault(key, set()).update(seq[0].values)
            prefixes.setdefault(key, set()).update(seq[0].prefixes)
        else:
            rest[seq] = None
    merged = [
        (Test(kind, frozenset(v), title, tuple(prefixes[(kind, title)])),)
        for (kind, title), v in sets.items()
    ]
    return tuple(merged + list(rest))


def _is_clause_end(text: str) -> bool:
    """Punctuation that ends a clause; quotes, apostrophes and dashes do not."""
    return bool(text) and all(c in CLAUSE_END_CHARS for c in text)


def _has_negator(slots: list[Slot], negators: frozenset[str]) -> bool:
    return any(_negating(t, negators) for slot in slots for seq in slot.choices for t in seq)


@cache
def _negating(test: Test, negators: frozenset[str]) -> bool:
    # Cached per test: word groups share their tests across hundreds of patterns.
    return not test.values.isdisjoint(negators) or any(v.startswith("s'") for v in test.values)


def blank_pipeline(lang: str, lemmatiser: Lemmatiser) -> Language:
    """spaCy's blank pipeline of a language, its word keys and clause ends read by ours."""
    nlp = spacy.blank(lang)
    if lang == "sq":
        # Albanian elides with an apostrophe: "s'shkon" (nuk shkon), "n'Itali" (në Itali),
        # "t'i", "m'kan". Splitting the elided word off lets "s'" negate and the rest match.
        defaults = cast(Any, nlp.Defaults)  # spaCy's class attributes are untyped
        prefixes = [*defaults.prefixes, r"[sSnNtTmM]'(?=\w)"]
        cast(Any, nlp.tokenizer).prefix_search = compile_prefix_regex(prefixes).search
    # spaCy reads "8)" as an emoticon and keeps it whole, so "(klasa e 8)" hid the grade 8 from
    # the patterns: a digit before a bracket is a number here, never a smiley.
    tokenizer = cast(Any, nlp.tokenizer)
    tokenizer.rules = {k: v for k, v in tokenizer.rules.items() if not EMOTICON_NUMBER.fullmatch(k)}
    getters = cast(Any, nlp.vocab).lex_attr_getters  # not in spaCy's type stubs
    getters[NORM] = lemmatiser
    getters[IS_PUNCT] = _is_clause_end
    # Lexemes created by spacy.blank cached the default attributes; recompute them with ours.
    for lexeme in nlp.vocab:
        lexeme.norm_ = lemmatiser(lexeme.orth_)
        lexeme.is_punct = _is_clause_end(lexeme.orth_)
    return nlp


def compile_language(lang: str, catalogue: Catalogue) -> tuple[CompiledLanguage, Language]:
    """Compile every indicator and place pattern of a language, with its spaCy pipeline."""
    groups = _groups(lang, catalogue)
    indicator_patterns = _indicator_patterns(lang, catalogue)
    place_patterns = _place_patterns()
    words = [w for _, p, _ in indicator_patterns + place_patterns for w in words_of(p, groups)]
    lemmatiser = build_lemmatiser(lang, dict.fromkeys(words))
    nlp = blank_pipeline(lang, lemmatiser)
    compiler = _Compiler(nlp, lemmatiser, groups)
    negators = frozenset(
        lemmatiser.data.negators | {lemmatiser(n) for n in lemmatiser.data.negators}
    )
    engine = Engine()
    rules: list[Rule] = []
    entries = [("indicator", i, p, neg, False) for i, p, neg in indicator_patterns]
    entries += [("place", i, p, False, title) for i, p, title in place_patterns]
    for kind, ident, pattern, negatable, title in entries:
        slots = compiler.compile(pattern, title)
        engine.add(len(rules), slots)
        rules.append(Rule(kind, ident, negatable, _has_negator(slots, negators)))
    early = {lex.orth_: lex.norm_ for lex in nlp.vocab if lex.norm_ != lemmatiser(lex.orth_)}
    return CompiledLanguage(lemmatiser, engine, rules, early), nlp
