"""The console's language: the one chosen with the switch or the account's, else Albanian."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal
from flask import session

from alerts.content import TIRANA
from locales.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext, ngettext
from triage.places import display_name

ROLE_LABELS = {
    "admin": N_("Administrator"),
    "onac": N_("ONAC (statistics)"),
    "official": N_("Official"),
}


def current_language() -> str:
    """Return the language of this request's pages."""
    chosen = session.get("lang")
    # No guess from the browser: the sign-in page followed Accept-Language while the pages after
    # it followed the account, so one person saw two languages. Albanian until someone chooses.
    return str(chosen) if chosen in LANGUAGES else DEFAULT_LANGUAGE


def _(message: str, **params: Any) -> str:
    """Translate a console message into the request's language."""
    return gettext(current_language(), message, **params)


def _n(singular: str, plural: str, n: int, **params: Any) -> str:
    """Translate a console message with a plural form."""
    return ngettext(current_language(), singular, plural, n, **params)


def role_label(role: str) -> str:
    """Return the translated name of a role."""
    return _(ROLE_LABELS.get(role, role))


def local_time(value: datetime | None) -> str:
    """Format a stored UTC time in Albania's time zone and the console's language."""
    if value is None:
        return ""
    return format_datetime(value, "medium", tzinfo=TIRANA, locale=current_language())


def number(value: float | None) -> str:
    """Format a number for the page's reader: 10,5 in Albanian, 10.5 in English."""
    if value is None:
        return ""
    return format_decimal(value, locale=current_language())


def place_name(name: str | None) -> str:
    """Show a stored place (a tip's qark is its Albanian name) in the page's language."""
    return display_name(name, current_language()) if name else ""
