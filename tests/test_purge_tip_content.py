"""`raporto purge` erases everything written about a tip with the tip's text (issue 12, item 8).

Officials' notes, questions to the reporter and review reasons quote the tip; they used to
survive its purge. Every table that refers to a tip and holds an encrypted column is covered,
found from the schema, so a table added later is covered too.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select, update

from models.accounts import ReporterQuestion, TipNote, TipReview
from models.base import utcnow
from models.maintenance import purge, tip_content_columns
from models.tables import Attachment, OutboundMessage, Tip
from raporto.cli import main
from raporto.runtime import Runtime
from tests.conftest import env_for, make_runtime
from tests.test_key_rotation import fill_every_encrypted_column


def age_every_tip(rt: Runtime, days: int = 400) -> None:
    with rt.db.transaction() as s:
        s.execute(update(Tip).values(received_at=utcnow() - timedelta(days=days)))


def content_left(rt: Runtime, tip_id: int) -> dict[str, int]:
    """Count, per table referring to the tip, the rows still holding an encrypted value."""
    left: dict[str, int] = {}
    with rt.db.read() as s:
        for table, columns in tip_content_columns().items():
            for column in columns:
                rows = s.execute(
                    select(table.c.id).where(table.c.tip_id == tip_id, column.is_not(None))
                ).all()
                if rows:
                    left[f"{table.name}.{column.name}"] = len(rows)
        attachments = s.execute(select(Attachment.id).where(Attachment.tip_id == tip_id)).all()
        if attachments:
            left["attachments"] = len(attachments)
    return left


def test_a_purged_tip_keeps_no_notes_questions_or_reasons(
    tmp_path: Path, database_url: str
) -> None:
    rt = make_runtime(tmp_path, database_url)
    fill_every_encrypted_column(rt)
    with rt.db.read() as s:
        tip_id = s.scalars(select(Tip.id).order_by(Tip.id)).first()
        question = s.scalars(select(ReporterQuestion)).one()
    before = content_left(rt, tip_id)
    assert {"tip_notes.body_enc", "reporter_questions.body_enc", "tip_reviews.reason_enc"} <= set(
        before
    )
    age_every_tip(rt)
    result = CliRunner().invoke(main, ["purge"], env=env_for(tmp_path, database_url))
    assert result.exit_code == 0, result.output
    assert '"erased_tip_notes": 1' in result.output
    assert '"erased_reporter_questions": 1' in result.output
    assert content_left(rt, tip_id) == {}
    with rt.db.read() as s:
        # What stays is what the statistics and the audit need: that a note, a question and a
        # review existed, by whom and when, never what they said.
        note = s.scalars(select(TipNote)).one()
        review = s.scalars(select(TipReview)).one()
        asked = s.get(ReporterQuestion, question.id)
        assert note.body_enc is None and review.decision == "reband"
        assert asked is not None and asked.status == "queued" and asked.body_enc is None
        # The question was still waiting in the reporters' outbox: its text goes, it is not sent.
        outbox = s.get(OutboundMessage, question.outbound_id)
        assert outbox is not None and outbox.payload_enc is None and outbox.status == "failed"


def test_a_note_written_after_the_purge_goes_at_the_next_one(any_runtime: Runtime) -> None:
    rt = any_runtime
    fill_every_encrypted_column(rt)
    age_every_tip(rt)
    with rt.db.transaction() as s:
        purge(s, now=utcnow(), content_days=365, handle_days=30)
        tip_id = s.scalars(select(Tip.id).order_by(Tip.id)).first()
        user_id = s.scalars(select(TipNote.user_id)).one()
        s.add(TipNote(tip_id=tip_id, user_id=user_id, body_enc=rt.vault.encrypt_text("later")))
    assert content_left(rt, tip_id) == {"tip_notes.body_enc": 1}
    with rt.db.transaction() as s:
        counts = purge(s, now=utcnow(), content_days=365, handle_days=30)
    assert counts["tips"] == 0 and counts["erased_tip_notes"] == 1
    assert content_left(rt, tip_id) == {}


def test_recent_tips_keep_their_notes(any_runtime: Runtime) -> None:
    rt = any_runtime
    fill_every_encrypted_column(rt)
    with rt.db.read() as s:
        tip_id = s.scalars(select(Tip.id).order_by(Tip.id)).first()
    before = content_left(rt, tip_id)
    with rt.db.transaction() as s:
        counts = purge(s, now=utcnow(), content_days=365, handle_days=30)
    assert counts["tips"] == 0 and counts["erased_tip_notes"] == 0
    assert content_left(rt, tip_id) == before


def test_every_table_referring_to_a_tip_with_encrypted_columns_is_purged() -> None:
    # Found from the schema: these are the tables today; a new one joins without a code change.
    names = {table.name for table in tip_content_columns()}
    assert {"tip_notes", "reporter_questions", "tip_reviews", "conversations"} <= names
    for table, columns in tip_content_columns().items():
        assert all(column.nullable for column in columns), table.name
