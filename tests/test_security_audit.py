"""Issue 12, item 18: roster, account, statistics, key and purge commands audited, ids only."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from models.tables import AuditEntry
from raporto.cli import main
from raporto.runtime import Runtime
from tests.conftest import env_for, make_runtime
from tests.console_helpers import make_account, sign_in

PHONE = "+355691234567"


def run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def entries(runtime: Runtime) -> list[AuditEntry]:
    with runtime.db.transaction() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_roster_commands_are_audited_with_ids_only(tmp_path: Path, database_url: str) -> None:
    runtime = make_runtime(tmp_path, database_url)
    env = env_for(tmp_path, database_url)
    run(env, "officials", "add-agency", "--code", "police", "--name-sq", "Policia",
        "--name-en", "Police", "--kind", "police")  # fmt: skip
    added = run(env, "officials", "add", "--name", "Arta Hoxha", "--agency", "police",
                "--phone", PHONE)  # fmt: skip
    official = added.split()[1]
    run(env, "officials", "enroll", official)
    run(env, "officials", "deactivate", official)
    roster = tmp_path / "roster.yaml"
    roster.write_text(
        yaml.safe_dump(
            {
                "agencies": [{"code": "social", "name_sq": "Sh", "name_en": "S", "kind": "other"}],
                "officials": [{"name": "Besa Kola", "agency": "social", "phone": PHONE}],
            }
        )
    )
    run(env, "officials", "import", str(roster))
    found = {(e.action, e.object_id) for e in entries(runtime) if e.actor == "cli"}
    assert {
        ("official.add", official),
        ("official.enrol_code", official),
        ("official.deactivate", official),
    } <= found
    assert {"agency.add", "roster.import"} <= {action for action, _ in found}
    text = json.dumps([[e.action, e.object_id, e.detail] for e in entries(runtime)])
    assert (
        "Arta" not in text and "Besa" not in text and PHONE not in text and "691234567" not in text
    )


def test_statistics_exports_and_raw_views_are_audited(
    client: FlaskClient, runtime: Runtime, tmp_path: Path, sqlite_url: str
) -> None:
    env = env_for(tmp_path, sqlite_url)
    run(env, "stats", "--group-by", "channel", "--raw")
    make_account(runtime, "ana", "onac")
    assert sign_in(client, "ana") == 302
    assert client.get("/console/stats").status_code == 200  # publishable: not audited
    assert client.get("/console/stats?publishable=0&group_by=channel").status_code == 200
    audited = [(e.actor, e.action, e.detail.get("publishable")) for e in entries(runtime)]
    assert ("cli", "stats.export", False) in audited
    views = [e for e in entries(runtime) if e.action == "stats.view_raw"]
    assert len(views) == 1 and views[0].actor.startswith("user:")


def test_an_account_can_be_confirmed_from_the_command_line(
    client: FlaskClient, runtime: Runtime, tmp_path: Path, sqlite_url: str
) -> None:
    account = make_account(runtime, "drita", "onac")
    with runtime.db.transaction() as s:
        from models.accounts import User

        user = s.get(User, account)
        assert user is not None
        user.pending_by = 99
    env = env_for(tmp_path, sqlite_url)
    assert "pending" in run(env, "users", "list")
    assert sign_in(client, "drita") == 403
    run(env, "users", "confirm", "drita")
    assert sign_in(client, "drita") == 302
    assert ("cli", "user.confirm") in [(e.actor, e.action) for e in entries(runtime)]


def test_key_rotation_and_purge_are_audited_with_counts_only(
    tmp_path: Path, database_url: str
) -> None:
    runtime = make_runtime(tmp_path, database_url)
    env = env_for(tmp_path, database_url)
    run(env, "keys", "rotate")
    counts = json.loads(run(env, "purge").strip().splitlines()[-1])
    audited = {e.action: e for e in entries(runtime) if e.actor == "cli"}
    assert "keys.rotate" in audited and isinstance(audited["keys.rotate"].detail["values"], int)
    assert audited["purge"].detail == {"counts": counts}
