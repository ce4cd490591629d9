"""The enqueue seam: RQ on Redis in production, an in-process worker thread on a laptop.

Jobs are named by a `Job` value and carry integer ids only, never text or identifiers, so the
queue (and Redis) never holds anything worth stealing. What runs for each name is wired by the
composition root (`raporto/jobs.py`) with `bind`: code below `raporto/` names a job, never the
module that runs it. The database is the source of truth: a job that is lost is re-driven by the
sweeper, so `enqueue` may fail softly.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

log = logging.getLogger(__name__)

# Queue names in priority order: a worker always drains the earlier ones first.
QUEUES = ("critical", "high", "default", "low")


class Job(StrEnum):
    """The jobs a worker runs; each takes integer ids only."""

    DELIVER = "deliver"  # one delivery to an official
    DELIVER_MANY = "deliver_many"  # a tip's deliveries to its officials, sent together
    SEND_OUTBOUND = "send_outbound"  # one queued reply to a reporter
    FETCH_ATTACHMENT = "fetch_attachment"  # a photo, voice note or recording from its provider
    SWEEP = "sweep"  # re-drive what is due


@dataclass(frozen=True)
class JobTable:
    """What runs each job in this process, and the importable entry a worker process calls."""

    handlers: Mapping[Job, Callable[..., Any]]
    # A module-level function `entry(job_name, *ids)`: RQ stores its dotted path in Redis and the
    # worker imports it, then resolves the job from its own table (raporto/jobs.py).
    entry: Callable[..., Any]


class JobQueue(Protocol):
    """Anything that can run a named job with integer arguments."""

    def enqueue(self, job: Job, *ids: int, queue: str = "default") -> bool:
        """Queue a job; return False (and log) when the queue is unreachable."""
        ...

    def bind(self, table: JobTable) -> None:
        """Take the composition root's wiring of job names to what runs them."""
        ...

    def ping(self) -> bool:
        """Return True when the queue backend works."""
        ...

    def workers(self) -> int:
        """Return how many workers are alive to take jobs."""
        ...


def _check(job: Job, ids: tuple[int, ...]) -> None:
    # A hard stop, not a convention: a string in a job payload could be a phone number.
    if not isinstance(job, Job):
        raise TypeError("jobs are named by a Job value")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise TypeError("jobs carry integer ids only")


class InProcessQueue:
    """A priority queue drained by one daemon thread: the embedded default's worker."""

    def __init__(self) -> None:
        self._items: queue.PriorityQueue[tuple[int, int, Job, tuple[int, ...]]] = (
            queue.PriorityQueue()
        )
        self._handlers: Mapping[Job, Callable[..., Any]] = {}
        self._counter = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.idle = threading.Event()
        self.idle.set()

    def bind(self, table: JobTable) -> None:
        """Run jobs with these handlers (the composition root's wiring)."""
        self._handlers = table.handlers

    def enqueue(self, job: Job, *ids: int, queue: str = "default") -> bool:
        """Queue a job for the worker thread."""
        _check(job, ids)
        with self._lock:
            self._counter += 1
            self.idle.clear()
            self._items.put((QUEUES.index(queue), self._counter, job, ids))
        return True

    def ping(self) -> bool:
        """Return True while the worker thread runs (or before it was started)."""
        return self._thread is None or self._thread.is_alive()

    def workers(self) -> int:
        """One while the worker thread runs."""
        return 1 if self._thread is not None and self._thread.is_alive() else 0

    def depths(self) -> dict[str, int]:
        """Jobs waiting in each priority queue (for /metrics)."""
        with self._items.mutex:
            waiting = [item[0] for item in self._items.queue]
        return {name: waiting.count(index) for index, name in enumerate(QUEUES)}

    def start(self) -> None:
        """Start the worker thread."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="raporto-jobs", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the worker thread after the current job."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def drain(self, timeout: float = 10.0) -> bool:
        """Run queued jobs in the calling thread until none is left (tests, CLI)."""
        while True:
            try:
                _, _, job, ids = self._items.get_nowait()
            except queue.Empty:
                self.idle.set()
                return True
            self._run_one(job, ids)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                _, _, job, ids = self._items.get(timeout=0.2)
            except queue.Empty:
                self.idle.set()
                continue
            self._run_one(job, ids)

    def _run_one(self, job: Job, ids: tuple[int, ...]) -> None:
        handler = self._handlers.get(job)
        if handler is None:
            # Nothing wired (a queue built outside the composition root): the row stays pending
            # and the sweeper of a wired process re-drives it.
            log.error("job %s%s has no handler in this process", job.value, ids)
            return
        try:
            handler(*ids)
        except Exception as exc:
            # The row stays pending in the database; the sweeper retries it. The type only: a
            # provider's error message can quote a number.
            log.error("job %s%s failed (%s)", job.value, ids, type(exc).__name__)


class RQQueue:
    """RQ queues on Redis, one per priority."""

    def __init__(self, redis_url: str) -> None:
        from redis import Redis
        from rq import Queue

        self._redis = Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._queues = {name: Queue(name, connection=self._redis) for name in QUEUES}
        self._entry: Callable[..., Any] | None = None

    def bind(self, table: JobTable) -> None:
        """Enqueue jobs as calls of the table's importable entry (run by `raporto worker`)."""
        self._entry = table.entry

    @property
    def connection(self) -> Any:
        """Return the Redis connection (for workers and health)."""
        return self._redis

    def enqueue(self, job: Job, *ids: int, queue: str = "default") -> bool:
        """Queue a job on Redis; a Redis failure is logged and left to the sweeper."""
        _check(job, ids)
        if self._entry is None:
            raise RuntimeError("RQQueue.bind was not called by the composition root")
        try:
            self._queues[queue].enqueue(
                self._entry,
                job.value,
                *ids,
                job_timeout=60,
                result_ttl=60,
                failure_ttl=7 * 24 * 3600,
            )
        except Exception as exc:  # Redis down: the sweeper re-drives from the database.
            log.warning("enqueue of %s failed softly: %s", job.value, type(exc).__name__)
            return False
        return True

    def depths(self) -> dict[str, int]:
        """Jobs waiting in each RQ queue (for /metrics); raises when Redis does not answer."""
        return {name: int(queue.count) for name, queue in self._queues.items()}

    def workers(self) -> int:
        """Return the number of RQ workers registered on this Redis."""
        from rq import Worker

        try:
            return int(Worker.count(connection=self._redis))
        except Exception:
            return 0

    def ping(self) -> bool:
        """Return True when Redis answers."""
        try:
            return bool(self._redis.ping())
        except Exception:
            return False
