"""Raporto's event metrics (Prometheus): one function per event, every label from a closed set.

Counters and histograms live here, at the lowest layer that records them (intake in `bot/`,
deliveries and escalation in `alerts/`, web answers in `raporto/`). A label value outside its
closed set is recorded as "other", so no reference code, number, chat, text or name can ever
become a label, whatever a caller passes.

In production every process writes its samples to files in one folder (prometheus_client's
multiprocess mode, `use_directory`), and `/metrics` adds up the files of every web worker and
`raporto worker` on the host. prometheus_client picks where a sample is kept when the sample is
first created, so the metric objects are made again (`_Set`) whenever the folder changes.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import ParamSpec

from prometheus_client import Counter, Histogram, values
from prometheus_client.metrics import MetricWrapperBase
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from twilio.base.exceptions import TwilioRestException

from alerts.ratelimit import Throttled
from triage.policy import BANDS as TRIAGE_BANDS

log = logging.getLogger(__name__)
P = ParamSpec("P")
OTHER = "other"
CHANNELS = frozenset({"telegram", "sms", "whatsapp", "voice", "hotline", "web", "console"})
BANDS = frozenset(TRIAGE_BANDS) | {"unscored"}
WHICH = frozenset({"first", "last"})
PROVIDERS = frozenset({"telegram", "twilio", "network"})
# Seconds from the webhook to an official's phone: the first alert should take seconds; the last
# one of a tip may wait for a fallback channel (minutes).
DELIVERY_BUCKETS = (1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def never_raises(record: Callable[P, None]) -> Callable[P, None]:
    """A metric is never worth a lost tip: a failure to record (a full disk) is only logged."""

    @functools.wraps(record)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            record(*args, **kwargs)
        except Exception as exc:
            log.warning("metric %s not recorded: %s", record.__name__, type(exc).__name__)

    return guarded


def closed(value: object, allowed: frozenset[str]) -> str:
    """The value if it belongs to the closed set, else "other"."""
    text = str(value) if value is not None else ""
    return text if text in allowed else OTHER


def _counter(name: str, documentation: str, labels: list[str]) -> Counter:
    """A field of `_Set`: a counter made afresh with every set (never in the global registry)."""
    return field(default_factory=lambda: Counter(name, documentation, labels, registry=None))


@dataclass
class _Set:
    """The metric objects of one storage choice (in memory, or one multiprocess folder)."""

    tips: Counter = _counter(
        "raporto_tips", "Tips submitted by intake, by channel and triage band", ["channel", "band"]
    )
    delivery_seconds: Histogram = field(
        default_factory=lambda: Histogram(
            "raporto_alert_delivery_seconds",
            "Seconds from a tip's arrival to its first and to its last official's alert sent",
            ["which", "band"],
            buckets=DELIVERY_BUCKETS,
            registry=None,
        )
    )
    escalations: Counter = _counter(
        "raporto_escalations",
        "Escalation steps taken for unacknowledged tips, by band (digest: a digest's round)",
        ["band"],
    )
    provider_errors: Counter = _counter(
        "raporto_provider_errors",
        "Failed sends to Telegram and Twilio, by provider and kind of error",
        ["provider", "kind"],
    )
    http_responses: Counter = _counter(
        "raporto_http_responses",
        "Answers of the web process, by Flask endpoint and HTTP status",
        ["endpoint", "status"],
    )
    canary_failures: Counter = _counter(
        "raporto_canary_failures",
        "Channels on which a canary run failed (raporto canary)",
        ["channel"],
    )

    def all(self) -> list[MetricWrapperBase]:
        """Every metric object of this set."""
        return [getattr(self, f.name) for f in fields(self)]


_lock = threading.Lock()
_current = _Set()
_directory: Path | None = None


def use_directory(path: Path | None) -> None:
    """Keep this process's samples in `path` (multiprocess mode) from now on; None: in memory."""
    global _current, _directory
    with _lock:
        if path == _directory:
            return
        close = getattr(values.ValueClass, "close_all_files", None)
        if close is not None:
            close()  # the previous folder's files, opened by this process
        if path is None:
            os.environ.pop(MULTIPROC_ENV, None)
            values.ValueClass = values.MutexValue
        else:
            # prometheus_client reads the folder from the environment when it opens a file,
            # and a process started from this one (gunicorn's workers) inherits it.
            os.environ[MULTIPROC_ENV] = str(path)
            values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
        _directory = path
        _current = _Set()


def directory() -> Path | None:
    """The folder this process writes its samples to (None: kept in memory)."""
    return _directory


def current() -> list[MetricWrapperBase]:
    """The metric objects in use (what a scrape reads when samples are kept in memory)."""
    return _current.all()


@never_raises
def tip_submitted(channel: str, band: str | None) -> None:
    """Count a tip submitted by intake."""
    _current.tips.labels(closed(channel, CHANNELS), closed(band or "unscored", BANDS)).inc()


@never_raises
def alert_sent(which: str, band: str | None, seconds: float) -> None:
    """Observe the time from a tip's arrival to its first or last official's alert."""
    _current.delivery_seconds.labels(
        closed(which, WHICH), closed(band or "unscored", BANDS)
    ).observe(max(seconds, 0.0))


@never_raises
def escalated(band: str | None, steps: int = 1) -> None:
    """Count escalation steps (band "digest" for digests' overdue rounds)."""
    if steps > 0:
        _current.escalations.labels(closed(band or "unscored", BANDS | {"digest"})).inc(steps)


def error_kind(exc: BaseException) -> tuple[str, str]:
    """The provider and kind of a failed send, from the exception's type and code only."""
    if isinstance(exc, TwilioRestException):
        status = exc.status if isinstance(exc.status, int) else 0
        if status == 429 or exc.code == 20429:
            return "twilio", "rate_limited"
        return "twilio", "rejected" if 400 <= status < 500 else "server_error"
    if isinstance(exc, RetryAfter):
        return "telegram", "rate_limited"
    if isinstance(exc, Forbidden):
        return "telegram", "forbidden"
    if isinstance(exc, BadRequest):
        return "telegram", "bad_request"
    if isinstance(exc, TimedOut):
        return "telegram", "timeout"
    if isinstance(exc, NetworkError):
        return "telegram", "network"
    return "network", type(exc).__name__ if isinstance(exc, (OSError, TimeoutError)) else OTHER


KINDS = frozenset(
    {
        "rate_limited",
        "rejected",
        "server_error",
        "forbidden",
        "bad_request",
        "timeout",
        "network",
        # The standard library's connection errors, by class name (a closed set).
        "OSError",
        "TimeoutError",
        "ConnectionError",
        "ConnectionResetError",
        "ConnectionRefusedError",
        "ConnectionAbortedError",
        "BrokenPipeError",
    }
)


@never_raises
def provider_error(exc: BaseException) -> None:
    """Count a failed send to a provider (our own pacing, `Throttled`, is not an error)."""
    if isinstance(exc, Throttled):
        return
    provider, kind = error_kind(exc)
    _current.provider_errors.labels(closed(provider, PROVIDERS), closed(kind, KINDS)).inc()


@never_raises
def http_response(endpoint: str | None, status: int) -> None:
    """Count an answer of the web process (the endpoint is a route's name, never its path)."""
    name = endpoint if endpoint and endpoint.replace(".", "").replace("_", "").isalnum() else None
    code = str(status) if 100 <= status <= 599 else OTHER
    _current.http_responses.labels(name or "unmatched", code).inc()


@never_raises
def canary_failed(channels: list[str]) -> None:
    """Count the channels on which a canary run failed."""
    for channel in channels:
        _current.canary_failures.labels(closed(channel, CHANNELS)).inc()
