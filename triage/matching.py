"""spaCy blank pipelines that find catalogue indicators and gazetteer places in a tip."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import spacy
from spacy.attrs import IS_CURRENCY, IS_PUNCT, IS_STOP, NORM
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import compile_prefix_regex

from triage import places
from triage.catalogue import LANGUAGES, load
from triage.lexicon import Lemmatiser, build_lemmatiser
from triage.negation import is_negated
from triage.normalise import fold, for_tokenizer, sms_variants
from triage.patterns import Choice, Gap, GroupRef, Number, Pattern, Url, Word, parse, words_of

Spec = dict[str, Any]

# A gap never crosses these: a sign is read within one clause.
CLAUSE_END_CHARS = frozenset(".,;:!?()…")
# Long tips are matched sentence by sentence, in windows of this many tokens.
SENTENCE_ENDS = frozenset({".", "!", "?", "...", "…", "!!", "!!!", "?!", "??"})
CHUNK_TOKENS = 100
CHUNK_OVERLAP = 20


@dataclass(frozen=True)
class RawMatch:
    """A pattern match: an indicator id or a place entry id, with its characters in the tip."""

    kind: str  # "indicator" or "place"
    ident: str
    start: int
    end: int
    negated: bool


@dataclass(frozen=True)
class _Rule:
    kind: str
    ident: str
    negatable: bool
    intrinsic_negation: bool  # the pattern itself contains "nuk"/"not": never negated again


BucketKey = tuple[str, str]
# Word groups whose one-word entries are tested by a flag: IS_STOP is redefined to mean "is a
# negator" and IS_CURRENCY "is a clitic pronoun" (checked in C, like IS_PUNCT below). A pattern
# starting with @NEG is then one pattern, not one per negator, tried once per tip.
FLAG_GROUPS = {"NEG": "IS_STOP", "CLITIC": "IS_CURRENCY"}
NEGATION_GROUP = "NEG"
FLAG_ATTRS = {"IS_STOP": IS_STOP, "IS_CURRENCY": IS_CURRENCY}
# The largest first-position set split into one pattern per value (see _split_first).
SPLIT_MAX = 32


@dataclass
class Pipeline:
    """A blank spaCy pipeline with the folded, lemmatised NORM and the compiled matchers.

    The Matcher tries every pattern at every token, so one Matcher with thousands of
    patterns costs milliseconds per tip. Patterns are therefore grouped into small Matchers
    by the words they can start with; a tip only runs the Matchers of words it contains. A
    pattern whose first word is one of a set stays one pattern, indexed under each word.
    """

    lang: str
    nlp: Language
    lemmatiser: Lemmatiser
    buckets: dict[BucketKey, list[Matcher]]
    always: Matcher
    rules: dict[int, _Rule]
    pattern_count: int

    def matchers_for(self, doc: Doc | Span) -> list[Matcher]:
        """The Matchers whose patterns can start at some token of doc."""
        found: dict[int, Matcher] = {id(self.always): self.always}
        for token in doc:
            keys = [("NORM", token.norm_), ("LOWER", token.lower_), ("ORTH", token.text)]
            if token.is_stop:
                keys.append(("IS_STOP", "flag"))
            if token.is_currency:
                keys.append(("IS_CURRENCY", "flag"))
            for key in keys:
                for matcher in self.buckets.get(key, ()):
                    found[id(matcher)] = matcher
        return list(found.values())


Bucket = tuple[BucketKey, ...] | None


def _bucket(specs: list[Spec]) -> Bucket:
    """The keys a pattern can start with (None: it must be tried on every tip)."""
    first = specs[0]
    if "OP" in first:
        return None
    for flag in FLAG_ATTRS:
        if first.get(flag) is True:
            return ((flag, "flag"),)
    for attr in ("NORM", "LOWER", "ORTH"):
        test = first.get(attr)
        if isinstance(test, str):
            return ((attr, test),)
        if isinstance(test, dict) and set(test) == {"IN"}:
            return tuple(sorted((attr, str(v)) for v in test["IN"]))
    return None


def _groups(lang: str) -> dict[str, tuple[str, ...]]:
    merged = dict(load().groups[lang])
    merged.update(places.groups())
    return merged


def _place_patterns() -> list[tuple[str, Pattern, bool]]:
    return [(e.id, parse(f.pattern), f.title) for e in places.entries() for f in e.forms]


def _indicator_patterns(lang: str) -> list[tuple[str, Pattern, bool]]:
    found = []
    for indicator in load().indicators:
        for text in indicator.patterns.get(lang, ()):
            found.append((indicator.id, parse(text), indicator.negatable))
    return found


class _Compiler:
    """Turns parsed patterns into spaCy Matcher token patterns over the NORM attribute."""

    def __init__(
        self, nlp: Language, lemmatiser: Lemmatiser, groups: Mapping[str, tuple[str, ...]]
    ):
        self.nlp = nlp
        self.lemmatiser = lemmatiser
        self.groups = groups
        self._specs: dict[tuple[str, bool], list[Spec]] = {}

    def _word_specs(self, word: str, title: bool) -> list[Spec]:
        # The same words recur across thousands of patterns; tokenising each once halves start-up.
        found = self._specs.get((word, title))
        if found is None:
            found = self._specs[(word, title)] = self._compute_word_specs(word, title)
        return found

    def _compute_word_specs(self, word: str, title: bool) -> list[Spec]:
        extra: Spec = {"IS_TITLE": True} if title else {}
        if word.startswith("=") and len(word) > 1:
            # Exact word: compared on the lower-cased text, folded or SMS-spelled.
            exact = sorted({word[1:].lower(), *sms_variants(word[1:])})
            return [{"LOWER": {"IN": exact}, **extra}]
        if word.endswith("*") and len(word) > 1:
            # A prefix also covers irregular forms the lemma table maps elsewhere.
            keys = self.lemmatiser.prefix_keys(self.lemmatiser.key_of_pattern_word(word))
            return [{"NORM": {"IN": keys}, **extra}]
        if word.endswith("'") and len(word) == 2:
            # An elided word ("s'", "n'") is one token in a tip, where a letter follows it.
            return [{"NORM": self.lemmatiser(word), **extra}]
        return [{"NORM": t.norm_, **extra} for t in self.nlp.make_doc(word)]

    def _phrase_specs(self, phrase: str, title: bool) -> list[Spec]:
        return [spec for word in phrase.split() for spec in self._word_specs(word, title)]

    def _choice(self, choice: Choice, title: bool) -> list[list[Spec]]:
        sequences: list[list[Spec]] = []
        for alt in choice.alternatives:
            if isinstance(alt, Word):
                sequences.append(self._word_specs(alt.text, title))
            elif isinstance(alt, GroupRef):
                if alt.name not in self.groups:
                    raise KeyError(f"unknown word group @{alt.name}")
                for phrase in self.groups[alt.name]:
                    specs = self._phrase_specs(phrase, title)
                    if alt.name in FLAG_GROUPS and len(specs) == 1 and not title:
                        # One flag test instead of one pattern per word (see pipeline()).
                        sequences.append([{FLAG_GROUPS[alt.name]: True}])
                    else:
                        sequences.append(specs)
            elif isinstance(alt, Number):
                numbers = [str(n) for n in range(alt.minimum, alt.maximum + 1)]
                sequences.append([{"ORTH": {"IN": numbers}}])
            elif isinstance(alt, Url):
                sequences.append([{"LIKE_URL": True}])
        # Merge one-token alternatives into a single IN test: far fewer Matcher patterns.
        singles: set[str] = set()
        rest: list[list[Spec]] = []
        for seq in sequences:
            if len(seq) == 1 and set(seq[0]) == {"NORM"}:
                norm = seq[0]["NORM"]
                singles.update(norm["IN"] if isinstance(norm, dict) else [norm])
            else:
                rest.append(seq)
        merged = ([[{"NORM": {"IN": sorted(singles)}}]] if singles else []) + _unique(rest)
        return merged + ([[]] if choice.optional else [])

    def compile(self, pattern: Pattern, title: bool = False) -> list[list[Spec]]:
        """All Matcher patterns (token-spec lists) a parsed pattern expands to."""
        options: list[list[list[Spec]]] = []
        for slot in pattern:
            if isinstance(slot, Gap):
                # IS_PUNCT is redefined below to mean "ends a clause" (checked in C, fast).
                options.append([[{"IS_PUNCT": False, "OP": f"{{0,{slot.most}}}"}]])
            else:
                options.append(self._choice(slot, title))
        compiled = []
        for combination in itertools.product(*options):
            specs = [spec for part in combination for spec in part]
            # An optional word at an edge can leave a dangling gap: trim it.
            while specs and "OP" in specs[0]:
                specs.pop(0)
            while specs and "OP" in specs[-1]:
                specs.pop()
            if specs:
                compiled.extend(_split_first(specs))
        return compiled


def _unique(sequences: list[list[Spec]]) -> list[list[Spec]]:
    """Drop repeated sequences (every one-token negator became the same flag test)."""
    seen: list[list[Spec]] = []
    for seq in sequences:
        if seq not in seen:
            seen.append(seq)
    return seen


def _split_first(specs: list[Spec]) -> list[list[Spec]]:
    """One pattern per value of a small set test in the first position.

    The Matcher starts every pattern at every token: a plain equality there is checked in C,
    a set test ("IN") calls Python for every token. Small sets are split for speed; large ones
    (a word group, a number range) stay one pattern so that start-up stays short.
    """
    first = specs[0]
    for attr in ("NORM", "LOWER", "ORTH"):
        test = first.get(attr)
        if isinstance(test, dict) and set(test) == {"IN"} and len(test["IN"]) <= SPLIT_MAX:
            return [[{**first, attr: value}, *specs[1:]] for value in test["IN"]]
    return [specs]


def _is_clause_end(text: str) -> bool:
    """Punctuation that ends a clause; quotes, apostrophes and dashes do not."""
    return bool(text) and all(c in CLAUSE_END_CHARS for c in text)


def _has_negator(specs: Iterable[Spec], pipeline_negators: frozenset[str]) -> bool:
    for spec in specs:
        if spec.get("IS_STOP") is True:
            return True
        norm = spec.get("NORM")
        values = norm.get("IN", []) if isinstance(norm, dict) else [norm]
        if any(v in pipeline_negators or str(v).startswith("s'") for v in values):
            return True
    return False


def _group_test(lemmatiser: Lemmatiser, group: Iterable[str]) -> Callable[[str], bool]:
    """Whether a word is one of a group's one-word entries (by its matching key)."""
    single = [entry for entry in group if len(entry.split()) == 1]
    keys = frozenset(lemmatiser(e) for e in single if not e.startswith("="))
    # Exact entries ("=don't") are compared as written, like the LOWER test they stand for.
    exact = frozenset(v for e in single if e.startswith("=") for v in sms_variants(e[1:]))

    def is_member(text: str) -> bool:
        return lemmatiser(text) in keys or fold(text) in exact

    return is_member


@cache
def pipeline(lang: str) -> Pipeline:
    """Build (once) the pipeline of a language with every indicator and place pattern."""
    groups = _groups(lang)
    indicator_patterns = _indicator_patterns(lang)
    place_patterns = _place_patterns()
    words = [w for _, p, _ in indicator_patterns + place_patterns for w in words_of(p, groups)]
    lemmatiser = build_lemmatiser(lang, words)
    nlp = spacy.blank(lang)
    if lang == "sq":
        # Albanian elides with an apostrophe: "s'shkon" (nuk shkon), "n'Itali" (në Itali),
        # "t'i", "m'kan". Splitting the elided word off lets "s'" negate and the rest match.
        defaults = cast(Any, nlp.Defaults)  # spaCy's class attributes are untyped
        prefixes = [*defaults.prefixes, r"[sSnNtTmM]'(?=\w)"]
        cast(Any, nlp.tokenizer).prefix_search = compile_prefix_regex(prefixes).search
    getters = cast(Any, nlp.vocab).lex_attr_getters  # not in spaCy's type stubs
    getters[NORM] = lemmatiser
    getters[IS_PUNCT] = _is_clause_end
    tests = {
        attr: _group_test(lemmatiser, groups.get(name, ())) for name, attr in FLAG_GROUPS.items()
    }
    for attr, test in tests.items():
        getters[FLAG_ATTRS[attr]] = test
    # Lexemes created by spacy.blank cached the default attributes; recompute them with ours.
    for lexeme in nlp.vocab:
        lexeme.norm_ = lemmatiser(lexeme.orth_)
        lexeme.is_punct = _is_clause_end(lexeme.orth_)
        lexeme.is_stop = tests["IS_STOP"](lexeme.orth_)
        lexeme.is_currency = tests["IS_CURRENCY"](lexeme.orth_)
    compiler = _Compiler(nlp, lemmatiser, groups)
    negators = lemmatiser.data.negators | {lemmatiser(n) for n in lemmatiser.data.negators}
    by_bucket: dict[Bucket, dict[str, list[list[Spec]]]] = {}
    rules: dict[int, _Rule] = {}
    entries = [("indicator", i, p, neg, False) for i, p, neg in indicator_patterns]
    entries += [("place", i, p, False, title) for i, p, title in place_patterns]
    for number, (kind, ident, pattern, negatable, title) in enumerate(entries):
        compiled = compiler.compile(pattern, title)
        key = f"{kind}|{ident}|{number}"
        for specs in compiled:
            by_bucket.setdefault(_bucket(specs), {}).setdefault(key, []).append(specs)
        intrinsic = any(_has_negator(specs, negators) for specs in compiled)
        rules[nlp.vocab.strings.add(key)] = _Rule(kind, ident, negatable, intrinsic)
    buckets: dict[BucketKey, list[Matcher]] = {}
    # Patterns are generated by _Compiler and checked by the tests; skip per-add validation.
    always = Matcher(nlp.vocab, validate=False)
    for bucket, patterns in by_bucket.items():
        matcher = always if bucket is None else Matcher(nlp.vocab, validate=False)
        for key, specs_list in patterns.items():
            matcher.add(key, specs_list)
        for start in bucket or ():
            buckets.setdefault(start, []).append(matcher)
    count = sum(len(specs) for patterns in by_bucket.values() for specs in patterns.values())
    return Pipeline(lang, nlp, lemmatiser, buckets, always, rules, count)


def warm_up() -> None:
    """Build every pipeline now (for services that prefer paying the cost at start-up)."""
    for lang in LANGUAGES:
        pipeline(lang)


def _chunks(doc: Doc) -> list[Span]:
    """The doc cut at sentence ends, long sentences in overlapping windows.

    Every bucket Matcher scans the whole text it is given, so a long tip is matched piece by
    piece; no pattern crosses a sentence end, and windows overlap by more than a pattern.
    """
    if len(doc) <= CHUNK_TOKENS:
        return [doc[:]]
    bounds, start = [], 0
    for token in doc:
        if token.text in SENTENCE_ENDS or "\n" in token.text:
            bounds.append((start, token.i + 1))
            start = token.i + 1
    if start < len(doc):
        bounds.append((start, len(doc)))
    chunks = []
    for begin, end in bounds:
        for window in range(
            begin, max(begin + 1, end - CHUNK_OVERLAP), CHUNK_TOKENS - CHUNK_OVERLAP
        ):
            chunks.append(doc[window : min(end, window + CHUNK_TOKENS)])
    return chunks


def find(text: str) -> list[RawMatch]:
    """Match both lexicons on the tip (mixed Albanian and English are common)."""
    prepared = for_tokenizer(text)
    found: list[RawMatch] = []
    for lang in LANGUAGES:
        pipe = pipeline(lang)
        doc = pipe.nlp.make_doc(prepared)
        matches = {
            (match_id, chunk.start + start, chunk.start + end)
            for chunk in _chunks(doc)
            for matcher in pipe.matchers_for(chunk)
            for match_id, start, end in matcher(chunk)
        }
        for match_id, start, end in sorted(matches):
            rule = pipe.rules[match_id]
            negated = rule.negatable and (
                is_negated(doc, start, end, pipe.lemmatiser.data, not rule.intrinsic_negation)
            )
            span = doc[start:end]
            found.append(RawMatch(rule.kind, rule.ident, span.start_char, span.end_char, negated))
    return found
