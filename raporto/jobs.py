"""The job table: which function runs each `Job`, bound to one runtime's services.

Code below `raporto/` enqueues a `Job` name with integer ids; this composition root decides what
runs it. In-process queues call the bound handlers directly; on RQ, Redis holds a call of `run`
(importable by dotted path) and the worker process resolves the name from the table it installed
at start (`serve`), so no job reaches for a process-global runtime of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from alerts.delivery import deliver, deliver_many
from alerts.queue import Job, JobTable
from alerts.recordings import fetch_twilio_recording
from alerts.reporter_replies import fetch_telegram_attachment, send_outbound
from bot.sweeper import sweep_once
from models.tables import Attachment

if TYPE_CHECKING:
    from raporto.runtime import Runtime


def table(runtime: Runtime) -> JobTable:
    """Return the job table of this runtime: each job bound to the services it needs."""
    return JobTable(
        handlers={
            Job.DELIVER: lambda delivery_id: deliver(runtime.alerts, delivery_id),
            Job.DELIVER_MANY: lambda *ids: deliver_many(runtime.alerts, ids),
            Job.SEND_OUTBOUND: lambda outbound_id: send_outbound(runtime.alerts, outbound_id),
            Job.FETCH_ATTACHMENT: lambda attachment_id: fetch_attachment(runtime, attachment_id),
            Job.SWEEP: lambda: sweep_once(runtime.intake),
        },
        entry=run,
    )


def fetch_attachment(runtime: Runtime, attachment_id: int) -> str:
    """Fetch a pending attachment from its provider into encrypted storage."""
    with runtime.db.transaction() as session:
        row = session.get(Attachment, attachment_id)
        if row is None or row.status != "pending" or row.source_enc is None:
            return "skipped"
        provider = runtime.vault.decrypt_json(row.source_enc).get("provider")
    if provider == "twilio":
        senders = runtime.alerts.senders
        return fetch_twilio_recording(
            runtime.db,
            runtime.vault,
            senders.twilio(),
            senders.twilio_account_sid,
            senders.twilio_auth_token,
            attachment_id,
            senders.max_attachment_bytes,
        )
    return fetch_telegram_attachment(runtime.alerts, attachment_id)


# The worker process's table: RQ calls `run` by dotted path, so the table it resolves from has to
# be found from there. Installed once by `serve` before the worker takes its first job.
_served: dict[Job, Callable[..., Any]] | None = None
_lock = threading.Lock()


def serve(runtime: Runtime) -> None:
    """Make this process run RQ jobs with the runtime's table (`raporto worker` at start)."""
    global _served
    with _lock:
        _served = dict(table(runtime).handlers)


def run(job: str, *ids: int) -> Any:
    """Run one job taken from Redis (the entry RQ imports)."""
    global _served
    with _lock:
        if _served is None:
            # A worker started by `rq worker` rather than `raporto worker`: wire it from the
            # environment, as `raporto worker` would.
            from raporto.runtime import build_runtime
            from raporto.settings import load

            _served = dict(table(build_runtime(load())).handlers)
        handlers = _served
    return handlers[Job(job)](*ids)
