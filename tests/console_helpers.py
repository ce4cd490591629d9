"""Console test helpers: accounts with known passwords and signing in with the CSRF token."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from alerts.demo import seed_demo_roster
from console.accounts import create_user, set_password
from models.accounts import User
from models.base import utcnow
from models.roster import Official
from raporto.runtime import Runtime

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_account(runtime: Runtime, username: str, role: str, official_id: int | None = None) -> int:
    """Create an account whose password is PASSWORD (no change required); return its id."""
    with runtime.db.transaction() as session:
        account = create_user(
            session, username=username, role=role, official_id=official_id, actor="test"
        )
        user = session.get(User, account.user_id)
        assert user is not None
        set_password(session, user, PASSWORD, actor="test")
        return account.user_id


def demo_officials(runtime: Runtime) -> list[int]:
    """Seed the demo roster and return the ids of its officials."""
    with runtime.db.transaction() as session:
        seed_demo_roster(session, runtime.vault, runtime.pseudonym, utcnow())
        return [o.id for o in session.query(Official).order_by(Official.id)]


def csrf_token(client: FlaskClient, path: str = "/console/login") -> str:
    """Fetch a page and return the CSRF token of its first form."""
    page = client.get(path).get_data(as_text=True)
    found = _TOKEN.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD, code: str = "") -> int:
    """Sign in through the form; return the response status (302 on success)."""
    token = csrf_token(client)
    response = client.post(
        "/console/login",
        data={"csrf_token": token, "username": username, "password": password, "code": code},
    )
    return response.status_code
