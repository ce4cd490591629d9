"""Find catalogue indicators and gazetteer places in a tip: spaCy tokens, our own pattern engine.

spaCy's blank pipelines tokenise (no model) and cache each word's matching key (NORM, from the
lemmatiser); `triage.engine` matches the compiled catalogue over those keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

from spacy.attrs import IDX, NORM, ORTH
from spacy.language import Language
from spacy.tokens import Doc

from triage import compiled
from triage.catalogue import LANGUAGES, load
from triage.compiler import Rule, blank_pipeline, compile_language
from triage.engine import Engine, Tokens, index_keys
from triage.lexicon import Lemmatiser
from triage.negation import is_negated
from triage.normalise import fold, for_tokenizer


@dataclass(frozen=True)
class RawMatch:
    """A pattern match: an indicator id or a place entry id, with its characters in the tip."""

    kind: str  # "indicator" or "place"
    ident: str
    start: int
    end: int
    negated: bool


# What the engine reads of a token, by its (ORTH, NORM) hashes: every field is a lexeme attribute
# except NORM, which a tokenizer exception may set on the token ("n't" → "not"), hence the pair.
_Row = tuple[str, str, str, str, bool, bool, bool, tuple[str, ...]]


@dataclass
class Pipeline:
    """A blank spaCy pipeline (tokens, keys) and the compiled patterns of one language."""

    lang: str
    nlp: Language
    lemmatiser: Lemmatiser
    engine: Engine
    rules: list[Rule]
    # The token rows of words already seen (see _tokens); grows with the vocabulary, as spaCy's
    # own lexeme table does.
    rows: dict[tuple[int, int], _Row] = field(default_factory=dict)

    @property
    def pattern_count(self) -> int:
        """How many compiled patterns (edge variants included) the engine holds."""
        return len(self.engine.patterns)


@cache
def pipeline(lang: str) -> Pipeline:
    """Build (once) the pipeline of a language: from the compiled artefact, else in-process."""
    artefact = compiled.load()
    if artefact is None:
        part, nlp = compile_language(lang, load())
        return Pipeline(lang, nlp, part.lemmatiser, part.engine, part.rules)
    part = artefact.languages[lang]
    nlp = blank_pipeline(lang, part.lemmatiser)
    for orth, norm in part.early_norms.items():
        nlp.vocab[orth].norm_ = norm
    return Pipeline(lang, nlp, part.lemmatiser, part.engine, part.rules)


def warm_up() -> None:
    """Build every pipeline now (for services that prefer paying the cost at start-up)."""
    for lang in LANGUAGES:
        pipeline(lang)


def _row(rows: dict[tuple[int, int], _Row], doc: Doc, orth: int, norm: int) -> _Row:
    lexeme = doc.vocab[orth]
    text, norm_text, lower = lexeme.orth_, doc.vocab.strings[norm], lexeme.lower_
    folded = fold(text)
    keys = index_keys(norm_text, lower, text, folded)
    row = (norm_text, lower, text, folded, lexeme.is_punct, lexeme.is_title, lexeme.like_url, keys)
    rows[(orth, norm)] = row
    return row


def _tokens(doc: Doc, cached: dict[tuple[int, int], _Row]) -> tuple[Tokens, list[int]]:
    """The engine's view of a tip's tokens, and each token's first character in the tip."""
    if not len(doc):
        return Tokens([], [], [], [], [], [], [], []), []
    # Three numbers per token from one array, no spaCy Token objects (each is an allocation).
    orths, norms, starts = doc.to_array([ORTH, NORM, IDX]).T.tolist()
    rows = [cached.get(pair) or _row(cached, doc, *pair) for pair in zip(orths, norms, strict=True)]
    norm, lower, orth, folded, clause_end, title, url, keys = zip(*rows, strict=True)
    return Tokens(norm, lower, orth, folded, clause_end, title, url, keys), starts


def find(text: str) -> list[RawMatch]:
    """Match both lexicons on the tip (mixed Albanian and English are common)."""
    return list(_find(text))


# Intake matches each tip twice in a row: triage.assess, then the linking entities (places) on
# the same text; remembering the last few texts spares the second spaCy pass.
@lru_cache(maxsize=8)
def _find(text: str) -> tuple[RawMatch, ...]:
    prepared = for_tokenizer(text)
    found: list[RawMatch] = []
    for lang in LANGUAGES:
        pipe = pipeline(lang)
        doc = pipe.nlp.make_doc(prepared)
        tokens, starts = _tokens(doc, pipe.rows)
        matches = set(pipe.engine.find(tokens))
        for number, start, end in sorted(matches):
            rule = pipe.rules[number]
            negated = rule.negatable and (
                is_negated(tokens, start, end, pipe.lemmatiser.data, not rule.intrinsic_negation)
            )
            if start < end:  # spaCy's Span offsets, without building a Span
                first, last = starts[start], starts[end - 1] + len(tokens.orth[end - 1])
            else:
                span = doc[start:end]
                first, last = span.start_char, span.end_char
            found.append(RawMatch(rule.kind, rule.ident, first, last, negated))
    return tuple(found)
