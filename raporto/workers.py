"""`raporto worker`: an RQ worker on the priority queues, with the sweeper in a side thread."""

from __future__ import annotations

import threading

from rq import SimpleWorker

from alerts.queue import QUEUES, RQQueue
from bot.sweeper import sweeper_loop
from raporto import jobs
from raporto.canary import canary_loop
from raporto.runtime import build_runtime
from raporto.settings import ConfigError, Settings


def run_worker(settings: Settings, *, burst: bool, sweep_interval: float) -> None:
    """Work the queues in priority order until stopped (or until empty with burst)."""
    if not settings.redis_url:
        raise ConfigError("raporto worker needs REDIS_URL (the embedded default runs its own)")
    runtime = build_runtime(settings)
    jobs.serve(runtime)
    assert isinstance(runtime.queue, RQQueue)
    stop = threading.Event()
    threading.Thread(
        target=sweeper_loop,
        args=(runtime.intake, stop, sweep_interval),
        daemon=True,
        name="sweeper",
    ).start()
    if settings.canary_at is not None:
        # The daily canary (raporto/canary.py); every worker checks, one claims the day.
        threading.Thread(
            target=canary_loop, args=(runtime, stop), daemon=True, name="canary"
        ).start()
    # SimpleWorker runs jobs in this process: connections and the Telegram client are reused
    # between jobs. A killed worker loses at most its current job, which the sweeper re-drives
    # from the database.
    worker = SimpleWorker(list(QUEUES), connection=runtime.queue.connection)
    try:
        worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
    finally:
        stop.set()
