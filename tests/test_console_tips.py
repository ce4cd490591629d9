"""The officials' tip pages: list, inert text, explanation, actions, roles, CSRF, audit, files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from bot.attachments import add_attachment
from bot.intake import caller_from_phone, new_tip
from console.tip_view import highlight, locate, neutralise
from models import store
from models.accounts import ReporterQuestion, TipNote, User
from models.base import utcnow
from models.deliveries import Acknowledgement
from models.maintenance import purge
from models.tables import Attachment, AuditEntry, OutboundMessage, Reporter, Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.console_helpers import csrf_token, demo_officials, make_account, sign_in
from tests.helpers import sms_form, twilio_headers

SMS = "/webhooks/twilio/sms"
CRITICAL = (
    "Një vajzë 15 vjeçe mbahet e mbyllur në një shtëpi në Durrës, i kanë marrë pasaportën, "
    "sonte do ta çojnë në Itali"
)
HOSTILE = (
    "Shikoni <script>alert(1)</script> dhe <img src=x onerror=alert(1)> "
    "https://evil.example/ \u202etxt.exe\u202c vajza 15 vjeç punon natën"
)


def sign_in_official(client: FlaskClient, runtime: Runtime, lang: str = "en") -> int:
    """Sign in an account linked to the first demo official; return the official's id."""
    official = demo_officials(runtime)[0]
    user_id = make_account(runtime, "official1", "official", official_id=official)
    with runtime.db.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None
        user.language = lang
    assert sign_in(client, "official1") == 302
    return official


def submit(runtime: Runtime, text: str, sender: str = "+355691234567") -> str:
    """Submit a tip through intake (triage, fan-out) and return its reference."""
    with runtime.db.transaction() as s:
        caller = caller_from_phone(s, runtime.intake, sender)
        tip, _new = new_tip(
            s, runtime.intake, channel="sms", caller=caller, text=text, language=None
        )
        return tip.reference


def plain_tip(
    runtime: Runtime,
    band: str | None,
    received: datetime,
    status: str = "new",
    submitted: bool = True,
) -> str:
    """Store a tip with a given band, time and status (list ordering and filters)."""
    with runtime.db.transaction() as s:
        tip = store.create_tip(
            s,
            runtime.vault,
            channel="telegram",
            text="secret words",
            language="sq",
            reporter_id=None,
            now=received,
            submitted=submitted,
        )
        tip.band, tip.status = band, status
        return tip.reference


def tip_row(runtime: Runtime, reference: str) -> Tip:
    with runtime.db.read() as s:
        tip = store.tip_by_reference(s, reference)
        assert tip is not None
        s.expunge(tip)
        return tip


def audits(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.db.read() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))
        for row in rows:
            s.expunge(row)
        return rows


def post(client: FlaskClient, path: str, data: dict[str, str], token: bool = True) -> TestResponse:
    if token:
        data = {**data, "csrf_token": csrf_token(client, "/console/tips")}
    return client.post(path, data=data)


def references_in(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split('href="/console/tips/')[1:]]


# The list -------------------------------------------------------------------------------------


def test_the_list_puts_critical_first_then_newest_and_filters(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    t0 = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    low_new = plain_tip(runtime, "low", t0 + timedelta(hours=5))
    crit_old = plain_tip(runtime, "critical", t0)
    none_tip = plain_tip(runtime, None, t0 + timedelta(hours=6))
    crit_new = plain_tip(runtime, "critical", t0 + timedelta(hours=1), status="closed")
    high = plain_tip(runtime, "high", t0 + timedelta(hours=2))
    medium = plain_tip(runtime, "medium", t0 + timedelta(hours=3))
    draft = plain_tip(runtime, "critical", t0 + timedelta(hours=9), submitted=False)
    html = client.get("/console/tips").get_data(as_text=True)
    assert references_in(html) == [crit_new, crit_old, high, medium, low_new, none_tip]
    assert draft not in html
    assert "secret words" not in html  # never the text in the list
    assert '<span class="band band-critical">Critical</span>' in html
    assert "12:00:00" in html and "10:00:00" not in html  # 10:00 UTC is 12:00 in Tirana
    critical = client.get("/console/tips?band=critical").get_data(as_text=True)
    assert references_in(critical) == [crit_new, crit_old]
    closed = client.get("/console/tips?status=closed").get_data(as_text=True)
    assert references_in(closed) == [crit_new]
    both = client.get("/console/tips?band=critical&status=new").get_data(as_text=True)
    assert references_in(both) == [crit_old]
    unscored = client.get("/console/tips?band=none").get_data(as_text=True)
    assert references_in(unscored) == [none_tip]


def test_list_and_actions_work_on_sqlite_and_postgresql(any_runtime: Runtime) -> None:
    client = create_app(runtime=any_runtime).test_client()
    sign_in_official(client, any_runtime)
    t0 = utcnow() - timedelta(hours=3)
    low = plain_tip(any_runtime, "low", t0 + timedelta(hours=2))
    unscored = plain_tip(any_runtime, None, t0 + timedelta(hours=2))
    critical = plain_tip(any_runtime, "critical", t0)
    html = client.get("/console/tips").get_data(as_text=True)
    assert references_in(html) == [critical, low, unscored]
    post(client, f"/console/tips/{critical}/acknowledge", {})
    post(client, f"/console/tips/{critical}/status", {"status": "closed", "outcome": "hoax"})
    post(client, f"/console/tips/{critical}/notes", {"body": "shënim"})
    tip = tip_row(any_runtime, critical)
    assert (tip.status, tip.outcome) == ("closed", "hoax")
    assert "shënim" in client.get(f"/console/tips/{critical}").get_data(as_text=True)


def test_the_list_pages_by_fifty(client: FlaskClient, runtime: Runtime) -> None:
    sign_in_official(client, runtime)
    start = utcnow() - timedelta(days=1)
    refs = [plain_tip(runtime, "high", start + timedelta(minutes=i)) for i in range(52)]
    first = references_in(client.get("/console/tips").get_data(as_text=True))
    second = references_in(client.get("/console/tips?page=2").get_data(as_text=True))
    assert first == refs[::-1][:50]
    assert second == refs[::-1][50:]
    for odd in ("0", "x", "99999999999999999999999"):
        assert (
            references_in(client.get(f"/console/tips?page={odd}").get_data(as_text=True)) == first
        )


def test_the_list_speaks_albanian(client: FlaskClient, runtime: Runtime) -> None:
    sign_in_official(client, runtime, lang="sq")
    plain_tip(runtime, "critical", utcnow())
    html = client.get("/console/tips").get_data(as_text=True)
    assert '<span class="band band-critical">Kritik</span>' in html
    assert "Të gjitha prioritetet" in html  # the band filter


# The tip page ---------------------------------------------------------------------------------


def test_the_tip_page_shows_text_explanation_routing_and_is_audited(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    form = sms_form("+355692220000", CRITICAL, "SM-critical")
    assert (
        client.post(SMS, data=form, headers=twilio_headers(runtime, SMS, form)).status_code == 200
    )
    with runtime.db.read() as s:
        tip = s.execute(select(Tip)).scalar_one()
        assert tip.triage_enc is not None
        triage = runtime.vault.decrypt_json(tip.triage_enc)
        reference, tip_id = tip.reference, tip.id
    response = client.get(f"/console/tips/{reference}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<pre class="tiptext">' in html and "Durrës" in html
    words = {span["text"] for hit in triage["indicators"] for span in hit["spans"]}
    assert words and all(f"<mark>{w}</mark>" in html for w in words)
    assert "Documents withheld" in html or "documents" in html.lower()
    assert "Demo Besnik Kola" in html  # the deliveries, with the officials' names
    assert "15" in html and "Itali" in html
    assert [a.object_id for a in audits(runtime, "tip.view")] == [str(tip_id)]
    assert client.get("/console/tips/NOT-ATIP").status_code == 404


def test_hostile_text_is_shown_inert(client: FlaskClient, runtime: Runtime) -> None:
    sign_in_official(client, runtime)
    reference = submit(runtime, HOSTILE)
    html = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<a href="https://evil' not in html and "https://evil.example/" in html
    assert "\u202e" not in html and "\u202c" not in html
    assert "⟨U+202E⟩txt.exe⟨U+202C⟩" in html


def test_highlighting_escapes_every_segment_and_finds_moved_words() -> None:
    marked = highlight("a <b> c\u202e", [(2, 5), (3, 4), (50, 60)])
    assert str(marked) == "a <mark>&lt;b&gt;</mark> c⟨U+202E⟩"
    assert neutralise("x\u2066y\u200f") == "x⟨U+2066⟩y⟨U+200F⟩"
    # Offsets that no longer fit (text added after scoring): found again, case and ë-insensitive.
    assert locate("Pasaportën e mori. pasaporten", 40, 50, "pasaportën") == [(0, 10), (19, 29)]
    assert locate("i kanë marrë", 2, 6, "kanë") == [(2, 6)]


def test_a_purged_tip_says_its_content_was_deleted(client: FlaskClient, runtime: Runtime) -> None:
    sign_in_official(client, runtime)
    reference = submit(runtime, CRITICAL)
    with runtime.db.transaction() as s:
        purge(s, now=utcnow() + timedelta(days=400), content_days=365, handle_days=30)
    html = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert "deleted under the retention policy" in html
    assert "tiptext" not in html and "pasaport" not in html


# Roles ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["onac", "admin"])
def test_onac_and_admin_never_see_tips(client: FlaskClient, runtime: Runtime, role: str) -> None:
    reference = submit(runtime, CRITICAL)
    attachment = attach(runtime, reference, "image/png", b"\x89PNG\r\n")
    make_account(runtime, f"{role}1", role)
    assert sign_in(client, f"{role}1") == 302
    for path in (
        "/console/tips",
        f"/console/tips/{reference}",
        f"/console/tips/{reference}/attachments/{attachment}",
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert "pasaport" not in response.get_data(as_text=True)
    token = csrf_token(client, "/console/password")
    refused = client.post(f"/console/tips/{reference}/acknowledge", data={"csrf_token": token})
    assert refused.status_code == 403
    assert audits(runtime, "tip.view") == [] and audits(runtime, "tip.attachment") == []


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, runtime: Runtime) -> None:
    reference = submit(runtime, CRITICAL)
    for path in (
        "/console/tips",
        f"/console/tips/{reference}",
        f"/console/tips/{reference}/attachments/1",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert "/console/login" in response.headers["Location"]


# Actions --------------------------------------------------------------------------------------


def test_acknowledging_from_the_console_counts_once(client: FlaskClient, runtime: Runtime) -> None:
    official = sign_in_official(client, runtime)
    reference = submit(runtime, CRITICAL)
    first = post(client, f"/console/tips/{reference}/acknowledge", {})
    assert first.status_code == 302
    assert first.headers["Location"].endswith(f"/console/tips/{reference}")
    page = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert f"You acknowledged tip {reference}." in page
    post(client, f"/console/tips/{reference}/acknowledge", {})
    with runtime.db.read() as s:
        acks = list(s.scalars(select(Acknowledgement)))
        assert [(a.official_id, a.via) for a in acks] == [(official, "console")]
    assert tip_row(runtime, reference).status == "acknowledged"
    assert len(audits(runtime, "ack")) == 1 and len(audits(runtime, "ack.duplicate")) == 1


def test_status_moves_only_along_the_workflow(client: FlaskClient, runtime: Runtime) -> None:
    sign_in_official(client, runtime)
    reference = submit(runtime, CRITICAL)
    path = f"/console/tips/{reference}/status"
    post(client, path, {"status": "referred"})  # not acknowledged yet
    assert "cannot go from" in client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert tip_row(runtime, reference).status == "new"
    post(client, f"/console/tips/{reference}/acknowledge", {})
    post(client, path, {"status": "closed"})  # no outcome
    post(client, path, {"status": "closed", "outcome": "bogus"})
    post(client, path, {"status": "new"})
    assert tip_row(runtime, reference).status == "acknowledged"
    post(client, path, {"status": "referred"})
    assert tip_row(runtime, reference).status == "referred"
    post(client, path, {"status": "closed", "outcome": "referred_police"})
    tip = tip_row(runtime, reference)
    assert (tip.status, tip.outcome) == ("closed", "referred_police")
    post(client, path, {"status": "referred"})  # closed stays closed
    assert tip_row(runtime, reference).status == "closed"
    details = [a.detail for a in audits(runtime, "tip.status")]
    assert details == [
        {"from": "acknowledged", "to": "referred", "outcome": None},
        {"from": "referred", "to": "closed", "outcome": "referred_police"},
    ]


def test_notes_are_stored_encrypted_and_shown(client: FlaskClient, runtime: Runtime) -> None:
    sign_in_official(client, runtime)
    reference = submit(runtime, CRITICAL)
    secret = "Takova dëshmitaren te ura e Tabakëve <b>nesër</b>"
    post(client, f"/console/tips/{reference}/notes", {"body": secret})
    post(client, f"/console/tips/{reference}/notes", {"body": "   "})
    post(client, f"/console/tips/{reference}/notes", {"body": "x" * 4001})
    with runtime.db.read() as s:
        notes = s.execute(select(TipNote.id, TipNote.body_enc)).all()
    assert len(notes) == 1
    note_id, sealed = notes[0]
    assert sealed is not None and secret.encode() not in sealed and b"Takova" not in sealed
    assert runtime.vault.decrypt_text(sealed) == secret
    html = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert "Takova dëshmitaren te ura e Tabakëve &lt;b&gt;nesër&lt;/b&gt;" in html
    assert [a.detail for a in audits(runtime, "tip.note")] == [{"note": note_id}]


def test_every_action_without_a_csrf_token_is_refused(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    reference = submit(runtime, CRITICAL)
    for action, data in (
        ("acknowledge", {}),
        ("status", {"status": "referred"}),
        ("notes", {"body": "a note"}),
        ("ask", {"question": "Where?"}),
    ):
        response = post(client, f"/console/tips/{reference}/{action}", data, token=False)
        assert response.status_code == 400, action
    with runtime.db.read() as s:
        assert s.scalars(select(Acknowledgement)).first() is None
        assert s.scalars(select(TipNote)).first() is None
        assert s.scalars(select(ReporterQuestion)).first() is None
    assert tip_row(runtime, reference).status == "new"


def test_a_question_goes_to_a_consenting_reporter_only(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    willing = submit(runtime, CRITICAL, sender="+355693330000")
    unwilling = submit(runtime, "Një vajzë 15 vjeçe lyp në Tiranë", sender="+355694440000")
    with runtime.db.transaction() as s:
        tip = store.tip_by_reference(s, willing)
        assert tip is not None and tip.reporter_id is not None
        reporter = s.get(Reporter, tip.reporter_id)
        assert reporter is not None
        reporter.follow_up_consent = True
        store.set_reply_handle(
            s,
            runtime.vault,
            reporter_id=reporter.id,
            channel="sms",
            handle="+355693330000",
            days=30,
            now=utcnow(),
        )
    assert 'name="question"' in client.get(f"/console/tips/{willing}").get_data(as_text=True)
    assert 'name="question"' not in client.get(f"/console/tips/{unwilling}").get_data(as_text=True)
    with runtime.db.read() as s:
        before = len(list(s.scalars(select(OutboundMessage.id))))
    post(client, f"/console/tips/{willing}/ask", {"question": "Në cilën rrugë?"})
    html = client.get(f"/console/tips/{willing}").get_data(as_text=True)
    assert "The question will be sent to the reporter." in html and "Në cilën rrugë?" in html
    post(client, f"/console/tips/{unwilling}/ask", {"question": "Ku?"})
    html = client.get(f"/console/tips/{unwilling}").get_data(as_text=True)
    assert "did not agree to be contacted" in html
    with runtime.db.read() as s:
        questions = {q.status for q in s.scalars(select(ReporterQuestion))}
        after = len(list(s.scalars(select(OutboundMessage.id))))
    assert questions == {"queued", "refused"}
    assert after == before + 1


# Attachments ----------------------------------------------------------------------------------


def attach(runtime: Runtime, reference: str, content_type: str, data: bytes) -> int:
    with runtime.db.transaction() as s:
        tip = store.tip_by_reference(s, reference)
        assert tip is not None
        kind = "voice" if content_type.startswith("audio/") else "photo"
        item = add_attachment(
            s, runtime.intake, tip, kind=kind, content_type=content_type, data=data
        )
        assert item is not None
        return item.id


@pytest.mark.parametrize(
    ("stored", "served", "download"),
    [
        ("image/png", "image/png", False),
        ("image/jpeg", "image/jpeg", False),
        ("image/webp", "image/webp", False),
        ("audio/ogg", "audio/ogg", False),
        ("text/html", "application/octet-stream", True),
        ("image/svg+xml", "application/octet-stream", True),
        ("", "application/octet-stream", True),
    ],
)
def test_attachments_are_served_with_safe_types_and_headers(
    client: FlaskClient, runtime: Runtime, stored: str, served: str, download: bool
) -> None:
    sign_in_official(client, runtime)
    reference = submit(runtime, CRITICAL)
    data = b"<script>alert(1)</script>" if download else b"\x00\x01bytes"
    item = attach(runtime, reference, stored, data)
    response = client.get(f"/console/tips/{reference}/attachments/{item}")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == served
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    disposition = response.headers.get("Content-Disposition", "")
    assert disposition.startswith("attachment") if download else disposition == ""
    assert [a.detail for a in audits(runtime, "tip.attachment")] == [{"attachment": item}]


def test_the_page_shows_photos_and_voice_and_keeps_files_to_their_tip(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    reference = submit(runtime, CRITICAL)
    other = submit(runtime, "Një djalë 12 vjeç lyp në Vlorë", sender="+355695550000")
    photo = attach(runtime, reference, "image/jpeg", b"\xff\xd8\xff")
    voice = attach(runtime, reference, "audio/wav", b"RIFF")
    html = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert f'<img src="/console/tips/{reference}/attachments/{photo}"' in html
    assert (
        f'<audio controls preload="none" src="/console/tips/{reference}/attachments/{voice}"'
        in html
    )
    assert client.get(f"/console/tips/{other}/attachments/{photo}").status_code == 404
    with runtime.db.read() as s:
        assert s.get(Attachment, photo) is not None
