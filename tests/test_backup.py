"""`raporto backup` and `raporto restore` (issue 18): a restored copy works as the original did.

Every encrypted column is filled through the service's own code (tests/test_key_rotation.py),
a tip is acknowledged, the database is backed up and restored into a new empty one; then the
console shows the tip, the pending alerts go out through the sandbox and the statistics agree.
Refusals leave the target untouched: a wrong key, a changed byte, a cut file, a database that
is not empty, another engine, no key.
"""

from __future__ import annotations

import base64
import io
import os
import sqlite3
import stat
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner, Result
from psycopg import sql
from sqlalchemy import create_engine, select, text, update

from alerts.acks import acknowledge
from alerts.delivery import deliver
from alerts.queue import InProcessQueue
from console.stats import count
from console.stats_summary import summary
from models import backup_crypto
from models.accounts import User
from models.backup import emptiness, pg_tool
from models.backup_crypto import BackupError, decrypt_stream, encrypt_stream
from models.db import normalise_url
from models.deliveries import Acknowledgement, Delivery
from models.migrate import alembic_config, upgrade
from models.roster import Official
from models.tables import AuditEntry, Tip
from raporto import cli_backup
from raporto.app import create_app
from raporto.cli import main
from raporto.runtime import Runtime, build_runtime
from raporto.settings import ConfigError, load, new_pseudonym_key
from raporto.settings_checks import weak_key
from sandbox import SandboxServer
from tests import pgpool
from tests.complicity_helpers import PLAIN_TIP, officials_of, submit
from tests.conftest import (
    ENC_KEY,
    ENTITY_KEY,
    PSEUDONYM_KEY,
    env_for,
    make_runtime,
    make_settings,
    with_sandbox,
)
from tests.console_helpers import sign_in
from tests.test_key_rotation import CRITICAL, NOTE, QUESTION, fill_every_encrypted_column
from tests.test_settings_production import production_env

BACKUP_KEY = new_pseudonym_key()
OTHER_KEY = new_pseudonym_key()


def cli(tmp_path: Path, url: str, *args: str, key: str = BACKUP_KEY) -> Result:
    """Run `raporto ARGS` against the database at `url` with the given backup key ("" = none)."""
    env = env_for(tmp_path, url, RAPORTO_BACKUP_KEY=key)
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[str]:
    """A second, empty database of the same engine as `database_url`, dropped at the end."""
    if database_url.startswith("sqlite"):
        (tmp_path / "restored").mkdir()
        yield f"sqlite:///{tmp_path / 'restored' / 'raporto.sqlite'}"
        return
    pool: pgpool.Pool = request.getfixturevalue("pg_pool")
    # Named after the pool, so a killed run's copy is dropped with its pool's databases.
    name = f"{pool.prefix}_restore_{uuid.uuid4().hex[:12]}"
    pool.admin().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield pool.url(name)
    finally:
        pool.admin().execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[SandboxServer]:
    settings = make_settings(tmp_path, "sqlite://")
    with SandboxServer(
        telegram_token=settings.telegram_bot_token,
        twilio_account_sid=settings.twilio_account_sid,
        twilio_auth_token=settings.twilio_auth_token,
    ) as server:
        yield server


def acknowledged_tip(rt: Runtime) -> int:
    """A tip alerted to the roster whose alerts went out and one police officer acknowledged."""
    tip_id, _ = submit(rt, PLAIN_TIP, sender="+355691112233")
    with rt.db.transaction() as s:
        s.execute(
            update(Delivery)
            .where(Delivery.tip_id == tip_id)
            .values(status="sent", provider_message_id="77")
        )
    member = officials_of(rt, "police")[1]
    with rt.db.transaction() as s:
        tip, official = s.get(Tip, tip_id), s.get(Official, member)
        assert tip is not None and official is not None
        assert acknowledge(s, rt.alerts, tip, official, via="console")
    return tip_id


def snapshot(rt: Runtime) -> dict[str, Any]:
    """What must survive a backup: rows by id, and the numbers the statistics show."""
    with rt.db.read() as s:
        tips = s.scalars(select(Tip).order_by(Tip.id)).all()
        return {
            "tips": [(t.id, t.reference, t.triage_band, t.submitted) for t in tips],
            "texts": [rt.vault.decrypt_text(t.text_enc) if t.text_enc else None for t in tips],
            "deliveries": s.execute(
                select(
                    Delivery.id, Delivery.tip_id, Delivery.official_id, Delivery.status
                ).order_by(Delivery.id)
            ).all(),
            "acks": s.execute(
                select(Acknowledgement.tip_id, Acknowledgement.official_id).order_by(
                    Acknowledgement.id
                )
            ).all(),
            "users": s.execute(select(User.id, User.username, User.role).order_by(User.id)).all(),
            "audit": s.execute(
                select(AuditEntry.id, AuditEntry.actor, AuditEntry.action)
                .where(AuditEntry.action.not_in(["backup", "restore"]))
                .order_by(AuditEntry.id)
            ).all(),
            "counts": count(s, ["channel", "band"], totals=True),
            "summary": summary(s),
        }


def head(url: str) -> tuple[str, str]:
    """The database's schema revision and the newest migration's."""
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return current, ScriptDirectory.from_config(alembic_config(url)).get_current_head() or ""


def test_a_restored_copy_shows_the_tip_delivers_the_alerts_and_counts_the_same(
    tmp_path: Path, database_url: str, fresh_url: str, fake: SandboxServer
) -> None:
    original = make_runtime(tmp_path, database_url)
    filled = fill_every_encrypted_column(original)
    acknowledged = acknowledged_tip(original)
    before = snapshot(original)
    assert before["acks"] and before["deliveries"] and before["users"] and before["audit"]

    out = tmp_path / "raporto.backup"
    made = cli(tmp_path, database_url, "backup", "--output", str(out))
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    restored = cli(tmp_path, fresh_url, "restore", str(out))
    assert restored.exit_code == 0, restored.output
    assert f"restored the {original.db.dialect} backup" in restored.output

    rt = with_sandbox(
        build_runtime(make_settings(tmp_path, fresh_url), queue=InProcessQueue()), fake.url
    )
    assert snapshot(rt) == before
    assert CRITICAL in before["texts"]
    with rt.db.read() as s:
        [made_row] = s.scalars(select(AuditEntry).where(AuditEntry.action == "restore")).all()
        assert made_row.actor == "cli" and set(made_row.detail) == {"engine", "bytes", "tips"}
        assert made_row.detail["tips"] == len(before["tips"])
        critical = s.scalars(select(Tip.id).where(Tip.reference == filled["reference"])).one()
        pending = list(
            s.scalars(
                select(Delivery.id).where(Delivery.tip_id == critical, Delivery.status == "pending")
            )
        )
        assert {a.tip_id for a in s.scalars(select(Acknowledgement))} == {acknowledged}
    with original.db.read() as s:
        [backed_up] = s.scalars(select(AuditEntry).where(AuditEntry.action == "backup")).all()
        assert backed_up.actor == "cli" and set(backed_up.detail) == {"engine", "bytes"}

    # The console, with the TOTP secret and the keys of the original.
    client = create_app(runtime=rt).test_client()
    assert sign_in(client, "official1", code=pyotp.TOTP(filled["secret"]).now()) == 302
    page = client.get(f"/console/tips/{filled['reference']}").get_data(as_text=True)
    assert "cannot be decrypted" not in page
    assert "Itali" in page and NOTE in page and QUESTION in page

    # The alerts that were pending at the backup go out from the copy.
    assert len(pending) == 6
    assert {deliver(rt.alerts, d) for d in pending} == {"sent"}
    assert len(fake.state.messages("telegram", method="sendMessage")) == 5
    [texted] = fake.state.messages("sms", method="messages.create")
    assert filled["reference"] in texted.text

    # `raporto stats` says the same on both.
    args = ("stats", "--group-by", "channel,band,route", "--raw", "--format", "json")
    assert cli(tmp_path, fresh_url, *args).output == cli(tmp_path, database_url, *args).output


def test_an_older_backup_is_brought_to_the_newest_schema(
    tmp_path: Path, database_url: str, fresh_url: str
) -> None:
    upgrade(database_url, "0011")
    out = tmp_path / "old.backup"
    assert cli(tmp_path, database_url, "backup", "--output", str(out)).exit_code == 0
    restored = cli(tmp_path, fresh_url, "restore", str(out))
    assert restored.exit_code == 0, restored.output
    current, newest = head(fresh_url)
    assert current == newest != "0011"


def decrypted(path: Path, engine: str, folder: Path) -> bytes:
    """The backup's plaintext; a PostgreSQL dump as the SQL it holds (its data is compressed)."""
    plain = folder / "plain"
    with path.open("rb") as src, plain.open("wb") as dst:
        decrypt_stream(src, dst, base64.urlsafe_b64decode(BACKUP_KEY + "=="))
    if engine == "sqlite":
        return plain.read_bytes()
    return subprocess.run(
        [pg_tool("pg_restore"), "--file=-", str(plain)], capture_output=True, check=True
    ).stdout


def test_no_key_of_the_service_is_in_a_backup(tmp_path: Path, database_url: str) -> None:
    rt = make_runtime(tmp_path, database_url)
    fill_every_encrypted_column(rt)
    out = tmp_path / "raporto.backup"
    assert cli(tmp_path, database_url, "backup", "--output", str(out)).exit_code == 0
    plain = decrypted(out, rt.db.dialect, tmp_path)
    settings = rt.settings
    assert b"official1" in plain  # the search can find what is in the database
    secrets = [ENC_KEY, PSEUDONYM_KEY, ENTITY_KEY, BACKUP_KEY, settings.secret_key]
    secrets += [settings.hotline_hmac_secret, settings.twilio_auth_token]
    raw = [base64.urlsafe_b64decode(k + "=" * (-len(k) % 4)) for k in secrets[:4]]
    for secret in [s.encode() for s in secrets] + raw:
        assert secret not in plain
    # Tip texts are in it encrypted under the service's keys, never in clear.
    assert CRITICAL.encode() not in plain and CRITICAL[:40].encode() not in plain


# --------------------------------------------------------------------------- refusals


@pytest.fixture
def backup_file(tmp_path: Path, sqlite_url: str) -> Path:
    """A SQLite backup of a database holding one alerted tip."""
    rt = make_runtime(tmp_path, sqlite_url)
    submit(rt, PLAIN_TIP)
    out = tmp_path / "raporto.backup"
    made = cli(tmp_path, sqlite_url, "backup", "--output", str(out))
    assert made.exit_code == 0, made.output
    return out


def target(tmp_path: Path) -> tuple[Path, str]:
    """A SQLite file that does not exist yet, and its URL."""
    (tmp_path / "target").mkdir(exist_ok=True)
    path = tmp_path / "target" / "raporto.sqlite"
    return path, f"sqlite:///{path}"


def refused(tmp_path: Path, url: str, file: Path, key: str = BACKUP_KEY) -> str:
    result = cli(tmp_path, url, "restore", str(file), key=key)
    assert result.exit_code == 1, result.output
    return result.output


def test_a_wrong_key_is_refused_and_nothing_is_written(tmp_path: Path, backup_file: Path) -> None:
    path, url = target(tmp_path)
    assert "not the key this backup was made with" in refused(tmp_path, url, backup_file, OTHER_KEY)
    assert not path.exists()


@pytest.mark.parametrize("where", ["salt", "engine", "middle", "last"])
def test_a_changed_byte_is_refused_and_nothing_is_written(
    tmp_path: Path, backup_file: Path, where: str
) -> None:
    data = bytearray(backup_file.read_bytes())
    header = len(backup_crypto.MAGIC) + 2 + len("sqlite")
    at = {"salt": header + 3, "engine": header - 1, "middle": len(data) // 2, "last": -1}[where]
    data[at] ^= 0x01
    backup_file.write_bytes(bytes(data))
    path, url = target(tmp_path)
    message = refused(tmp_path, url, backup_file)
    assert ("damaged" in message) or ("not the key" in message)
    assert not path.exists()


@pytest.mark.parametrize("keep", [5, 40, -16, -1])
def test_a_truncated_file_is_refused_and_nothing_is_written(
    tmp_path: Path, backup_file: Path, keep: int
) -> None:
    data = backup_file.read_bytes()
    backup_file.write_bytes(data[:keep])
    path, url = target(tmp_path)
    message = refused(tmp_path, url, backup_file)
    assert "truncated" in message or "not a Raporto backup" in message
    assert not path.exists()


def test_a_database_that_is_not_empty_is_refused(
    tmp_path: Path, sqlite_url: str, backup_file: Path
) -> None:
    # The original itself: a schema and rows.
    assert "is not empty" in refused(tmp_path, sqlite_url, backup_file)
    # Rows in a table, even without Raporto's schema.
    path, url = target(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.executescript("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me');")
    assert "its table notes has rows" in refused(tmp_path, url, backup_file)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT body FROM notes").fetchall() == [("keep me",)]


def test_empty_leftover_tables_do_not_stop_a_restore(tmp_path: Path, backup_file: Path) -> None:
    path, url = target(tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE leftover (x INTEGER)")
    assert emptiness(url) is None
    result = cli(tmp_path, url, "restore", str(backup_file))
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM tips").fetchone() == (1,)


def test_another_engine_is_refused(tmp_path: Path, backup_file: Path, pg_url: str) -> None:
    message = refused(tmp_path, pg_url, backup_file)
    assert "backup is of a sqlite database and DATABASE_URL is postgresql" in message
    assert emptiness(pg_url) is None


def test_without_a_backup_key_neither_command_runs(
    tmp_path: Path, sqlite_url: str, backup_file: Path
) -> None:
    out = tmp_path / "none.backup"
    result = cli(tmp_path, sqlite_url, "backup", "--output", str(out), key="")
    assert result.exit_code == 1 and "RAPORTO_BACKUP_KEY is not set" in result.output
    assert not out.exists()
    path, url = target(tmp_path)
    assert "RAPORTO_BACKUP_KEY is not set" in refused(tmp_path, url, backup_file, key="")
    assert not path.exists()
    # The service itself starts without one.
    assert load(env_for(tmp_path, sqlite_url)).backup_key is None


def test_a_weak_backup_key_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    make_runtime(tmp_path, sqlite_url)
    weak = base64.urlsafe_b64encode(bytes(range(32))).decode()
    out = tmp_path / "weak.backup"
    result = cli(tmp_path, sqlite_url, "backup", "--output", str(out), key=weak)
    assert result.exit_code == 1 and "RAPORTO_BACKUP_KEY is not random" in result.output
    assert not out.exists()
    assert "RAPORTO_BACKUP_KEY is not random" in refusal_in_production(tmp_path, weak)
    with pytest.raises(ConfigError, match="RAPORTO_BACKUP_KEY must hold at least 32 bytes"):
        load(env_for(tmp_path, sqlite_url, RAPORTO_BACKUP_KEY="c2hvcnQ"))


def refusal_in_production(tmp_path: Path, key: str) -> str:
    with pytest.raises(ConfigError) as error:
        load(production_env(tmp_path, RAPORTO_BACKUP_KEY=key))
    return str(error.value)


def test_production_starts_with_or_without_a_strong_backup_key(tmp_path: Path) -> None:
    assert load(production_env(tmp_path)).backup_key is None
    assert load(production_env(tmp_path, RAPORTO_BACKUP_KEY=BACKUP_KEY)).backup_key is not None


def test_keys_generate_prints_a_backup_key() -> None:
    result = CliRunner().invoke(main, ["keys", "generate"], env={})
    lines = dict(line.split("=", 1) for line in result.output.strip().splitlines())
    key = base64.urlsafe_b64decode(lines["RAPORTO_BACKUP_KEY"] + "==")
    assert len(key) == 32 and weak_key(key) is None
    assert lines["RAPORTO_BACKUP_KEY"] not in (
        lines["RAPORTO_PSEUDONYM_KEY"],
        lines["RAPORTO_ENTITY_KEYS"],
    )


def test_an_existing_output_file_is_never_overwritten(tmp_path: Path, backup_file: Path) -> None:
    before = backup_file.read_bytes()
    result = cli(tmp_path, f"sqlite:///{tmp_path / 'raporto.sqlite'}", "backup", "--output",
                 str(backup_file))  # fmt: skip
    assert result.exit_code == 1 and "exists" in result.output
    assert backup_file.read_bytes() == before


# ------------------------------------------------------------------- progress, temp files


def test_the_progress_bar_shows_on_a_terminal_only(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_runtime(tmp_path, sqlite_url)
    piped = cli(tmp_path, sqlite_url, "backup", "--output", str(tmp_path / "a.backup"))
    assert piped.exit_code == 0 and cli_backup.ENCRYPTING not in piped.output
    monkeypatch.setattr(cli_backup, "_on_terminal", lambda: True)
    shown = cli(tmp_path, sqlite_url, "backup", "--output", str(tmp_path / "b.backup"))
    assert shown.exit_code == 0 and cli_backup.ENCRYPTING in shown.output
    path, url = target(tmp_path)
    restored = cli(tmp_path, url, "restore", str(tmp_path / "b.backup"))
    assert restored.exit_code == 0 and cli_backup.DECRYPTING in restored.output


def test_the_plaintext_dump_lives_only_in_a_private_folder_removed_after(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_runtime(tmp_path, sqlite_url)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    modes: list[int] = []
    real_dump, real_restore = cli_backup.dump, cli_backup.restore

    def dump(url: str, plain: Path) -> None:
        modes.append(stat.S_IMODE(plain.parent.stat().st_mode))
        real_dump(url, plain)

    def restore(url: str, engine: str, plain: Path) -> None:
        modes.append(stat.S_IMODE(plain.parent.stat().st_mode))
        real_restore(url, engine, plain)

    monkeypatch.setattr(cli_backup, "dump", dump)
    monkeypatch.setattr(cli_backup, "restore", restore)
    out = tmp_path / "raporto.backup"
    assert cli(tmp_path, sqlite_url, "backup", "--output", str(out)).exit_code == 0
    _, url = target(tmp_path)
    assert cli(tmp_path, url, "restore", str(out)).exit_code == 0
    assert modes == [0o700, 0o700]
    assert os.listdir(scratch) == []
    # Only the database (and its write-ahead log): no staged copy is left beside it.
    left = [n for n in os.listdir(tmp_path / "target") if not n.startswith("raporto.sqlite")]
    assert left == []


# ---------------------------------------------------------------- the stream, chunk by chunk


def seal(data: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, key, "sqlite")
    return out.getvalue()


def unseal(data: bytes, key: bytes) -> bytes:
    out = io.BytesIO()
    decrypt_stream(io.BytesIO(data), out, key)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, 63, 64, 640, 1000])
def test_the_stream_round_trips_across_chunks(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(backup_crypto, "CHUNK", 64)
    key, data = os.urandom(32), os.urandom(size)
    sealed = seal(data, key)
    assert unseal(sealed, key) == data
    assert seal(data, key) != sealed  # a fresh salt, so a fresh file key, every time


def test_dropped_swapped_or_added_chunks_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_crypto, "CHUNK", 64)
    key = os.urandom(32)
    sealed = seal(os.urandom(64 * 3 + 10), key)
    start = len(sealed) - (3 * 80 + 26)  # the header's length
    chunks = [sealed[start + i * 80 : start + (i + 1) * 80] for i in range(4)]
    header = sealed[:start]
    assert unseal(header + b"".join(chunks), key)  # the split is right
    for damaged in (
        header + b"".join(chunks[:3]),  # cut at a chunk boundary: the last chunk is missing
        header + chunks[1] + chunks[0] + b"".join(chunks[2:]),  # reordered
        header + b"".join(chunks) + chunks[3],  # a chunk appended
        header + b"".join(chunks[:2]) + chunks[3],  # one dropped from the middle
    ):
        with pytest.raises(BackupError, match="damaged or truncated"):
            unseal(damaged, key)
    with pytest.raises(BackupError, match="not the key"):
        unseal(sealed, os.urandom(32))
