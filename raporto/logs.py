"""Logging that carries ids only: library loggers that print URLs or bodies are quietened."""

from __future__ import annotations

import logging
import sys

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


def configure(level: str = "INFO") -> None:
    """Configure the root logger once per process."""
    root = logging.getLogger()
    if not any(getattr(h, "_raporto", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._raporto = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
