"""The indicator catalogue: loading, validation and coverage of ILO and UNODC indicators."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from triage.datafiles import load_yaml, read_text
from triage.patterns import Gap, Pattern, Word, parse

# The 11 ILO indicators of forced labour, as keys used in indicators.yaml.
ILO_INDICATORS: Mapping[str, str] = {
    "abuse_of_vulnerability": "Abuse of vulnerability",
    "deception": "Deception",
    "restriction_of_movement": "Restriction of movement",
    "isolation": "Isolation",
    "physical_sexual_violence": "Physical and sexual violence",
    "intimidation_threats": "Intimidation and threats",
    "retention_of_documents": "Retention of identity documents",
    "withholding_of_wages": "Withholding of wages",
    "debt_bondage": "Debt bondage",
    "abusive_conditions": "Abusive working and living conditions",
    "excessive_overtime": "Excessive overtime",
}

# The UNODC human trafficking indicator groups.
UNODC_GROUPS: Mapping[str, str] = {
    "general": "General indicators",
    "children": "Children",
    "domestic_servitude": "Domestic servitude",
    "sexual_exploitation": "Sexual exploitation",
    "labour_exploitation": "Labour exploitation",
    "begging_petty_crime": "Begging and petty crime",
}

LANGUAGES = ("sq", "en")
PALERMO = ("act", "means", "purpose")
DATA_FILES = ("indicators.yaml", "places.yaml", "lemmas.yaml", "forms_sq.json")
MIN_PREFIX = 4


class CatalogueError(ValueError):
    """The catalogue data is inconsistent."""


@dataclass(frozen=True)
class Indicator:
    """One sign the triage looks for, with its weight, descriptions and patterns."""

    id: str
    category: str
    weight: float
    description: Mapping[str, str]
    sources: tuple[str, ...]
    patterns: Mapping[str, tuple[str, ...]]
    ilo: tuple[str, ...] = ()
    unodc: tuple[str, ...] = ()
    palermo: str | None = None
    sign: bool = True
    negatable: bool = True
    requires_minor: bool = False
    requires_any: tuple[str, ...] = ()
    sets_minor: bool = False
    from_places: tuple[str, ...] = ()
    # Whether finding it means the message may describe a case (the gate of not_a_tip);
    # by default every sign does and context does not.
    case: bool | None = None
    # The words may also name a place ("Romë" is Rome, not the Roma community): a place wins.
    yields_to_places: bool = False
    # Indicators whose words, where they overlap, say what these words mean ("her children"
    # are an adult's children: no minor is reported).
    yields_to: tuple[str, ...] = ()
    # Indicators that, found anywhere in the tip, explain these words away wherever they are
    # (a coach keeping the team's passports for the trip: no document is withheld).
    yields_to_tip: tuple[str, ...] = ()

    @property
    def describes_case(self) -> bool:
        """True when this indicator alone keeps a message out of not_a_tip."""
        return self.case if self.case is not None else (self.sign and self.weight > 0)


@dataclass(frozen=True)
class Catalogue:
    """The parsed catalogue: indicators, word groups and category labels."""

    version: str
    indicators: tuple[Indicator, ...]
    groups: Mapping[str, Mapping[str, tuple[str, ...]]]
    categories: Mapping[str, Mapping[str, str]]
    index: Mapping[str, Indicator]
    caps: Mapping[str, float]

    def get(self, indicator_id: str) -> Indicator:
        """Return the indicator with this id (KeyError if unknown)."""
        return self.index[indicator_id]


def check_prefixes(pattern: Pattern, where: str) -> None:
    """Reject prefixes shorter than MIN_PREFIX letters: "di*" would swallow Dibër and dite."""
    for slot in pattern:
        if isinstance(slot, Gap):
            continue
        for alt in slot.alternatives:
            if isinstance(alt, Word) and alt.text.endswith("*") and len(alt.text) - 1 < MIN_PREFIX:
                raise CatalogueError(f"{where}: prefix {alt.text!r} is shorter than {MIN_PREFIX}")


def _indicator(raw: Mapping[str, Any], categories: Mapping[str, Any]) -> Indicator:
    ident = str(raw["id"])
    category = str(raw["category"])
    if category not in categories:
        raise CatalogueError(f"{ident}: unknown category {category!r}")
    description = {lang: str(raw["description"][lang]) for lang in LANGUAGES}
    patterns = {
        lang: tuple(str(p) for p in (raw.get("patterns") or {}).get(lang, ())) for lang in LANGUAGES
    }
    for lang_patterns in patterns.values():
        for pattern in lang_patterns:
            check_prefixes(parse(pattern), ident)  # parse raises PatternError when malformed
    indicator = Indicator(
        id=ident,
        category=category,
        weight=float(raw["weight"]),
        description=description,
        sources=tuple(str(s) for s in raw.get("sources", ())),
        patterns=patterns,
        ilo=tuple(raw.get("ilo", ())),
        unodc=tuple(raw.get("unodc", ())),
        palermo=raw.get("palermo"),
        sign=bool(raw.get("sign", True)),
        negatable=bool(raw.get("negatable", True)),
        requires_minor=bool(raw.get("requires_minor", False)),
        requires_any=tuple(raw.get("requires_any", ())),
        sets_minor=bool(raw.get("sets_minor", False)),
        from_places=tuple(raw.get("from_places", ())),
        case=None if raw.get("case") is None else bool(raw["case"]),
        yields_to_places=bool(raw.get("yields_to_places", False)),
        yields_to=tuple(str(i) for i in raw.get("yields_to", ())),
        yields_to_tip=tuple(str(i) for i in raw.get("yields_to_tip", ())),
    )
    unknown = [k for k in indicator.ilo if k not in ILO_INDICATORS]
    unknown += [k for k in indicator.unodc if k not in UNODC_GROUPS]
    if unknown or (indicator.palermo is not None and indicator.palermo not in PALERMO):
        raise CatalogueError(f"{ident}: unknown ILO/UNODC/Palermo keys {unknown}")
    if indicator.weight < 0 or not all(description.values()):
        raise CatalogueError(f"{ident}: negative weight or empty description")
    return indicator


@cache
def load() -> Catalogue:
    """The packaged catalogue (once per process): from the compiled artefact when it is fresh."""
    from triage import compiled  # here: the artefact's module imports this one

    artefact = compiled.load()
    return artefact.catalogue if artefact is not None else parse_catalogue()


def parse_catalogue() -> Catalogue:
    """Parse and validate the packaged catalogue YAML (what the compiled artefact stores)."""
    raw = load_yaml(read_text("indicators.yaml"))
    categories = {
        str(k): {lang: str(v[lang]) for lang in LANGUAGES} for k, v in raw["categories"].items()
    }
    indicators = tuple(_indicator(item, categories) for item in raw["indicators"])
    ids = [i.id for i in indicators]
    if len(ids) != len(set(ids)):
        raise CatalogueError("duplicate indicator ids")
    groups = {
        lang: {
            str(name): tuple(str(p) for p in phrases)
            for name, phrases in raw["groups"][lang].items()
        }
        for lang in LANGUAGES
    }
    for lang_groups in groups.values():
        for name, phrases in lang_groups.items():
            for phrase in phrases:
                if any(mark in phrase for mark in ("|", "~", "@", "?")):
                    # Entries are plain words or phrases; alternatives belong in patterns.
                    raise CatalogueError(f"@{name}: {phrase!r} uses pattern syntax")
                check_prefixes(parse(phrase), f"@{name}")
    # The version names the data exactly, so an assessment can be traced to the rules used.
    digest = hashlib.sha256("".join(read_text(name) for name in DATA_FILES).encode()).hexdigest()[
        :8
    ]
    index = {i.id: i for i in indicators}
    caps = {str(k): float(v["cap"]) for k, v in raw["categories"].items()}
    return Catalogue(f"{raw['version']}+{digest}", indicators, groups, categories, index, caps)


def coverage_table() -> dict[str, tuple[str, ...]]:
    """Map every ILO indicator ("ilo:…") and UNODC group ("unodc:…") to covering indicator ids."""
    catalogue = load()
    table: dict[str, tuple[str, ...]] = {}
    for key in ILO_INDICATORS:
        table[f"ilo:{key}"] = tuple(i.id for i in catalogue.indicators if key in i.ilo)
    for key in UNODC_GROUPS:
        table[f"unodc:{key}"] = tuple(i.id for i in catalogue.indicators if key in i.unodc)
    return table
