"""Every console page as each role sees it: sign-in walls, CSP, CSRF, and no tip text for ONAC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, url_for
from playwright.sync_api import Page
from sqlalchemy import func, select

from models.accounts import User
from models.base import Base
from models.tables import Attachment, Tip
from tests.browser.browser_helpers import BrowserStack, sign_in
from tests.helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
MARKER = "Qershizogu"  # a word no page, label or other tip contains
REPORT = (
    f"Një djalë 14 vjeç punon çdo ditë në një kantier në Durrës pa pagë, {MARKER} i ka marrë "
    "pasaportën dhe nuk e lë të ikë."
)
CODE = re.compile(r"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b")
# Pages anonymous visitors may see: the sign-in form and the console's own CSS and script.
PUBLIC = {"auth.login", "views.static"}
FORMS = """forms => forms.map(f => ({
  action: f.action,
  method: (f.getAttribute("method") || "get").toLowerCase(),
  fields: Array.from(new FormData(f)).filter(([, v]) => typeof v === "string"),
}))"""


@dataclass
class Data:
    """Real rows the crawl fills route parameters from."""

    reference: str
    tip_id: int
    attachment_id: int
    attachment_reference: str


@pytest.fixture(scope="module")
def data(stack: BrowserStack) -> Data:
    """A texted tip carrying the marker word, and a called-in tip with its recording."""
    sms = stack.control("/sandbox/twilio/sms", **{"from": "+355692345001", "body": REPORT})
    assert sms["status"] == 200
    found = CODE.search(" ".join(sms["replies"]))
    assert found, sms
    call = stack.control("/sandbox/twilio/calls", **{"from": "+355692345002"})
    sid = call["call_sid"]
    stack.control(f"/sandbox/twilio/calls/{sid}/digits", digits="1")  # Albanian
    stack.control(f"/sandbox/twilio/calls/{sid}/digits", digits="1")  # leave a message
    stack.control(f"/sandbox/twilio/calls/{sid}/record", seconds=4, digits="#")

    def recording() -> tuple[str, int] | None:
        with stack.runtime.db.transaction() as session:
            row = session.execute(
                select(Tip.reference, Attachment.id)
                .join(Attachment, Attachment.tip_id == Tip.id)
                .where(Tip.channel == "voice", Attachment.status == "stored")
            ).first()
            return (row[0], row[1]) if row else None

    voice_reference, attachment_id = wait_until(recording, timeout=20)
    with stack.runtime.db.transaction() as session:
        tip_id = session.scalars(select(Tip.id).where(Tip.reference == found.group(0))).one()
    return Data(found.group(0), tip_id, attachment_id, voice_reference)


def routes(app: Flask, data: Data) -> list[tuple[str, str]]:
    """Every GET route under /console, with its parameters taken from real rows."""
    values: dict[str, Any] = {
        "reference": data.reference,
        "tip_id": data.tip_id,
        "attachment_id": data.attachment_id,
        "filename": "console.css",
    }
    found, unknown = [], []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/console") or "GET" not in (rule.methods or ()):
                continue
            missing = sorted(set(rule.arguments) - set(values))
            if missing:
                unknown.append(f"{rule.rule} ({', '.join(missing)})")
                continue
            params = {name: values[name] for name in rule.arguments}
            if "attachment_id" in params:  # the recording belongs to the called-in tip
                params["reference"] = data.attachment_reference
            found.append((rule.endpoint, url_for(rule.endpoint, **params)))
    assert not unknown, f"teach the crawl these route parameters: {unknown}"
    return found


def snapshot(stack: BrowserStack) -> dict[str, Any]:
    """Row counts of every table, and every account's security fields."""
    with stack.runtime.db.transaction() as session:
        counts = {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
        accounts = [
            (u.id, u.password_hash, u.disabled, u.session_version, u.language, u.role)
            for u in session.scalars(select(User).order_by(User.id))
        ]
        tips = [(t.id, t.status) for t in session.scalars(select(Tip).order_by(Tip.id))]
    return {"counts": counts, "accounts": accounts, "tips": tips}


@pytest.mark.parametrize("role", ["anonymous", "official", "onac", "admin"])
def test_every_console_page_as_each_role(
    role: str, page: Page, stack: BrowserStack, data: Data
) -> None:
    if role != "anonymous":
        sign_in(page, stack.url, stack.accounts[role])
    post_forms: dict[str, dict[str, Any]] = {}
    marker_seen = False
    crawled = routes(stack.app, data)
    assert any(endpoint == "simulator.index" for endpoint, _ in crawled)
    for endpoint, path in crawled:
        response = page.request.get(stack.url + path, max_redirects=0)
        headers, body = response.headers, response.body()
        assert "default-src 'none'" in headers.get("content-security-policy", ""), path
        if role == "anonymous" and endpoint not in PUBLIC:
            assert response.status == 302, (path, response.status)
            assert "/console/login" in headers["location"], path
        if role == "onac":
            assert MARKER.encode() not in body, f"ONAC received the tip's text at {path}"
        marker_seen = marker_seen or MARKER.encode() in body
        if response.status != 200 or "text/html" not in headers.get("content-type", ""):
            continue
        page.goto(stack.url + path)
        # Chromium reports a blocked inline script or style (a CSP violation) as a console error.
        assert page.console_errors == [], (path, page.console_errors)  # type: ignore[attr-defined]
        for form in page.eval_on_selector_all("form", FORMS):
            if form["method"] != "post":
                continue  # a GET form (a filter) must not put the token in the address
            names = [name for name, _ in form["fields"]]
            assert "csrf_token" in names, f"a form on {path} has no CSRF token"
            post_forms.setdefault(form["action"], form)
    # The marker is real tip text: the official's tip page shows it, so its absence means something.
    assert marker_seen or role != "official", "the official's tip page lost the tip's text"
    if role != "anonymous":
        assert post_forms, "a signed-in page has at least the sign-out form"
    before = snapshot(stack)
    for action, form in post_forms.items():
        fields = {name: value for name, value in form["fields"] if name != "csrf_token"}
        response = page.request.post(action, form=fields, max_redirects=0)
        assert response.status == 400, (action, response.status)
    assert snapshot(stack) == before
    if role != "anonymous":  # the sign-out form without its token signed nobody out
        response = page.request.get(stack.url + "/console/", max_redirects=0)
        assert "/console/login" not in response.headers.get("location", ""), role
