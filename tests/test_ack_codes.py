"""Issue 12, item 17: SMS acknowledgement codes have six digits, few guesses and a lifetime."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import func, select

from alerts import ack_codes
from alerts.demo import DEMO_PHONE_BASE, seed_demo_roster
from console.stats import contact_records
from models.base import utcnow
from models.deliveries import Acknowledgement, Delivery
from models.tables import AuditEntry, InboundMessage, Reporter, Tip
from raporto.app import create_app
from raporto.runtime import Runtime, build_runtime
from tests.conftest import make_runtime
from tests.helpers import sms_form, twilio_headers

SMS = "/webhooks/twilio/sms"
OFFICIAL_PHONE = f"{DEMO_PHONE_BASE}01"


def send(client: FlaskClient, runtime: Runtime, sender: str, body: str, sid: str) -> str:
    form = sms_form(sender, body, sid)
    response = client.post(SMS, data=form, headers=twilio_headers(runtime, SMS, form))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def alerted(tmp_path: Path, database_url: str) -> tuple[Runtime, FlaskClient, Delivery]:
    """A runtime with the demo roster and one alerted tip; the first official's delivery."""
    runtime = make_runtime(tmp_path, database_url)
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow())
    client = create_app(runtime=runtime).test_client()
    text = "Dy djem 12 vjeç lypin çdo ditë në Tiranë, një burrë ua merr paratë"
    send(client, runtime, "+355691110000", text, "SM-tip")
    with runtime.db.transaction() as s:
        tip = s.scalars(select(Tip)).one()
        first = s.scalars(
            select(Delivery).where(Delivery.tip_id == tip.id).order_by(Delivery.official_id)
        ).first()
        assert first is not None
    return runtime, client, first


def acknowledgements(runtime: Runtime) -> int:
    with runtime.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(Acknowledgement)) or 0)


def test_codes_have_six_ascii_digits(tmp_path: Path, sqlite_url: str) -> None:
    runtime, _, _ = alerted(tmp_path, sqlite_url)
    with runtime.db.transaction() as s:
        codes = [
            d.ack_code for d in s.scalars(select(Delivery).where(Delivery.tip_id.is_not(None)))
        ]
    assert codes and all(re.fullmatch(r"[0-9]{6}", c or "") for c in codes)
    assert ack_codes.parse("ok 123456") == "123456" and ack_codes.parse("PO 4821") == "4821"
    for body in ("OK 12345", "OK １２３４５６", "OK 12٣456", "OK 1234567", "OK"):
        assert ack_codes.parse(body) is None


def test_an_old_four_digit_code_works_until_it_expires(tmp_path: Path, sqlite_url: str) -> None:
    runtime, client, first = alerted(tmp_path, sqlite_url)
    with runtime.db.transaction() as s:
        delivery = s.get(Delivery, first.id)
        assert delivery is not None
        delivery.ack_code = "4821"  # sent before codes grew
        delivery.created_at = utcnow() - ack_codes.LIFETIME - timedelta(minutes=1)
    send(client, runtime, OFFICIAL_PHONE, "OK 4821", "SM-old")
    assert acknowledgements(runtime) == 0  # too old: the console still works
    with runtime.db.transaction() as s:
        delivery = s.get(Delivery, first.id)
        assert delivery is not None
        delivery.created_at = utcnow() - timedelta(days=1)
    send(client, runtime, OFFICIAL_PHONE, "OK 4821", "SM-recent")
    assert acknowledgements(runtime) == 1


def test_wrong_codes_are_limited_per_number_across_processes(
    tmp_path: Path, database_url: str
) -> None:
    runtime, client, first = alerted(tmp_path, database_url)
    code = first.ack_code or ""
    wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 6)]
    # Another web process on the same database shares the count.
    other = build_runtime(runtime.settings)
    other_client = create_app(runtime=other).test_client()
    for n, guess in enumerate(wrong):
        web = (client, runtime) if n % 2 else (other_client, other)
        send(web[0], web[1], OFFICIAL_PHONE, f"OK {guess}", f"SM-guess{n}")
    send(client, runtime, OFFICIAL_PHONE, f"OK {code}", "SM-right")
    assert acknowledgements(runtime) == 0  # not looked up any more this hour
    with runtime.db.transaction() as s:
        throttled = s.scalars(select(AuditEntry).where(AuditEntry.action == "ack.refused")).all()
        assert [e.detail.get("reason") for e in throttled][-1] == "too many wrong codes"
        assert s.scalar(select(func.count()).select_from(Tip)) == 1  # never a citizen's tip
    # Another official's number is not held up.
    with runtime.db.transaction() as s:
        second = s.scalars(
            select(Delivery)
            .where(Delivery.tip_id.is_not(None), Delivery.official_id != first.official_id)
            .order_by(Delivery.official_id)
        ).first()
        assert second is not None
    send(client, runtime, f"{DEMO_PHONE_BASE}02", f"OK {second.ack_code}", "SM-second")
    assert acknowledgements(runtime) == 1
    other.db.dispose()


def test_an_officials_ok_is_routed_before_any_reporter_exists(
    tmp_path: Path, sqlite_url: str
) -> None:
    """Issue 14, item 7: an "OK code" never creates a reporter row or counts as a contact."""
    runtime, client, first = alerted(tmp_path, sqlite_url)
    with runtime.db.transaction() as s:
        reporters = s.scalar(select(func.count()).select_from(Reporter))
    answer = send(client, runtime, OFFICIAL_PHONE, f"OK {first.ack_code}", "SM-ack")
    assert "<Message>" in answer and acknowledgements(runtime) == 1
    send(client, runtime, OFFICIAL_PHONE, f"OK {first.ack_code}", "SM-ack")  # delivered again
    with runtime.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Reporter)) == reporters
        kinds = sorted(s.scalars(select(InboundMessage.kind)))
        contacts = list(contact_records(s, utcnow() - timedelta(hours=1), utcnow()))
    assert kinds == ["ack", "sms"]  # the citizen's tip and the official's acknowledgement
    assert len(contacts) == 1  # only the citizen's SMS is a contact in ONAC's statistics
