"""What statistics can count and group by: units, fields, channels, and the check of a request.

The names here are the interface of the console's statistics page, `raporto stats` and the
exports; console/stats.py computes the values. See docs/STATISTICS.md for what each one means.
"""

from __future__ import annotations

from collections.abc import Sequence

from console.errors import Refusal
from locales.i18n import N_

# Every channel a tip or contact can come from, in the order tables list them. WhatsApp and the
# web form are channels of their own: a WhatsApp chat is counted like a Telegram one, a web form
# submission is one contact.
CHANNELS = ("telegram", "whatsapp", "sms", "voice", "hotline", "web", "console")
CHANNEL_LABELS = {
    "telegram": N_("Telegram"),
    "whatsapp": N_("WhatsApp"),
    "sms": N_("SMS"),
    "voice": N_("Voice call"),
    "hotline": N_("116 006 call centre"),
    "web": N_("Web form"),
    "console": N_("Console"),
}

TIP_FIELDS = (
    "channel",
    "operator",
    "band",
    "form",
    "category",
    "minor",
    "qark",
    "language",
    "follow_up",
    "review",
    "day",
    "week",
    "month",
    "year",
)
CONTACT_FIELDS = ("channel", "operator", "day", "week", "month", "year")
TIME_FIELDS = ("day", "week", "month", "year")
GROUP_FIELDS = tuple(dict.fromkeys(TIP_FIELDS + CONTACT_FIELDS))
UNITS = ("tips", "contacts")
# Asked for, but not computable without decrypting: say why instead of counting nonsense.
UNAVAILABLE: dict[str, str] = {}


class StatsError(Refusal):
    """A request the statistics cannot answer (unknown field, field of the other unit...)."""


def check_fields(group_by: Sequence[str], unit: str) -> list[str]:
    """Validate group-by fields for a unit; raise StatsError naming the problem."""
    if unit not in UNITS:
        raise StatsError(
            N_("The unit must be one of %(units)s, not “%(unit)s”."), units=UNITS, unit=unit
        )
    fields = list(group_by)
    if not fields:
        raise StatsError(N_("Give at least one field to group by."))
    if len(set(fields)) != len(fields):
        raise StatsError(N_("A field is named twice."))
    allowed = TIP_FIELDS if unit == "tips" else CONTACT_FIELDS
    for name in fields:
        if name in UNAVAILABLE:
            raise StatsError(
                N_("Cannot group by “%(field)s”: %(reason)s"), field=name, reason=UNAVAILABLE[name]
            )
        if name not in GROUP_FIELDS:
            raise StatsError(
                N_("“%(field)s” is an unknown field; known: %(known)s."),
                field=name,
                known=GROUP_FIELDS,
            )
        if name not in allowed:
            other = "contacts" if unit == "tips" else "tips"
            raise StatsError(
                N_("The field “%(field)s” exists only for %(other)s, not for %(unit)s."),
                field=name,
                other=other,
                unit=unit,
            )
    # Nested periods add nothing (a month names its year); overlapping ones (a week across
    # two months) would make a table whose totals are not what a reader expects.
    if len([name for name in fields if name in TIME_FIELDS]) > 1:
        raise StatsError(N_("Group by at most one of %(fields)s."), fields=TIME_FIELDS)
    return fields
