"""Per-message translation: every text a person reads goes through here, never a global `_`.

Message ids are the English source texts, extracted by `pybabel extract` with the keywords
`gettext:2` and `ngettext:2,3` (see babel.cfg). Placeholders are named: %(reference)s.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent
LANGUAGES = ("sq", "en")
DEFAULT_LANGUAGE = "sq"


def normalise_language(lang: str | None) -> str:
    """Map any language hint (e.g. "sq-AL", "EN") to a supported language, Albanian by default."""
    if not lang:
        return DEFAULT_LANGUAGE
    short = lang.strip().lower().replace("_", "-").split("-")[0]
    return short if short in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> NullTranslations:
    """Load the compiled catalogue of a language once per process."""
    return Translations.load(str(LOCALE_DIR), [normalise_language(lang)], domain="messages")


def gettext(lang: str, message: str, **params: Any) -> str:
    """Translate a message into a language and fill its named placeholders."""
    text = translations(lang).gettext(message)
    return text % params if params else text


def ngettext(lang: str, singular: str, plural: str, n: int, **params: Any) -> str:
    """Translate a message with a plural form and fill its placeholders (n is `%(n)d`)."""
    text = translations(lang).ngettext(singular, plural, n)
    return text % {"n": n, **params}


def N_(message: str) -> str:
    """Mark a message for extraction where it is translated later (stored as a message id)."""
    return message
