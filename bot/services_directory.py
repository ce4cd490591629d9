"""The services directory (`locales/services.yaml`): who can help, per qark, in both languages.

The file is data that ONAC edits without a code change. Entries whose contact is not confirmed by
a source (`verified: false`) say so to the reader. "Services near me" by location picks the qark
whose seat is nearest, computed here; the location itself is never stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from alerts.content import fold
from locales.i18n import LOCALE_DIR
from locales.i18n import gettext as _t

DIRECTORY = LOCALE_DIR / "services.yaml"
REQUIRED = ("id", "name", "kind", "qark", "phone", "hours", "offers", "source", "last_verified")


@dataclass(frozen=True)
class Qark:
    """A region with the coordinates of its seat."""

    code: str
    names: dict[str, str]
    lat: float
    lon: float

    def name(self, lang: str) -> str:
        """Return the region's name in a language."""
        return self.names.get(lang) or self.names["sq"]


@cache
def load(path: Path = DIRECTORY) -> dict[str, Any]:
    """Read the directory once per process."""
    with path.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


def qarks() -> list[Qark]:
    """Return the 12 qarks in the directory's order."""
    return [
        Qark(q["code"], {"sq": q["sq"], "en": q["en"]}, float(q["lat"]), float(q["lon"]))
        for q in load()["qarks"]
    ]


def qark(code: str) -> Qark | None:
    """Return a qark by code."""
    return next((q for q in qarks() if q.code == code), None)


def services() -> list[dict[str, Any]]:
    """Return every entry."""
    return list(load()["services"])


def services_for(code: str | None) -> list[dict[str, Any]]:
    """Return the national entries, then those of a qark."""
    national = [s for s in services() if s["qark"] is None]
    return national + [s for s in services() if code is not None and s["qark"] == code]


def qark_named(text: str) -> Qark | None:
    """Return the qark a short message names ("Shkodra", "vlore", "Korçë"), or None."""
    words = fold(text).lower().replace(".", " ").split()
    if not 1 <= len(words) <= 2:
        return None
    for region in qarks():
        stems = {fold(name).lower()[:4] for name in region.names.values()}
        if any(word[:4] in stems and len(word) >= 4 for word in words):
            return region
    return None


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def nearest_qark(lat: float, lon: float) -> Qark:
    """Return the qark whose seat is nearest to a point (great-circle distance)."""
    return min(qarks(), key=lambda q: _distance_km(lat, lon, q.lat, q.lon))


def problems(entries: list[dict[str, Any]] | None = None) -> list[str]:
    """List what is missing or inconsistent in the entries (empty when the directory is sound)."""
    found = []
    codes = {q.code for q in qarks()}
    for entry in services() if entries is None else entries:
        ident = entry.get("id", "?")
        for key in REQUIRED:
            if key not in entry:
                found.append(f"{ident}: no {key}")
        for key in ("name", "offers"):
            value = entry.get(key) or {}
            if not (isinstance(value, dict) and value.get("sq") and value.get("en")):
                found.append(f"{ident}: {key} needs sq and en")
        if not entry.get("source"):
            found.append(f"{ident}: no source")
        if entry.get("verified") is not False and not entry.get("last_verified"):
            found.append(f"{ident}: verified without a last_verified date")
        if entry.get("qark") is not None and entry.get("qark") not in codes:
            found.append(f"{ident}: unknown qark {entry.get('qark')}")
    return found


def describe(lang: str, entry: dict[str, Any]) -> str:
    """Return one entry as the reader sees it, with a warning when it is not confirmed."""
    lines = [entry["name"].get(lang) or entry["name"]["sq"]]
    lines.append(entry["offers"].get(lang) or entry["offers"]["sq"])
    if entry.get("phone"):
        lines.append(_t(lang, "Phone: %(phone)s", phone=entry["phone"]))
    else:
        lines.append(_t(lang, "No phone number confirmed yet: ask the free line 116 006."))
    if entry.get("hours"):
        lines.append(_t(lang, "Hours: %(hours)s", hours=entry["hours"].get(lang)))
    if entry.get("verified") is False:
        lines.append(_t(lang, "Not yet confirmed by a source: check before you rely on it."))
    return "\n".join(lines)
