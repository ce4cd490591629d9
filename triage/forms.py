"""Albanian inflected forms generated at data-build time by a real morphological analyser.

`scripts/build_forms.py` runs uniparser-albanian (rule-based Albanian morphology; it takes about
a minute to load, so it never runs inside the service) over every dictionary word the catalogue
uses and writes every form it can generate and re-analyse to the same lemma into
`forms_sq.json`. The lemmatiser reads that file; the file records a digest of the words it was
built from, so a test fails when the catalogue changed and the file was not rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache

from triage.catalogue import load
from triage.datafiles import read_text
from triage.patterns import parse, words_of

FORMS_FILE = "forms_sq.json"
# Function words are matched as written: their "forms" (e, i, të, së...) would match anything.
_FUNCTION_WORDS = frozenset(
    {"dhe", "ose", "por", "nga", "për", "per", "në", "ne", "me", "pa", "mbi", "nën", "nen", "tek",
     "te", "të", "se", "si", "që", "qe", "kur", "ku", "sa", "ka", "kanë", "kane", "kam", "ke",
     "kemi", "keni", "ishte", "ishin", "është", "eshte", "jam", "jemi", "janë", "jane", "do",
     "duhet", "mund", "nuk", "mos", "ata", "ato", "ai", "ajo", "ky", "kjo", "këto", "keto", "këta",
     "keta", "saj", "tij", "tyre", "atë", "ate", "atij", "asaj", "tim", "ime", "yt", "jote"}
)  # fmt: skip


def generation_words() -> tuple[str, ...]:
    """The Albanian dictionary words of the catalogue whose forms the build step generates.

    Prefixes (`word*`) already cover their forms and exact words (`=word`) must not grow.
    """
    catalogue = load()
    groups = dict(catalogue.groups["sq"])
    found: set[str] = set()
    for indicator in catalogue.indicators:
        for text in indicator.patterns.get("sq", ()):
            found.update(words_of(parse(text), groups))
    for phrases in groups.values():
        for phrase in phrases:
            found.update(phrase.split())
    return tuple(
        sorted(
            w.lower()
            for w in found
            if len(w) >= 3 and w.isalpha() and w.lower() not in _FUNCTION_WORDS
        )
    )


def words_digest(words: tuple[str, ...]) -> str:
    """A digest of the word list a forms file was built from (its staleness check)."""
    return hashlib.sha256("\n".join(words).encode()).hexdigest()


@cache
def generated() -> Mapping[str, object]:
    """The whole generated file: analyser, words digest and the forms by lemma."""
    data: dict[str, object] = json.loads(read_text(FORMS_FILE))
    return data


def generated_forms() -> Mapping[str, tuple[str, ...]]:
    """Lemma → its generated forms (with diacritics, as the analyser writes them)."""
    forms = generated().get("forms", {})
    assert isinstance(forms, dict)
    return {str(lemma): tuple(str(f) for f in values) for lemma, values in forms.items()}
