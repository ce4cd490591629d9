"""The immutable result of triaging one tip, its JSON form and its explanation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from triage.wording import explain

Span = tuple[int, int, str]


@dataclass(frozen=True)
class IndicatorHit:
    """A fired indicator and the exact words (character offsets into the tip) that fired it."""

    id: str
    category: str
    weight: float
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Place:
    """A place named in the tip: its qark inside Albania, or its country (ISO code).

    `name` is the Albanian name, `name_en` the English one (Greqi / Greece).
    """

    name: str
    kind: str
    qark: str | None
    country: str | None
    name_en: str = ""

    def display(self, lang: str) -> str:
        """The place's name in the reader's language."""
        return self.name if lang == "sq" else (self.name_en or self.name)


@dataclass(frozen=True)
class Assessment:
    """Band, score and evidence for one tip. The people it mentions are never called victims.

    `phones` are numbers mentioned in the tip (third parties): they are tip content and must be
    protected like the text itself.
    """

    band: str
    score: float
    language: str
    minor: bool
    ages: tuple[int, ...]
    indicators: tuple[IndicatorHit, ...]
    places: tuple[Place, ...]
    forms: tuple[str, ...]
    urgent: bool
    routes: tuple[str, ...]
    phones: tuple[str, ...]
    ack_deadline_minutes: int
    catalogue_version: str
    rules: tuple[str, ...] = ()
    negated: tuple[str, ...] = ()
    age_spans: tuple[Span, ...] = ()
    escalation: tuple[tuple[int, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (explanation in the tip's language, plus both languages)."""
        return {
            "band": self.band,
            "score": self.score,
            "language": self.language,
            "minor": self.minor,
            "ages": list(self.ages),
            "indicators": [
                {
                    "id": hit.id,
                    "category": hit.category,
                    "weight": hit.weight,
                    "spans": [{"start": s, "end": e, "text": t} for s, e, t in hit.spans],
                }
                for hit in self.indicators
            ],
            "places": [
                {
                    "name": p.name,
                    "name_en": p.name_en or p.name,
                    "kind": p.kind,
                    "qark": p.qark,
                    "country": p.country,
                }
                for p in self.places
            ],
            "forms": list(self.forms),
            "urgent": self.urgent,
            "routes": list(self.routes),
            "phones": list(self.phones),
            "ack_deadline_minutes": self.ack_deadline_minutes,
            "escalation": [{"after_minutes": m, "notify": n} for m, n in self.escalation],
            "rules": list(self.rules),
            "negated": list(self.negated),
            "catalogue_version": self.catalogue_version,
            "explanation": self.explain(self.language),
            "explanations": {"sq": self.explain("sq"), "en": self.explain("en")},
        }

    def explain(self, lang: str) -> str:
        """Explain the band in a language ("sq" or English): see triage.wording.explain."""
        return explain(self, lang)
