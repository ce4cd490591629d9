"""Related tips: the SQL of links (shared entity digests), clusters, and officials' unlinks.

Two tips are linked when they share a strong entity digest (a phone number, plate, handle,
e-mail, IBAN, or a business with its place) and no official has unlinked the pair. A place
alone is weak: it is kept as context but never links tips. Clusters are the connected
components of these links. Nothing here sees an entity in clear: only kinds and digests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Table, and_, delete, func, insert, or_, select, text, true
from sqlalchemy.orm import Session

from models.crypto import EntityKeys, Vault
from models.link_tables import TipEntity, TipUnlink
from models.tables import Tip

# Clusters larger than this are capped when walked (a number every tip quotes, such as a
# helpline, must not make the walk read the whole table).
MAX_CLUSTER = 200


@dataclass(frozen=True)
class Named:
    """One entity a tip names: its kind, canonical value (never stored), and strength."""

    kind: str
    value: str
    strong: bool


@dataclass(frozen=True)
class Related:
    """A tip linked to another, with the kinds of entity they share (never the entities)."""

    tip_id: int
    reference: str
    band: str | None
    channel: str
    received_at: datetime
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Cluster:
    """A connected group of linked tips."""

    tip_ids: tuple[int, ...]
    references: tuple[str, ...]
    reporters: int  # distinct reporters; a tip with no known reporter counts as one of its own
    latest: datetime


def record(
    session: Session,
    keys: EntityKeys,
    tip_id: int,
    named: Iterable[Named],
    *,
    fresh: bool = False,
) -> list[tuple[str, str]]:
    """Replace a tip's entity rows; return the (kind, digest) pairs under the newest key.

    Each entity is stored under every configured key, so that tips hashed before a rotation
    still link with this one until `raporto keys rotate` has rehashed them. `fresh`: the tip
    was never scored, so it has no rows to replace (one round trip fewer at intake).
    """
    entities = cast(Table, TipEntity.__table__)
    connection = session.connection()
    if not fresh:
        connection.execute(delete(entities).where(entities.c.tip_id == tip_id))
    newest: list[tuple[str, str]] = []
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for entity in named:
        for number, digest in enumerate(keys.digests(entity.kind, entity.value)):
            if number == 0 and (entity.kind, digest) not in rows:
                newest.append((entity.kind, digest))
            rows.setdefault(
                (entity.kind, digest),
                {
                    "tip_id": tip_id,
                    "kind": entity.kind,
                    "digest": digest,
                    "key_id": keys.key_ids[number],
                    "strong": entity.strong,
                },
            )
    if rows:
        # One statement for all the rows: linking runs on every tip at intake.
        connection.execute(insert(entities), list(rows.values()))
    return newest


def _unlinked(session: Session, tip_ids: Sequence[int]) -> set[tuple[int, int]]:
    unlinks = TipUnlink.__table__
    rows = (
        session.connection()
        .execute(
            select(unlinks.c.tip_id, unlinks.c.other_tip_id).where(
                or_(unlinks.c.tip_id.in_(tip_ids), unlinks.c.other_tip_id.in_(tip_ids))
            )
        )
        .all()
    )
    return {(a, b) for a, b in rows}


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _neighbours(
    session: Session, tip_ids: Sequence[int], visible: ColumnElement[bool]
) -> dict[int, dict[int, set[str]]]:
    """For each given tip, the tips sharing a strong entity with it and the kinds shared."""
    # Core, not ORM: this runs for every tip at intake, and the ORM's per-query work costs more
    # than PostgreSQL's indexed look-up itself (about 1 ms against 0.2 ms).
    entities = TipEntity.__table__
    mine, other = entities.alias("mine"), entities.alias("other")
    tips = Tip.__table__
    rows = (
        session.connection()
        .execute(
            select(mine.c.tip_id, other.c.tip_id, other.c.kind)
            .select_from(
                mine.join(
                    other, and_(other.c.kind == mine.c.kind, other.c.digest == mine.c.digest)
                ).join(tips, tips.c.id == other.c.tip_id)
            )
            .where(
                mine.c.tip_id.in_(tip_ids),
                mine.c.strong,
                other.c.tip_id != mine.c.tip_id,
                tips.c.purged_at.is_(None),
                tips.c.synthetic.is_(False),  # the canary's tips link to nothing
                visible,
            )
        )
        .all()
    )
    if not rows:
        return {}
    unlinked = _unlinked(session, tip_ids)
    found: dict[int, dict[int, set[str]]] = {}
    for tip_id, other_id, kind in rows:
        if _pair(tip_id, other_id) in unlinked:
            continue
        found.setdefault(tip_id, {}).setdefault(other_id, set()).add(kind)
    return found


def related(
    session: Session, tip_id: int, visible: ColumnElement[bool] | None = None
) -> list[Related]:
    """The tips directly linked to this one, newest first (`visible` filters the others)."""
    shared = _neighbours(session, [tip_id], true() if visible is None else visible).get(tip_id, {})
    if not shared:
        return []
    tips = session.scalars(select(Tip).where(Tip.id.in_(shared))).all()
    return [
        Related(t.id, t.reference, t.band, t.channel, t.received_at, tuple(sorted(shared[t.id])))
        for t in sorted(tips, key=lambda t: (t.received_at, t.id), reverse=True)
    ]


def cluster_of(
    session: Session, tip_id: int, visible: ColumnElement[bool] | None = None
) -> Cluster:
    """The connected group of linked tips this tip belongs to (itself alone when unlinked)."""
    condition = true() if visible is None else visible
    members, frontier = {tip_id}, [tip_id]
    while frontier and len(members) < MAX_CLUSTER:
        found = _neighbours(session, frontier, condition)
        frontier = [o for others in found.values() for o in others if o not in members]
        frontier = list(dict.fromkeys(frontier))[: MAX_CLUSTER - len(members)]
        members.update(frontier)
    return _describe(session, members)


# The whole walk in one statement (PostgreSQL and SQLite both have WITH RECURSIVE): intake runs
# it for every tip, and a walk of several rounds trips cost a few milliseconds each.
# UNION (not UNION ALL) keeps each tip once, so the walk ends on cycles. A tip without a known
# reporter counts as a reporter of its own.
_CLUSTER_REPORTERS = text(
    """
    WITH RECURSIVE walk(tip_id) AS (
        SELECT CAST(:tip_id AS INTEGER)
        UNION
        SELECT other.tip_id
        FROM walk
        JOIN tip_entities AS mine ON mine.tip_id = walk.tip_id AND mine.strong
        JOIN tip_entities AS other
            ON other.kind = mine.kind AND other.digest = mine.digest
            AND other.tip_id <> mine.tip_id
        JOIN tips ON tips.id = other.tip_id AND tips.purged_at IS NULL
        WHERE NOT EXISTS (
            SELECT 1 FROM tip_unlinks AS u
            WHERE (u.tip_id = mine.tip_id AND u.other_tip_id = other.tip_id)
               OR (u.tip_id = other.tip_id AND u.other_tip_id = mine.tip_id)
        )
    )
    SELECT count(DISTINCT coalesce(CAST(tips.reporter_id AS TEXT), 'tip:' || CAST(tips.id AS TEXT)))
    FROM walk JOIN tips ON tips.id = walk.tip_id
    """
)


def cluster_reporters(session: Session, tip_id: int) -> int:
    """How many distinct reporters the tip's cluster has (1 for a tip linked to nothing)."""
    found = session.connection().execute(_CLUSTER_REPORTERS, {"tip_id": tip_id}).scalar_one()
    return max(1, int(found))


def _describe(session: Session, members: Iterable[int]) -> Cluster:
    tips = Tip.__table__
    rows = (
        session.connection()
        .execute(
            select(tips.c.id, tips.c.reference, tips.c.reporter_id, tips.c.received_at)
            .where(tips.c.id.in_(list(members)))
            .order_by(tips.c.received_at, tips.c.id)
        )
        .all()
    )
    reporters = {r.reporter_id if r.reporter_id is not None else f"tip:{r.id}" for r in rows}
    return Cluster(
        tip_ids=tuple(r.id for r in rows),
        references=tuple(r.reference for r in rows),
        reporters=len(reporters),
        latest=max(r.received_at for r in rows),
    )


def clusters(session: Session, visible: ColumnElement[bool] | None = None) -> list[Cluster]:
    """Every group of two or more linked tips, largest and most recently active first."""
    condition = true() if visible is None else visible
    groups = session.execute(
        select(TipEntity.kind, TipEntity.digest, func.count(func.distinct(TipEntity.tip_id)))
        .join(Tip, Tip.id == TipEntity.tip_id)
        .where(TipEntity.strong, Tip.purged_at.is_(None), Tip.synthetic.is_(False), condition)
        .group_by(TipEntity.kind, TipEntity.digest)
        .having(func.count(func.distinct(TipEntity.tip_id)) > 1)
    ).all()
    if not groups:
        return []
    shared = {(kind, digest) for kind, digest, _ in groups}
    rows = session.execute(
        select(TipEntity.kind, TipEntity.digest, TipEntity.tip_id)
        .join(Tip, Tip.id == TipEntity.tip_id)
        .where(
            TipEntity.strong,
            Tip.purged_at.is_(None),
            Tip.synthetic.is_(False),
            condition,
            TipEntity.digest.in_([d for _, d in shared]),
        )
    ).all()
    by_entity: dict[tuple[str, str], set[int]] = {}
    for kind, digest, tip_id in rows:
        if (kind, digest) in shared:
            by_entity.setdefault((kind, digest), set()).add(tip_id)
    all_ids = sorted({t for ids in by_entity.values() for t in ids})
    unlinked = _unlinked(session, all_ids)
    parent = {t: t for t in all_ids}

    def root(t: int) -> int:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for ids in by_entity.values():
        ordered = sorted(ids)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if (a, b) not in unlinked:
                    parent[root(a)] = root(b)
    components: dict[int, set[int]] = {}
    for t in all_ids:
        components.setdefault(root(t), set()).add(t)
    found = [_describe(session, ids) for ids in components.values() if len(ids) > 1]
    return sorted(found, key=lambda c: (len(c.tip_ids), c.latest), reverse=True)


def unlink(
    session: Session,
    vault: Vault,
    *,
    tip_id: int,
    other_tip_id: int,
    user_id: int,
    reason: str,
    now: datetime,
) -> bool:
    """Record that two tips are not related; False when the pair was already unlinked."""
    low, high = _pair(tip_id, other_tip_id)
    exists = session.scalar(
        select(TipUnlink.id).where(TipUnlink.tip_id == low, TipUnlink.other_tip_id == high)
    )
    if exists is not None:
        return False
    session.add(
        TipUnlink(
            tip_id=low,
            other_tip_id=high,
            user_id=user_id,
            at=now,
            reason_enc=vault.encrypt_text(reason) if reason else None,
        )
    )
    session.flush()
    return True


def keep_only_key(session: Session, key_id: str) -> int:
    """Delete the digests made under other keys (after every tip was rehashed); return how many."""
    result = session.execute(delete(TipEntity).where(TipEntity.key_id != key_id))
    return int(getattr(result, "rowcount", 0) or 0)


def cluster_sizes(session: Session) -> dict[str, int]:
    """ONAC's counts: how many clusters, of which sizes (2, 3-4, 5+), and the tips in them."""
    sizes = [len(c.tip_ids) for c in clusters(session)]
    return {
        "clusters": len(sizes),
        "size_2": sum(1 for n in sizes if n == 2),
        "size_3_4": sum(1 for n in sizes if 3 <= n <= 4),
        "size_5_plus": sum(1 for n in sizes if n >= 5),
        "linked_tips": sum(sizes),
    }
