"""The SQL side of complicity: list only the tips that do not implicate the reader's agency.

`tips.excluded_kinds` is a JSON list of agency kinds (alerts/complicity.py fills it). Kinds are
short identifiers, so "the list holds this kind" is the same test on SQLite and PostgreSQL: the
list's JSON text contains the quoted kind.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Text, cast, true

from models.tables import Tip


def visible_to(kind: str | None) -> ColumnElement[bool]:
    """SQL condition: the tip does not implicate agencies of this kind (None: any reader)."""
    if kind is None:
        return true()
    return ~cast(Tip.excluded_kinds, Text).contains(f'"{kind}"', autoescape=True)
