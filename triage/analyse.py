"""assess(): one tip in, one immutable Assessment out. Deterministic, no I/O but packaged data."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache

from triage import matching, places
from triage import second_opinion as statistics
from triage.ages import ADULT, find_ages
from triage.assessment import Assessment, IndicatorHit, Place
from triage.catalogue import Indicator, load
from triage.language import detect
from triage.normalise import fold
from triage.phones import find_phones
from triage.policy import RoutingPolicy
from triage.routing import forms_of, routes_of
from triage.score import BANDS, score

# The indicator that states a minor outright (a grade, "e mitur"): it holds against adult ages.
STATED_MINOR = "minor_stated"
# Quotation marks: a child word right after one is a manner of speaking ("the 'kids'").
QUOTES = frozenset("'\"‘’“”«")
# Words for young people that also name young adults ("goca 22 vjeç", "the boys, 20 and 21"):
# an adult age stated beside them says who they are. "Fëmijë", "kids", "a baby" are children
# whatever the age of the man who brings them.
SOFT_CHILD_WORDS = frozenset(
    {"goca", "goce", "gocat", "gocen", "vajza", "vajzat", "vajze", "vajzen", "cuna", "cunat",
     "djem", "djemte", "djali", "djalin", "girl", "girls", "boy", "boys", "lads", "young",
     "gjimnaz", "gjimnazi", "gjimnazit", "gjimnazin", "school"}
)  # fmt: skip
# Words between the last laugh and the first sign of weight 1.5 or more for the laugh to open
# the message rather than carry the joke ("haha, so cold here... now seriously, the owner keeps
# two girls": the report is no joke).
JOKE_THEN_REPORT_WORDS = 10
STRONG_AFTER_JOKE = 1.5
# A short quotation: an opening mark after a space (not the elision in "s'po", "n'Itali") and a
# closing mark before a space or punctuation.
QUOTED = re.compile(r"""(?:(?<=\s)|^)['"‘“«]([^'"‘’“”«»\n]{1,60}?)['"’”»](?=[\s.,;:!?)]|$)""")
QUOTED_WORDS = 3
# Words that, quoted, are somebody's word for it ("'si rob'", "'e blerë'", "'modern slavery'");
# quoted job words stay signs, as they are how euphemisms are written ("'masazhe'", "'vizita'").
# A lawful reason in quotes is somebody's cover story ("po e merr në Itali 'me pushime'").
QUOTABLE = frozenset(
    {"sold_person", "servitude", "locked_in", "held_by_force", "trafficked", "exploited",
     "lawful_travel"}
)  # fmt: skip


@cache
def _default_policy() -> RoutingPolicy:
    return RoutingPolicy.default()


def _minimal_spans(
    spans: Iterable[tuple[int, int]],
    blocked: Iterable[tuple[int, int]] = (),
    overruled: Iterable[tuple[int, int]] = (),
) -> list[tuple[int, int]]:
    """Shortest non-overlapping spans, skipping any inside a negated match or overlapping an
    indicator this one yields to.

    Negation blocks only by containment: "i mori pasaportën dhe nuk e ka paguar" keeps the
    documents sign even though a negated wages match overlaps its end. A reading this one yields
    to wins wherever the words overlap: "to keep a copy of my passport" is a copy, not papers taken.
    """
    chosen: list[tuple[int, int]] = []
    barred = list(blocked)
    overlapping = list(overruled)
    for start, end in sorted(set(spans), key=lambda s: (s[1] - s[0], s[0])):
        if any(start < e and s < end for s, e in chosen):
            continue
        if any(s <= start and end <= e for s, e in barred):
            continue
        if any(start < e and s < end for s, e in overlapping):
            continue
        chosen.append((start, end))
    return sorted(chosen)


def _longest_spans(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Longest non-overlapping place matches ("Durrës port" beats "Durrës")."""
    chosen: list[tuple[int, int, str]] = []
    for start, end, ident in sorted(set(spans), key=lambda s: (s[0] - s[1], s[0])):
        if not any(start < e and s < end for s, e, _ in chosen):
            chosen.append((start, end, ident))
    return sorted(chosen)


Offsets = tuple[int, int]


def _resolve_places(
    matches: Iterable[tuple[int, int, str]],
) -> tuple[tuple[Place, ...], dict[str, list[Offsets]]]:
    """Places in order of mention, and the offsets of each kind (for place-derived indicators)."""
    entries = places.by_id()
    found: dict[str, Place] = {}
    by_kind: dict[str, list[Offsets]] = defaultdict(list)
    for start, end, ident in _longest_spans(matches):
        entry = entries[ident]
        qark = entry.qark if entry.country == "AL" else None
        place = Place(entry.name, entry.kind, qark, entry.country, entry.name_en)
        found.setdefault(entry.name, place)
        if not (entry.kind == "country" and entry.country == "AL"):  # Albania is no destination
            by_kind[entry.kind].append((start, end))
    return tuple(found.values()), by_kind


def _gather(
    text: str,
) -> tuple[dict[str, list[Offsets]], dict[str, list[Offsets]], tuple[Place, ...]]:
    """Indicator hits (offsets), negated indicators (offsets) and places found in the tip."""
    spans: dict[str, list[Offsets]] = defaultdict(list)
    negated: dict[str, list[Offsets]] = defaultdict(list)
    place_matches: list[tuple[int, int, str]] = []
    for match in matching.find(text):
        if match.kind == "place":
            place_matches.append((match.start, match.end, match.ident))
        else:
            (negated if match.negated else spans)[match.ident].append((match.start, match.end))
    found_places, by_kind = _resolve_places(place_matches)
    catalogue = load()
    place_spans = [(start, end) for start, end, _ in place_matches]
    hits = {}
    for ident, found in spans.items():
        indicator = catalogue.get(ident)
        if any(spans.get(other) for other in indicator.yields_to_tip):
            continue
        blocked = list(negated.get(ident, ()))
        if indicator.yields_to_places:
            blocked += place_spans
        overruled = [span for other in indicator.yields_to for span in spans.get(other, ())]
        if kept := _minimal_spans(found, blocked, overruled):
            hits[ident] = kept
    for indicator in catalogue.indicators:
        derived = sorted({o for kind in indicator.from_places for o in by_kind.get(kind, ())})
        if derived:
            hits[indicator.id] = derived
    if _joke_then_report(text, hits):
        del hits["joke"]
    _drop_quoted(text, hits)
    return hits, negated, found_places


def _drop_quoted(text: str, hits: dict[str, list[Offsets]]) -> None:
    """Drop a strong word someone else said, in quotes ("'jam skllav'", "calls it 'slavery'")."""
    # A label is a word or three; a longer quotation is somebody's message ("'they lock me, no
    # passport, help'"), and the victim's own words are the strongest sign there is.
    quoted = [m.span(1) for m in QUOTED.finditer(text) if len(m.group(1).split()) <= QUOTED_WORDS]
    if not quoted:
        return
    for ident in QUOTABLE & hits.keys():
        kept = [
            (start, end)
            for start, end in hits[ident]
            if not any(q_start <= start and end <= q_end for q_start, q_end in quoted)
        ]
        if kept:
            hits[ident] = kept
        else:
            del hits[ident]


def _joke_then_report(text: str, hits: Mapping[str, list[Offsets]]) -> bool:
    """A laugh that opens a long message ("haha it's so cold here...") and a report after it."""
    if "joke" not in hits:
        return False
    last = max(end for _, end in hits["joke"])
    catalogue = load()
    starts = [
        start
        for ident, found in hits.items()
        if catalogue.get(ident).weight >= STRONG_AFTER_JOKE
        for start, _ in found
        if start > last
    ]
    # The laugh is about what comes straight after it ("haha my boss made me his slave"); a
    # report that starts many words later, after other talk, is not part of the joke.
    return bool(starts) and len(text[last : min(starts)].split()) >= JOKE_THEN_REPORT_WORDS


def _conditions_met(indicator: Indicator, hits: Mapping[str, object], minor: bool) -> bool:
    """Conditional indicators: "i dashuri" counts only beside movement or control, etc."""
    if indicator.requires_minor and not minor:
        return False
    if not indicator.requires_any:
        return True
    catalogue = load()
    others = {
        catalogue.get(i).category for i in hits if i != indicator.id and catalogue.get(i).sign
    }
    return bool(others & set(indicator.requires_any))


def assess(
    text: str,
    lang: str | None = None,
    channel: str | None = None,
    answers: Mapping[str, bool | None] | None = None,
    *,
    policy: RoutingPolicy | None = None,
    second_opinion: bool = True,
) -> Assessment:
    """Triage one tip: signs, ages, places, phones, score, band, forms, routes and deadline.

    `answers` carries the guided flow's structured answers: {"minor": …, "danger_now": …}.
    `channel` is accepted for the caller's records; the text alone decides the triage.
    """
    del channel  # the same words weigh the same on every channel
    text = text or ""
    answers = answers or {}
    catalogue = load()
    hits, negated, found_places = _gather(text)
    ages = find_ages(text)
    minor_answer = answers.get("minor") is True
    danger_answer = answers.get("danger_now") is True
    # A word for a child ("goca", "fëmijët") does not make a minor of a tip whose every stated
    # age is adult ("goca 22 vjeç", "a woman, 31, ... threatens her children").
    # A school grade or "e mitur" still says so ("klasa e 7 ... a man of 30").
    # A child word in quotes ("the 'kids' are young men, 19 or 20") is a manner of speaking.
    soft = all(
        fold(text[start:end]).split()[-1] in SOFT_CHILD_WORDS or text[start - 1 : start] in QUOTES
        for start, end in hits.get("minor_mentioned", ())
        if text[start:end].split()
    )
    adults_only = bool(ages.ages) and min(ages.ages) >= ADULT and STATED_MINOR not in hits and soft
    worded = any(catalogue.get(i).sets_minor for i in hits) and not adults_only
    minor = ages.minor or minor_answer or worded
    fired = [i for i in catalogue.indicators if i.id in hits and _conditions_met(i, hits, minor)]
    words = len(text.split())
    stated = (ages.minor or STATED_MINOR in hits) and not adults_only
    young = [age for age in ages.ages if age < ADULT]
    youngest = min(young) if young and not adults_only else None
    scored = score(
        fired, minor, minor_answer, danger_answer, catalogue.caps, words, stated, youngest
    )
    if second_opinion and statistics.allowed(scored.rules):
        raised = statistics.raised_band(text, scored.band, BANDS)
        if raised is not None:
            scored = replace(scored, band=raised, rules=(*scored.rules, "second_opinion"))
    elif second_opinion and (reviewed := statistics.reviewed_band(text, scored.band)):
        scored = replace(scored, band=reviewed, rules=(*scored.rules, "second_opinion_review"))
    forms = forms_of(fired, scored.band)
    chosen = policy or _default_policy()
    return Assessment(
        band=scored.band,
        score=scored.score,
        language=detect(text, lang),
        minor=minor,
        ages=ages.ages,
        indicators=tuple(
            IndicatorHit(
                i.id, i.category, i.weight, tuple((s, e, text[s:e]) for s, e in hits[i.id])
            )
            for i in fired
        ),
        places=found_places,
        forms=forms,
        urgent=danger_answer or any(i.category == "urgency" for i in fired),
        routes=routes_of(fired, minor, forms, scored.band),
        phones=find_phones(text),
        ack_deadline_minutes=chosen.ack_deadline_minutes(scored.band),
        catalogue_version=catalogue.version,
        rules=scored.rules,
        negated=tuple(i for i in sorted(negated) if i not in hits),
        age_spans=tuple((m.start, m.end, text[m.start : m.end]) for m in ages.mentions),
        escalation=tuple((s.after_minutes, s.notify) for s in chosen.escalation(scored.band)),
    )
