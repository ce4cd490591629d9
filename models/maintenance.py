"""Retention and key rotation: content goes after its period, counts stay; old keys retire.

Both derive what they touch from the schema rather than from a list kept by hand: every
`LargeBinary` column named `*_enc` is a Fernet token (rotation re-encrypts each of them), and
every table that refers to a tip and holds such a column holds text derived from the tip (a
purge erases it with the tip's text). A new encrypted column is covered the day it is added.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Column, CursorResult, Executable, LargeBinary, Table, delete, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

import models
from models.accounts import ReporterQuestion
from models.base import Base
from models.crypto import DecryptionError, Vault
from models.link_tables import TipEntity
from models.tables import Attachment, Conversation, OutboundMessage, ReplyHandle, Tip

# Rows read per round trip while rotating: attachments may hold megabytes each.
BATCH = 50


class RotationError(RuntimeError):
    """A stored value opens with none of the configured keys."""


def _register_every_table() -> None:
    """Import every module of `models`, so the metadata lists every table that exists."""
    for module in pkgutil.iter_modules(models.__path__):
        if not module.ispkg:
            importlib.import_module(f"models.{module.name}")


def encrypted_columns() -> list[Column[Any]]:
    """Every encrypted column of the schema: the LargeBinary columns named `*_enc`."""
    _register_every_table()
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_enc") and isinstance(column.type, LargeBinary)
    ]


def tip_content_columns() -> dict[Table, list[Column[Any]]]:
    """Encrypted columns of the tables that refer to a tip: notes, questions, reviews, drafts...

    Attachments are left out because a purge deletes their rows instead.
    """
    found: dict[Table, list[Column[Any]]] = {}
    for column in encrypted_columns():
        table = column.table
        if "tip_id" in table.c and table.name not in (Tip.__tablename__, "attachments"):
            found.setdefault(table, []).append(column)
    return found


def _count(session: Session, statement: Executable) -> int:
    result = cast(CursorResult[Any], session.execute(statement))
    return int(result.rowcount)


def purge(
    session: Session, *, now: datetime, content_days: int, handle_days: int
) -> dict[str, int]:
    """Delete tip content older than content_days and reply handles older than handle_days.

    The tip rows stay with their aggregate fields (channel, band, month, qark...), so ONAC's
    statistics do not change; the text, the triage quotes, the attachments and everything
    written about the tip (officials' notes, questions to the reporter, review reasons) are gone.
    """
    content_cutoff = now - timedelta(days=content_days)
    # Every old tip, purged before or not: a note written on a purged tip goes at the next run.
    old_tips = select(Tip.id).where(Tip.received_at < content_cutoff)
    attachments = _count(session, delete(Attachment).where(Attachment.tip_id.in_(old_tips)))
    # What a tip names goes with its words: a keyed hash of a number outliving the tip would
    # still say the number was reported.
    _count(session, delete(TipEntity).where(TipEntity.tip_id.in_(old_tips)))
    erased: dict[str, int] = {}
    for table, columns in tip_content_columns().items():
        erased[f"erased_{table.name}"] = _count(
            session,
            sql_update(table)
            .where(table.c.tip_id.in_(old_tips), or_(*(c.is_not(None) for c in columns)))
            .values({c.name: None for c in columns}),
        )
    # A question not yet sent waits in the reporters' outbox with its text: it goes too.
    _erase_queued_questions(session, old_tips)
    tips = _count(
        session,
        sql_update(Tip)
        .where(Tip.received_at < content_cutoff, Tip.purged_at.is_(None))
        # The web form's passphrase goes with the content: after a purge it opens nothing.
        .values(
            text_enc=None, triage_enc=None, dedupe_key=None, passphrase_hash=None, purged_at=now
        )
        .execution_options(synchronize_session=False),
    )
    handles = _count(
        session,
        delete(ReplyHandle).where(
            (ReplyHandle.created_at < now - timedelta(days=handle_days))
            | (ReplyHandle.expires_at < now)
        ),
    )
    conversations = _count(
        session, delete(Conversation).where(Conversation.updated_at < content_cutoff)
    )
    outbound = _count(
        session,
        sql_update(OutboundMessage)
        .where(OutboundMessage.created_at < now - timedelta(days=handle_days))
        .values(payload_enc=None)
        .execution_options(synchronize_session=False),
    )
    return {
        "tips": tips,
        "attachments": attachments,
        "reply_handles": handles,
        "conversations": conversations,
        "outbound": outbound,
        **erased,
    }


def _erase_queued_questions(session: Session, old_tips: Any) -> None:
    queued = select(ReporterQuestion.outbound_id).where(
        ReporterQuestion.tip_id.in_(old_tips), ReporterQuestion.outbound_id.is_not(None)
    )
    session.execute(
        sql_update(OutboundMessage)
        .where(OutboundMessage.id.in_(queued), OutboundMessage.status == "pending")
        .values(status="failed", last_error="purged")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sql_update(OutboundMessage)
        .where(OutboundMessage.id.in_(queued))
        .values(payload_enc=None)
        .execution_options(synchronize_session=False)
    )


def _tokens(session: Session, column: Column[Any]) -> Iterator[tuple[Any, bytes]]:
    """Yield (primary key, token) of every non-empty value of a column, a batch at a time."""
    table = column.table
    [key] = table.primary_key.columns
    last: Any = None
    while True:
        query = select(key, column).where(column.is_not(None)).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        rows = session.execute(query).all()
        if not rows:
            return
        for row_key, token in rows:
            if token:
                yield row_key, bytes(token)
        last = rows[-1][0]


def rotate_keys(session: Session, vault: Vault) -> int:
    """Re-encrypt every encrypted value under the newest key; return how many were rewritten.

    Raises RotationError naming the column and row of a value no configured key opens.
    """
    count = 0
    for column in encrypted_columns():
        table = column.table
        [key] = table.primary_key.columns
        for row_key, token in _tokens(session, column):
            try:
                rotated = vault.rotate(token)
            except DecryptionError as exc:
                raise RotationError(
                    f"{table.name}.{column.name} of row {row_key} opens with none of the keys"
                ) from exc
            session.execute(sql_update(table).where(key == row_key).values({column.name: rotated}))
            count += 1
    session.flush()
    return count


def values_needing_old_keys(session: Session, vault: Vault) -> dict[str, int]:
    """Count, per `table.column`, the values the newest key alone cannot open."""
    stale: dict[str, int] = {}
    for column in encrypted_columns():
        table = column.table
        left = sum(1 for _, token in _tokens(session, column) if not vault.is_current(token))
        if left:
            stale[f"{table.name}.{column.name}"] = left
    return stale
