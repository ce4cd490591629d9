"""Reminders, flood digests, the dead-man alert, rate limits, alert content, roster import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from alerts import content, deadman
from alerts.acks import acknowledge
from alerts.demo import DEMO_PHONE_BASE, seed_demo_roster
from alerts.escalation import tick
from alerts.fanout import fan_out
from alerts.ratelimit import _gcra
from models import store
from models.base import utcnow
from models.deliveries import Delivery
from models.roster import Official
from models.tables import Tip
from raporto.cli import main
from raporto.runtime import Runtime
from sandbox import SandboxServer
from tests.conftest import env_for, with_sandbox


def roster(runtime: Runtime) -> None:
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow() - timedelta(days=1))


def new_tip(runtime: Runtime, band: str, reporter_id: int | None = None) -> int:
    with runtime.db.transaction() as s:
        tip = store.create_tip(
            s,
            runtime.vault,
            channel="sms",
            text="Vajza në Vlorë",
            language="sq",
            reporter_id=reporter_id,
            now=utcnow(),
        )
        tip.band, tip.triage_status = band, "done"
        fan_out(s, runtime.alerts, tip)
        return tip.id


def test_an_acknowledged_tip_without_follow_up_reminds_the_official_once(
    runtime: Runtime,
) -> None:
    roster(runtime)
    tip_id = new_tip(runtime, "high")
    with runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        official = s.execute(select(Official)).scalars().first()
        assert tip is not None and official is not None
        acknowledge(s, runtime.alerts, tip, official, via="console")
        official_id = official.id
    later = utcnow() + timedelta(hours=runtime.settings.reminder_hours, minutes=1)
    runtime.alerts.clock = lambda: later
    assert tick(runtime.alerts)["reminded"] == 1
    assert tick(runtime.alerts)["reminded"] == 0
    with runtime.db.transaction() as s:
        [reminder] = s.execute(select(Delivery).where(Delivery.purpose == "reminder")).scalars()
        assert reminder.official_id == official_id


def test_a_flood_from_one_reporter_is_held_for_a_digest_but_critical_never(
    runtime: Runtime,
) -> None:
    roster(runtime)
    with runtime.db.transaction() as s:
        reporter_id = store.reporter_for(s, "f" * 64, now=utcnow()).id
    limit = runtime.alerts.config.flood_per_reporter_per_hour
    ids = [new_tip(runtime, "medium", reporter_id) for _ in range(limit + 3)]
    critical = new_tip(runtime, "critical", reporter_id)
    with runtime.db.transaction() as s:
        modes = [s.get(Tip, i).alert_mode for i in ids]  # type: ignore[union-attr]
        assert modes == ["immediate"] * limit + ["digest"] * 3
        assert s.get(Tip, critical).alert_mode == "immediate"  # type: ignore[union-attr]
    assert tick(runtime.alerts)["digested"] == 0  # not yet: the digest waits a few minutes
    later = utcnow() + timedelta(minutes=runtime.alerts.config.digest_minutes + 1)
    runtime.alerts.clock = lambda: later
    assert tick(runtime.alerts)["digested"] == 3
    with runtime.db.transaction() as s:
        digests = s.execute(select(Delivery).where(Delivery.purpose == "digest")).scalars().all()
        assert len(digests) == 6 and all(len(d.detail["tips"]) == 3 for d in digests)
        assert all(s.get(Tip, i).alert_mode == "digested" for i in ids[limit:])  # type: ignore[union-attr]


def test_the_dead_man_texts_onac_out_of_band_once_per_window(runtime: Runtime) -> None:
    roster(runtime)
    new_tip(runtime, "critical")
    with SandboxServer(
        twilio_account_sid=runtime.settings.twilio_account_sid,
        twilio_auth_token=runtime.settings.twilio_auth_token,
    ) as fake:
        rt = with_sandbox(runtime, fake.url)
        later = utcnow() + timedelta(minutes=5)
        state = deadman.check(rt.alerts, workers=0, now=later)
        assert {"no_worker", "deliveries_stuck"} <= set(state["problems"])
        assert deadman.alert_onac(rt.alerts, rt.twilio(), state["problems"], later) >= 2
        assert deadman.alert_onac(rt.alerts, rt.twilio(), state["problems"], later) == 0
        texts = fake.state.messages(channel="sms", recipient=f"{DEMO_PHONE_BASE}07")
    assert texts and all("sistemi i njoftimeve ka nje problem" in m.text for m in texts)


def test_the_rate_limit_lets_a_burst_through_then_spaces_messages() -> None:
    interval, tolerance = 1.0, 2.0  # 1 per second, bursts of 3
    tat, waits = 0.0, []
    for _ in range(5):
        wait, new_tat = _gcra(tat, 0.0, interval, tolerance)
        waits.append(wait)
        if wait <= 0:
            tat = new_tat
    assert waits[:3] == [0.0, 0.0, 0.0] and waits[3] == pytest.approx(1.0)
    wait, _ = _gcra(tat, 1.0, interval, tolerance)  # one second later, one more may go
    assert wait <= 0


def test_alert_content_follows_the_configured_mode(runtime: Runtime) -> None:
    with runtime.db.transaction() as s:
        tip = store.create_tip(
            s,
            runtime.vault,
            channel="sms",
            text="Fjalët e plota të tipit",
            language="sq",
            reporter_id=None,
            now=utcnow(),
        )
        tip.minor = True
        assessment = {
            "indicators": [
                {"id": "documents_withheld", "category": "documents", "weight": 4, "spans": []}
            ],
            "places": [{"name": "Durrës"}],
        }
        facts = content.facts(tip, assessment, "sq", "Fjalët e plota të tipit", "critical")
    full = content.telegram_alert(facts, "sq", "full", "https://x")
    summary = content.telegram_alert(facts, "sq", "summary", "https://x")
    link = content.telegram_alert(facts, "sq", "link", "https://x")
    assert "Fjalët e plota" in full and "Fjalët e plota" not in summary
    assert "Durrës" in summary and "Durrës" not in link and tip.reference in link
    # The link opens the tip's page in the console.
    assert f"https://x/console/tips/{tip.reference}" in link
    sms = content.sms_alert(facts, "sq", "summary", "4821")
    assert sms.isascii() and len(sms) <= content.SMS_LIMIT and "OK 4821" in sms
    assert "Durres" in sms


def test_a_roster_is_imported_from_yaml_or_not_at_all(
    tmp_path: Path, sqlite_url: str, runtime: Runtime
) -> None:
    good = tmp_path / "roster.yaml"
    good.write_text(
        "agencies:\n"
        "  - {code: police, name_sq: Policia e Shtetit, name_en: State Police, kind: police}\n"
        "officials:\n"
        "  - {name: Arta, agency: police, role: chair, phone: '+355691234500'}\n"
        "  - {name: Besnik, agency: police, channels: [sms]}\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("officials:\n  - {name: X, agency: nowhere}\n")
    env = env_for(tmp_path, runtime.settings.database_url)
    result = CliRunner().invoke(main, ["officials", "import", str(good)], env=env)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["officials", "import", str(bad)], env=env)
    assert result.exit_code != 0 and "nothing was changed" in result.output
    listing = CliRunner().invoke(main, ["officials", "list"], env=env).output
    assert "Arta" in listing and "Besnik" in listing and "+35569" not in listing


def test_coverage_is_configurable(tmp_path: Path, sqlite_url: str) -> None:
    from tests.conftest import make_runtime

    rt = make_runtime(tmp_path, sqlite_url, RAPORTO_ALERT_COVERAGE='{"child": ["police"]}')
    assert rt.alerts.config.coverage == {"child": ("police",)}
