"""The console's review queue: the page, the form on a tip, roles, CSRF, outcomes, statistics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from models.accounts import TipReview
from models.base import utcnow
from models.deliveries import Delivery
from models.tables import AuditEntry, Tip
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.console_helpers import csrf_token, demo_officials, make_account, sign_in
from tests.review_helpers import make_tip

SECRET = "Fjalët-sekrete-7781 e raportimit"


def sign_in_official(client: FlaskClient, runtime: Runtime) -> int:
    """Sign in an English-speaking account of the first demo official; return its user id."""
    official = demo_officials(runtime)[0]
    user_id = make_account(runtime, "official1", "official", official_id=official)
    assert sign_in(client, "official1") == 302
    client.post(
        "/console/language", data={"lang": "en", "csrf_token": csrf_token(client, "/console/tips")}
    )
    return user_id


def ref(runtime: Runtime, tip_id: int) -> str:
    with runtime.db.read() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None
        return tip.reference


def review_form(client: FlaskClient, reference: str, **fields: str) -> dict[str, str]:
    token = csrf_token(client, f"/console/tips/{reference}")
    return {"csrf_token": token, **fields}


def test_the_queue_page_lists_waiting_tips_with_age_and_reason_and_never_text(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    now = utcnow()
    old = make_tip(runtime, band="low", received_at=now - timedelta(days=3, hours=1), text=SECRET)
    held = make_tip(
        runtime, band="medium", alert_mode="digest", received_at=now - timedelta(hours=5)
    )
    make_tip(runtime, band="critical", alert_mode="immediate")
    html = client.get("/console/review").get_data(as_text=True)
    assert html.index(ref(runtime, old)) < html.index(ref(runtime, held))  # oldest first
    assert "3 days" in html and "5 hours" in html
    assert "Triage: low" in html and "Held during a flood" in html
    assert "2 tips wait" in html
    assert SECRET not in html
    # The navigation shows the waiting count on every page.
    tips_page = client.get("/console/tips").get_data(as_text=True)
    assert 'href="/console/review">Review <span class="count"' in tips_page
    assert '2 tips wait">2</span>' in tips_page


@pytest.mark.parametrize("role", ["onac", "admin"])
def test_onac_and_admin_get_403_for_the_queue_and_the_review_action(
    client: FlaskClient, runtime: Runtime, role: str
) -> None:
    make_account(runtime, "someone", role)
    assert sign_in(client, "someone") == 302
    tip_id = make_tip(runtime, band="low")
    assert client.get("/console/review").status_code == 403
    token = csrf_token(client, "/console/password")
    response = client.post(
        f"/console/tips/{ref(runtime, tip_id)}/review",
        data={"csrf_token": token, "decision": "not_a_case", "reason": "x"},
    )
    assert response.status_code == 403
    with runtime.db.read() as s:
        assert s.scalars(select(TipReview)).all() == []


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/console/review")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_reviewing_from_the_tip_page_raises_the_band_and_alerts_at_once(
    client: FlaskClient, runtime: Runtime
) -> None:
    user_id = sign_in_official(client, runtime)
    tip_id = make_tip(runtime, band="not_a_tip", text=SECRET)
    reference = ref(runtime, tip_id)
    page = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert f'action="/console/tips/{reference}/review"' in page and "Waits for review" in page
    response = client.post(
        f"/console/tips/{reference}/review",
        data=review_form(client, reference, decision="reband", band="high", reason="a real case"),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/console/review"
    queue = client.get("/console/review").get_data(as_text=True)
    assert f"Your review of tip {reference} was saved." in queue
    assert reference not in queue.split("</header>", 1)[1].split("</p>", 1)[1]
    with runtime.db.read() as s:
        tip = s.get(Tip, tip_id)
        assert tip is not None and tip.band == "high" and tip.reviewed_at is not None
        alerts = s.scalars(select(Delivery).where(Delivery.tip_id == tip_id)).all()
        assert len(alerts) == 6
        row = s.scalars(select(TipReview)).one()
        assert row.user_id == user_id
    # The tip page now shows the decision, the reason and who took it, and no form.
    page = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert "Band changed" in page and "a real case" in page and "official1" in page
    assert "Triage said" in page and f'action="/console/tips/{reference}/review"' not in page


def test_a_review_without_a_reason_or_band_changes_nothing(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    reference = ref(runtime, make_tip(runtime, band="low"))
    for fields, message in (
        ({"decision": "not_a_case", "reason": "  "}, "Give the reason for your decision."),
        ({"decision": "reband", "band": "", "reason": "x"}, "Choose the band to give the tip."),
        ({"decision": "not_a_case", "reason": "x" * 501}, "at most 500 characters"),
    ):
        client.post(
            f"/console/tips/{reference}/review", data=review_form(client, reference, **fields)
        )
        assert message in client.get(f"/console/tips/{reference}").get_data(as_text=True)
    with runtime.db.read() as s:
        assert s.scalars(select(TipReview)).all() == []


def test_a_review_without_the_csrf_token_is_refused(client: FlaskClient, runtime: Runtime) -> None:
    sign_in_official(client, runtime)
    reference = ref(runtime, make_tip(runtime, band="low"))
    response = client.post(
        f"/console/tips/{reference}/review", data={"decision": "not_a_case", "reason": "x"}
    )
    assert response.status_code == 400
    with runtime.db.read() as s:
        assert s.scalars(select(TipReview)).all() == []
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "tip.review")).all() == []


def test_a_tip_that_does_not_wait_has_no_review_form_and_refuses_one(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    reference = ref(runtime, make_tip(runtime, band="critical", alert_mode="immediate"))
    page = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert "/review" not in page.split("</nav>", 1)[1]
    client.post(
        f"/console/tips/{reference}/review",
        data=review_form(client, reference, decision="not_a_case", reason="x"),
    )
    page = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert "This tip no longer waits for review." in page


def test_a_tip_can_be_closed_as_confirmed_trafficking(
    client: FlaskClient, runtime: Runtime
) -> None:
    sign_in_official(client, runtime)
    reference = ref(runtime, make_tip(runtime, band="high", status="acknowledged"))
    assert "Confirmed trafficking" in client.get(f"/console/tips/{reference}").get_data(
        as_text=True
    )
    client.post(
        f"/console/tips/{reference}/status",
        data=review_form(client, reference, status="closed", outcome="confirmed_trafficking"),
    )
    with runtime.db.read() as s:
        tip = s.scalars(select(Tip).where(Tip.reference == reference)).one()
        assert (tip.status, tip.outcome) == ("closed", "confirmed_trafficking")


def test_onac_sees_reviewed_and_waiting_counts_on_the_statistics_page(
    runtime: Runtime,
) -> None:
    client = create_app(runtime=runtime).test_client()
    official = demo_officials(runtime)[0]
    user_id = make_account(runtime, "reviewer", "official", official_id=official)
    make_account(runtime, "ana", "onac")
    for _ in range(3):
        make_tip(runtime, band="low", text=SECRET)
    make_tip(runtime, band="not_a_tip", reviewed_at=utcnow())
    with runtime.db.transaction() as s:
        s.add(TipReview(tip_id=1, user_id=user_id, decision="not_a_case", to_band="not_a_tip"))
    assert sign_in(client, "ana") == 302
    client.post("/console/language", data={"lang": "en", "csrf_token": csrf_token(client)})
    html = client.get("/console/stats?publishable=0").get_data(as_text=True)
    assert SECRET not in html
    assert '<span class="big">1</span> tips reviewed by an official' in html
    assert '<span class="big">3</span> tips waiting for review' in html
    table = client.get("/console/stats/export?group_by=review&format=json&publishable=0")
    assert table.json == {
        "fields": ["review"],
        "rows": [{"review": "reviewed", "count": 1}, {"review": "waiting", "count": 3}],
    }
