"""The gazetteer: qarks, municipalities, border crossings, ports and destination countries."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from triage.datafiles import load_yaml, read_text

KIND_LABELS = {
    "qark": ("qark", "qark"),
    "municipality": ("bashki", "municipality"),
    "neighbourhood": ("lagje", "neighbourhood"),
    "town": ("qytet", "town"),
    "border_crossing": ("pikë kalimi kufitar", "border crossing point"),
    "airport": ("aeroport", "airport"),
    "port": ("port", "port"),
    "country": ("shtet", "country"),
    "city_abroad": ("qytet jashtë vendit", "city abroad"),
}


@dataclass(frozen=True)
class PlaceForm:
    """One way of writing a place, in pattern syntax; title means it must be capitalised."""

    pattern: str
    title: bool = False


@dataclass(frozen=True)
class PlaceEntry:
    """A place the triage can recognise."""

    id: str
    name: str
    name_en: str
    kind: str
    qark: str | None
    country: str | None
    forms: tuple[PlaceForm, ...]


def _forms(raw: list[Any]) -> tuple[PlaceForm, ...]:
    return tuple(
        PlaceForm(str(f["form"]), bool(f.get("title", False)))
        if isinstance(f, dict)
        else PlaceForm(str(f))
        for f in raw
    )


@cache
def entries() -> tuple[PlaceEntry, ...]:
    """Load the packaged gazetteer (once per process)."""
    raw = load_yaml(read_text("places.yaml"))
    found: list[PlaceEntry] = []

    def add(
        name: str,
        kind: str,
        qark: str | None,
        country: str | None,
        forms: list[Any],
        english: str | None = None,
    ) -> None:
        ident = f"p{len(found)}"
        found.append(PlaceEntry(ident, name, english or name, kind, qark, country, _forms(forms)))

    for qark, data in raw["qarks"].items():
        add(qark, "qark", qark, "AL", data["forms"], data.get("en"))
        for municipality, spec in data["municipalities"].items():
            # A list of forms, or {en: English name, forms: [...]}.
            forms, english = (
                (spec["forms"], spec.get("en")) if isinstance(spec, dict) else (spec, None)
            )
            add(municipality, "municipality", qark, "AL", forms, english)
    for item in raw["local"]:
        add(item["name"], item["kind"], item["qark"], "AL", item["forms"], item.get("en"))
    for section, kind in (
        ("border_crossings", "border_crossing"),
        ("airports", "airport"),
        ("ports", "port"),
    ):
        for item in raw[section]:
            add(item["name"], kind, item["qark"], "AL", item["forms"], item.get("en"))
    for section, kind in (("countries", "country"), ("cities_abroad", "city_abroad")):
        for item in raw[section]:
            add(item["name"], kind, None, item["country"], item["forms"], item.get("en"))
    return tuple(found)


@cache
def by_id() -> dict[str, PlaceEntry]:
    """Index of the gazetteer by entry id."""
    return {e.id: e for e in entries()}


@cache
def _english_names() -> dict[str, str]:
    return {entry.name: entry.name_en for entry in entries()}


def display_name(name: str, lang: str, english: str | None = None) -> str:
    """A place's name for a reader: Albanian for "sq", else its English name (Tiranë → Tirana).

    `english` is the name stored with an assessment; older ones have none, and then the
    gazetteer's English name of the Albanian name is used (the name itself when it has none).
    """
    if lang == "sq":
        return name
    return english or _english_names().get(name, name)


@cache
def groups() -> dict[str, tuple[str, ...]]:
    """Word groups from the gazetteer for indicator patterns: @COUNTRY, @CITY_ABROAD, @BORDER."""

    def forms(kind: str, abroad: bool = False) -> tuple[str, ...]:
        return tuple(
            f.pattern
            for e in entries()
            if e.kind == kind and (not abroad or e.country != "AL")
            for f in e.forms
            if "~" not in f.pattern and "|" not in f.pattern and "?" not in f.pattern
        )

    return {
        "COUNTRY": forms("country", abroad=True),
        "CITY_ABROAD": forms("city_abroad"),
        "BORDER": forms("border_crossing"),
    }
