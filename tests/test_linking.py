"""Related tips at intake (issue 17): what links tips, who is never linked, and what links do."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from alerts import messages
from alerts.demo import seed_demo_roster
from bot import linking
from bot.intake import add_text, caller_from_phone, caller_from_telegram, submit
from models import clusters, links, store
from models.base import utcnow
from models.crypto import EntityKeys
from models.deliveries import Delivery
from models.link_tables import TipEntity
from models.maintenance import purge
from models.roster import Official
from models.tables import Tip
from raporto.runtime import Runtime
from tests.conftest import make_runtime

RECRUITER = "Një burrë me numër {number} u premton vajzave punë kamariere në Itali."


def _tip(runtime: Runtime, text: str, *, phone: str | None = None, telegram: int | None = None,
         channel: str = "sms") -> int:  # fmt: skip
    with runtime.db.transaction() as s:
        seed_demo_roster(s, runtime.vault, runtime.pseudonym, utcnow() - timedelta(days=1))
        if phone is not None:
            reporter = caller_from_phone(s, runtime.intake, phone).reporter
        elif telegram is not None:
            reporter = caller_from_telegram(s, runtime.intake, telegram).reporter
        else:
            reporter = None
        tip = store.create_tip(
            s,
            runtime.vault,
            channel=channel,
            text=text,
            language="sq",
            reporter_id=reporter.id if reporter else None,
            now=utcnow(),
        )
        submit(s, runtime.intake, tip)
        return tip.id


def _related(runtime: Runtime, tip_id: int) -> dict[int, tuple[str, ...]]:
    with runtime.db.read() as s:
        return {r.tip_id: r.kinds for r in links.related(s, tip_id)}


def test_two_reporters_on_two_channels_naming_one_number_are_linked(any_runtime: Runtime) -> None:
    first = _tip(any_runtime, RECRUITER.format(number="069 123 4567"), phone="+355682000001")
    second = _tip(
        any_runtime,
        "The guy recruiting girls for Italy uses +355 69 123 4567 on WhatsApp.",
        telegram=4401,
        channel="telegram",
    )
    unrelated = _tip(any_runtime, RECRUITER.format(number="067 765 4321"), phone="+355682000002")
    assert _related(any_runtime, first) == {second: ("phone",)}
    assert _related(any_runtime, second) == {first: ("phone",)}
    assert _related(any_runtime, unrelated) == {}


def test_the_reporters_own_number_is_never_an_entity_of_their_tip(any_runtime: Runtime) -> None:
    own = "+355692223344"
    # No words say whose number it is: only the sender's pseudonym tells it is theirs.
    mine = _tip(
        any_runtime,
        "Shefi në fermë na mban pasaportat. 069 222 3344",
        phone=own,
    )
    # Someone else names that number as the recruiter's: it links to nothing of the reporter's.
    other = _tip(any_runtime, RECRUITER.format(number="0692223344"), phone="+355682000003")
    with any_runtime.db.read() as s:
        kinds = s.scalars(select(TipEntity.kind).where(TipEntity.tip_id == mine)).all()
    assert "phone" not in kinds
    assert _related(any_runtime, mine) == {} and _related(any_runtime, other) == {}


def test_only_hashes_of_what_links_are_stored(runtime: Runtime) -> None:
    tip_id = _tip(runtime, RECRUITER.format(number="069 123 4567") + " Targa AA 123 BB.")
    with runtime.db.read() as s:
        rows = s.scalars(select(TipEntity).where(TipEntity.tip_id == tip_id)).all()
    assert {r.kind for r in rows} >= {"phone", "plate"}
    stored = " ".join(f"{r.kind} {r.digest} {r.key_id}" for r in rows)
    for clear in ("691234567", "+355691234567", "AA123BB", "AA 123 BB"):
        assert clear not in stored
    assert all(len(r.digest) == 64 for r in rows)


def test_three_reporters_naming_one_number_raise_the_newest_tip_to_high(runtime: Runtime) -> None:
    weak = "Ky numër {number} më duket i dyshimtë."
    ids = [
        _tip(runtime, weak.format(number="069 888 7766"), phone=f"+35568200001{n}")
        for n in range(3)
    ]
    with runtime.db.read() as s:
        first, third = s.get(Tip, ids[0]), s.get(Tip, ids[2])
        assert first is not None and third is not None
        explanation = runtime.vault.decrypt_json(third.triage_enc)
    assert first.band in {"low", "medium", "not_a_tip"}
    assert third.band == "high"
    assert "linked_reporters" in explanation["rules"]
    assert (
        "three different people" in runtime.vault.decrypt_json(third.triage_enc)["explanation"]
        or "tre persona" in explanation["explanation"]
    )


def test_one_reporter_naming_a_number_three_times_does_not_raise(runtime: Runtime) -> None:
    weak = "Ky numër {number} më duket i dyshimtë, {n}."
    ids = [
        _tip(runtime, weak.format(number="069 888 7766", n=n), phone="+355682000099")
        for n in range(3)
    ]
    with runtime.db.read() as s:
        third = s.get(Tip, ids[2])
        assert third is not None
        assert "linked_reporters" not in runtime.vault.decrypt_json(third.triage_enc)["rules"]


def test_the_alert_of_a_tip_joining_a_cluster_names_the_earlier_reports(runtime: Runtime) -> None:
    first = _tip(runtime, RECRUITER.format(number="069 111 2233"), phone="+355682000011")
    second = _tip(runtime, RECRUITER.format(number="+355691112233"), phone="+355682000012")
    with runtime.db.read() as s:
        earlier = s.get(Tip, first)
        tip = s.get(Tip, second)
        assert earlier is not None and tip is not None
        delivery = s.scalars(
            select(Delivery).where(Delivery.tip_id == second, Delivery.channel == "telegram")
        ).first()
        assert delivery is not None
        official = s.get(Official, delivery.official_id)
        assert official is not None
        body = messages.render(s, runtime.alerts, delivery, official, tip).text
    assert earlier.reference in body
    assert "🔗" in body


def test_an_unlink_holds_when_a_tip_is_scored_again(runtime: Runtime) -> None:
    first = _tip(runtime, RECRUITER.format(number="069 444 5566"), phone="+355682000021")
    second = _tip(runtime, RECRUITER.format(number="0694445566"), phone="+355682000022")
    with runtime.db.transaction() as s:
        user = _user(runtime, s)
        assert links.unlink(
            s,
            runtime.vault,
            tip_id=second,
            other_tip_id=first,
            user_id=user,
            reason="x",
            now=utcnow(),
        )
    with runtime.db.transaction() as s:
        tip = s.get(Tip, second)
        assert tip is not None
        add_text(s, runtime.intake, tip, "Edhe numri 069 444 5566 i del në Facebook.")
    assert _related(runtime, first) == {} and _related(runtime, second) == {}
    with runtime.db.read() as s:
        assert len(clusters.cluster_of(s, first).tip_ids) == 1


def _user(runtime: Runtime, session: object) -> int:
    from models.accounts import User

    assert hasattr(session, "add")
    user = User(username="unlinker", role="official", password_hash="x")
    session.add(user)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return int(user.id)


def test_a_new_entity_key_keeps_every_link(tmp_path: Path, database_url: str) -> None:
    old_key = base64.urlsafe_b64encode(bytes(range(7, 39))).decode()
    new_key = base64.urlsafe_b64encode(bytes(range(101, 133))).decode()
    before = make_runtime(tmp_path, database_url, RAPORTO_ENTITY_KEYS=old_key)
    first = _tip(before, RECRUITER.format(number="069 333 2211"), phone="+355682000031")
    # Every process restarts with the new key first: new tips still link with old ones.
    during = make_runtime(tmp_path, database_url, RAPORTO_ENTITY_KEYS=f"{new_key},{old_key}")
    second = _tip(during, RECRUITER.format(number="+355693332211"), phone="+355682000032")
    assert set(_related(during, second)) == {first}
    # `raporto keys rotate` rehashes from the texts; then the old key can go.
    with during.db.transaction() as s:
        assert linking.rehash_all(s, during.intake) == 2
    after = make_runtime(tmp_path, database_url, RAPORTO_ENTITY_KEYS=new_key)
    with after.db.read() as s:
        key_ids = set(s.scalars(select(TipEntity.key_id)).all())
    assert key_ids == {EntityKeys([base64.urlsafe_b64decode(new_key + "=")]).current_id}
    assert set(_related(after, first)) == {second}


def test_a_purge_erases_what_linked_an_old_tip(runtime: Runtime) -> None:
    first = _tip(runtime, RECRUITER.format(number="069 777 1122"), phone="+355682000041")
    second = _tip(runtime, RECRUITER.format(number="0697771122"), phone="+355682000042")
    assert set(_related(runtime, second)) == {first}
    with runtime.db.transaction() as s:
        purge(s, now=utcnow() + timedelta(days=400), content_days=365, handle_days=30)
    with runtime.db.read() as s:
        assert s.scalars(select(TipEntity)).all() == []
    assert _related(runtime, second) == {}


def test_the_intakes_one_query_walk_counts_what_the_console_walk_counts(
    any_runtime: Runtime,
) -> None:
    # A chain a–b (one number), b–c (a plate), c–d unlinked by an official: three reporters.
    a = _tip(any_runtime, RECRUITER.format(number="069 100 2001"), phone="+355682000051")
    b = _tip(
        any_runtime, "Numri 069 100 2001 ka një furgon me targë AB 123 CD.", phone="+355682000052"
    )
    c = _tip(any_runtime, "Furgoni AB 123 CD merr vajza natën.", phone="+355682000053")
    d = _tip(any_runtime, "Furgoni AB 123 CD u pa sot.", phone="+355682000053")
    with any_runtime.db.transaction() as s:
        links.unlink(
            s, any_runtime.vault, tip_id=c, other_tip_id=d, user_id=_user(any_runtime, s),
            reason="", now=utcnow(),
        )  # fmt: skip
    with any_runtime.db.read() as s:
        for tip_id in (a, b, c, d):
            assert clusters.cluster_reporters(s, tip_id) == clusters.cluster_of(s, tip_id).reporters
        assert clusters.cluster_reporters(s, a) == 3
        assert set(clusters.cluster_of(s, a).tip_ids) == {a, b, c, d}  # d still shares with b
