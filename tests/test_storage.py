"""Storage on SQLite and PostgreSQL: migrations, UTC, encryption, rotation, retention, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from models import store
from models.accounts import TipReview, User
from models.base import utcnow
from models.crypto import Vault
from models.db import Database
from models.maintenance import purge, rotate_keys
from models.migrate import downgrade, upgrade
from models.tables import ReplyHandle, Tip
from raporto.runtime import Runtime
from tests.conftest import make_runtime

TABLES = {
    "tips",
    "inbound_messages",
    "attachments",
    "reporters",
    "reply_handles",
    "conversations",
    "outbound_messages",
    "audit_log",
}


def test_migrations_upgrade_from_empty_and_downgrade_to_empty(database_url: str) -> None:
    upgrade(database_url)
    db = Database(database_url)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    downgrade(database_url)
    assert not TABLES & set(inspect(db.engine).get_table_names())
    upgrade(database_url)
    assert set(inspect(db.engine).get_table_names()) >= TABLES
    db.dispose()


def test_migrations_keep_rows_across_a_downgrade_and_upgrade_of_head(
    any_runtime: Runtime,
) -> None:
    with any_runtime.db.transaction() as s:
        store.create_tip(
            s,
            any_runtime.vault,
            channel="sms",
            text="x",
            language="sq",
            reporter_id=None,
            now=utcnow(),
        )
    upgrade(any_runtime.db.url, "head")  # idempotent
    with any_runtime.db.transaction() as s:
        assert s.query(Tip).count() == 1


def test_timestamps_come_back_aware_in_utc(any_runtime: Runtime) -> None:
    with any_runtime.db.transaction() as s:
        tip = store.create_tip(
            s,
            any_runtime.vault,
            channel="sms",
            text="x",
            language="sq",
            reporter_id=None,
            now=utcnow(),
        )
        tip_id = tip.id
    with any_runtime.db.transaction() as s:
        stored = s.get(Tip, tip_id)
        assert stored is not None
        assert stored.received_at.tzinfo is not None
        assert stored.received_at.utcoffset() == timedelta(0)
        assert abs(stored.received_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_naive_timestamps_are_refused(any_runtime: Runtime) -> None:
    with pytest.raises(Exception, match="naive datetime"), any_runtime.db.transaction() as s:
        store.create_tip(
            s,
            any_runtime.vault,
            channel="sms",
            text="x",
            language="sq",
            reporter_id=None,
            now=datetime(2026, 1, 1),  # noqa: DTZ001 - the point of the test
        )
        s.flush()


def test_tip_text_is_not_in_the_stored_bytes(any_runtime: Runtime) -> None:
    canary = "CANARY-vajza-pasaporta-7731"
    with any_runtime.db.transaction() as s:
        store.create_tip(
            s,
            any_runtime.vault,
            channel="sms",
            text=canary,
            language="sq",
            reporter_id=None,
            now=utcnow(),
        )
    with any_runtime.db.engine.connect() as conn:
        raw = conn.execute(text("SELECT text_enc FROM tips")).scalar_one()
    assert canary.encode() not in bytes(raw)
    assert any_runtime.vault.decrypt_text(bytes(raw)) == canary


def test_key_rotation_keeps_old_tips_readable(tmp_path: Path, database_url: str) -> None:
    old_key = Fernet.generate_key().decode()
    runtime = make_runtime(tmp_path, database_url, RAPORTO_ENCRYPTION_KEYS=old_key)
    with runtime.db.transaction() as s:
        tip = store.create_tip(
            s,
            runtime.vault,
            channel="sms",
            text="old words",
            language="sq",
            reporter_id=None,
            now=utcnow(),
        )
        tip_id = tip.id
    new_key = Fernet.generate_key().decode()
    both = Vault([new_key, old_key])
    with runtime.db.transaction() as s:
        assert rotate_keys(s, both) >= 1
    only_new = Vault([new_key])
    with runtime.db.transaction() as s:
        stored = s.get(Tip, tip_id)
        assert stored is not None and stored.text_enc is not None
        assert only_new.decrypt_text(stored.text_enc) == "old words"
        with pytest.raises(Exception, match="does not open"):
            Vault([old_key]).decrypt_text(stored.text_enc)


def test_reference_codes_are_unique_and_well_formed(any_runtime: Runtime) -> None:
    refs = set()
    with any_runtime.db.transaction() as s:
        for _ in range(200):
            tip = store.create_tip(
                s,
                any_runtime.vault,
                channel="sms",
                text="t",
                language="sq",
                reporter_id=None,
                now=utcnow(),
            )
            refs.add(tip.reference)
    assert len(refs) == 200
    assert all(len(r) == 7 and r[3] == "-" for r in refs)


def test_an_event_is_claimed_once(any_runtime: Runtime) -> None:
    now = utcnow()
    with any_runtime.db.transaction() as s:
        first = store.claim_inbound(s, channel="sms", provider_key="k1", kind="sms", now=now)
        second = store.claim_inbound(s, channel="sms", provider_key="k1", kind="sms", now=now)
        other_channel = store.claim_inbound(
            s, channel="telegram", provider_key="k1", kind="m", now=now
        )
    assert first is not None and second is None and other_channel is not None


def test_the_audit_log_is_append_only(any_runtime: Runtime) -> None:
    with any_runtime.db.transaction() as s:
        store.audit(
            s, actor="test", action="tip.viewed", object_type="tip", object_id=1, now=utcnow()
        )
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError), any_runtime.db.engine.begin() as conn:
            conn.execute(text(statement))
    with any_runtime.db.transaction() as s:
        assert s.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 1


def test_purge_removes_old_content_and_handles_but_keeps_counts(any_runtime: Runtime) -> None:
    vault = any_runtime.vault
    with any_runtime.db.transaction() as s:
        now = utcnow()
        reporter = store.reporter_for(s, "p" * 64, now=now)
        old = store.create_tip(
            s,
            vault,
            channel="sms",
            text="old",
            language="sq",
            reporter_id=reporter.id,
            now=now - timedelta(days=400),
        )
        old.band = "high"
        store.create_tip(
            s, vault, channel="sms", text="new", language="sq", reporter_id=reporter.id, now=now
        )
        store.set_reply_handle(
            s,
            vault,
            reporter_id=reporter.id,
            channel="telegram",
            handle="42",
            days=30,
            now=now - timedelta(days=31),
        )
    with any_runtime.db.transaction() as s:
        counts = purge(s, now=utcnow(), content_days=365, handle_days=30)
    assert counts["tips"] == 1 and counts["reply_handles"] == 1
    with any_runtime.db.transaction() as s:
        tips = s.query(Tip).order_by(Tip.id).all()
        assert len(tips) == 2  # the row, and so the statistics, stay
        assert tips[0].text_enc is None and tips[0].purged_at is not None
        assert tips[0].band == "high"
        assert tips[1].text_enc is not None
        assert s.query(ReplyHandle).count() == 0


def test_the_alerts_migration_keeps_existing_tips(database_url: str) -> None:
    upgrade(database_url, "0001")
    db = Database(database_url)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tips (reference, channel, received_at, updated_at, answers, status, "
                "parts, follow_ups, submitted, triage_status, forms) VALUES ('AAA-3AA', 'sms', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '{}', 'new', 1, 0, true, 'pending', '[]')"
            )
        )
    upgrade(database_url)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT escalation_level FROM tips")).scalar_one() == 0
    downgrade(database_url, "0001")
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tips")).scalar_one() == 1
    db.dispose()


def test_the_review_migration_backfills_triage_band_and_downgrades_cleanly(
    database_url: str,
) -> None:
    upgrade(database_url, "0004")
    db = Database(database_url)
    with db.engine.begin() as conn:
        for reference, band in (("AAA-3AA", "low"), ("AAA-3AB", None)):
            conn.execute(
                text(
                    "INSERT INTO tips (reference, channel, received_at, updated_at, answers, "
                    "status, parts, follow_ups, submitted, triage_status, forms, categories, "
                    "escalation_level, band) VALUES (:reference, 'sms', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP, '{}', 'new', 1, 0, true, 'done', '[]', '[]', 0, :band)"
                ),
                {"reference": reference, "band": band},
            )
    upgrade(database_url)
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT band, triage_band, reviewed_at FROM tips ORDER BY reference")
        ).all()
    assert [tuple(r) for r in rows] == [("low", "low", None), (None, None, None)]
    assert "tip_reviews" in inspect(db.engine).get_table_names()
    downgrade(database_url, "0004")
    inspector = inspect(db.engine)
    assert "tip_reviews" not in inspector.get_table_names()
    columns = {c["name"] for c in inspector.get_columns("tips")}
    assert not {"triage_band", "reviewed_at"} & columns
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM tips")).scalar_one() == 2
    upgrade(database_url)
    db.dispose()


def test_review_reasons_rotate_with_the_keys_and_go_with_the_tips_text(
    any_runtime: Runtime,
) -> None:
    vault = any_runtime.vault
    with any_runtime.db.transaction() as s:
        user = User(username="u", password_hash="x", role="official")
        s.add(user)
        old = store.create_tip(
            s,
            vault,
            channel="sms",
            text="t",
            language="sq",
            reporter_id=None,
            now=utcnow() - timedelta(days=400),
        )
        s.flush()
        s.add(
            TipReview(
                tip_id=old.id,
                user_id=user.id,
                decision="not_a_case",
                to_band="not_a_tip",
                reason_enc=vault.encrypt_text("quotes the tip"),
            )
        )
    with any_runtime.db.transaction() as s:
        assert rotate_keys(s, vault) == 2  # the tip's text and the review's reason
        purge(s, now=utcnow(), content_days=365, handle_days=30)
    with any_runtime.db.transaction() as s:
        review = s.query(TipReview).one()
        assert review.reason_enc is None and review.decision == "not_a_case"
