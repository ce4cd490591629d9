"""Linking entities named in a tip: phones, plates, web addresses, handles, e-mails, IBANs,
businesses with their place, and places (issue 17, "Related tips").

Pure and deterministic: text in, entities out. Each entity's value is canonical, so two spellings
of one thing give one value; the caller hashes f"{kind}:{value}" and links tips that share one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers
from stdnum import iban as stdnum_iban

from triage import entity_patterns as p
from triage import places
from triage.normalise import fold

if TYPE_CHECKING:
    from triage.matching import RawMatch

KINDS = ("phone", "plate", "url", "handle", "email", "iban", "business", "place")
Span = tuple[int, int]


@dataclass(frozen=True)
class Entity:
    """One linking entity: its kind, canonical value and characters in the tip."""

    kind: str
    value: str
    start: int
    end: int

    @property
    def strong(self) -> bool:
        """Whether sharing it links two tips on its own (a place alone is weak context)."""
        return self.kind != "place"


def _free(spans: list[Span], start: int, end: int) -> bool:
    return not any(start < e and s < end for s, e in spans)


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parsed(number: str) -> str | None:
    """E.164 of a number written alone (region AL), or None when it is no valid number."""
    try:
        parsed = phonenumbers.parse(number, "AL")
    except phonenumbers.NumberParseException:
        return None
    return _e164(parsed) if phonenumbers.is_valid_number(parsed) else None


def _presented_as_own(folded: str, start: int, end: int) -> bool:
    before = folded[max(0, start - 60) : start]
    return bool(p.OWN_BEFORE_F.search(before) or p.OWN_AFTER_F.search(folded[end : end + 40]))


def _phones(
    text: str, folded: str, own: set[str], taken: list[Span], extra: list[Entity], digits: int
) -> list[Entity]:
    found = list(extra)
    if digits >= 6:  # fewer cannot be a number: skip the (slow) matcher
        for m in phonenumbers.PhoneNumberMatcher(text, "AL", leniency=phonenumbers.Leniency.VALID):
            # The matcher keeps an opening bracket ("(+355 …"): offsets start at the number.
            start = m.start + len(m.raw_string) - len(m.raw_string.lstrip("(["))
            if _free(taken, m.start, m.end):
                found.append(Entity("phone", _e164(m.number), start, m.end))
    # A number the writer calls their own anywhere is theirs everywhere in the tip.
    own = own | {e.value for e in found if _presented_as_own(folded, e.start, e.end)}
    return [e for e in found if e.value not in own]


def _plate_cued(folded: str, start: int, end: int) -> bool:
    before = folded[max(0, start - 80) : start].split()[-p.PLATE_CUE_WORDS :]
    after = folded[end : end + 80].split()[: p.PLATE_CUE_WORDS]
    return bool(p.PLATE_CUE_F.search(" ".join(before + after)))


def _shouting(text: str) -> bool:
    """Mostly capitals: case then says nothing about plates or names."""
    letters = sum(map(str.isalpha, text))
    return letters >= 12 and sum(map(str.isupper, text)) > 0.6 * letters


def _plates(text: str, folded: str, taken: list[Span]) -> list[Entity]:
    shouting: bool | None = None  # counted only when a plate shape is found
    found: list[Entity] = []
    for shape, pattern in p.PLATES:
        for m in pattern.finditer(text):
            start, end = m.span()
            if not _free(taken + [(e.start, e.end) for e in found], start, end):
                continue
            written = m.group(0)
            value = re.sub(r"[^A-Z0-9]", "", written.upper().translate(p.GREEK_TO_LATIN))
            alpha = "".join(c for c in written if c.isalpha())
            if shouting is None:
                shouting = _shouting(text)
            upper = alpha.isupper() and not shouting
            if shape == "gr":
                if value[:3] in p.NOT_PLATE_LETTERS:
                    continue
                greek = any("\u0370" <= c <= "\u03ff" for c in written)
                upper = upper and ("-" in written or greek)
            words = {w.lower() for w in re.findall(r"[^\W\d_]+", written)}
            if not upper and words <= p.SHORT_WORDS:
                continue
            if upper or _plate_cued(folded, start, end):
                found.append(Entity("plate", value, start, end))
    return found


def _web(text: str, folded: str) -> tuple[list[Entity], list[Entity]]:
    """E-mails, addresses and handles; and phones written as WhatsApp links (wa.me/NUMBER)."""
    found: list[Entity] = []
    phones: list[Entity] = []
    if "@" in text:
        for m in p.EMAIL.finditer(text):
            found.append(Entity("email", m.group(0).lower(), *m.span()))
    for m in p.URL.finditer(text) if p.DOTTED.search(text) else ():
        raw = m.group(0).rstrip(p.URL_TRAILING)
        start, end = m.start(), m.start() + len(raw)
        bare = not raw.lower().startswith(("http", "www."))
        host, _, path = re.sub(r"^(?:https?://)?", "", raw, flags=re.I).partition("/")
        host = host.split(":")[0].lower()
        if bare and not raw.split("/")[0].rsplit(".", 1)[-1].islower():
            continue  # "ishte aty.Me" is a missing space, not a web address
        if not _free([(e.start, e.end) for e in found], start, end):
            continue
        host = re.sub(r"^(?:www|m|mobile|web)\.", "", host)
        path = re.split(r"[?#]", path)[0].rstrip("/")
        if host == "wa.me" and path.isdigit() and (number := _parsed(f"+{path}")):
            phones.append(Entity("phone", number, start, end))
        elif (name := p.handle_of_url(host, path)) is not None:
            found.append(Entity("handle", name, start, end))
        elif "." in host:
            found.append(Entity("url", f"{host}/{path}" if path else host, start, end))
    if "@" in text:
        for m in p.HANDLE.finditer(text):
            name = m.group(1).lower().rstrip(".")
            if _free([(e.start, e.end) for e in found], *m.span()) and not p.URL.fullmatch(name):
                found.append(Entity("handle", name, *m.span()))
    for m in p.PROFILE_PHRASE_F.finditer(folded):
        # Handle-like: "PuneGreqi", "pune_italia", "vajza.23"; not "i saj", "zyrtare".
        written = text[m.start(1) : m.end(1)].rstrip(".")
        marked = not written.isalpha() or written[1:] != written[1:].lower()
        spare = _free([(e.start, e.end) for e in found], *m.span(1))
        if p.HANDLE_NAME.fullmatch(written) and marked and spare:
            found.append(Entity("handle", written.lower(), *m.span(1)))
    return found, phones


def _ibans(text: str) -> list[Entity]:
    found: list[Entity] = []
    for m in p.IBAN.finditer(text):
        # The pattern may run into the next word: try the longest valid prefix.
        raw = m.group(0)
        cuts = [i for i in range(len(raw), 14, -1) if i == len(raw) or raw[i] == " "]
        for cut in cuts:
            candidate = raw[:cut].rstrip()
            if stdnum_iban.is_valid(candidate):
                value = stdnum_iban.compact(candidate)
                found.append(Entity("iban", value, m.start(), m.start() + len(candidate)))
                break
    return found


def _places(matches: Iterable[RawMatch]) -> list[tuple[int, int, str]]:
    """Place mentions: longest span first, then the finest kind; value a stable key."""
    entries = places.by_id()
    ranked = sorted(
        {(m.start, m.end, m.ident) for m in matches if m.kind == "place"},
        key=lambda s: (s[0] - s[1], p.PLACE_RANK.get(entries[s[2]].kind, 5), s[0]),
    )
    chosen: list[tuple[int, int, str]] = []
    for start, end, ident in ranked:
        if _free([(s, e) for s, e, _ in chosen], start, end):
            chosen.append((start, end, place_key(ident)))
    return sorted(chosen)


def place_key(ident: str) -> str:
    """A place's stable value ("al:durres", "gr:athine"): gazetteer ids are positional."""
    entry = places.by_id()[ident]
    return f"{(entry.country or 'al').lower()}:{fold(entry.name)}"


def _business_name(
    text: str, folded: str, start: int, end: int, spots: list[Span], shouting: bool
) -> tuple[str, int, int] | None:
    """The name or descriptor of the business word at text[start:end], and where it ends."""
    if q := p.QUOTED.match(text, end):
        return q.group(1), min(start, q.start(1)), q.end()
    if not shouting and (c := p.CAPITALISED.match(text, end)):
        kept: list[Span] = []
        for w in re.finditer(r"\S+", c.group(1)):
            ws, we = c.start(1) + w.start(), c.start(1) + w.end()
            if not _free(spots, ws, we) or fold(w.group(0)) in p.NOT_NAMES:
                break
            kept.append((ws, we))
        if kept:
            return text[kept[0][0] : kept[-1][1]], start, kept[-1][1]
    g = p.GENITIVE_F.match(folded, end)
    noun = g.group(g.lastindex or 0) if g else ""
    if g and noun not in p.GENERIC_DESCRIPTORS and _free(spots, *g.span(g.lastindex or 0)):
        return noun, start, g.end()
    window = max(0, start - 50)
    b = None if shouting else p.CAPITALISED_BEFORE.search(text, window, start)
    if b and (b.group(2) or not re.search(r"(?:^|[.!?]\s*)$", text[window : b.start(1)])):
        ws = b.start(1)
        if _free(spots, ws, start) and p.name_key(b.group(1)):
            return b.group(1), ws, end
    d = p.DESCRIPTOR_BEFORE_F.search(folded, window, start)
    english = p.ENGLISH_TYPES_F.search(folded[start:end])
    if d and english and d.group(1) not in p.NOT_NAMES and _free(spots, *d.span(1)):
        return d.group(1), d.start(1), end
    return None


def _near_place(text: str, start: int, end: int, spots: list[tuple[int, int, str]]) -> str | None:
    def close(gap: str) -> bool:
        return len(gap.split()) <= p.BUSINESS_PLACE_WORDS and not re.search(r"[.!?\n]", gap)

    after = [k for s, _, k in spots if s >= end and close(text[end:s])]
    if after:
        return after[0]
    before = [k for s, e, k in spots if e <= start and close(text[e:start])]
    return before[-1] if before else None


def _businesses(text: str, folded: str, spots: list[tuple[int, int, str]]) -> list[Entity]:
    found: list[Entity] = []
    spans = [(s, e) for s, e, _ in spots]
    shouting: bool | None = None
    for m in p.BUSINESS_F.finditer(folded):
        kind = m.lastgroup or ""
        if not _free(spans, *m.span()):
            continue
        shouting = _shouting(text) if shouting is None else shouting
        named = _business_name(text, folded, m.start(), m.end(), spans, shouting)
        if named is None:
            continue
        name, start, end = named
        key = p.name_key(name)
        place = _near_place(text, start, end, spots)
        if key and place:
            found.append(Entity("business", f"{kind}|{key}|{place}", start, end))
    return found


def find_entities(
    text: str, own_numbers: Iterable[str] = (), *, matches: Sequence[RawMatch] | None = None
) -> tuple[Entity, ...]:
    """Entities named in a tip, in order, deduplicated by (kind, value).

    `own_numbers` are the sender's numbers (never returned). `matches` are the tip's
    `triage.matching.find` results when the caller already has them (assess does): passing them
    spares a second spaCy pass, which is most of the cost.
    """
    text = text or ""
    folded = fold(text)
    web, wa_phones = _web(text, folded)
    taken = [(e.start, e.end) for e in web + wa_phones]
    digits = sum(map(str.isdigit, text))
    ibans = _ibans(text) if digits >= 10 else []
    taken += [(e.start, e.end) for e in ibans]
    own = {_parsed(n) or n for n in own_numbers}
    phones = _phones(text, folded, own, taken, wa_phones, digits)
    taken += [(e.start, e.end) for e in phones]
    plates = _plates(text, folded, taken) if digits else []
    taken += [(e.start, e.end) for e in plates]
    if matches is None:
        from triage.matching import find  # spaCy: imported on first use, like triage.assess

        matches = find(text)
    spots = [s for s in _places(matches) if _free(taken, s[0], s[1])]
    businesses = _businesses(text, folded, spots)
    place_entities = [Entity("place", key, s, e) for s, e, key in spots]
    ordered = sorted(
        web + ibans + phones + plates + businesses + place_entities,
        key=lambda e: (e.start, KINDS.index(e.kind), e.end),
    )
    seen: set[tuple[str, str]] = set()
    unique = []
    for entity in ordered:
        if (entity.kind, entity.value) not in seen:
            seen.add((entity.kind, entity.value))
            unique.append(entity)
    return tuple(unique)
