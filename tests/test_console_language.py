"""One console language: Albanian by default on every page, sign-in included, switchable there."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from models.accounts import User
from raporto.runtime import Runtime
from tests.console_helpers import csrf_token, demo_officials, make_account, sign_in

ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}


def login_page(client: FlaskClient, path: str = "/console/login") -> str:
    """Return the sign-in page as an English-speaking browser asks for it."""
    response = client.get(path, headers=ENGLISH_BROWSER)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def switch(client: FlaskClient, lang: str, back: str = "/console/login") -> str:
    """Press the language switch; return where it sends the browser."""
    response = client.post(
        "/console/language",
        data={"csrf_token": csrf_token(client), "lang": lang, "back": back},
    )
    assert response.status_code == 302
    return str(response.headers["Location"])


def official_account(runtime: Runtime, language: str) -> None:
    """Create `official1`, linked to a demo official, whose account language is `language`."""
    user_id = make_account(runtime, "official1", "official", official_id=demo_officials(runtime)[0])
    with runtime.db.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None
        user.language = language


def test_the_sign_in_page_is_albanian_even_for_an_english_browser(client: FlaskClient) -> None:
    page = login_page(client)
    assert '<html lang="sq">' in page
    assert "<h1>Hyni</h1>" in page and "Emri i përdoruesit" in page and "Fjalëkalimi" in page
    assert "Sign in" not in page and "Username" not in page


def test_the_sign_in_page_has_the_same_language_switch_as_every_page(
    client: FlaskClient, runtime: Runtime
) -> None:
    switch_form = re.compile(
        r'<form method="post" action="/console/language" class="inline">.*?'
        r'<button name="lang" value="en" class="link" lang="en">English</button>',
        re.DOTALL,
    )
    assert switch_form.search(login_page(client))
    official_account(runtime, "sq")
    assert sign_in(client, "official1") == 302
    assert switch_form.search(client.get("/console/tips").get_data(as_text=True))


def test_switching_the_sign_in_page_to_english(client: FlaskClient) -> None:
    assert switch(client, "en").endswith("/console/login")
    page = login_page(client)
    assert '<html lang="en">' in page
    assert "<h1>Sign in</h1>" in page and "Username" in page and "Hyni" not in page
    assert '<button name="lang" value="sq" class="link" lang="sq">Shqip</button>' in page
    switch(client, "sq")
    assert "<h1>Hyni</h1>" in login_page(client)


def test_the_switch_keeps_where_the_sign_in_page_sends_you(client: FlaskClient) -> None:
    page = login_page(client, "/console/login?next=/console/tips")
    assert 'name="back" value="/console/login?next=/console/tips"' in page
    assert switch(client, "en", "/console/login?next=/console/tips").endswith(
        "/console/login?next=/console/tips"
    )


@pytest.mark.parametrize(
    ("account", "chosen", "expected"),
    [
        ("sq", None, "sq"),  # nobody chose: Albanian before and after
        ("en", None, "en"),  # nobody chose on the sign-in page: the account's language
        ("sq", "en", "en"),  # chosen on the sign-in page: it carries over
        ("en", "sq", "sq"),
    ],
)
def test_a_choice_on_the_sign_in_page_carries_over(
    client: FlaskClient, runtime: Runtime, account: str, chosen: str | None, expected: str
) -> None:
    official_account(runtime, account)
    if chosen:
        switch(client, chosen)
    assert sign_in(client, "official1") == 302
    page = client.get("/console/tips", headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page
    tips, sign_out = ("Raportimet", "Dilni") if expected == "sq" else ("Tips", "Sign out")
    assert f">{tips}</a>" in page and sign_out in page


def test_signing_out_returns_to_the_albanian_sign_in_page(
    client: FlaskClient, runtime: Runtime
) -> None:
    official_account(runtime, "en")
    assert sign_in(client, "official1") == 302
    token = csrf_token(client, "/console/tips")
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
    assert "<h1>Hyni</h1>" in login_page(client)
