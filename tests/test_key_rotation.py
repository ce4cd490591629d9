"""`raporto keys rotate` re-encrypts every encrypted column, and says so only when it is true.

Issue 12, item 3: rotation used to leave officials' phones and chats, notes, questions to
reporters and TOTP secrets on the old key, so dropping the old key broke alerts, the console and
sign-in. Here every encrypted column is filled through the service's own code, rotated with the
command, the old key dropped, and then alerts go out through the sandbox, the tip page shows the
text, the note and the question, and an official signs in with TOTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import LargeBinary, func, select

from alerts.delivery import deliver
from alerts.demo import DEMO_CHAT_BASE, DEMO_PHONE_BASE
from bot import relay
from bot.attachments import add_attachment, pending_attachment
from bot.intake import caller_from_phone, new_tip
from console.accounts import enable_totp
from models import links, store
from models.accounts import TipNote, TipReview, User
from models.base import Base, utcnow
from models.crypto import Vault
from models.deliveries import Delivery
from models.maintenance import encrypted_columns, rotate_keys, values_needing_old_keys
from models.roster import Official
from models.tables import Reporter, Tip
from raporto import cli, cli_maintenance
from raporto.app import create_app
from raporto.runtime import Runtime
from sandbox import SandboxServer
from tests.conftest import env_for, make_runtime, with_sandbox
from tests.console_helpers import demo_officials, make_account, sign_in

CRITICAL = (
    "Një vajzë 15 vjeçe mbahet e mbyllur në një shtëpi në Durrës, i kanë marrë pasaportën, "
    "sonte do ta çojnë në Itali"
)
NOTE = "Shënim: fqinji e ka parë makinën e zezë"
QUESTION = "Në cilën lagje është shtëpia?"
REPORTER = "+355693330011"


def keys(*names: str) -> str:
    return ",".join(names)


def invoke(tmp_path: Path, database_url: str, encryption_keys: str, *args: str) -> Any:
    env = env_for(tmp_path, database_url, RAPORTO_ENCRYPTION_KEYS=encryption_keys)
    return CliRunner().invoke(cli.main, list(args), env=env)


def fill_every_encrypted_column(rt: Runtime) -> dict[str, Any]:
    """Write a value into every encrypted column through the service's own code; return ids."""
    officials = demo_officials(rt)
    with rt.db.transaction() as s:
        by_sms = s.get(Official, officials[1])
        assert by_sms is not None
        by_sms.channel_order = ["sms"]  # this official's alert goes by SMS: phone_enc is used
    user_id = make_account(rt, "official1", "official", official_id=officials[0])
    with rt.db.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None
        secret = pyotp.parse_uri(enable_totp(s, rt.vault, user, actor="test")).secret
        caller = caller_from_phone(s, rt.intake, REPORTER)
        tip, _ = new_tip(s, rt.intake, channel="sms", caller=caller, text=CRITICAL, language=None)
        add_attachment(s, rt.intake, tip, kind="photo", content_type="image/jpeg", data=b"\xff")
        pending_attachment(
            s, rt.intake, tip, kind="photo", content_type="image/jpeg", source={"file_id": "f"}
        )
        conversation = store.conversation_for(s, caller.reporter.id, "telegram", now=utcnow())
        conversation.state_enc = rt.vault.encrypt_json({"job": [True]})
        reporter = s.get(Reporter, caller.reporter.id)
        assert reporter is not None
        reporter.follow_up_consent = True
        store.set_reply_handle(
            s,
            rt.vault,
            reporter_id=reporter.id,
            channel="sms",
            handle=REPORTER,
            days=30,
            now=utcnow(),
        )
        s.add(TipNote(tip_id=tip.id, user_id=user_id, body_enc=rt.vault.encrypt_text(NOTE)))
        s.add(
            TipReview(
                tip_id=tip.id,
                user_id=user_id,
                decision="reband",
                from_band="high",
                to_band="critical",
                reason_enc=rt.vault.encrypt_text("quotes the tip"),
            )
        )
        s.flush()
        # An official's "not related" between this tip and another: its reason quotes the tips.
        other, _ = new_tip(
            s,
            rt.intake,
            channel="sms",
            caller=caller,
            text=CRITICAL + " 2",
            language=None,
            submitted=False,  # a draft: no alerts of its own in the counts below
        )
        links.unlink(
            s,
            rt.vault,
            tip_id=tip.id,
            other_tip_id=other.id,
            user_id=user_id,
            reason="quotes the tip",
            now=utcnow(),
        )
        asked = relay.ask_reporter(
            s, rt.intake, tip, QUESTION, actor=f"user:{user_id}", user_id=user_id
        )
        assert asked == "queued"
        reference = tip.reference
    with rt.db.read() as s:
        empty = [
            f"{c.table.name}.{c.name}"
            for c in encrypted_columns()
            if not s.execute(select(func.count()).where(c.is_not(None))).scalar_one()
        ]
    # A new encrypted column must be filled here too, so that this test proves its rotation.
    assert not empty, f"fill these columns in this test: {empty}"
    return {"reference": reference, "secret": secret, "user_id": user_id}


@pytest.fixture
def fake(tmp_path: Path, database_url: str) -> Iterator[SandboxServer]:
    settings = make_runtime(tmp_path, database_url).settings
    with SandboxServer(
        telegram_token=settings.telegram_bot_token,
        twilio_account_sid=settings.twilio_account_sid,
        twilio_auth_token=settings.twilio_auth_token,
    ) as server:
        yield server


def test_after_rotation_the_old_key_can_go_and_everything_still_works(
    tmp_path: Path, database_url: str, fake: SandboxServer
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = make_runtime(tmp_path, database_url, RAPORTO_ENCRYPTION_KEYS=old)
    filled = fill_every_encrypted_column(before)

    rotated = invoke(tmp_path, database_url, keys(new, old), "keys", "rotate")
    assert rotated.exit_code == 0, rotated.output
    assert "every stored value opens with it alone" in rotated.output
    check = invoke(tmp_path, database_url, new, "keys", "check")
    assert check.exit_code == 0, check.output

    # The old key is gone from the configuration.
    rt = with_sandbox(make_runtime(tmp_path, database_url, RAPORTO_ENCRYPTION_KEYS=new), fake.url)
    with rt.db.read() as s:
        assert values_needing_old_keys(s, Vault([new])) == {}
        pending = list(s.scalars(select(Delivery.id).where(Delivery.status == "pending")))
    # Alerts: the fan-out written before the rotation is delivered after it, by Telegram to the
    # enrolled chats and by SMS to the official who prefers it (both addresses decrypted).
    assert len(pending) == 6
    assert {deliver(rt.alerts, d) for d in pending} == {"sent"}
    chats = {m.recipient for m in fake.state.messages("telegram", method="sendMessage")}
    assert chats == {str(DEMO_CHAT_BASE + i) for i in (1, 3, 4, 5, 6)}
    [texted] = fake.state.messages("sms", method="messages.create")
    assert texted.recipient == f"{DEMO_PHONE_BASE}02" and filled["reference"] in texted.text
    # Sign-in with the TOTP secret enrolled under the old key.
    client = create_app(runtime=rt).test_client()
    code = pyotp.TOTP(filled["secret"]).now()
    assert sign_in(client, "official1", code=code) == 302
    page = client.get(f"/console/tips/{filled['reference']}").get_data(as_text=True)
    assert "cannot be decrypted" not in page
    assert "Itali" in page and NOTE in page and QUESTION in page


def test_rotation_covers_every_encrypted_column(tmp_path: Path, database_url: str) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    rt = make_runtime(tmp_path, database_url, RAPORTO_ENCRYPTION_KEYS=old)
    fill_every_encrypted_column(rt)
    with rt.db.read() as s:
        stale = values_needing_old_keys(s, Vault([new, old]))
    assert set(stale) == {f"{c.table.name}.{c.name}" for c in encrypted_columns()}
    with rt.db.transaction() as s:
        assert rotate_keys(s, Vault([new, old])) == sum(stale.values())
    with rt.db.read() as s:
        assert values_needing_old_keys(s, Vault([new])) == {}
        tip = s.scalars(select(Tip).order_by(Tip.id)).first()
        assert tip is not None and tip.text_enc is not None
        assert Vault([new]).decrypt_text(tip.text_enc) == CRITICAL


def test_every_binary_column_is_an_encrypted_column() -> None:
    # The rotation and the purge find encrypted columns by their name and type: a binary column
    # named otherwise would hold ciphertext that neither ever touches.
    encrypted_columns()  # registers every table of the models package
    binary = {
        f"{t.name}.{c.name}"
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if isinstance(c.type, LargeBinary)
    }
    assert binary == {f"{c.table.name}.{c.name}" for c in encrypted_columns()}


def test_rotate_refuses_success_while_a_value_still_needs_the_old_key(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    rt = make_runtime(tmp_path, database_url, RAPORTO_ENCRYPTION_KEYS=old)
    fill_every_encrypted_column(rt)
    real = rotate_keys

    def with_a_late_writer(session: Any, vault: Vault) -> int:
        # A process not yet restarted (old key first) writes a note once the rotation committed.
        def late_note() -> None:
            with rt.db.transaction() as other:
                note = other.scalars(select(TipNote)).one()
                note.body_enc = Vault([old]).encrypt_text("late")

        session.info.setdefault("after_commit", []).append(late_note)
        return real(session, vault)

    monkeypatch.setattr(cli_maintenance, "rotate_keys", with_a_late_writer)
    result = invoke(tmp_path, database_url, keys(new, old), "keys", "rotate")
    assert result.exit_code != 0
    assert "still need an older key: tip_notes.body_enc (1)" in result.output
    assert "do not remove the older key" in result.output
    assert "re-encrypted" not in result.output
    check = invoke(tmp_path, database_url, keys(new, old), "keys", "check")
    assert check.exit_code != 0 and "tip_notes.body_enc (1)" in check.output


def test_a_value_no_key_opens_stops_the_rotation_and_changes_nothing(
    tmp_path: Path, database_url: str
) -> None:
    old, new, lost = (Fernet.generate_key().decode() for _ in range(3))
    rt = make_runtime(tmp_path, database_url, RAPORTO_ENCRYPTION_KEYS=old)
    fill_every_encrypted_column(rt)
    with rt.db.transaction() as s:
        note = s.scalars(select(TipNote)).one()
        note.body_enc = Vault([lost]).encrypt_text("written under a key nobody has")
        note_id = note.id
    result = invoke(tmp_path, database_url, keys(new, old), "keys", "rotate")
    assert result.exit_code != 0
    assert f"tip_notes.body_enc of row {note_id} opens with none of the keys" in result.output
    with rt.db.read() as s:
        tip = s.scalars(select(Tip)).first()
        assert tip is not None and tip.text_enc is not None
        assert Vault([old]).is_current(tip.text_enc)  # rolled back: still under the old key
