"""The lemmatiser that maps every inflected or SMS-spelled word to one matching key."""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from triage.datafiles import load_yaml, read_text
from triage.forms import generated_forms
from triage.normalise import fold, sms_variants

# Stems shorter than this are only matched exactly: "lek" would swallow too many words.
MIN_STEM = 3


@dataclass(frozen=True)
class LanguageData:
    """Lemma tables, suffixes, negators and negation boundaries of one language."""

    lang: str
    suffixes: tuple[str, ...]
    lemmas: Mapping[str, tuple[str, ...]]
    negators: frozenset[str]
    boundaries: frozenset[str]


@cache
def language_data(lang: str) -> LanguageData:
    """Load the packaged lemma tables of a language ("sq" or "en")."""
    raw = load_yaml(read_text("lemmas.yaml"))
    data = raw[lang]
    # Shortest first: the least stripping that reaches a known stem is the safest reading.
    suffixes = sorted({fold(str(s)) for s in data["suffixes"]}, key=lambda s: (len(s), s))
    return LanguageData(
        lang=lang,
        suffixes=tuple(suffixes),
        lemmas={str(k): tuple(str(f) for f in v) for k, v in data["lemmas"].items()},
        negators=frozenset(fold(str(n)) for n in data["negators"]),
        boundaries=frozenset(fold(str(b)) for b in data["boundaries"]),
    )


@dataclass
class Lemmatiser:
    """Maps a word to its key: lemma table, then known stem + suffix, then known prefix."""

    # Keys are folded strings; a prefix key ends with "*" so it never equals a real word.

    data: LanguageData
    explicit: dict[str, str] = field(default_factory=dict)
    # Forms from the morphological analyser (triage/forms.py), looked up after the hand table.
    generated: dict[str, str] = field(default_factory=dict)
    stems: dict[str, str] = field(default_factory=dict)
    prefixes: dict[str, str] = field(default_factory=dict)
    _prefix_lengths: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for key, forms in self.data.lemmas.items():
            folded_key = fold(key)
            for form in (key, *forms):
                for variant in sms_variants(form):
                    self.explicit[variant] = folded_key
        if self.data.lang == "sq":
            self._add_generated(generated_forms())

    def _add_generated(self, table: Mapping[str, tuple[str, ...]]) -> None:
        """Add the analyser's forms; the hand-written table wins, ambiguous forms are left out.

        A form two catalogue lemmas share ("shpije": a verb and a Gheg "house") would join two
        signs that mean different things, so it is matched by neither through this table.
        """
        variants = {
            lemma: [v for form in (lemma, *forms) for v in sms_variants(form)]
            for lemma, forms in table.items()
        }
        owners: dict[str, str | None] = {}  # a variant's one lemma, or None when shared
        for lemma, found in variants.items():
            for variant in found:
                owners[variant] = lemma if owners.get(variant, lemma) == lemma else None
        explicit, generated = self.explicit, self.generated
        for lemma, found in variants.items():
            folded = fold(lemma)
            key = explicit.get(folded, folded)
            for variant in found:
                if len(variant) > 2 and owners[variant] == lemma and variant not in explicit:
                    generated.setdefault(variant, key)

    def key_of_pattern_word(self, word: str) -> str:
        """Register a word used in a pattern and return the key it matches under."""
        folded = fold(word)
        if folded.endswith("*"):
            key = folded[:-1] + "*"
            for variant in sms_variants(word[:-1]):
                if variant not in self.prefixes:
                    self.prefixes[variant] = key
                    self._prefix_lengths = ()  # recomputed on first use
            return key
        if (known := self.explicit.get(folded)) is not None:
            return known
        if (generated := self.generated.get(folded)) is not None:
            # Misspelt forms the analyser never wrote still reach a noun through its stem; short
            # stems stay out ("mori", a form of marr, would swallow "Morinë").
            stem = self._stem_of(folded)
            if stem is not None and len(stem) >= 5:
                self.stems.setdefault(stem, generated)
            return generated
        stem = self._stem_of(folded)
        if stem is None:
            return folded
        for variant in sms_variants(word):
            variant_stem = self._stem_of(variant) or variant
            self.stems.setdefault(variant_stem, stem)
        self.stems.setdefault(stem, stem)
        return self.stems[stem]

    def finalise(self) -> None:
        """Resolve stems that are themselves inflected forms of a shorter stem.

        "fëmijët" in a group must mean the same as "fëmijë", so it points at the same key.
        """
        for stem in sorted(self.stems, key=len):
            for suffix in self.data.suffixes:
                base = stem[: -len(suffix)]
                if len(base) >= MIN_STEM and stem.endswith(suffix) and base in self.stems:
                    self.stems[stem] = self.stems[base]
                    break

    def prefix_keys(self, prefix_key: str) -> list[str]:
        """Every key a word starting with this prefix can get.

        A word under the prefix may also be a lemma-table form ("shkon" → shkoj) or a stem
        some other pattern registered ("detyron"); the prefix must match those keys too.
        """
        stem = prefix_key.rstrip("*")
        keys = {prefix_key}
        # A longer prefix ("promise*") takes the words it covers from a shorter one ("promis*").
        for table in (self.explicit, self.stems, self.prefixes):
            keys.update(_keys_starting_with(table, stem))
        # A generated form only brings its lemma when the lemma itself starts with the prefix:
        # "frikës*" (intimidation) must not take in "frikë" (fear) through its genitive "frikës".
        keys.update(k for k in _keys_starting_with(self.generated, stem) if k.startswith(stem))
        return sorted(keys)

    def _prefix_key(self, word: str) -> str | None:
        if not self._prefix_lengths and self.prefixes:
            self._prefix_lengths = tuple(sorted({len(p) for p in self.prefixes}, reverse=True))
        for length in self._prefix_lengths:
            if len(word) >= length and (hit := self.prefixes.get(word[:length])):
                return hit
        return None

    def _stem_of(self, folded: str) -> str | None:
        """The stem a dictionary form contributes, or None for short words matched exactly."""
        if len(folded) <= MIN_STEM or not folded.isalpha():
            return None
        if self.data.lang == "sq":
            # Albanian nouns drop their final ë/e (punë → pun-a) and a definite -a (Shkodra).
            if folded.endswith("e") and len(folded) >= 4:
                return folded[:-1]
            if folded.endswith("a") and len(folded) >= 5:
                return folded[:-1]
        return folded

    def __call__(self, text: str) -> str:
        """Return the matching key of a word as written in a tip."""
        word = fold(text)
        found = self.explicit.get(word) or self.generated.get(word) or self.stems.get(word)
        if found is not None:
            return found
        if len(word) > MIN_STEM:
            for suffix in self.data.suffixes:
                if len(word) - len(suffix) < MIN_STEM or not word.endswith(suffix):
                    continue
                base = word[: -len(suffix)]
                # Only stems take endings; lemma-table forms are complete words already.
                if hit := self.stems.get(base):
                    return hit
                if self.data.lang == "en" and (hit := self.stems.get(base + "e")):
                    return hit  # forcing → forc → force
        return self._prefix_key(word) or word


def _keys_starting_with(table: dict[str, str], stem: str) -> list[str]:
    """The values of the table's entries whose word starts with stem (a bisect over its words).

    The generated forms make the tables large; a scan per prefix cost seconds at start-up.
    """
    words = _sorted_words(id(table), len(table), table)
    start = bisect.bisect_left(words, stem)
    end = bisect.bisect_left(words, stem + "\U0010ffff", start)
    return [table[w] for w in words[start:end]]


_SORTED: dict[tuple[int, int], list[str]] = {}


def _sorted_words(ident: int, size: int, table: dict[str, str]) -> list[str]:
    # Keyed by identity and size: tables only grow while patterns are registered.
    found = _SORTED.get((ident, size))
    if found is None:
        found = _SORTED[(ident, size)] = sorted(table)
    return found


def build_lemmatiser(lang: str, pattern_words: Iterable[str]) -> Lemmatiser:
    """Build the lemmatiser of a language knowing every word the patterns use."""
    lemmatiser = Lemmatiser(language_data(lang))
    for word in pattern_words:
        lemmatiser.key_of_pattern_word(word)
    lemmatiser.finalise()
    return lemmatiser
