"""The enqueue seam: RQ on Redis in production, an in-process worker thread on a laptop.

Jobs are named by dotted path and carry integer ids only, never text or identifiers, so the queue
(and Redis) never holds anything worth stealing. The database is the source of truth: a job that
is lost is re-driven by the sweeper, so `enqueue` may fail softly.
"""

from __future__ import annotations

import importlib
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Protocol

log = logging.getLogger(__name__)

# Queue names in priority order: a worker always drains the earlier ones first.
QUEUES = ("critical", "high", "default", "low")


class JobQueue(Protocol):
    """Anything that can run a named job with integer arguments."""

    def enqueue(self, func: str, *ids: int, queue: str = "default") -> bool:
        """Queue a job; return False (and log) when the queue is unreachable."""
        ...

    def ping(self) -> bool:
        """Return True when the queue backend works."""
        ...

    def workers(self) -> int:
        """Return how many workers are alive to take jobs."""
        ...


def resolve(func: str) -> Callable[..., Any]:
    """Import a job function from its dotted path."""
    module, _, name = func.rpartition(".")
    target: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return target


def _check_ids(ids: tuple[int, ...]) -> None:
    # A hard stop, not a convention: a string in a job payload could be a phone number.
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise TypeError("jobs carry integer ids only")


class InProcessQueue:
    """A priority queue drained by one daemon thread: the embedded default's worker."""

    def __init__(self) -> None:
        self._items: queue.PriorityQueue[tuple[int, int, str, tuple[int, ...]]] = (
            queue.PriorityQueue()
        )
        self._counter = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.idle = threading.Event()
        self.idle.set()

    def enqueue(self, func: str, *ids: int, queue: str = "default") -> bool:
        """Queue a job for the worker thread."""
        _check_ids(ids)
        with self._lock:
            self._counter += 1
            self.idle.clear()
            self._items.put((QUEUES.index(queue), self._counter, func, ids))
        return True

    def ping(self) -> bool:
        """Return True while the worker thread runs (or before it was started)."""
        return self._thread is None or self._thread.is_alive()

    def workers(self) -> int:
        """One while the worker thread runs."""
        return 1 if self._thread is not None and self._thread.is_alive() else 0

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
                _, _, func, ids = self._items.get_nowait()
            except queue.Empty:
                self.idle.set()
                return True
            self._run_one(func, ids)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                _, _, func, ids = self._items.get(timeout=0.2)
            except queue.Empty:
                self.idle.set()
                continue
            self._run_one(func, ids)

    @staticmethod
    def _run_one(func: str, ids: tuple[int, ...]) -> None:
        try:
            resolve(func)(*ids)
        except Exception as exc:
            # The row stays pending in the database; the sweeper retries it. The type only: a
            # provider's error message can quote a number.
            log.error("job %s%s failed (%s)", func, ids, type(exc).__name__)


class RQQueue:
    """RQ queues on Redis, one per priority."""

    def __init__(self, redis_url: str) -> None:
        from redis import Redis
        from rq import Queue

        self._redis = Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._queues = {name: Queue(name, connection=self._redis) for name in QUEUES}

    @property
    def connection(self) -> Any:
        """Return the Redis connection (for workers and health)."""
        return self._redis

    def enqueue(self, func: str, *ids: int, queue: str = "default") -> bool:
        """Queue a job on Redis; a Redis failure is logged and left to the sweeper."""
        _check_ids(ids)
        try:
            self._queues[queue].enqueue(
                func, *ids, job_timeout=60, result_ttl=60, failure_ttl=7 * 24 * 3600
            )
        except Exception as exc:  # Redis down: the sweeper re-drives from the database.
            log.warning("enqueue of %s failed softly: %s", func, type(exc).__name__)
            return False
        return True

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
