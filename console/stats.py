"""Counts of tips and contacts for ONAC, from clear metadata columns only (nothing is decrypted).

Rows are plain dicts: one key per group-by field (always a string) and `count`. Grouping is done
in Python after selecting only the needed columns, so SQLite and PostgreSQL give identical
answers (their date functions differ) and time buckets follow Albanian local time. See
docs/STATISTICS.md for what each field and unit means and how suppression works. The units and
fields a request may name, and its check, are in console/stats_fields.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import product
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.content import TIRANA
from console.stats_fields import TIME_FIELDS, TIP_FIELDS, check_fields
from models.review import review_state
from models.tables import InboundMessage, Tip

# ONAC counts by the Albanian calendar: a tip at 23:30 UTC on 31 December belongs to January.
TIMEZONE = TIRANA
UNKNOWN = "unknown"
# In a table with totals, the value of a field in a row that sums all its values.
TOTAL = "total"
# Telegram has no mobile operator: a value of its own keeps it apart from the calls and SMS
# whose operator is not known.
NO_OPERATOR = "none"
# Channels without a mobile operator of their own (an account, a browser).
NO_OPERATOR_CHANNELS = ("telegram", "whatsapp", "web")

Row = dict[str, str | int | None]


@dataclass(frozen=True)
class _Record:
    """One countable unit with its value(s) per field (a tuple: a tip has several forms)."""

    values: dict[str, tuple[str, ...]]


def _clear(value: object) -> str:
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _operator(channel: str | None, operator: str | None) -> str:
    return NO_OPERATOR if channel in NO_OPERATOR_CHANNELS and not operator else _clear(operator)


def _time_values(moment: datetime) -> dict[str, tuple[str, ...]]:
    # Albania's offset is whole hours: the local day of any moment is that of its UTC hour.
    return _hour_values(moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0))


@lru_cache(maxsize=65536)
def _hour_values(hour: datetime) -> dict[str, tuple[str, ...]]:
    local = hour.astimezone(TIMEZONE)
    iso = local.isocalendar()
    return {
        "day": (local.date().isoformat(),),
        "week": (f"{iso.year}-W{iso.week:02d}",),
        "month": (f"{local.year}-{local.month:02d}",),
        "year": (str(local.year),),
    }


def local_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime, datetime]:
    """Return [start, end) in UTC for local dates: `date_from` and `date_to` both inclusive."""
    start = datetime(1970, 1, 1, tzinfo=UTC)
    end = datetime(9999, 1, 1, tzinfo=UTC)
    if date_from is not None:
        start = datetime.combine(date_from, time(), TIMEZONE).astimezone(UTC)
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time(), TIMEZONE).astimezone(UTC)
    return start, end


# The columns each tip field is computed from: only those are read.
TIP_COLUMNS: dict[str, tuple[str, ...]] = {
    "channel": ("channel",),
    "operator": ("channel", "operator"),
    "band": ("band",),
    "form": ("forms",),
    "category": ("categories",),
    "minor": ("minor",),
    "qark": ("qark",),
    "language": ("language",),
    "follow_up": ("follow_ups",),
    "review": ("reviewed_at", "first_ack_at", "band", "alert_mode"),
    **{name: ("received_at",) for name in TIME_FIELDS},
}


def _tip_value(name: str, row: dict[str, Any]) -> tuple[str, ...]:
    if name == "form":
        # A tip with two forms counts once under each; a tip with none counts under "none".
        return tuple(sorted({str(f) for f in row["forms"] or ()})) or ("none",)
    if name == "category":
        return tuple(sorted({str(c) for c in row["categories"] or ()})) or ("none",)
    if name == "operator":
        return (_operator(row["channel"], row["operator"]),)
    if name == "follow_up":
        return (_clear((row["follow_ups"] or 0) > 0),)
    if name == "review":
        return (review_state(**{c: row[c] for c in TIP_COLUMNS["review"]}),)
    return (_clear(row[TIP_COLUMNS[name][0]]),)


def tip_records(
    session: Session, start: datetime, end: datetime, fields: Sequence[str] = TIP_FIELDS
) -> Iterator[_Record]:
    """Yield submitted tips received in [start, end), purged or not, with the given fields."""
    names = list(dict.fromkeys(c for f in fields for c in TIP_COLUMNS[f]))
    query = select(*(getattr(Tip, c) for c in names)).where(
        Tip.submitted.is_(True),
        Tip.synthetic.is_(False),  # the canary's tips are never counted
        Tip.received_at >= start,
        Tip.received_at < end,
    )
    plain = [f for f in fields if f not in TIME_FIELDS]
    timed = [f for f in fields if f in TIME_FIELDS]
    for line in session.execute(query):
        row = dict(zip(names, line, strict=True))
        values = {f: _tip_value(f, row) for f in plain}
        if timed:
            when = _time_values(row["received_at"])
            values.update({f: when[f] for f in timed})
        yield _Record(values)


def contact_records(session: Session, start: datetime, end: datetime) -> Iterator[_Record]:
    """Yield contacts in [start, end): calls, SMS, chat conversations, hotline records, forms.

    A call is its one `kind="call"` row (recordings of the same call are not counted again); an
    SMS is a citizen's SMS (officials' "OK code" replies are `kind="ack"`, with no reporter); a
    Telegram or WhatsApp conversation is one reporter writing on one local day; a hotline record
    and a web form submission are one contact each.
    """
    query = (
        select(
            InboundMessage.channel,
            InboundMessage.kind,
            InboundMessage.reporter_id,
            InboundMessage.operator,
            InboundMessage.received_at,
        )
        .where(InboundMessage.received_at >= start, InboundMessage.received_at < end)
        .order_by(InboundMessage.received_at, InboundMessage.id)
    )
    conversations: set[tuple[int, date]] = set()
    for channel, kind, reporter_id, operator, at in session.execute(query):
        if channel == "voice" and kind == "call":
            contact_type = "call"
        elif channel == "sms" and kind == "sms" and reporter_id is not None:
            contact_type = "sms"
        elif channel in ("telegram", "whatsapp") and reporter_id is not None:
            day = at.astimezone(TIMEZONE).date()
            if (reporter_id, day) in conversations:
                continue
            conversations.add((reporter_id, day))
            contact_type = "conversation"
        elif channel == "hotline":
            contact_type = kind if kind in ("call", "sms") else "other"
        elif channel == "web" and kind == "form":
            contact_type = "form"
        else:
            continue
        values: dict[str, tuple[str, ...]] = {
            "channel": (_clear(channel),),
            "operator": (_operator(channel, operator),),
            "contact_type": (contact_type,),
        }
        values.update(_time_values(at))
        yield _Record(values)


def sort_key(row: Row, fields: Sequence[str]) -> tuple[tuple[bool, str], ...]:
    """Order rows by their field values (all strings), totals after the values they sum."""
    return tuple((row[f] == TOTAL, str(row[f])) for f in fields)


def aggregate(records: Iterable[_Record], fields: Sequence[str], totals: bool = False) -> list[Row]:
    """Count records by the given fields (with totals: rows reading "total" too), sorted."""
    masks = list(product((False, True), repeat=len(fields))) if totals else [(False,) * len(fields)]
    # Records with the same values (a tip's forms as one value) are counted together first.
    signatures = Counter(tuple(record.values[f] for f in fields) for record in records)
    counter: Counter[tuple[str, ...]] = Counter()
    for signature, n in signatures.items():
        for mask in masks:
            # A total counts each record once, even a tip with two forms.
            values = [(TOTAL,) if m else v for v, m in zip(signature, mask, strict=True)]
            for key in product(*values):
                counter[key] += n
    rows: list[Row] = []
    for key, n in counter.items():
        row: Row = dict(zip(fields, key, strict=True))
        row["count"] = n
        rows.append(row)
    return sorted(rows, key=lambda r: sort_key(r, fields))


def records(
    session: Session,
    unit: str,
    date_from: date | None = None,
    date_to: date | None = None,
    fields: Sequence[str] | None = None,
) -> list[_Record]:
    """Return the countable records of a unit between two local dates (both inclusive)."""
    check_fields(["channel"], unit)
    start, end = local_bounds(date_from, date_to)
    if unit == "contacts":
        return list(contact_records(session, start, end))
    return list(tip_records(session, start, end, TIP_FIELDS if fields is None else fields))


def count(
    session: Session,
    group_by: Sequence[str],
    unit: str = "tips",
    date_from: date | None = None,
    date_to: date | None = None,
    totals: bool = False,
) -> list[Row]:
    """Count tips or contacts grouped by fields, between two local dates (both inclusive)."""
    fields = check_fields(group_by, unit)
    return aggregate(records(session, unit, date_from, date_to, fields), fields, totals)
