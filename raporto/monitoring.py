"""Prometheus metrics of the host: the multiprocess folder, its upkeep, and what a scrape reads.

Every process that builds a runtime calls `enable`: its counters and histograms
(`alerts/metrics.py`) are then kept in PROMETHEUS_MULTIPROC_DIR (default instance/metrics, mode
0700), one file per process and kind, and a scrape adds up every file. A process that has died
leaves its files; `compact_dead` folds them into one archive file per kind, under a lock that
scrapes share, so the sums neither drop (a counter going down would read as a reset) nor count
twice, and the folder does not grow with every restart. The gauges (deliveries by state, queue
depth, outbox due, oldest unacknowledged critical tip, review queue) are read from the database
and the queue at scrape time, in the scraping process, by `StateCollector`: they are never
written to the folder, so no dead process's gauge lingers in a sum.

Every process writing to one folder must share one PID namespace (one host or container): the
files are named by PID and a dead process is recognised by its PID.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from alerts import canary, metrics
from alerts.queue import QUEUES
from models import review
from models.base import utcnow
from models.deliveries import Delivery
from models.tables import OutboundMessage, Tip

if TYPE_CHECKING:
    from raporto.runtime import Runtime
    from raporto.settings import Settings

log = logging.getLogger(__name__)
LOCK_FILE = ".lock"
# counter_1234.db, histogram_1234.db; gauges are never written to the folder (see above).
PROCESS_FILE = re.compile(r"^(counter|histogram)_(\d+)\.db$")
ARCHIVE = "{kind}_archive.db"
QUEUE_NAMES = frozenset(QUEUES)
DELIVERY_STATES = ("pending", "sent", "delivered", "failed", "cancelled")


def enable(settings: Settings) -> Path:
    """Keep this process's metrics in the host's multiprocess folder; fold dead processes' in."""
    path = settings.metrics_dir
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)  # counts of tips by band and channel are nobody else's business
    compact_dead(path)
    metrics.use_directory(path)
    return path


@contextlib.contextmanager
def folder_lock(path: Path, *, exclusive: bool) -> Iterator[None]:
    """Hold the folder's lock: shared while reading the files, exclusive while compacting."""
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def alive(pid: int) -> bool:
    """Whether a process with this PID exists (in this PID namespace)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def compact_dead(path: Path) -> int:
    """Fold dead processes' counter and histogram files into one archive per kind; count them."""
    folded = 0
    with folder_lock(path, exclusive=True):
        dead: dict[str, list[Path]] = {}
        for file in path.iterdir():
            match = PROCESS_FILE.match(file.name)
            if match and not alive(int(match.group(2))):
                dead.setdefault(match.group(1), []).append(file)
        for kind, files in dead.items():
            archive = path / ARCHIVE.format(kind=kind)
            totals: dict[str, float] = {}
            for file in [archive, *files] if archive.exists() else files:
                for key, value, _timestamp, _pos in MmapedDict.read_all_values_from_file(file):  # type: ignore[no-untyped-call]
                    totals[key] = totals.get(key, 0.0) + value
            # Written beside, then renamed over the archive: a crash leaves the old archive and
            # the dead files, never both counted (the temporary name is not a *.db file).
            temporary = path / f".{kind}_archive.tmp"
            table = MmapedDict(str(temporary))  # type: ignore[no-untyped-call]
            for key, value in totals.items():
                table.write_value(key, value, 0.0)  # type: ignore[no-untyped-call]
            table.close()  # type: ignore[no-untyped-call]
            os.replace(temporary, archive)
            for file in files:
                file.unlink()
            folded += len(files)
    if folded:
        log.info("metrics: folded %d files of dead processes into the archive", folded)
    return folded


class FolderCollector:
    """The sum of every process's counters and histograms in the folder (read under its lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def collect(self) -> Iterable[Metric]:
        """Merge every *.db file of the folder."""
        with folder_lock(self.path, exclusive=False):
            files = [str(f) for f in self.path.glob("*.db")]
            merged = MultiProcessCollector.merge(files, accumulate=True)  # type: ignore[no-untyped-call]
            return list(merged)


class StateCollector:
    """Gauges read at scrape time from the database and the queue (never from the folder)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterable[Metric]:
        """Read the state; a part that cannot be read is left out and said so."""
        up = GaugeMetricFamily(
            "raporto_scrape_source_up", "Whether a source of the gauges answered", labels=["source"]
        )
        found: list[Metric] = []
        try:
            found += self._database()
            up.add_metric(["database"], 1)
        except Exception as exc:  # the database is down: the counters are still worth serving
            log.warning("metrics: database unreadable: %s", type(exc).__name__)
            up.add_metric(["database"], 0)
        try:
            found.append(self._queues())
            up.add_metric(["queue"], 1)
        except Exception as exc:
            log.warning("metrics: queue unreadable: %s", type(exc).__name__)
            up.add_metric(["queue"], 0)
        return [*found, up]

    def _queues(self) -> Metric:
        depth = GaugeMetricFamily(
            "raporto_queue_depth", "Jobs waiting in each priority queue", labels=["queue"]
        )
        depths = getattr(self.runtime.queue, "depths", None)
        if depths is None:
            raise RuntimeError("this queue cannot tell its depth")
        for name, count in depths().items():
            depth.add_metric(
                [metrics.closed(name, frozenset(("critical", "high", "default", "low")))], count
            )
        return depth

    def _database(self) -> list[Metric]:
        now = utcnow()
        with self.runtime.db.read() as session:
            by_state = dict(
                session.execute(
                    select(Delivery.status, func.count()).group_by(Delivery.status)
                ).all()
            )
            deliveries_due = session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
            )
            replies_due = session.scalar(
                select(func.count())
                .select_from(OutboundMessage)
                .where(OutboundMessage.status == "pending", OutboundMessage.next_attempt_at <= now)
            )
            oldest_critical = session.scalar(
                select(func.min(Tip.received_at)).where(
                    Tip.submitted.is_(True),
                    Tip.synthetic.is_(False),
                    Tip.band == "critical",
                    Tip.covered_at.is_(None),
                    Tip.purged_at.is_(None),
                    Tip.status != "closed",
                )
            )
            waiting, _oldest = review.waiting_summary(session)
            canary_ok = canary.last_success(session)
        states = GaugeMetricFamily(
            "raporto_deliveries", "Officials' deliveries by state", labels=["state"]
        )
        for state in DELIVERY_STATES:
            states.add_metric([state], by_state.get(state, 0))
        other = sum(n for s, n in by_state.items() if s not in DELIVERY_STATES)
        if other:
            states.add_metric([metrics.OTHER], other)
        due = GaugeMetricFamily(
            "raporto_outbox_due",
            "Outbox rows due to be sent and not sent (officials' deliveries, replies to reporters)",
            labels=["outbox"],
        )
        due.add_metric(["deliveries"], deliveries_due or 0)
        due.add_metric(["replies"], replies_due or 0)
        age = (now - oldest_critical).total_seconds() if oldest_critical else 0.0
        critical = GaugeMetricFamily(
            "raporto_oldest_unacknowledged_critical_tip_age_seconds",
            "Age of the oldest critical tip its required agencies have not acknowledged (0: none)",
            value=max(age, 0.0),
        )
        queue = GaugeMetricFamily(
            "raporto_tips_awaiting_review", "Tips waiting for an official's review", value=waiting
        )
        found: list[Metric] = [states, due, critical, queue]
        if canary_ok is not None:  # never passed: absent, which the alert rule catches
            found.append(
                GaugeMetricFamily(
                    "raporto_canary_last_success_timestamp_seconds",
                    "When the canary last went through every channel end to end (Unix time)",
                    value=canary_ok.timestamp(),
                )
            )
        return found


def scrape(runtime: Runtime) -> bytes:
    """The Prometheus text of this host: every process's counters, and the gauges read now."""
    registry = CollectorRegistry(auto_describe=False)
    path = metrics.directory()
    if path is not None:
        registry.register(FolderCollector(path))
    else:  # samples kept in this process's memory (metrics never enabled)
        for metric in metrics.current():
            registry.register(metric)
    registry.register(StateCollector(runtime))
    return generate_latest(registry)
