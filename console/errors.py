"""Refusals people read: an English message id and its values, translated when shown.

`str(refusal)` is the English sentence (the command line and logs); the console shows
`refusal.text(lang)`, so a page in Albanian never carries an English reason.
"""

from __future__ import annotations

from collections.abc import Callable

from locales.i18n import gettext

Value = str | int | tuple[str, ...]


class Refusal(ValueError):
    """A request that cannot be carried out, with the reason as a message id and its values."""

    def __init__(self, message: str, **params: Value) -> None:
        self.message = message
        self.params = params
        super().__init__(self.text(None))

    def text(self, lang: str | None, **shown: Callable[[str], str]) -> str:
        """The reason in a language (None: the English message id).

        `shown` gives, per value, how to show its codes in the reader's words (a field, a unit,
        a role); a tuple of codes is listed with commas. Other values are shown as they are.
        """
        values: dict[str, str | int] = {}
        for key, value in self.params.items():
            show = shown.get(key, str)
            if isinstance(value, tuple):
                values[key] = ", ".join(show(v) for v in value)
            else:
                values[key] = value if isinstance(value, int) else show(value)
        if lang is None:
            return self.message % values if values else self.message
        return gettext(lang, self.message, **values)
