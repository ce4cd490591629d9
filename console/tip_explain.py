"""Why a tip has its band, as the tip page shows it: from the stored assessment, in any language.

The assessment is stored once, in the tip's language; the page rebuilds the explanation in the
reader's: descriptions and categories from the catalogue, places by their name in that language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from triage.catalogue import load as load_catalogue
from triage.places import KIND_LABELS, display_name
from triage.wording import ROUTES, RULES, say


@dataclass
class Indicator:
    """A fired indicator as the page shows it."""

    category: str
    description: str
    weight: float
    words: list[str]


@dataclass
class Category:
    """The fired indicators of one category: the page names a category once, not on every row."""

    name: str
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class Explanation:
    """The explanation's parts, and the stored spans (start, end, words) of the fired words."""

    categories: list[Category] = field(default_factory=list)
    places: list[dict[str, str]] = field(default_factory=list)
    ages: list[int] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    routes: list[str] = field(default_factory=list)
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def explain(triage: dict[str, Any], lang: str) -> Explanation:
    """Rebuild a stored assessment's explanation in the reader's language."""
    catalogue = load_catalogue()
    found = Explanation()
    categories: dict[str, Category] = {}
    for hit in triage.get("indicators", []):
        spans = hit.get("spans", [])
        found.spans += [(int(s["start"]), int(s["end"]), str(s.get("text", ""))) for s in spans]
        try:
            description = catalogue.get(hit["id"]).description[lang]
        except KeyError:  # an indicator retired from the catalogue since the tip was scored
            description = str(hit["id"])
        key = str(hit.get("category", ""))
        name = catalogue.categories.get(key, {}).get(lang, "")
        category = categories.setdefault(key, Category(name))
        words = [str(s.get("text", "")) for s in spans]
        category.indicators.append(Indicator(name, description, float(hit.get("weight", 0)), words))
    found.categories = list(categories.values())
    index = 0 if lang == "sq" else 1
    for place in triage.get("places", []):
        name = str(place.get("name", ""))
        qark = str(place.get("qark") or "")
        found.places.append(
            {
                # In the reader's language: Greqi for Albanian readers, Greece for English ones.
                "name": display_name(name, lang, place.get("name_en")),
                "kind": KIND_LABELS.get(place.get("kind", ""), ("", ""))[index],
                # A qark is stored by its Albanian name; the same place needs no qark after it.
                "qark": display_name(qark, lang) if qark and qark != name else "",
            }
        )
    found.ages = [int(a) for a in triage.get("ages", [])]
    found.rules = [say(r, lang, RULES) for r in triage.get("rules", []) if r in RULES]
    found.routes = [say(r, lang, ROUTES) for r in triage.get("routes", []) if r in ROUTES]
    return found
