"""The `raporto` command's maintenance verbs: db, keys, purge, sweep."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from models import store
from models.base import utcnow
from models.crypto import Vault
from models.tables import Tip
from raporto.cli import main
from tests.conftest import env_for, make_runtime


def run(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_keys_generate_prints_usable_keys() -> None:
    output = run(["keys", "generate"], {})
    lines = dict(line.split("=", 1) for line in output.strip().splitlines())
    Fernet(lines["RAPORTO_ENCRYPTION_KEYS"].encode())
    assert len(lines["RAPORTO_PSEUDONYM_KEY"]) >= 43


def test_db_upgrade_and_downgrade(tmp_path: Path, database_url: str) -> None:
    env = env_for(tmp_path, database_url)
    assert "upgraded" in run(["db", "upgrade"], env)
    assert "downgraded" in run(["db", "downgrade"], env)


def test_keys_rotate_re_encrypts_under_the_new_key(tmp_path: Path, sqlite_url: str) -> None:
    old = Fernet.generate_key().decode()
    runtime = make_runtime(tmp_path, sqlite_url, RAPORTO_ENCRYPTION_KEYS=old)
    with runtime.db.transaction() as s:
        store.create_tip(
            s,
            runtime.vault,
            channel="sms",
            text="fjalë",
            language="sq",
            reporter_id=None,
            now=utcnow(),
        )
    new = Fernet.generate_key().decode()
    env = env_for(tmp_path, sqlite_url, RAPORTO_ENCRYPTION_KEYS=f"{new},{old}")
    assert "re-encrypted 1 values" in run(["keys", "rotate"], env)
    with runtime.db.transaction() as s:
        tip = s.query(Tip).one()
        assert tip.text_enc is not None
        assert Vault([new]).decrypt_text(tip.text_enc) == "fjalë"


def test_purge_reports_what_it_deleted(tmp_path: Path, sqlite_url: str) -> None:
    runtime = make_runtime(tmp_path, sqlite_url)
    with runtime.db.transaction() as s:
        store.create_tip(
            s,
            runtime.vault,
            channel="sms",
            text="old",
            language="sq",
            reporter_id=None,
            now=utcnow() - timedelta(days=400),
        )
    counts = json.loads(run(["purge"], env_for(tmp_path, sqlite_url)))
    assert counts["tips"] == 1


def test_a_production_start_without_secrets_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["purge"], env={"RAPORTO_ENV": "production", "RAPORTO_INSTANCE_PATH": str(tmp_path)}
    )
    assert result.exit_code != 0
    assert "refuses to start in production without" in result.output
    assert "TWILIO_AUTH_TOKEN" in result.output


@pytest.mark.parametrize("command", [["sweep"]])
def test_sweep_runs_once(tmp_path: Path, sqlite_url: str, command: list[str]) -> None:
    make_runtime(tmp_path, sqlite_url)
    counts = json.loads(run(command, env_for(tmp_path, sqlite_url)))
    assert counts == {
        "outbound": 0,
        "erasures": 0,
        "attachments": 0,
        "drafts": 0,
        "burst_replies": 0,
        "spool": 0,  # nothing was kept in the inbound spool
        "deliveries": 0,
        "escalated": 0,
        "reminded": 0,
        "digested": 0,
        "review_summary": 0,  # nobody of ONAC's office is on the roster to get it
    }
