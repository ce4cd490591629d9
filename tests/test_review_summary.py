"""ONAC's daily review summary (once a day, at the configured hour) and /health turning amber."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from alerts import review_summary
from alerts.demo import seed_demo_roster
from alerts.messages import render
from bot.sweeper import sweep_once
from models.deliveries import Delivery, OpsAlert
from models.roster import Official
from raporto.runtime import Runtime
from raporto.settings import ConfigError
from tests.conftest import make_runtime, make_settings
from tests.review_helpers import RecordingQueue, make_tip
from tests.security_helpers import BEARER, health_client

TIRANA = ZoneInfo("Europe/Tirane")
DAY = datetime(2026, 3, 10, tzinfo=TIRANA)


def roster(runtime: Runtime) -> None:
    """The demo roster (six officials and ONAC's duty officer), active well before DAY."""
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, DAY - timedelta(days=365))


def at(runtime: Runtime, moment: datetime) -> None:
    """Set the injected clocks of both sides to a moment."""
    runtime.alerts.clock = lambda: moment
    runtime.intake.clock = lambda: moment


def summaries(runtime: Runtime) -> list[tuple[Delivery, str]]:
    """The summary notices written so far, with the text each official will read."""
    with runtime.db.transaction() as s:
        rows = s.scalars(
            select(Delivery).where(Delivery.purpose == "notice").order_by(Delivery.id)
        ).all()
        found = []
        for d in rows:
            official = s.get(Official, d.official_id)
            assert official is not None and official.role == "onac"
            found.append((d, render(s, runtime.alerts, d, official, None).text))
        return found


def test_the_summary_goes_once_a_day_at_the_configured_hour_with_the_counts(
    tmp_path: Path, database_url: str
) -> None:
    runtime = make_runtime(tmp_path, database_url, queue=RecordingQueue())  # type: ignore[arg-type]
    roster(runtime)
    eight = DAY.replace(hour=8)
    make_tip(runtime, band="low", received_at=eight - timedelta(hours=30))
    make_tip(runtime, band="not_a_tip", received_at=eight - timedelta(hours=2))
    make_tip(runtime, band="medium", alert_mode="digest", received_at=eight - timedelta(hours=1))
    make_tip(runtime, band="critical", alert_mode="immediate", received_at=eight)

    at(runtime, eight - timedelta(minutes=1))
    assert sweep_once(runtime.intake)["review_summary"] == 0
    assert summaries(runtime) == []
    at(runtime, eight)
    assert sweep_once(runtime.intake)["review_summary"] == 1
    # A second sweep, a second worker process: nothing more that day.
    at(runtime, eight + timedelta(minutes=5))
    assert sweep_once(runtime.intake)["review_summary"] == 0
    other = make_runtime(tmp_path, database_url, queue=RecordingQueue())  # type: ignore[arg-type]
    at(other, eight + timedelta(hours=9))
    assert sweep_once(other.intake)["review_summary"] == 0
    [(delivery, text)] = summaries(runtime)
    assert delivery.channel == "telegram" and delivery.detail["review_summary"] == {
        "waiting": 3,
        "oldest_hours": 30,
    }
    # The demo ONAC duty officer reads Albanian.
    assert text.startswith("Raporto: 3 raportime presin shqyrtimin nga një zyrtar.")
    assert "Më i vjetri pret prej 30 orësh." in text
    # The next day, once again.
    at(runtime, eight + timedelta(days=1))
    assert sweep_once(runtime.intake)["review_summary"] == 1
    assert len(summaries(runtime)) == 2
    with runtime.db.read() as s:
        windows = s.scalars(select(OpsAlert.window).where(OpsAlert.kind == "review_summary"))
        assert sorted(windows) == ["2026-03-10", "2026-03-11"]
    other.db.dispose()
    runtime.db.dispose()


def test_two_workers_sweeping_at_the_same_moment_send_one_summary(
    tmp_path: Path, database_url: str
) -> None:
    runtimes = [
        make_runtime(tmp_path, database_url, queue=RecordingQueue())  # type: ignore[arg-type]
        for _ in range(2)
    ]
    roster(runtimes[0])
    start = threading.Barrier(2)
    sent: list[int] = []

    def run(runtime: Runtime) -> None:
        start.wait()
        sent.append(review_summary.send_if_due(runtime.alerts, DAY.replace(hour=9)))

    threads = [threading.Thread(target=run, args=(r,)) for r in runtimes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(sent) == [0, 1]
    assert [d.detail["review_summary"] for d, _ in summaries(runtimes[0])] == [
        {"waiting": 0, "oldest_hours": 0}
    ]
    for runtime in runtimes:
        runtime.db.dispose()


def test_the_hour_is_configurable_in_tirana_time(tmp_path: Path, sqlite_url: str) -> None:
    runtime = make_runtime(tmp_path, sqlite_url, RAPORTO_REVIEW_SUMMARY_AT="06:30")
    assert runtime.alerts.config.review_summary_at == time(6, 30)
    roster(runtime)
    # 05:29 UTC is 06:29 in Tirana in winter; 04:30 UTC is 06:30 in summer.
    assert (
        review_summary.due_window(
            datetime(2026, 1, 5, 5, 29, tzinfo=ZoneInfo("UTC")), runtime.alerts
        )
        is None
    )
    assert review_summary.due_window(DAY.replace(hour=6, minute=30), runtime.alerts) == "2026-03-10"
    summer = datetime(2026, 7, 1, 4, 30, tzinfo=ZoneInfo("UTC"))
    assert review_summary.due_window(summer, runtime.alerts) == "2026-07-01"
    # 22:30 UTC on 1 July is 00:30 on 2 July in Tirana: a new local day, before its hour.
    assert (
        review_summary.due_window(
            datetime(2026, 7, 1, 22, 30, tzinfo=ZoneInfo("UTC")), runtime.alerts
        )
        is None
    )


@pytest.mark.parametrize("value", ["8", "25:00", "08:60", "8am", "08:0"])
def test_a_bad_summary_time_stops_start_up(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="RAPORTO_REVIEW_SUMMARY_AT"):
        make_settings(tmp_path, "sqlite://", RAPORTO_REVIEW_SUMMARY_AT=value)


def test_the_summary_reads_well_in_both_languages() -> None:
    assert review_summary.summary_text("en", 0, 0) == "Raporto: no tip waits for review."
    one = review_summary.summary_text("en", 1, 1)
    assert one.startswith("Raporto: 1 tip waits for an official's review. ")
    assert "The oldest has waited 1 hour." in one
    assert "The oldest has waited 3 days." in review_summary.summary_text("en", 4, 75)
    assert "Më i vjetri pret prej 3 ditësh." in review_summary.summary_text("sq", 2, 75)
    assert "Më i vjetri pret prej 1 ore." in review_summary.summary_text("sq", 2, 1)
    assert review_summary.summary_text("sq", 1, 5).startswith(
        "Raporto: 1 raportim pret shqyrtimin nga një zyrtar."
    )


def test_health_turns_amber_when_a_tip_waited_more_than_a_day(
    tmp_path: Path, database_url: str
) -> None:
    runtime = make_runtime(tmp_path, database_url, queue=RecordingQueue())  # type: ignore[arg-type]
    client = health_client(runtime)
    received = DAY.replace(hour=8)
    make_tip(runtime, band="low", received_at=received)
    runtime.alerts.clock = lambda: received + timedelta(hours=23, minutes=30)
    response = client.get("/health", headers=BEARER)
    assert response.status_code == 200 and response.json["status"] == "green"
    assert response.json["review"] == {"waiting": 1, "oldest_hours": 23.5}
    runtime.alerts.clock = lambda: received + timedelta(hours=24, minutes=30)
    assert client.get("/health").json == {"status": "amber"}  # the public answer: status only
    response = client.get("/health", headers=BEARER)
    assert response.status_code == 200 and response.json["status"] == "amber"
    assert response.json["review"] == {"waiting": 1, "oldest_hours": 24.5}
    runtime.db.dispose()


def test_health_stays_red_with_503_when_the_alerts_are_broken(
    runtime: Runtime,
) -> None:
    make_tip(runtime, band="low", received_at=DAY)
    response = health_client(runtime).get("/health", headers=BEARER)  # no worker runs
    assert response.status_code == 503 and response.json["status"] == "red"
    assert response.json["review"]["waiting"] == 1
