"""The console keeps a tip from the agency it implicates: lists, pages, files and every action."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bot.attachments import add_attachment
from models.accounts import ReporterQuestion, TipNote, TipReview, User
from models.tables import Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.complicity_helpers import (
    PLAIN_TIP,
    POLICE_TIP,
    acknowledgers,
    audited,
    officials_of,
    submit,
    tip_row,
    widened,
)
from tests.console_helpers import csrf_token, demo_officials, make_account, sign_in

REFUSED_EN = "This tip is handled by other agencies. You cannot acknowledge, close or read it"
REFUSED_SQ = "Ky raportim trajtohet nga institucione të tjera. Nuk mund ta konfirmoni"


def signed_in(runtime: Runtime, username: str, official_id: int, lang: str = "en") -> FlaskClient:
    """A console client signed in as an official account linked to this roster entry."""
    user_id = make_account(runtime, username, "official", official_id=official_id)
    with runtime.db.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None
        user.language = lang
    client = create_app(runtime=runtime).test_client()
    assert sign_in(client, username) == 302
    return client


def setup(runtime: Runtime, *, police_lang: str = "en") -> tuple[FlaskClient, FlaskClient, int]:
    """Police and social-services officials signed in; a police tip waiting for review (low)."""
    ids = demo_officials(runtime)  # police chair, police member, social, social, labour, ...
    tip_id, _ref = submit(runtime, POLICE_TIP)
    with runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        tip.band = tip.triage_band = "low"
    police = signed_in(runtime, "police1", ids[0], police_lang)
    social = signed_in(runtime, "social1", ids[2])
    return police, social, tip_id


def test_lists_and_the_review_queue_leave_the_tip_out_for_the_implicated_agency(
    any_runtime: Runtime,
) -> None:
    police, social, tip_id = setup(any_runtime)
    reference = tip_row(any_runtime, tip_id).reference
    _other, plain = submit(any_runtime, PLAIN_TIP, sender="+355697777777")
    seen = police.get("/console/tips").get_data(as_text=True)
    assert plain in seen and reference not in seen
    queue = police.get("/console/review").get_data(as_text=True)
    assert reference not in queue and 'class="count"' not in queue  # none waits for them
    assert reference in social.get("/console/tips").get_data(as_text=True)
    theirs = social.get("/console/review").get_data(as_text=True)
    assert reference in theirs and 'class="count"' in theirs


def test_the_tip_page_and_its_files_answer_404_to_the_implicated_agency_and_are_audited(
    any_runtime: Runtime,
) -> None:
    police, social, tip_id = setup(any_runtime)
    reference = tip_row(any_runtime, tip_id).reference
    with any_runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        item = add_attachment(
            s, any_runtime.intake, tip, kind="photo", content_type="image/jpeg", data=b"\xff\xd8"
        )
        assert item is not None
        attachment = f"/console/tips/{reference}/attachments/{item.id}"
    page = police.get(f"/console/tips/{reference}")
    assert page.status_code == 404 and "polic merr para" not in page.get_data(as_text=True)
    assert police.get(attachment).status_code == 404
    assert [e.detail["attempted"] for e in audited(any_runtime, "complicity.refused")] == [
        "view",
        "attachment",
    ]
    assert audited(any_runtime, "tip.view") == [] and audited(any_runtime, "tip.attachment") == []
    assert "polic merr para" in social.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert social.get(attachment).status_code == 200


ACTIONS = {
    "acknowledge": ("acknowledge", {}),
    "close": ("status", {"status": "closed", "outcome": "hoax"}),
    "note": ("notes", {"body": "shënim"}),
    "ask": ("ask", {"question": "Ku ndodhet shtëpia?"}),
    "review": ("review", {"decision": "not_a_case", "reason": "lexova"}),
}


def unchanged(runtime: Runtime, tip_id: int) -> bool:
    """Nothing an action writes exists for the tip."""
    with runtime.db.read() as s:
        written = sum(
            s.scalar(select(func.count()).select_from(m).where(m.tip_id == tip_id)) or 0
            for m in (TipNote, ReporterQuestion, TipReview)
        )
    tip = tip_row(runtime, tip_id)
    return (
        written == 0
        and not acknowledgers(runtime, tip_id)
        and (tip.status, tip.outcome, tip.reviewed_at, tip.band)
        == ("acknowledged", None, None, "low")
    )


@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_action_of_the_implicated_agency_is_refused_and_audited(
    any_runtime: Runtime, action: str
) -> None:
    police, _social, tip_id = setup(any_runtime)
    with any_runtime.db.transaction() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        tip.status = "acknowledged"  # by another agency: closing is a permitted step
        reference = tip.reference
    path, form = ACTIONS[action]
    token = csrf_token(police, "/console/tips")
    response = police.post(
        f"/console/tips/{reference}/{path}",
        data={**form, "csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert REFUSED_EN in response.get_data(as_text=True)
    assert reference not in response.get_data(as_text=True)  # back on their list, without it
    assert unchanged(any_runtime, tip_id)
    [entry] = audited(any_runtime, "complicity.refused")
    assert entry.object_id == str(tip_id) and entry.detail["via"] == "console"
    assert entry.actor.startswith("user:")


def test_the_refusal_is_said_in_albanian(any_runtime: Runtime) -> None:
    police, _social, tip_id = setup(any_runtime, police_lang="sq")
    reference = tip_row(any_runtime, tip_id).reference
    token = csrf_token(police, "/console/tips")
    response = police.post(
        f"/console/tips/{reference}/acknowledge",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert REFUSED_SQ in response.get_data(as_text=True)
    assert not acknowledgers(any_runtime, tip_id)


def test_an_acknowledgement_by_an_agency_implicated_later_is_not_shown_as_taking_the_tip(
    any_runtime: Runtime,
) -> None:
    tip_id, member = widened(any_runtime)  # the police acknowledged before being implicated
    social = signed_in(any_runtime, "social1", officials_of(any_runtime, "social_services")[0])
    page = social.get(f"/console/tips/{tip_row(any_runtime, tip_id).reference}")
    assert page.status_code == 200
    assert "Nobody has acknowledged this tip yet." in page.get_data(as_text=True)
    assert acknowledgers(any_runtime, tip_id) == {member}  # kept, but it does not count
