"""The review queue on SQLite and PostgreSQL: who waits, reviews, alerts, races, re-scoring."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

import triage
from alerts import review as reviews
from alerts.acks import acknowledge
from alerts.queue import Job
from bot.intake import add_text
from console.stats import count
from console.stats_summary import summary
from models import review
from models.accounts import TipReview
from models.base import utcnow
from models.deliveries import Delivery
from models.roster import Official
from models.tables import AuditEntry, Tip
from raporto.runtime import Runtime
from tests.conftest import make_runtime
from tests.console_helpers import demo_officials, make_account
from tests.helpers import wait_until
from tests.review_helpers import RecordingQueue, do_review, make_tip

REASON = "CANARY-arsyeja-3391: the reporter only asked about visas"


def waiting_ids(runtime: Runtime) -> list[str]:
    with runtime.db.read() as s:
        return [row.reference for row in review.waiting(s)]


def reference(runtime: Runtime, tip_id: int) -> str:
    with runtime.db.read() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        return tip.reference


def deliveries(runtime: Runtime, tip_id: int, purpose: str) -> list[Delivery]:
    with runtime.db.read() as s:
        rows = list(
            s.scalars(
                select(Delivery).where(Delivery.tip_id == tip_id, Delivery.purpose == purpose)
            )
        )
        for row in rows:
            s.expunge(row)
        return rows


@pytest.fixture
def official_user(any_runtime: Runtime) -> tuple[int, int]:
    """The demo roster, and a console account of its first official: (official id, user id)."""
    official = demo_officials(any_runtime)[0]
    return official, make_account(any_runtime, "reviewer", "official", official_id=official)


def test_the_queue_holds_not_a_tip_low_and_held_tips_oldest_first(
    any_runtime: Runtime, official_user: tuple[int, int]
) -> None:
    official_id, user_id = official_user
    t0 = utcnow() - timedelta(hours=30)
    low = make_tip(any_runtime, band="low", received_at=t0 + timedelta(hours=2))
    nothing = make_tip(any_runtime, band="not_a_tip", received_at=t0)
    held = make_tip(
        any_runtime, band="medium", alert_mode="digest", received_at=t0 + timedelta(hours=3)
    )
    digested = make_tip(
        any_runtime, band="high", alert_mode="digested", received_at=t0 + timedelta(hours=4)
    )
    # Not in the queue: alerted at once, a draft, a purged tip.
    make_tip(any_runtime, band="medium", alert_mode="immediate", received_at=t0)
    make_tip(any_runtime, band="critical", alert_mode="immediate", received_at=t0)
    make_tip(any_runtime, band="low", submitted=False, received_at=t0)
    make_tip(any_runtime, band="low", purged_at=utcnow(), received_at=t0)
    expected = [nothing, low, held, digested]
    assert waiting_ids(any_runtime) == [reference(any_runtime, i) for i in expected]
    with any_runtime.db.read() as s:
        assert [r.reason for r in review.waiting(s)] == ["not_a_tip", "low", "held", "held"]
        count, oldest = review.waiting_summary(s)
    assert count == 4 and oldest is not None and abs(oldest - t0) < timedelta(seconds=1)

    # Reviewed or acknowledged: it leaves the queue.
    assert do_review(any_runtime, low, user_id, "not_a_case", reason=REASON) == "reviewed"
    with any_runtime.db.transaction() as s:
        tip, official = s.get(Tip, held), s.get(Official, official_id)
        assert tip is not None and official is not None
        acknowledge(s, any_runtime.alerts, tip, official, via="console")
    assert waiting_ids(any_runtime) == [reference(any_runtime, i) for i in (nothing, digested)]
    # A tip that no longer waits cannot be reviewed; a reviewed one is not reviewed twice.
    assert do_review(any_runtime, held, user_id, "reband", "high") == "gone"
    assert do_review(any_runtime, low, user_id, "reband", "high") == "taken"


def test_raising_a_band_alerts_the_six_officials_through_the_normal_fan_out(
    tmp_path: Path, database_url: str
) -> None:
    recorder = RecordingQueue()
    runtime = make_runtime(tmp_path, database_url, queue=recorder)
    official = demo_officials(runtime)[0]
    user_id = make_account(runtime, "reviewer", "official", official_id=official)
    tip_id = make_tip(runtime, band="not_a_tip", received_at=utcnow() - timedelta(days=3))
    with runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        result = reviews.review(
            s,
            runtime.alerts,
            tip,
            user_id=user_id,
            actor=f"user:{user_id}",
            decision="reband",
            to_band="high",
            reason=REASON,
        )
        assert result == "reviewed"
        assert recorder.jobs == []  # nothing is enqueued before the rows are committed
    alerts = deliveries(runtime, tip_id, "alert")
    assert len(alerts) == 6 and {d.queue for d in alerts} == {"high"}
    assert recorder.jobs == [(Job.DELIVER_MANY, tuple(sorted(d.id for d in alerts)), "high")]
    with runtime.db.read() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None and tip.band == "high" and tip.triage_band == "not_a_tip"
        assert tip.alert_mode == "immediate" and tip.reviewed_at is not None
        # The deadline runs from the review, not from an arrival three days ago.
        assert tip.ack_due_at is not None and tip.ack_due_at > utcnow() + timedelta(minutes=30)
    runtime.db.dispose()


def test_a_held_tip_raised_by_review_is_alerted_now_even_during_a_flood(
    tmp_path: Path, database_url: str
) -> None:
    runtime = make_runtime(tmp_path, database_url, RAPORTO_FLOOD_OVERALL_PER_HOUR="1")
    official = demo_officials(runtime)[0]
    user_id = make_account(runtime, "reviewer", "official", official_id=official)
    make_tip(runtime, band="high", alerted=True)  # the hour's allowance is used up
    held = make_tip(runtime, band="medium", alerted=True)
    with runtime.db.read() as s:
        assert s.get(Tip, held).alert_mode == "digest"  # type: ignore[union-attr]
    assert do_review(runtime, held, user_id, "reband", "high") == "reviewed"
    assert len(deliveries(runtime, held, "alert")) == 6
    with runtime.db.read() as s:
        assert s.get(Tip, held).alert_mode == "immediate"  # type: ignore[union-attr]
    runtime.db.dispose()


def test_an_alerted_low_tip_raised_by_review_gets_the_band_raise_message(
    any_runtime: Runtime, official_user: tuple[int, int]
) -> None:
    _official, user_id = official_user
    tip_id = make_tip(any_runtime, band="low", alerted=True)
    first = deliveries(any_runtime, tip_id, "alert")
    assert len(first) == 6 and {d.queue for d in first} == {"low"}
    assert do_review(any_runtime, tip_id, user_id, "reband", "critical") == "reviewed"
    upgrades = deliveries(any_runtime, tip_id, "upgrade")
    assert {d.official_id for d in upgrades} == {d.official_id for d in first}
    assert all(
        d.detail == {"from": "low", "to": "critical"} and d.queue == "critical" for d in upgrades
    )
    # Lowering or keeping a band alerts nobody.
    other = make_tip(any_runtime, band="low", alerted=True)
    assert do_review(any_runtime, other, user_id, "reband", "low") == "reviewed"
    assert deliveries(any_runtime, other, "upgrade") == []


def test_not_a_case_is_stored_with_its_reason_encrypted_and_audited_without_it(
    any_runtime: Runtime, official_user: tuple[int, int]
) -> None:
    _official, user_id = official_user
    tip_id = make_tip(any_runtime, band="low", alerted=True)
    assert do_review(any_runtime, tip_id, user_id, "not_a_case", reason=REASON) == "reviewed"
    with any_runtime.db.engine.connect() as conn:
        for table in ("tip_reviews", "audit_log", "tips", "deliveries"):
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
            assert "CANARY-arsyeja" not in repr(rows), table
        sealed = conn.execute(text("SELECT reason_enc FROM tip_reviews")).scalar_one()
    assert any_runtime.vault.decrypt_text(bytes(sealed)) == REASON
    with any_runtime.db.read() as s:
        row = s.scalars(select(TipReview)).one()
        assert (row.decision, row.from_band, row.to_band, row.user_id) == (
            "not_a_case",
            "low",
            "not_a_tip",
            user_id,
        )
        tip = s.get(Tip, tip_id)
        assert tip is not None and tip.band == "not_a_tip" and tip.triage_band == "low"
        assert tip.ack_due_at is None  # read and decided: no escalation of it any more
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "tip.review")).one()
    assert entry.actor == f"user:{user_id}" and entry.object_id == str(tip_id)
    assert entry.detail == {
        "review": row.id,
        "decision": "not_a_case",
        "from": "low",
        "to": "not_a_tip",
        "alerted": 0,
    }


@pytest.mark.parametrize(
    ("decision", "band", "reason", "problem"),
    [
        ("maybe", "", "x", "decision"),
        ("reband", "", "x", "band"),
        ("reband", "not_a_tip", "x", "band"),
        ("not_a_case", "", "   ", "reason"),
        ("reband", "high", "x" * 501, "long"),
        ("reband", "high", "x" * 500, None),
        ("not_a_case", "", "ok", None),
    ],
)
def test_a_review_needs_a_decision_a_band_and_a_short_reason(
    decision: str, band: str, reason: str, problem: str | None
) -> None:
    assert reviews.check(decision, band, reason) == problem


def test_two_officials_reviewing_at_once_record_one_decision(
    any_runtime: Runtime, official_user: tuple[int, int]
) -> None:
    ids = demo_officials(any_runtime)
    users = [official_user[1], make_account(any_runtime, "second", "official", official_id=ids[1])]
    tip_id = make_tip(any_runtime, band="not_a_tip")
    start = threading.Barrier(2)
    results: list[str] = []

    def run(user_id: int, band: str) -> None:
        start.wait()
        results.append(do_review(any_runtime, tip_id, user_id, "reband", band))

    threads = [
        threading.Thread(target=run, args=(user, band))
        for user, band in zip(users, ("high", "critical"), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["reviewed", "taken"]
    with any_runtime.db.read() as s:
        assert s.scalar(select(func.count()).select_from(TipReview)) == 1
        assert s.scalar(select(func.count()).select_from(Delivery)) == 6  # one fan-out
        audits = (
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "tip.review")
        )
        assert s.scalar(audits) == 1


def test_a_second_reviewer_waits_for_the_first_ones_commit_and_loses(
    tmp_path: Path, pg_url: str
) -> None:
    # PostgreSQL only: SQLite takes its write lock at BEGIN, so the second never reads early.
    runtime = make_runtime(tmp_path, pg_url)
    ids = demo_officials(runtime)
    first = make_account(runtime, "first", "official", official_id=ids[0])
    second = make_account(runtime, "second", "official", official_id=ids[1])
    tip_id = make_tip(runtime, band="low")
    results: list[str] = []

    def lock_waiters() -> int:
        with runtime.db.engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
            )

    with runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        assert (
            reviews.review(
                s,
                runtime.alerts,
                tip,
                user_id=first,
                actor=f"user:{first}",
                decision="not_a_case",
                to_band="",
                reason="first",
            )
            == "reviewed"
        )
        late = threading.Thread(
            target=lambda: results.append(do_review(runtime, tip_id, second, "reband", "critical"))
        )
        late.start()
        # The second review is blocked behind this transaction's row lock before it commits.
        wait_until(lambda: lock_waiters() >= 1)
    late.join(timeout=60)
    assert results == ["taken"]
    with runtime.db.read() as s:
        assert s.scalar(select(func.count()).select_from(TipReview)) == 1
        assert s.get(Tip, tip_id).band == "not_a_tip"  # type: ignore[union-attr]
        assert s.scalar(select(func.count()).select_from(Delivery)) == 0
    runtime.db.dispose()


class FakeAssessment:
    """What apply_triage reads of an assessment, with a band chosen by the test."""

    def __init__(self, band: str) -> None:
        self.band, self.score, self.minor, self.urgent = band, 1.0, False, False
        self.forms: tuple[str, ...] = ()
        self.routes: tuple[str, ...] = ()
        self.indicators: tuple[Any, ...] = ()
        self.places: tuple[Any, ...] = ()
        self.language = "sq"

    def to_dict(self) -> dict[str, Any]:
        return {"band": self.band, "indicators": [], "routes": []}


def test_an_officials_band_holds_until_later_information_ranks_above_triage(
    any_runtime: Runtime, official_user: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _official, user_id = official_user
    scored: list[str] = []
    monkeypatch.setattr(triage, "assess", lambda *a, **k: FakeAssessment(scored[-1]))

    def more(band: str) -> Tip:
        scored.append(band)
        with any_runtime.db.transaction() as s:
            tip = s.get(Tip, tip_id)
            assert tip is not None
            add_text(s, any_runtime.intake, tip, "more words")
            s.expunge(tip)
            return tip

    tip_id = make_tip(any_runtime, band="low", alerted=True)
    assert do_review(any_runtime, tip_id, user_id, "reband", "high") == "reviewed"
    assert len(deliveries(any_runtime, tip_id, "upgrade")) == 6
    # Triage still says low, or less: the official's band holds, nobody is alerted.
    assert (more("low").band, more("not_a_tip").band) == ("high", "high")
    # Above what triage said before, but below the official's band: it stays high.
    tip = more("medium")
    assert (tip.band, tip.triage_band) == ("high", "medium")
    assert len(deliveries(any_runtime, tip_id, "upgrade")) == 6
    # Above both: the band rises and everyone alerted hears of it.
    tip = more("critical")
    assert (tip.band, tip.triage_band) == ("critical", "critical")
    assert len(deliveries(any_runtime, tip_id, "upgrade")) == 12


def test_before_any_review_the_band_follows_triage_both_ways() -> None:
    for new in ("critical", "low", "not_a_tip"):
        assert (
            review.band_after_rescoring(
                working="high", reviewed=False, previous_triage="high", new_triage=new
            )
            == new
        )
    assert (
        review.band_after_rescoring(
            working="not_a_tip", reviewed=True, previous_triage="low", new_triage="medium"
        )
        == "medium"
    )


def test_onacs_statistics_count_reviewed_waiting_and_not_needed_tips(
    any_runtime: Runtime, official_user: tuple[int, int]
) -> None:
    official_id, user_id = official_user
    for band in ("low", "low", "not_a_tip", "critical"):
        make_tip(any_runtime, band=band)
    reviewed = make_tip(any_runtime, band="low")
    acknowledged = make_tip(any_runtime, band="low", alerted=True)
    assert do_review(any_runtime, reviewed, user_id, "reband", "medium") == "reviewed"
    with any_runtime.db.transaction() as s:
        tip, official = s.get(Tip, acknowledged), s.get(Official, official_id)
        assert tip is not None and official is not None
        acknowledge(s, any_runtime.alerts, tip, official, via="console")
    with any_runtime.db.read() as s:
        assert summary(s)["review"] == {"waiting": 3, "reviewed": 1, "not_needed": 2}
        rows = count(s, ["review", "band"])
    assert {(r["review"], r["band"]): r["count"] for r in rows} == {
        ("waiting", "low"): 2,
        ("waiting", "not_a_tip"): 1,
        ("reviewed", "medium"): 1,
        ("not_needed", "low"): 1,
        ("not_needed", "critical"): 1,
    }
