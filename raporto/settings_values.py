"""The kinds of value an environment variable holds, each with its one parser.

A blank variable (empty or spaces) counts as unset before any of these runs; a flag is
1/true/yes/on or 0/false/no/off (any case); a count is a positive integer. Messages name what is
expected and never contain a secret's value. Used by the declarations in
`raporto/settings_deployment.py` and `raporto/settings_operations.py`.
"""

from __future__ import annotations

import json
from datetime import time
from typing import Annotated, Any

from pydantic import BeforeValidator, Field
from pydantic_settings import NoDecode

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
ALERT_CONTENTS = ("summary", "full", "link")


def parse_flag(raw: object) -> object:
    """The one boolean parser: 1/true/yes/on or 0/false/no/off, in any case."""
    if not isinstance(raw, str):
        return raw
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("must be 1, true, yes or on (or 0, false, no or off)")


def parse_count(raw: object) -> object:
    """A positive integer (sizes, durations, limits)."""
    if not isinstance(raw, str):
        return raw
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"must be an integer, got {raw!r}") from None
    if value <= 0:
        raise ValueError("must be positive")
    return value


def parse_number(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"must be a number, got {raw!r}") from None


def parse_hops(raw: object) -> object:
    """A count of proxy hops: 0 means the peer address is the client."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip() or "0"
    if not text.isascii() or not text.isdigit() or int(text) > 5:
        raise ValueError(f"must be a number of proxies from 0 to 5, got {text!r}")
    return int(text)


def parse_clock(raw: object) -> object:
    """A local time of day written HH:MM (Tirana time)."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    hours, sep, minutes = text.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"must be a time of day written HH:MM, got {text!r}")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"must be a time of day written HH:MM, got {text!r}")
    return time(int(hours), int(minutes))


def parse_json_object(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        raise ValueError("is not valid JSON") from None
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    return value


def parse_comma_list(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def one_of(options: tuple[str, ...]) -> BeforeValidator:
    def check(raw: object) -> object:
        if raw not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return raw

    return BeforeValidator(check)


def parse_health_token(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    token = raw.strip()
    if token and len(token) < 32:
        raise ValueError("must be at least 32 characters")
    return token


Flag = Annotated[bool, BeforeValidator(parse_flag)]
Count = Annotated[int, BeforeValidator(parse_count)]
JsonObject = Annotated[dict[str, object], NoDecode, BeforeValidator(parse_json_object)]
CommaList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(parse_comma_list)]


def var(
    name: str,
    default: Any,
    description: str,
    *,
    production: bool = False,
    shown: str | None = None,
) -> Any:
    """Declare one environment variable (`production`: start-up refuses it missing there)."""
    extra: dict[str, Any] = {"required_in_production": production}
    if shown is not None:
        extra["shown_default"] = shown
    return Field(default, alias=name, description=description, json_schema_extra=extra)


GENERATED = "generated (development)"
