"""The console in the reader's language: places, numbers, the explanation's headings, errors."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, render_template
from flask.testing import FlaskClient

from console import views
from models import store
from models.base import utcnow
from models.deliveries import Acknowledgement, Delivery
from models.roster import Official
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.console_helpers import csrf_token, demo_officials, make_account, sign_in
from tests.test_console_tips import sign_in_official, submit

TEXT = (
    "Një vajzë 15 vjeçe mbahet e mbyllur në një shtëpi në Tiranë, i kanë marrë pasaportën, i "
    "kërcënojnë familjen dhe nuk e lënë të dalë. Sonte do ta çojnë në Itali."
)
PLACES = re.compile(r"<p>(?:Places|Vendet):(.*?)</p>", re.DOTALL)


def tip_page(client: FlaskClient, runtime: Runtime, lang: str) -> tuple[str, str]:
    """Sign in an official reading `lang`, submit TEXT; return the tip's reference and page."""
    sign_in_official(client, runtime, lang=lang)
    reference = submit(runtime, TEXT)
    return reference, client.get(f"/console/tips/{reference}").get_data(as_text=True)


def places_of(page: str) -> str:
    found = PLACES.search(page)
    assert found, "no places on the page"
    return " ".join(found.group(1).split())


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("en", ["Tirana (qark)", "Italy (country)"], ["Tiranë", "Itali ("]),
        ("sq", ["Tiranë (qark)", "Itali (shtet)"], ["Tirana", "Italy"]),
    ],
)
def test_the_tip_page_names_places_in_the_readers_language(
    client: FlaskClient, runtime: Runtime, lang: str, expected: list[str], absent: list[str]
) -> None:
    reference, page = tip_page(client, runtime, lang)
    shown = places_of(page)
    assert all(name in shown for name in expected), shown
    assert not [name for name in absent if name in shown], shown
    qark = "Tirana" if lang == "en" else "Tiranë"
    assert f"<dd>{qark}</dd>" in page  # the tip's qark, stored by its Albanian name
    listing = client.get("/console/tips").get_data(as_text=True)
    assert f"<td>{qark}</td>" in listing


def test_each_category_of_signs_is_named_once(client: FlaskClient, runtime: Runtime) -> None:
    reference, page = tip_page(client, runtime, "sq")
    with runtime.db.read() as s:
        tip = store.tip_by_reference(s, reference)
        assert tip is not None and tip.triage_enc is not None
        triage = runtime.vault.decrypt_json(tip.triage_enc)
    categories = {hit["category"] for hit in triage["indicators"]}
    assert len(categories) < len(triage["indicators"])  # some category has several signs
    table = page.split('<table class="indicators">')[1].split("</table>")[0]
    assert table.count('<th scope="rowgroup"') == len(categories)
    assert table.count("Kontroll dhe shtrëngim") == 1
    assert table.count("<tr>") == len(triage["indicators"]) + 1  # one row a sign, and the head


@pytest.mark.parametrize(
    ("lang", "score", "weight"), [("sq", "10,5", "2,5"), ("en", "10.5", "2.5")]
)
def test_scores_and_weights_use_the_readers_decimal_mark(
    client: FlaskClient, runtime: Runtime, lang: str, score: str, weight: str
) -> None:
    sign_in_official(client, runtime, lang=lang)
    reference = submit(runtime, TEXT)
    with runtime.db.transaction() as s:
        tip = store.tip_by_reference(s, reference)
        assert tip is not None and tip.triage_enc is not None
        triage = runtime.vault.decrypt_json(tip.triage_enc)
        triage["indicators"][0]["weight"] = 2.5
        tip.triage_enc, tip.score = runtime.vault.encrypt_json(triage), 10.5
    page = client.get(f"/console/tips/{reference}").get_data(as_text=True)
    assert f"<dd>{score}</dd>" in page
    numbers = re.findall(r'<td class="num">([^<]*)</td>', page.split("</table>")[0])
    assert weight in numbers
    assert not [n for n in numbers if ("." if lang == "sq" else ",") in n]


def test_statistics_show_minutes_with_the_readers_decimal_mark_and_qarks_by_name(
    client: FlaskClient, runtime: Runtime
) -> None:
    official_id = demo_officials(runtime)[0]
    now = utcnow() - timedelta(hours=2)
    with runtime.db.transaction() as s:
        official = s.get(Official, official_id)
        assert official is not None
        tip = store.create_tip(
            s, runtime.vault, channel="sms", text="x", language="sq", reporter_id=None, now=now
        )
        tip.qark = "Tiranë"
        s.flush()
        s.add(
            Delivery(
                tip_id=tip.id,
                official_id=official.id,
                key=f"alert:{tip.id}:{official.id}:telegram",
                channel="telegram",
                status="delivered",
                created_at=now,
                next_attempt_at=now,
            )
        )
        s.add(
            Acknowledgement(
                tip_id=tip.id,
                official_id=official.id,
                agency_id=official.agency_id,
                via="button",
                at=now + timedelta(minutes=22, seconds=30),
            )
        )
    make_account(runtime, "onac1", "onac")
    assert sign_in(client, "onac1") == 302
    sq = client.get("/console/stats?publishable=0").get_data(as_text=True)
    assert '<td class="num">22,5</td>' in sq and "22.5" not in sq
    assert "<td>Tiranë</td>" in sq
    switch_language(client, "en")
    en = client.get("/console/stats?publishable=0").get_data(as_text=True)
    assert '<td class="num">22.5</td>' in en
    assert "<td>Tirana</td>" in en and "Tiranë" not in en


def switch_language(client: FlaskClient, lang: str) -> None:
    token = csrf_token(client)
    response = client.post("/console/language", data={"csrf_token": token, "lang": lang})
    assert response.status_code == 302


# Errors ---------------------------------------------------------------------------------------


def failing_app(runtime: Runtime) -> Flask:
    """The application with one console page that fails, and failures shown as pages."""
    app = create_app(runtime=runtime)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom() -> str:
        raise RuntimeError("an English exception message")

    app.add_url_rule("/console/boom", "boom", boom)
    return app


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("sq", ["Kjo faqe nuk ekziston.", "Diçka nuk shkoi mirë. Provoni përsëri."]),
        ("en", ["This page does not exist.", "Something went wrong. Try again."]),
    ],
)
def test_not_found_and_server_errors_are_pages_in_the_readers_language(
    runtime: Runtime, lang: str, texts: list[str]
) -> None:
    client = failing_app(runtime).test_client()
    if lang == "en":
        switch_language(client, "en")
    missing = client.get("/console/no-such-page")
    failed = client.get("/console/boom")
    assert (missing.status_code, failed.status_code) == (404, 500)
    for response, text in ((missing, texts[0]), (failed, texts[1])):
        page = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in page and text in page
        assert "Not Found" not in page and "Internal Server Error" not in page
        assert "English exception" not in page


def test_refused_and_bad_requests_are_pages_in_the_readers_language(
    client: FlaskClient, runtime: Runtime
) -> None:
    make_account(runtime, "onac1", "onac")
    assert sign_in(client, "onac1") == 302
    refused = client.get("/console/tips")
    bad = client.get("/console/stats?from=yesterday")
    assert (refused.status_code, bad.status_code) == (403, 400)
    assert "Llogaria juaj nuk ka leje ta hapë këtë faqe." in refused.get_data(as_text=True)
    assert "Kërkesa nuk ishte e vlefshme." in bad.get_data(as_text=True)
    switch_language(client, "en")
    page = client.get("/console/stats?from=yesterday").get_data(as_text=True)
    assert "<h1>400 · Invalid request</h1>" in page
    assert "The request was not valid." in page and "Bad Request" not in page


def test_an_error_page_is_shown_even_when_the_full_page_cannot_be_drawn(
    client: FlaskClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = render_template

    def fail_full_page(name: str, **context: Any) -> str:
        if name == "error.html":
            raise RuntimeError("the database is down")
        return drawn(name, **context)

    monkeypatch.setattr(views, "render_template", fail_full_page)
    response = client.get("/console/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert '<html lang="sq">' in page and "Kjo faqe nuk ekziston." in page


# Needs the Albanian of the new message ids (/tmp/h/po_B2.json) in the compiled catalogue.
def test_error_page_titles_are_albanian(client: FlaskClient) -> None:
    page = client.get("/console/no-such-page").get_data(as_text=True)
    assert "<h1>404 · Faqja nuk u gjet</h1>" in page


def admin(client: FlaskClient, runtime: Runtime, lang: str) -> str:
    make_account(runtime, "root", "admin")
    if lang == "en":
        switch_language(client, "en")
    assert sign_in(client, "root") == 302
    return csrf_token(client, "/console/admin")


def add_user(client: FlaskClient, token: str, username: str, role: str) -> str:
    data = {"csrf_token": token, "username": username, "role": role, "language": "sq"}
    response = client.post("/console/admin/users", data=data, follow_redirects=True)
    return response.get_data(as_text=True)


def test_account_refusals_are_shown_in_english_with_role_names(
    client: FlaskClient, runtime: Runtime
) -> None:
    token = admin(client, runtime, "en")
    taken = add_user(client, token, "root", "onac")
    assert "The account was not created: the username “root” is taken." in taken
    role = add_user(client, token, "someone", "boss")
    assert "the role must be one of: Administrator, ONAC (statistics), Official." in role
    onac = make_account(runtime, "onac2", "onac")
    page = client.post(
        f"/console/admin/users/{onac}/confirm", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The account does not wait for a confirmation." in page


# Needs the Albanian of the new message ids (/tmp/h/po_B2.json) in the compiled catalogue.
def test_account_refusals_are_shown_in_albanian(client: FlaskClient, runtime: Runtime) -> None:
    token = admin(client, runtime, "sq")
    taken = add_user(client, token, "root", "onac")
    assert "Llogaria nuk u krijua: emri i përdoruesit «root» është i zënë." in taken
    role = add_user(client, token, "someone", "boss")
    assert "roli duhet të jetë një nga këto: Administrator i sistemit" in role


def stats_error(client: FlaskClient, group_by: str) -> str:
    response = client.get("/console/stats", query_string={"group_by": group_by})
    assert response.status_code == 400
    found = re.search(r'<p class="flash error" role="alert">([^<]*)</p>', response.text)
    assert found, response.text
    return found.group(1).replace("&#34;", '"')


def test_statistics_refusals_name_fields_by_their_labels(
    client: FlaskClient, runtime: Runtime
) -> None:
    make_account(runtime, "onac1", "onac")
    switch_language(client, "en")
    assert sign_in(client, "onac1") == 302
    assert stats_error(client, "band,band") == "A field is named twice."
    assert stats_error(client, "month,year") == "Group by at most one of Day, Week, Month, Year."
    assert stats_error(client, "colour").startswith("“colour” is an unknown field; known: Channel,")


# Needs the Albanian of the new message ids (/tmp/h/po_B2.json) in the compiled catalogue.
def test_statistics_refusals_are_albanian(client: FlaskClient, runtime: Runtime) -> None:
    make_account(runtime, "onac1", "onac")
    assert sign_in(client, "onac1") == 302
    assert stats_error(client, "band,band") == "Një fushë është zgjedhur dy herë."
    assert stats_error(client, "month,year") == (
        "Zgjidhni jo më shumë se një nga këto fusha: Dita, Java, Muaji, Viti."
    )
