"""Canary sweep: reporters' numbers, Telegram ids and usernames never appear in clear anywhere.

Tips are sent from known identities through every channel over real HTTP (jobs on real Redis, run
by an RQ worker), then the SQLite file, a PostgreSQL dump, every Redis key and all captured logs
are searched; and, with the database down, every file of the inbound spool.
"""

from __future__ import annotations

import base64
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import redis
from rq import SimpleWorker
from sqlalchemy import select

from alerts.queue import QUEUES, RQQueue
from console.report_words import normalise
from models.link_tables import TipEntity
from models.tables import Attachment
from raporto import jobs
from raporto.app import create_app
from raporto.runtime import build_runtime
from tests.conftest import REDIS_URL, make_runtime, make_settings
from tests.e2e import running_stack
from tests.helpers import (
    hotline_request,
    row_counts,
    sms_form,
    telegram_headers,
    telegram_message,
    twilio_headers,
    wait_until,
)

pytestmark = pytest.mark.e2e

NUMBERS = ["+355691234567", "+355682345678", "+355673456789"]
TELEGRAM_ID = 7349912345
USERNAME = "canary_user_xq"
FIRST_NAME = "Canaryfirstname"
TEXT_CANARY = "CANARYTEXT7731"
WHATSAPP_NUMBER = "+355664567891"  # Twilio adds WaId (these digits) and ProfileName
PROFILE_NAME = "Canaryprofilename"
# What a tip names that links it to others (issue 17): kept only as keyed hashes.
RECRUITER_NUMBER = "+355695551234"
ENTITIES = {
    "plate": ("AA 731 XQ", "AA731XQ"),
    "handle": ("@canary_handle_xq", "canary_handle_xq"),
    "email": ("canary.recruiter@example.com",),
    "iban": ("AL47 2121 1009 0000 0002 3569 8741", "AL47212110090000000235698741"),
}
LINKED_TEXT = (
    f"furgoni {ENTITIES['plate'][0]}, rekrutuesi {ENTITIES['handle'][0]} në Instagram, "
    f"{ENTITIES['email'][0]}, IBAN {ENTITIES['iban'][0]}, numri i tij 069 555 1234"
)


def needles() -> list[bytes]:
    """Every form in which a canary could leak."""
    found: list[str] = [str(TELEGRAM_ID), USERNAME, FIRST_NAME, TEXT_CANARY, PROFILE_NAME]
    found += [form for forms in ENTITIES.values() for form in forms]
    for number in [*NUMBERS, WHATSAPP_NUMBER, RECRUITER_NUMBER]:
        national = number[4:]  # 691234567: matches +355…, 00355…, 0691234567
        found += [
            national,
            f"{national[:2]} {national[2:5]} {national[5:]}",
            f"{national[:2]}-{national[2:5]}-{national[5:]}",
        ]
    return [n.encode() for n in found]


def assert_clean(where: str, data: bytes, *extra: str) -> None:
    for needle in [*needles(), *(e.encode() for e in extra)]:
        assert needle not in data, f"{needle!r} found in {where}"


def redis_contents(client: redis.Redis) -> bytes:
    out = bytearray()
    for key in client.scan_iter(count=500):
        out += key
        dumped = client.dump(key)
        if dumped:
            out += dumped
        kind = client.type(key)
        if kind == b"hash":
            for field, value in client.hgetall(key).items():
                out += field + value
        elif kind == b"list":
            out += b"".join(client.lrange(key, 0, -1))
        elif kind == b"string":
            out += client.get(key) or b""
    return bytes(out)


@pytest.mark.redis
def test_no_identity_or_text_is_stored_or_logged_in_clear(
    tmp_path: Path,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is required for this test and is not reachable: {exc}")
    connection.flushdb()
    queue = RQQueue(REDIS_URL)
    with running_stack(tmp_path, database_url, queue=queue, start_jobs=False) as stack:
        for index, number in enumerate(NUMBERS):
            result = stack.control(
                "/sandbox/twilio/sms",
                **{"from": number, "body": f"{TEXT_CANARY} vajza {index} në Durrës, tel {number}"},
            )
            assert result["status"] == 200
        stack.control(
            "/sandbox/telegram/updates",
            user_id=TELEGRAM_ID,
            username=USERNAME,
            first_name=FIRST_NAME,
            text=f"{TEXT_CANARY} më morën pasaportën; {LINKED_TEXT}",
            sync=True,
        )
        # A WhatsApp message with a photo whose bytes carry the canary too (stored encrypted).
        photo = base64.b64encode(f"JPEG {TEXT_CANARY} {WHATSAPP_NUMBER}".encode()).decode()
        whatsapp = stack.control(
            "/sandbox/twilio/whatsapp",
            **{
                "from": WHATSAPP_NUMBER,
                "body": f"{TEXT_CANARY} punë pa pagë në Fier, tel {WHATSAPP_NUMBER}; {LINKED_TEXT}",
                "profile_name": PROFILE_NAME,
                "media": [{"content_type": "image/jpeg", "data": photo}],
            },
        )
        assert whatsapp["status"] == 200 and whatsapp["replies"]
        call = stack.control("/sandbox/twilio/calls", **{"from": NUMBERS[0]})
        stack.control(f"/sandbox/twilio/calls/{call['call_sid']}/digits", digits="1")
        stack.control(f"/sandbox/twilio/calls/{call['call_sid']}/digits", digits="1")
        stack.control(f"/sandbox/twilio/calls/{call['call_sid']}/record", seconds=9)
        body, headers = hotline_request(
            stack.runtime,
            {
                "record_id": "CAN-1",
                "received_at": "2026-11-25T09:00:00+00:00",
                "summary": f"{TEXT_CANARY} operator note",
                "caller_number": NUMBERS[1],
            },
        )
        import requests

        assert (
            requests.post(
                stack.app_url + "/webhooks/hotline", data=body, headers=headers, timeout=10
            ).status_code
            == 201
        )
        # The web form: its text and its passphrase (shown once) must be nowhere in clear.
        with requests.Session() as browser:
            page = browser.get(stack.app_url + "/report", timeout=10).text
            token = re.search(r'name="token" value="([^"]+)"', page)
            assert token is not None
            done = browser.post(
                stack.app_url + "/report",
                data={"token": token.group(1), "text": f"{TEXT_CANARY} nga forma në web"},
                timeout=30,
            )
            assert done.status_code == 200
        codes = re.findall(r'<dd class="code">([^<]+)</dd>', done.text)
        secret = (codes[1], normalise(codes[1]))  # the passphrase, as shown and as hashed
        # An error path too: a forged request, whose body must not be logged either.
        stack.control(
            "/sandbox/twilio/sms", **{"from": NUMBERS[2], "body": TEXT_CANARY}, signature="bad"
        )
        stack.control(
            "/sandbox/twilio/whatsapp",
            **{"from": WHATSAPP_NUMBER, "body": TEXT_CANARY},
            signature="bad",
        )
        assert connection.llen("rq:queue:high") + connection.llen("rq:queue:default") > 0
        redis_before_work = redis_contents(connection)
        jobs.serve(stack.runtime)  # as `raporto worker` does at start
        worker = SimpleWorker(list(QUEUES), connection=queue.connection)
        worker.work(burst=True)
        wait_until(lambda: stack.sent("telegram", str(TELEGRAM_ID), method="sendMessage"))
        counts = row_counts(stack.runtime)
        assert counts["tips"] == 8 and counts["reporters"] >= 5
        with stack.runtime.db.transaction() as session:
            kinds = session.execute(select(Attachment.kind, Attachment.status)).all()
        assert ("photo", "stored") in kinds  # the WhatsApp photo was fetched by the worker
        with stack.runtime.db.transaction() as session:
            linked = session.scalars(select(TipEntity.kind).distinct()).all()
        # The entities were recorded (as hashes), so the sweep below looks for them for real.
        assert {"phone", "plate", "handle", "email", "iban"} <= set(linked)
        if stack.runtime.db.dialect == "sqlite":
            db_path = Path(stack.runtime.db.url.removeprefix("sqlite:///"))
            stack.runtime.db.dispose()
            for suffix in ("", "-wal", "-shm", "-journal"):
                part = Path(str(db_path) + suffix)
                if part.exists():
                    assert_clean(part.name, part.read_bytes(), *secret)
        else:
            pg_dump = shutil.which("pg_dump") or next(
                iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))), None
            )
            assert pg_dump, "pg_dump is needed for the PostgreSQL canary sweep"
            url = stack.runtime.db.url.replace("postgresql+psycopg://", "postgresql://")
            dump = subprocess.run(
                [str(pg_dump), "--no-owner", url], capture_output=True, check=True
            ).stdout
            assert b"CREATE TABLE public.tips" in dump
            assert_clean("pg_dump", dump, *secret)
    assert_clean("redis before the worker", redis_before_work, *secret)
    assert_clean("redis after the worker", redis_contents(connection), *secret)
    out, err = capfd.readouterr()
    assert_clean("captured logs", caplog.text.encode(), *secret)
    assert_clean("stdout/stderr", (out + err).encode(), *secret)
    # The capture did see this run's logs: the worker's own (migration logs appear only when
    # this process migrates first; tests/migrated.py copies a migrated SQLite file after that).
    assert any(r.name.startswith("rq.worker") for r in caplog.records)
    connection.flushdb()


def test_the_sweep_finds_a_canary_in_any_of_its_forms() -> None:
    for leaked in (
        b"From=%2B355691234567",
        b"tel 069 123 4567",
        b'"username": "canary_user_xq"',
        b"chat_id=7349912345",
        b"00355682345678",
    ):
        with pytest.raises(AssertionError):
            assert_clean("probe", leaked)


@pytest.mark.postgres
def test_the_spool_holds_no_identity_or_text_in_clear(
    tmp_path: Path, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Events kept while the database is down are encrypted on disk and logged by id only."""
    caplog.set_level(logging.DEBUG)
    up = make_runtime(tmp_path, pg_url)
    down = build_runtime(
        make_settings(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/x"), queue=up.queue
    )
    app = create_app(runtime=down)
    app.extensions["raporto.spool_drainer"].stop()
    client = app.test_client()
    for index, number in enumerate(NUMBERS):
        form = sms_form(number, f"{TEXT_CANARY} vajza {index}, tel {number}", f"canary-{index}")
        path = "/webhooks/twilio/sms"
        assert (
            client.post(path, data=form, headers=twilio_headers(up, path, form)).status_code == 200
        )
    update = telegram_message(
        91, TELEGRAM_ID, TEXT_CANARY, username=USERNAME, first_name=FIRST_NAME
    )
    assert (
        client.post("/webhooks/telegram", json=update, headers=telegram_headers(up)).status_code
        == 200
    )
    body, headers = hotline_request(
        up,
        {
            "record_id": "CAN-2",
            "received_at": "2026-11-25T09:00:00+00:00",
            "summary": f"{TEXT_CANARY} operator note",
            "caller_number": NUMBERS[1],
        },
    )
    assert client.post("/webhooks/hotline", data=body, headers=headers).status_code == 202
    spool = up.intake.spool
    assert spool is not None and len(spool.entries()) == 5
    for item in spool.folder.iterdir():
        assert_clean(f"spool file {item.name}", item.name.encode() + item.read_bytes())
    assert_clean("captured logs", caplog.text.encode())
    assert "spooled as" in caplog.text  # the capture saw the spooling
    up.db.dispose()
