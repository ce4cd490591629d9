"""The canary (issue 18): synthetic tips through every real inbound path, seen by nobody else."""

from __future__ import annotations

import re
import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import func, select

from alerts import canary as book
from alerts.content import fold
from alerts.demo import seed_demo_roster
from alerts.roster import active_officials
from bot.intake import caller_from_phone, submit
from console.stats import tip_records
from console.tip_view import list_tips
from locales.i18n import gettext
from models import clusters, links, review, store
from models.base import utcnow
from models.deliveries import Delivery, OpsAlert
from models.roster import Official
from models.synthetic import canary_key, new_marker
from models.tables import Tip
from raporto import canary
from raporto.runtime import Runtime
from tests.e2e import Stack, running_stack
from tests.helpers import sms_form, twilio_headers
from tests.review_helpers import make_tip

TIRANA = ZoneInfo("Europe/Tirane")
CANARY_SMS = "+355690000777"
CANARY_CHAT = "9900077"
ENV = {
    "RAPORTO_CANARY_SMS": CANARY_SMS,
    "RAPORTO_CANARY_TELEGRAM_CHAT": CANARY_CHAT,
    "RAPORTO_BURST_QUIET_SECONDS": "1",
    "RAPORTO_CANARY_AT": "06:30",
}


def roster(runtime: Runtime) -> None:
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, datetime(2020, 1, 1, tzinfo=TIRANA))


def onac_phone(runtime: Runtime) -> str:
    with runtime.db.read() as s:
        onac = next(o for o in active_officials(s, datetime.now(TIRANA)) if o.role == "onac")
        assert onac.phone_enc is not None
        return runtime.vault.decrypt_text(onac.phone_enc)


class Watch:
    """Snapshots of every place a synthetic tip must never appear, taken while the canary runs."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.synthetic_seen: set[int] = set()
        self.leaks: list[str] = []

    def look(self) -> None:
        with self.runtime.db.read() as s:
            synthetic = set(s.scalars(select(Tip.id).where(Tip.synthetic.is_(True))))
            self.synthetic_seen |= synthetic
            if not synthetic:
                return
            start, end = datetime(2000, 1, 1, tzinfo=TIRANA), datetime(2100, 1, 1, tzinfo=TIRANA)
            counted = sum(1 for _ in tip_records(s, start, end, ["channel"]))
            real = s.scalar(select(func.count()).select_from(Tip).where(Tip.synthetic.is_(False)))
            if counted != real:
                self.leaks.append("statistics")
            if review.waiting_summary(s)[0] != 0:
                self.leaks.append("review queue")
            officials = s.scalars(
                select(Delivery.official_id).where(Delivery.tip_id.in_(synthetic))
            ).all()
            roles = {s.get(Official, i).role for i in officials}  # type: ignore[union-attr]
            if roles - {"canary"}:
                self.leaks.append(f"alerts to {roles}")
            for tip_id in s.scalars(select(Tip.id).where(Tip.synthetic.is_(False))):
                if {r.tip_id for r in links.related(s, tip_id)} & synthetic:
                    self.leaks.append("related tips")


def _run(stack: Stack, **driver: Any) -> tuple[list[canary.Result], set[int]]:
    """Run the canary, looking at every place it must not appear while it runs."""
    watch = Watch(stack.runtime)
    done: list[list[canary.Result]] = []
    runner = threading.Thread(
        target=lambda: done.append(
            canary.run(canary.Driver(stack.runtime, stack.app_url, **driver))
        )
    )
    runner.start()
    while runner.is_alive():
        watch.look()
        runner.join(0.1)
    assert not watch.leaks, watch.leaks
    return done[0], watch.synthetic_seen


@pytest.mark.e2e
def test_once_passes_on_a_healthy_stack_and_leaves_nothing(
    tmp_path: Path, database_url: str
) -> None:
    with running_stack(tmp_path, database_url, sweep_every=0.2, **ENV) as stack:
        roster(stack.runtime)
        # A real tip beside the synthetic ones: statistics and alerts must count it alone.
        form = sms_form("+355681112223", "vajza 15 vjeçe mbahet e mbyllur në Durrës", "real-1")
        path = "/webhooks/twilio/sms"
        requests.post(
            stack.app_url + path,
            data=form,
            headers=twilio_headers(stack.runtime, path, form),
            timeout=30,
        )
        token = stack.runtime.settings.twilio_auth_token
        results, seen = _run(stack, twilio_token=token, timeout=60)
        lines = [r.line() for r in results]
        assert [r.channel for r in results] == list(canary.CHANNELS)
        assert all(r.ok for r in results), lines
        assert all(re.fullmatch(r"[a-z]+ ok \d+\.\d s", line) for line in lines), lines
        assert len(seen) == len(canary.CHANNELS)  # the watch saw every synthetic tip
        with stack.runtime.db.read() as s:
            assert s.scalar(select(func.count()).where(Tip.synthetic.is_(True))) == 0
            assert s.scalar(select(func.count()).select_from(Tip)) == 1
            assert s.scalar(select(OpsAlert.id).where(OpsAlert.kind == "canary_ok"))
        # The canary recipient got the alerts, and none of the six officials or ONAC did.
        assert stack.sent("sms", CANARY_SMS)
        assert not stack.sent("sms", onac_phone(stack.runtime))
        body = requests.get(stack.app_url + "/metrics", timeout=10).text
        assert "raporto_canary_last_success_timestamp_seconds " in body
        assert 'raporto_tips_total{band="critical",channel="sms"} 1.0' in body
        assert 'channel="web"' not in body.split("raporto_tips_total")[-1].split("# HELP")[0]


@pytest.mark.e2e
def test_a_broken_channel_fails_and_texts_onac(tmp_path: Path, sqlite_url: str) -> None:
    with running_stack(tmp_path, sqlite_url, sweep_every=0.2, **ENV) as stack:
        roster(stack.runtime)
        results, _seen = _run(stack, twilio_token="wrong-token", timeout=60)
        lines = {r.channel: r.line() for r in results}
        assert not any(r.ok for r in results)
        # Twilio's channels are refused at the door; the others are stored, triaged and
        # delivered, and fail where the recipient's "OK code" SMS is refused.
        for channel in ("sms", "whatsapp", "voice"):
            assert lines[channel].startswith(f"{channel} FAILED at /webhooks/twilio/"), lines
        for channel in ("telegram", "hotline", "web"):
            assert lines[channel].startswith(
                f"{channel} FAILED at /webhooks/twilio/sms answered 403"
            ), lines
        texts = stack.wait_sent(1, "sms", onac_phone(stack.runtime))
        # In the duty officer's language (the demo roster's ONAC reads Albanian), folded to GSM-7.
        failed = "sms, whatsapp, telegram, voice, hotline, web"
        message = "Raporto: the daily canary failed on %(channels)s. Check the service now."
        expected = {fold(gettext(lang, message, channels=failed)) for lang in ("sq", "en")}
        assert texts[0].text in expected
        with stack.runtime.db.read() as s:
            assert s.scalar(select(func.count()).select_from(Tip)) == 0
            assert s.scalar(select(OpsAlert.id).where(OpsAlert.kind == "canary_ok")) is None
        body = requests.get(stack.app_url + "/metrics", timeout=10).text
        assert 'raporto_canary_failures_total{channel="sms"} 1.0' in body
        assert "raporto_canary_last_success_timestamp_seconds" not in body.replace("# ", "#")


@pytest.mark.e2e
def test_cli_once_prints_a_line_per_channel_and_exits_1_on_failure(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from raporto import cli_canary

    with running_stack(tmp_path, sqlite_url, sweep_every=0.2, **ENV) as stack:
        roster(stack.runtime)
        monkeypatch.setattr(cli_canary, "command_runtime", lambda: stack.runtime)
        good = CliRunner().invoke(cli_canary.canary, ["--once", "--channel", "hotline"])
        assert good.exit_code == 0, good.output
        assert good.output.startswith("hotline ok ") and good.output.endswith(" s\n")
        # The canary's signer holds a wrong Twilio token: SMS fails, with a clear line.
        real = canary.production_driver
        monkeypatch.setattr(
            canary,
            "production_driver",
            lambda runtime: canary.Driver(runtime, real(runtime).base_url, "wrong-token"),
        )
        bad = CliRunner().invoke(cli_canary.canary, ["--once", "--channel", "sms"])
        assert bad.exit_code == 1
        assert bad.output.startswith("sms FAILED at /webhooks/twilio/sms answered 403 after ")


@pytest.mark.e2e
def test_a_forged_marker_is_an_ordinary_tip(tmp_path: Path, database_url: str) -> None:
    with running_stack(tmp_path, database_url, **ENV) as stack:
        roster(stack.runtime)
        _nonce, real = new_marker(canary_key(stack.runtime.alerts.signing_key))
        forged = real[:-4] + ("0000" if not real.endswith("0000") else "1111")
        _n, other_key = new_marker(canary_key(b"another service's key"))
        for index, marker in enumerate((forged, other_key)):
            sender = f"+35568111222{index}"
            form = sms_form(sender, f"vajza mbahet në Durrës {marker}", f"forged-{index}")
            path = "/webhooks/twilio/sms"
            requests.post(
                stack.app_url + path,
                data=form,
                headers=twilio_headers(stack.runtime, path, form),
                timeout=30,
            )
        with stack.runtime.db.read() as s:
            tips = s.scalars(select(Tip)).all()
            assert len(tips) == 2 and not any(t.synthetic for t in tips)
            alerted = s.scalars(select(Delivery.official_id).where(Delivery.tip_id == tips[0].id))
            assert {s.get(Official, i).role for i in alerted} >= {"member"}  # type: ignore[union-attr]


def test_the_daily_run_fires_once_at_the_configured_hour(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import make_runtime

    runtime = make_runtime(tmp_path, database_url, **ENV)
    assert runtime.settings.canary_at == time(6, 30)
    runs: list[int] = []
    monkeypatch.setattr(canary, "run", lambda driver: runs.append(1) or [])
    day = datetime(2026, 3, 10, tzinfo=TIRANA)
    for minute in (0, 29):
        canary.run_if_due(runtime, day.replace(hour=6, minute=minute))
    assert runs == []
    canary.run_if_due(runtime, day.replace(hour=6, minute=30))
    assert runs == [1]
    for later in (timedelta(minutes=1), timedelta(hours=5), timedelta(hours=17, minutes=29)):
        canary.run_if_due(runtime, day.replace(hour=6, minute=30) + later)
    assert runs == [1]
    canary.run_if_due(runtime, day.replace(hour=6, minute=30) + timedelta(days=1))
    assert runs == [1, 1]
    off = make_runtime(tmp_path / "off", database_url)
    assert off.settings.canary_at is None
    canary.run_if_due(off, day.replace(hour=23))
    assert runs == [1, 1]


def test_without_a_canary_recipient_nothing_is_sent(tmp_path: Path, sqlite_url: str) -> None:
    from tests.conftest import make_runtime

    runtime = make_runtime(tmp_path, sqlite_url)
    with pytest.raises(ValueError, match="RAPORTO_CANARY_SMS"):
        canary.run(canary.Driver(runtime, "http://127.0.0.1:9", "token"))


RECRUITER = "Një burrë me numër 069 123 4567 u premton vajzave punë kamariere në Itali. {marker}"


def _submit(runtime: Runtime, text: str, phone: str) -> int:
    with runtime.db.transaction() as s:
        reporter = caller_from_phone(s, runtime.intake, phone).reporter
        tip = store.create_tip(
            s,
            runtime.vault,
            channel="sms",
            text=text,
            language="sq",
            reporter_id=reporter.id,
            now=utcnow(),
        )
        submit(s, runtime.intake, tip)
        return tip.id


def test_synthetic_tips_reach_only_the_canary_and_appear_nowhere(
    tmp_path: Path, database_url: str
) -> None:
    from tests.conftest import make_runtime

    runtime = make_runtime(tmp_path, database_url, **ENV)
    roster(runtime)
    with runtime.db.transaction() as s:
        book.ensure_recipient(
            s, runtime.alerts, telegram_chat=CANARY_CHAT, sms=CANARY_SMS, now=utcnow()
        )
    before = metrics_sample(runtime)
    real = _submit(runtime, RECRUITER.format(marker=""), "+355682000001")
    _nonce, marker = new_marker(canary_key(runtime.alerts.signing_key))
    fake = _submit(runtime, RECRUITER.format(marker=marker), "+355682000002")
    # A low tip of the canary's would wait for review if it were a person's.
    low = make_tip(runtime, band="low", synthetic=True)
    with runtime.db.read() as s:
        assert s.get(Tip, fake).synthetic and not s.get(Tip, real).synthetic  # type: ignore[union-attr]
        roles = {
            tip_id: {
                s.get(Official, o).role  # type: ignore[union-attr]
                for o in s.scalars(select(Delivery.official_id).where(Delivery.tip_id == tip_id))
            }
            for tip_id in (real, fake)
        }
        assert roles[fake] == {"canary"}
        assert "canary" not in roles[real] and "member" in roles[real]
        assert s.get(Tip, fake).ack_due_at is None  # type: ignore[union-attr]  # never escalates
        assert [r.tip_id for r in links.related(s, real)] == []
        assert clusters.clusters(s) == []
        start, end = datetime(2000, 1, 1, tzinfo=TIRANA), datetime(2100, 1, 1, tzinfo=TIRANA)
        assert sum(1 for _ in tip_records(s, start, end, ["channel"])) == 1
        rows, total = list_tips(s, band=None, status=None, page=1, reader=None)
        assert total == 1 and len(rows) == 1
        assert all(row.reference != s.get(Tip, low).reference for row in review.waiting(s))  # type: ignore[union-attr]
        assert review.waiting_summary(s)[0] == 0
    # Only the real tip was counted on /metrics.
    assert metrics_sample(runtime) == before + 1


def metrics_sample(runtime: Runtime) -> float:
    from raporto.monitoring import scrape

    total = 0.0
    for line in scrape(runtime).decode().splitlines():
        if line.startswith("raporto_tips_total{"):
            total += float(line.rsplit(" ", 1)[1])
    return total
