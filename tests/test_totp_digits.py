"""The sign-in code is six ASCII digits (issue 12, item 13).

"١٢٣٤٥٦" (Arabic-Indic) or "１２３４５６" (fullwidth) passed `str.isdigit()` and made
`secrets.compare_digest` raise: a 500 that only a correct password reached, so it told an
attacker the password was right. Now any other code is simply a wrong code.
"""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from flask.testing import FlaskClient

from console.accounts import check_totp, enable_totp, find
from raporto.app import create_app
from raporto.runtime import Runtime
from tests.conftest import make_runtime
from tests.console_helpers import make_account, sign_in

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@pytest.fixture
def account(tmp_path: Path, database_url: str) -> tuple[FlaskClient, Runtime, pyotp.TOTP]:
    runtime = make_runtime(tmp_path, database_url)
    make_account(runtime, "onac1", "onac")
    with runtime.db.transaction() as session:
        user = find(session, "onac1")
        assert user is not None
        uri = enable_totp(session, runtime.vault, user, actor="test")
    return (
        create_app(runtime=runtime).test_client(),
        runtime,
        pyotp.TOTP(pyotp.parse_uri(uri).secret),
    )


@pytest.mark.parametrize(
    "digits", [ARABIC_INDIC, FULLWIDTH, SUPERSCRIPT], ids=["arabic", "full", "sup"]
)
def test_other_digits_are_a_wrong_code_whether_or_not_the_password_is_right(
    account: tuple[FlaskClient, Runtime, pyotp.TOTP], digits: dict[int, str]
) -> None:
    client, _runtime, totp = account
    foreign = totp.now().translate(digits)
    assert foreign != totp.now()
    right_password = sign_in(client, "onac1", code=foreign)
    wrong_password = sign_in(client, "onac1", "not the password at all", code=foreign)
    assert right_password == wrong_password == 401  # the same answer: nothing learnt
    assert sign_in(client, "onac1", code=totp.now()) == 302  # the real code still works


def test_check_totp_takes_six_ascii_digits_only(
    account: tuple[FlaskClient, Runtime, pyotp.TOTP],
) -> None:
    _client, runtime, totp = account
    codes = ["١٢٣٤٥٦", "１２３４５６", "12345", "1234567", "12 34 5", "+12345", "12345\n", ""]
    with runtime.db.transaction() as session:
        user = find(session, "onac1")
        assert user is not None
        for code in codes + [totp.now().translate(FULLWIDTH)]:
            assert check_totp(runtime.vault, user, code) is False, code
        assert check_totp(runtime.vault, user, totp.now()) is True
