"""The services directory (`locales/services.yaml`): who can help, per qark, in both languages.

The packaged file is the reviewed base; ONAC's changes (`raporto services set`) are rows in the
database applied over it, so every process on every server shows the same directory at once.
Only such a row confirms an entry (`verified`, with who confirmed it and when): the file cannot.
An unconfirmed entry is shown with the document it comes from and "not yet confirmed"; one that
no document names is not shown at all. "Services near me" by location picks the qark whose seat
is nearest, computed here; the location itself is never stored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.content import fold
from locales.i18n import LOCALE_DIR
from locales.i18n import gettext as _t
from models import store
from models.accounts import ServiceUpdate
from models.base import utcnow

DIRECTORY = LOCALE_DIR / "services.yaml"
REQUIRED = ("id", "name", "kind", "qark", "phone", "hours", "offers", "source")
# What only `raporto services set --verified` may write: a confirmation with who and when.
CONFIRMATION = ("verified", "confirmed_by", "last_verified")
# The fields a confirmation vouches for: changing one without confirming again unconfirms.
CONTENT = ("phone", "hours", "source")


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


Updates = Mapping[str, Mapping[str, Any]]
# What `raporto services set` may change in an entry; names, kinds and qarks change with a release.
UPDATABLE = (*CONTENT, *CONFIRMATION)


def confirmed(entry: Mapping[str, Any]) -> bool:
    """Whether someone at ONAC confirmed the entry (recorded by `raporto services set`)."""
    return entry.get("verified") is True


def shown(entry: Mapping[str, Any]) -> bool:
    """Whether readers see the entry: confirmed, or taken from a document they are told of."""
    return confirmed(entry) or bool(entry.get("source"))


def updates(session: Session) -> dict[str, dict[str, Any]]:
    """Return ONAC's changes per entry, the later ones over the earlier."""
    merged: dict[str, dict[str, Any]] = {}
    for row in session.scalars(select(ServiceUpdate).order_by(ServiceUpdate.id)):
        merged.setdefault(row.entry_id, {}).update(row.changes)
    return merged


def services(changes: Updates | None = None) -> list[dict[str, Any]]:
    """Return every entry of the packaged file, with ONAC's changes applied."""
    base: list[dict[str, Any]] = load()["services"]
    if not changes:
        return list(base)
    return [{**entry, **changes.get(entry["id"], {})} for entry in base]


def services_for(code: str | None, changes: Updates | None = None) -> list[dict[str, Any]]:
    """Return the national entries, then those of a qark."""
    entries = [s for s in services(changes) if shown(s)]
    national = [s for s in entries if s["qark"] is None]
    return national + [s for s in entries if code is not None and s["qark"] == code]


def record_update(
    session: Session, entry_id: str, changes: dict[str, Any], *, actor: str
) -> dict[str, Any]:
    """Store a change to one entry after checking the result; return the updated entry."""
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    if "source" in changes and not changes["source"]:
        raise ValueError(f"{entry_id}: no source")
    if set(changes) & set(CONTENT) and "verified" not in changes:
        # A confirmation vouched for the old phone, hours or source, not for the new ones.
        changes = {**changes, "verified": False, "confirmed_by": None, "last_verified": None}
    current = updates(session)
    if entry_id not in {e["id"] for e in services()}:
        raise ValueError(f"no entry {entry_id}")
    current[entry_id] = {**current.get(entry_id, {}), **changes}
    entries = services(current)
    found = problems(entries)
    if found:
        raise ValueError("; ".join(found))
    now = utcnow()
    session.add(ServiceUpdate(entry_id=entry_id, changes=changes, actor=actor, at=now))
    store.audit(
        session,
        actor=actor,
        action="services.update",
        object_type="service",
        object_id=entry_id,
        now=now,
        fields=sorted(changes),
        verified=changes.get("verified"),
        confirmed_by=changes.get("confirmed_by"),
    )
    return next(e for e in entries if e["id"] == entry_id)


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


def _source_problem(entry: Mapping[str, Any]) -> str | None:
    """Say what is wrong with an entry's source (None: a source, or null for "no document")."""
    source = entry.get("source")
    if source is None:
        return None
    if isinstance(source, dict):
        return None if source.get("sq") and source.get("en") else "source needs sq and en"
    return None if isinstance(source, str) and source.strip() else "no source"


def problems(entries: list[dict[str, Any]] | None = None, *, packaged: bool = False) -> list[str]:
    """List what is missing or inconsistent in the entries (empty when the directory is sound).

    `packaged`: the entries are a file's, which may not confirm anything; confirmation is a
    database change made by `raporto services set --verified`, with who and when.
    """
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
        source = _source_problem(entry)
        if source:
            found.append(f"{ident}: {source}")
        if packaged and any(entry.get(key) not in (None, False) for key in CONFIRMATION):
            found.append(
                f"{ident}: the file cannot confirm an entry; someone at ONAC confirms it with "
                f'`raporto services set {ident} --verified --confirmed-by "NAME"`'
            )
        elif confirmed(entry) and not (entry.get("last_verified") and entry.get("confirmed_by")):
            found.append(f"{ident}: verified without the date and who confirmed it")
        if entry.get("qark") is not None and entry.get("qark") not in codes:
            found.append(f"{ident}: unknown qark {entry.get('qark')}")
    return found


def source_name(lang: str, entry: Mapping[str, Any]) -> str:
    """Return the entry's source as the reader sees it ("" when no document names it)."""
    source = entry.get("source")
    if isinstance(source, str):
        source = load().get("sources", {}).get(source, source)
    if isinstance(source, dict):
        return str(source.get(lang) or source["sq"])
    return source or ""


def describe(lang: str, entry: dict[str, Any]) -> str:
    """Return one entry as the reader sees it; an unconfirmed one names its source and says so."""
    lines = [entry["name"].get(lang) or entry["name"]["sq"]]
    lines.append(entry["offers"].get(lang) or entry["offers"]["sq"])
    if entry.get("phone"):
        lines.append(_t(lang, "Phone: %(phone)s", phone=entry["phone"]))
    else:
        lines.append(_t(lang, "No phone number confirmed yet: ask the free line 116 006."))
    if entry.get("hours"):
        lines.append(_t(lang, "Hours: %(hours)s", hours=entry["hours"].get(lang)))
    if not confirmed(entry) and entry.get("source"):
        source = source_name(lang, entry)
        lines.append(_t(lang, "Source: %(source)s (not yet confirmed).", source=source))
    return "\n".join(lines)


def unconfirmed_note(lang: str) -> str:
    """The one line under a list that holds unconfirmed entries: what "not yet confirmed" means."""
    return _t(
        lang,
        'Entries marked "not yet confirmed" come from public documents and have not yet been '
        "checked by the Office of the National Anti-Trafficking Coordinator (ONAC): check "
        "before you rely on them.",
    )
