"""The anonymous web form (/report): no cookie, signed form tokens, one tip per token, a clean
photo, an argon2-only passphrase, a status page that names nobody, answers appended to the tip,
no address anywhere, and migration 0011 up and down on both databases."""

from __future__ import annotations

import io
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, inspect, select, text

import console.report_intake as report_intake
import console.report_views as report_views
from alerts.demo import DEMO_CHAT_BASE, seed_demo_roster
from bot.relay import ask_reporter
from console.report_words import normalise
from console.stats import count
from console.stats_fields import CHANNEL_LABELS, CHANNELS
from console.stats_views import value_label
from models import store
from models.accounts import ReporterQuestion
from models.base import utcnow
from models.maintenance import purge
from models.migrate import downgrade, upgrade
from models.roster import Agency, Official
from models.tables import Attachment, InboundMessage, Tip
from raporto.app import create_app
from raporto.runtime import Runtime, build_runtime
from tests.conftest import TEST_HASHER, make_runtime, make_settings
from tests.console_helpers import demo_officials, make_account
from tests.e2e import running_stack
from tests.helpers import wait_until

ADDRESS = "203.0.113.77"
TEXT = "Në një bar në Durrës punon natën një vajzë 15 vjeçe; ia kanë marrë pasaportën."


@pytest.fixture(autouse=True)
def cheap_passphrase_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash passphrases with argon2's cheapest parameters in this process."""
    monkeypatch.setattr(report_intake, "_hasher", TEST_HASHER)


@pytest.fixture
def web(client: FlaskClient) -> FlaskClient:
    """The test client, every request coming from one documented address."""
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    return client


def token_of(html: str) -> str:
    found = re.search(r'name="token" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


def form_token(client: FlaskClient, path: str = "/report") -> str:
    return token_of(client.get(path).get_data(as_text=True))


def send(client: FlaskClient, token: str, **fields: object) -> tuple[int, str]:
    data: dict[str, object] = {"token": token, "text": TEXT, **fields}
    response = client.post("/report", data=data, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def code_and_passphrase(html: str) -> tuple[str, str]:
    codes = re.findall(r'<dd class="code">([^<]+)</dd>', html)
    assert len(codes) == 2, html
    return codes[0], codes[1]


def database_dump(runtime: Runtime) -> dict[str, str]:
    """Every table's rows as text (table names come from the database itself)."""
    with runtime.db.engine.connect() as conn:
        return {
            table: " ".join(
                str(row)
                for row in conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            )
            for table in inspect(runtime.db.engine).get_table_names()
        }


def tips(runtime: Runtime) -> list[Tip]:
    with runtime.db.read() as s:
        return list(s.scalars(select(Tip)).all())


def test_the_form_sets_no_cookie_and_needs_no_script(web: FlaskClient) -> None:
    for path in ("/report", "/report?lang=en", "/report/status"):
        response = web.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        html = response.get_data(as_text=True)
        assert "<script" not in html
        assert "http://" not in html and "https://" not in html  # no third-party asset
        assert "script-src" not in response.headers["Content-Security-Policy"]
    assert 'lang="sq"' in web.get("/report").get_data(as_text=True)
    english = web.get("/report?lang=en").get_data(as_text=True)
    assert "What we can and cannot see" in english
    assert 'lang="en"' in english
    status, html = send(web, form_token(web))
    assert status == 200
    css = web.get("/report/static/report.css")
    assert css.status_code == 200 and "Set-Cookie" not in css.headers


def test_submission_sets_no_cookie_and_stores_one_web_tip(
    web: FlaskClient, runtime: Runtime
) -> None:
    token = form_token(web)
    response = web.post(
        "/report",
        data={"token": token, "text": TEXT, "qark": "durres", "minor": "yes", "danger": "yes"},
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    reference, passphrase = code_and_passphrase(response.get_data(as_text=True))
    [tip] = tips(runtime)
    assert tip.reference == reference and tip.channel == "web" and tip.reporter_id is None
    assert tip.answers["minor"] is True and tip.answers["danger_now"] is True
    assert tip.qark == "Durrës"
    assert len(passphrase.split()) == 5


def test_the_token_is_required_and_expires(
    web: FlaskClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert send(web, "")[0] == 400
    assert send(web, "forged.token.value")[0] == 400
    token = form_token(web)
    monkeypatch.setattr(report_views, "TOKEN_MAX_AGE", 0)
    time.sleep(1.1)
    status, html = send(web, token)
    assert status == 400
    assert TEXT in html  # the words are given back with a fresh token, not lost
    assert tips(runtime) == []


def test_posting_the_same_token_twice_makes_one_tip(web: FlaskClient, runtime: Runtime) -> None:
    token = form_token(web)
    first_status, first = send(web, token)
    second_status, second = send(web, token, text="a different text on the second post")
    assert first_status == second_status == 200
    reference, passphrase = code_and_passphrase(first)
    assert reference in second and passphrase not in second
    assert len(tips(runtime)) == 1


@pytest.mark.postgres
def test_fifty_posts_of_one_form_ten_at_a_time_make_one_tip(tmp_path: Path, pg_url: str) -> None:
    """A double-clicked or replayed form, also from many addresses at once: one tip, one code."""
    rt = make_runtime(tmp_path, pg_url)
    app = create_app(runtime=rt)
    token = form_token(app.test_client())

    def post(n: int) -> tuple[int, str]:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{n}"  # under each address's limit
        return send(client, token)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(post, range(50)))
    [tip] = tips(rt)
    assert [status for status, _ in answers] == [200] * 50
    assert all(tip.reference in html for _, html in answers)
    # The passphrase is shown once, to the post that made the tip.
    assert (
        sum(
            '<dd class="code">' in html and html.count('<dd class="code">') == 2
            for _, html in answers
        )
        == 1
    )
    rt.db.dispose()


def photo_with_exif() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x8825] = {2: (41.0, 19.0, 27.0), 1: "N"}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"secret comment")
    return out.getvalue()


def test_the_photo_is_stored_encrypted_without_exif(web: FlaskClient, runtime: Runtime) -> None:
    original = photo_with_exif()
    assert b"SecretCameraMaker" in original
    status, _ = send(web, form_token(web), photo=(io.BytesIO(original), "IMG_0001.jpg"))
    assert status == 200
    with runtime.db.read() as s:
        [attachment] = s.scalars(select(Attachment)).all()
        assert attachment.kind == "photo"
        stored = attachment.data_enc
    assert stored is not None and b"SecretCameraMaker" not in stored
    clean = runtime.intake.vault.decrypt(stored)
    assert b"SecretCameraMaker" not in clean and b"secret comment" not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.size == (64, 48)


def test_a_file_that_is_no_photo_is_refused_and_nothing_stored(
    web: FlaskClient, runtime: Runtime
) -> None:
    status, html = send(web, form_token(web), photo=(io.BytesIO(b"%PDF-1.4 not a photo"), "x.pdf"))
    assert status == 400 and TEXT in html
    assert tips(runtime) == []


def test_the_passphrase_is_kept_as_argon2_only_and_opens_the_status(
    web: FlaskClient, runtime: Runtime
) -> None:
    reference, passphrase = code_and_passphrase(send(web, form_token(web))[1])
    [tip] = tips(runtime)
    assert tip.passphrase_hash is not None and tip.passphrase_hash.startswith("$argon2")
    for dump in database_dump(runtime).values():
        assert passphrase not in dump and normalise(passphrase) not in dump
    token = form_token(web, "/report/status")
    # Typed in lower case, without diacritics, with extra spaces: still the same passphrase.
    typed = "  ".join(normalise(passphrase).split())
    ok = web.post(
        "/report/status", data={"token": token, "code": reference.lower(), "passphrase": typed}
    )
    assert ok.status_code == 200
    assert "Set-Cookie" not in ok.headers
    assert reference in ok.get_data(as_text=True)
    wrong = web.post(
        "/report/status", data={"token": token, "code": reference, "passphrase": "sun moon"}
    )
    unknown = web.post(
        "/report/status", data={"token": token, "code": "AAA-AAA", "passphrase": passphrase}
    )
    assert wrong.status_code == unknown.status_code == 403
    error = re.compile(r'<p class="error" role="alert">([^<]+)</p>')
    assert error.findall(wrong.get_data(as_text=True)) == error.findall(
        unknown.get_data(as_text=True)
    )


def test_wrong_passphrases_are_rate_limited(web: FlaskClient, runtime: Runtime) -> None:
    reference, passphrase = code_and_passphrase(send(web, form_token(web))[1])
    token = form_token(web, "/report/status")
    for _ in range(report_intake.WRONG_STATUS_PER_HOUR):
        bad = {"token": token, "code": reference, "passphrase": "wrong words"}
        assert web.post("/report/status", data=bad).status_code == 403
    good = {"token": token, "code": reference, "passphrase": passphrase}
    assert web.post("/report/status", data=good).status_code == 403
    # Another address is not locked out by the first one's guesses.
    other = web.post("/report/status", data=good, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 200


def ask(runtime: Runtime, tip_id: int, question: str) -> list[str]:
    """Put a question to the tip's reporter as the console's "Ask the reporter" does.

    Returns the names that must never reach the reporter (the official's and the agency's).
    """
    official_id = demo_officials(runtime)[0]
    user_id = make_account(runtime, "official1", "official", official_id=official_id)
    with runtime.db.read() as s:
        official = s.get(Official, official_id)
        assert official is not None
        agency = s.get(Agency, official.agency_id)
        assert agency is not None
        names = [official.name, agency.name_sq, agency.name_en, "official1"]
    with runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        ask_reporter(s, runtime.intake, tip, question, actor="user:official1", user_id=user_id)
    return names


def test_status_shows_questions_never_an_official_and_takes_an_answer(
    web: FlaskClient, runtime: Runtime
) -> None:
    reference, passphrase = code_and_passphrase(send(web, form_token(web))[1])
    [tip] = tips(runtime)
    names = ask(runtime, tip.id, "Which bar is it, and on which street?")
    with runtime.db.transaction() as s:
        s.get(Tip, tip.id).status = "acknowledged"  # type: ignore[union-attr]
    token = form_token(web, "/report/status")
    page = web.post(
        "/report/status", data={"token": token, "code": reference, "passphrase": passphrase}
    )
    html = page.get_data(as_text=True)
    assert "Which bar is it, and on which street?" in html
    for name in [*names, "ONAC", "Zyra e Koordinatorit"]:
        assert name not in html, name
    answer = web.post(
        "/report/status",
        data={
            "token": token_of(html),
            "code": reference,
            "passphrase": passphrase,
            "answer": "Bar Flora, Rruga Tregtare",
        },
    )
    assert answer.status_code == 200
    with runtime.db.read() as s:
        stored = s.get(Tip, tip.id)
        assert stored is not None
        assert "Bar Flora, Rruga Tregtare" in store.tip_text(runtime.intake.vault, stored)
        assert stored.follow_ups == 1


def test_submissions_per_address_are_limited(web: FlaskClient, runtime: Runtime) -> None:
    for _ in range(report_intake.SUBMISSIONS_PER_HOUR):
        assert send(web, form_token(web), text=f"{TEXT} {_}")[0] == 200
    assert send(web, form_token(web))[0] == 429
    assert len(tips(runtime)) == report_intake.SUBMISSIONS_PER_HOUR


def test_no_address_in_the_database_or_the_logs(
    web: FlaskClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reference, passphrase = code_and_passphrase(send(web, form_token(web))[1])
    web.post(
        "/report/status",
        data={"token": form_token(web, "/report/status"), "code": reference, "passphrase": "x"},
    )
    assert ADDRESS not in caplog.text and TEXT not in caplog.text and passphrase not in caplog.text
    for table, dump in database_dump(runtime).items():
        assert "203.0.113" not in dump, table


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(["/report", "/report/status"]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "token",
                "text",
                "qark",
                "minor",
                "danger",
                "language",
                "lang",
                "code",
                "passphrase",
                "answer",
                "x",
            ]
        ),
        st.text(max_size=300),
        max_size=8,
    ),
    valid_token=st.booleans(),
)
def test_fuzzed_bodies_never_fail_with_5xx(
    app: Flask, path: str, fields: dict[str, str], valid_token: bool
) -> None:
    client = app.test_client()
    if valid_token:
        fields["token"] = form_token(client, "/report" if path == "/report" else "/report/status")
    response = client.post(path, data=fields)
    assert response.status_code < 500
    assert "Set-Cookie" not in response.headers


def test_raw_garbage_bodies_never_fail_with_5xx(web: FlaskClient) -> None:
    for body, kind in (
        (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
        (
            b'--x\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\n'
            b"\xff\xd8\xff",
            "multipart/form-data; boundary=x",
        ),
        (b"{}", "application/json"),
    ):
        for path in ("/report", "/report/status"):
            assert web.post(path, data=body, content_type=kind).status_code < 500


def test_onion_location_is_sent_when_set(runtime: Runtime) -> None:
    app = create_app(runtime=runtime)
    app.config["RAPORTO_ONION_URL"] = "http://raportoexample.onion"
    response = app.test_client().get("/report")
    assert response.headers["Onion-Location"] == "http://raportoexample.onion/report"
    assert (
        create_app(runtime=runtime).test_client().get("/report").headers.get("Onion-Location")
        is None
    )
    app.config["RAPORTO_ONION_URL"] = "https://example.org"  # not an onion: no header
    assert app.test_client().get("/report").headers.get("Onion-Location") is None


def test_migration_0011_adds_and_removes_the_passphrase_hash(
    any_runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_intake, "_hasher", TEST_HASHER)
    client = create_app(runtime=any_runtime).test_client()
    reference, _passphrase = code_and_passphrase(send(client, form_token(client))[1])
    url = any_runtime.db.url
    any_runtime.db.dispose()
    downgrade(url, "0010")
    engine = any_runtime.db.engine
    assert "passphrase_hash" not in {c["name"] for c in inspect(engine).get_columns("tips")}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT reference FROM tips")).scalar_one() == reference
    engine.dispose()
    upgrade(url)
    with any_runtime.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Tip)) == 1
        hashes = s.scalars(select(Tip.passphrase_hash)).all()
    assert hashes == [None]  # the hash went with the downgrade: the passphrase no longer opens it
    with any_runtime.db.read() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 1
        assert s.scalar(select(func.count()).select_from(ReporterQuestion)) == 0


def test_statistics_count_web_reports_and_label_both_new_channels(
    web: FlaskClient, runtime: Runtime, app: Flask
) -> None:
    send(web, form_token(web))
    send(web, form_token(web), text="Një tjetër raportim për një punë të dyshimtë jashtë vendit.")
    with runtime.db.read() as s:
        tip_rows = count(s, ["channel", "operator"], "tips")
        contact_rows = count(s, ["channel", "operator"], "contacts")
    assert tip_rows == [{"channel": "web", "operator": "none", "count": 2}]
    assert contact_rows == [{"channel": "web", "operator": "none", "count": 2}]
    assert {"web", "whatsapp"} <= set(CHANNELS) == set(CHANNEL_LABELS)
    with app.test_request_context("/console/stats"):
        from flask import session

        session["lang"] = "en"
        assert value_label("channel", "web") == "Web form"
        assert value_label("channel", "whatsapp") == "WhatsApp"
        assert value_label("operator", "web") == "web"


def test_the_form_takes_a_photo_larger_than_a_webhook_body_but_not_more_than_the_cap(
    web: FlaskClient, runtime: Runtime
) -> None:
    noise = Image.effect_noise((400, 400), 80).convert("RGB")
    out = io.BytesIO()
    noise.save(out, format="PNG")
    big = out.getvalue()
    assert len(big) > runtime.settings.max_body_bytes  # a webhook would get 413
    status, _ = send(web, form_token(web), photo=(io.BytesIO(big), "noise.png"))
    assert status == 200
    cap = runtime.intake.alerts.senders.max_attachment_bytes
    huge = b"x" * (cap + 300 * 1024)
    response = web.post(
        "/report",
        data={"token": form_token(web), "text": TEXT, "photo": (io.BytesIO(huge), "a.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert len(tips(runtime)) == 1


def test_a_purge_erases_the_passphrase_with_the_content(web: FlaskClient, runtime: Runtime) -> None:
    reference, passphrase = code_and_passphrase(send(web, form_token(web))[1])
    with runtime.db.transaction() as session:
        purge(session, now=utcnow() + timedelta(days=400), content_days=365, handle_days=30)
    [tip] = tips(runtime)
    assert tip.passphrase_hash is None and tip.purged_at is not None
    token = form_token(web, "/report/status")
    answer = web.post(
        "/report/status", data={"token": token, "code": reference, "passphrase": passphrase}
    )
    assert answer.status_code == 403  # the passphrase opens nothing any more


def test_with_the_database_down_the_form_says_so_in_the_readers_language(
    tmp_path: Path, runtime: Runtime
) -> None:
    """A page, not the webhooks' JSON: nothing was stored, send again (no spool: no code)."""
    down = build_runtime(make_settings(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/x"))
    app = create_app(runtime=down)
    app.extensions["raporto.spool_drainer"].stop()
    client = app.test_client()
    for lang, words in (("sq", "asgjë nga sa shkruat nuk u ruajt"), ("en", "nothing you wrote")):
        token = form_token(client)
        response = client.post("/report", data={"token": token, "text": TEXT, "lang": lang})
        assert response.status_code == 503
        assert response.mimetype == "text/html"
        assert words in response.get_data(as_text=True)
        assert "Set-Cookie" not in response.headers


@pytest.mark.e2e
def test_a_critical_web_report_reaches_the_six_officials_over_http(
    tmp_path: Path, database_url: str
) -> None:
    """The form as a browser sends it, over real HTTP: a critical tip alerts all six at once."""
    with running_stack(tmp_path, database_url) as stack:
        rt = stack.runtime
        with rt.db.transaction() as session:
            seed_demo_roster(session, rt.vault, rt.pseudonym, utcnow())
        with requests.Session() as browser:
            page = browser.get(stack.app_url + "/report", timeout=30)
            token = token_of(page.text)
            answer = browser.post(
                stack.app_url + "/report", data={"token": token, "text": TEXT}, timeout=30
            )
            assert answer.status_code == 200 and not browser.cookies
        reference, _passphrase = code_and_passphrase(answer.text)
        [tip] = tips(rt)
        assert (tip.reference, tip.channel, tip.band) == (reference, "web", "critical")
        chats = [str(DEMO_CHAT_BASE + i) for i in range(1, 7)]

        def alerted() -> list[str]:
            return [c for c in chats if stack.sent("telegram", c, method="sendMessage")]

        wait_until(lambda: len(alerted()) == 6)
        for chat in chats:
            assert reference in stack.sent("telegram", chat, method="sendMessage")[-1].text
