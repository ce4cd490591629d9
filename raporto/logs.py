"""Logging that carries ids only: library loggers that print URLs or bodies are quietened.

Two formats (RAPORTO_LOG_FORMAT): `text`, one line a person reads, and `json`, one JSON object a
line for a log collector. The JSON form renders an exception as its type and the code locations
of its traceback only: an exception's message may quote its input (SQL parameters, a pydantic
value, a provider's answer with a phone number), and locals are never rendered by either form.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

# httpx logs every request URL, which contains the bot token; twilio's client logs bodies and
# numbers at INFO. They are held at WARNING whatever the configured level is.
NOISY = (
    "httpx",
    "httpcore",
    "twilio",
    "twilio.http_client",
    "telegram",
    "apscheduler",
    "werkzeug",
    "urllib3",
)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The attributes every LogRecord has; anything else on a record came from `extra=` (ids).
STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, process and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry.setdefault(key, value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = exception_summary(record.exc_info)
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, default=str, ensure_ascii=False)


def exception_summary(exc_info: ExcInfo) -> dict[str, Any]:
    """An exception's type, its causes' types and where it was raised: never its message."""
    _, exc, tb = exc_info
    frames = [f"{f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
    chain: list[str] = []
    seen: BaseException | None = exc.__cause__ or exc.__context__
    while seen is not None and len(chain) < 10:
        chain.append(_type_name(seen))
        seen = seen.__cause__ or seen.__context__
    return {"type": _type_name(exc), "frames": frames, "caused_by": chain}


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    return cls.__name__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__name__}"


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for RAPORTO_LOG_FORMAT (`text` or `json`)."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure(level: str = "INFO", log_format: str = "text") -> None:
    """Configure the root logger once per process (a later call may change level and format)."""
    root = logging.getLogger()
    ours: list[logging.Handler] = [h for h in root.handlers if getattr(h, "_raporto", False)]
    if not ours:
        handler = logging.StreamHandler(sys.stderr)
        handler._raporto = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        ours = [handler]
    for each in ours:
        each.setFormatter(formatter(log_format))
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
