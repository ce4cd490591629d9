"""Clusters of related tips: the connected components of links (models/links.py).

The console walks and lists them (`cluster_of`, `clusters`); intake only needs a cluster's
distinct reporters, counted in one recursive query (`cluster_reporters`); ONAC counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, text, true
from sqlalchemy.orm import Session

from models.link_tables import TipEntity
from models.links import neighbours, unlinked_pairs
from models.tables import Tip

# Clusters larger than this are capped when walked (a number every tip quotes, such as a
# helpline, must not make the walk read the whole table).
MAX_CLUSTER = 200


@dataclass(frozen=True)
class Cluster:
    """A connected group of linked tips."""

    tip_ids: tuple[int, ...]
    references: tuple[str, ...]
    reporters: int  # distinct reporters; a tip with no known reporter counts as one of its own
    latest: datetime


def cluster_of(
    session: Session, tip_id: int, visible: ColumnElement[bool] | None = None
) -> Cluster:
    """The connected group of linked tips this tip belongs to (itself alone when unlinked)."""
    condition = true() if visible is None else visible
    members, frontier = {tip_id}, [tip_id]
    while frontier and len(members) < MAX_CLUSTER:
        found = neighbours(session, frontier, condition)
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
            AND tips.synthetic = :no
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
    found = (
        session.connection()
        .execute(_CLUSTER_REPORTERS, {"tip_id": tip_id, "no": False})
        .scalar_one()
    )
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
    unlinked = unlinked_pairs(session, all_ids)
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
