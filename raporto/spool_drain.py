"""The web process's own replayer: drains its spool once the database is back.

A web host may run without a worker beside it (a second host that only takes Twilio's fallback
requests), so each web process replays what it spooled: a thread started when it spools an
event or finds a spool at start, trying again with back-off while the database is down, and
ending when the spool is empty. Workers' sweepers replay the same folder where they share it;
file locks keep two replayers off the same event.
"""

from __future__ import annotations

import logging
import threading

from bot.context import IntakeContext
from bot.spool_replay import replay
from models.spool import Spool

log = logging.getLogger(__name__)


class Drainer:
    """Replays one spool in a background thread until it is empty."""

    def __init__(
        self, ctx: IntakeContext, spool: Spool, first_wait: float = 1.0, max_wait: float = 15.0
    ) -> None:
        self.ctx, self.spool = ctx, spool
        self.first_wait, self.max_wait = first_wait, max_wait
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def kick(self) -> None:
        """Make sure a drain is running (called after each spooled event)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="spool-drain", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Ask the drain thread to end (tests; a daemon thread ends with the process anyway)."""
        self._stop.set()

    def _run(self) -> None:
        wait = self.first_wait
        while not self._stop.is_set():
            try:
                counts = replay(self.ctx, self.spool)
                if counts["replayed"]:
                    wait = self.first_wait  # the database is back: keep going briskly
            except Exception as exc:  # the drain must outlive any one failure
                log.error("spool drain failed (%s); trying again", type(exc).__name__)
            with self._lock:
                if not self.spool.entries():
                    self._thread = None
                    return
            self._stop.wait(wait)
            wait = min(wait * 2, self.max_wait)
        with self._lock:
            self._thread = None
