"""Only ONAC confirms a services entry (`raporto services set --verified`), never the file.

An unconfirmed entry is shown with the document it comes from and "not yet confirmed"; one that
no document names (the ALO 116 111 child helpline) is not shown at all until ONAC confirms it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from bot import companion_replies, sms_replies
from bot import services_directory as directory
from locales.i18n import gettext
from models.tables import AuditEntry
from raporto.cli import main
from raporto.runtime import Runtime
from tests.conftest import env_for

CONFIRM = {"verified": True, "confirmed_by": "A. Hoxha, ONAC", "last_verified": "2026-11-20"}


def packaged() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(directory.DIRECTORY.read_text(encoding="utf-8"))
    return data


def changes_of(runtime: Runtime) -> dict[str, dict[str, Any]]:
    with runtime.db.read() as session:
        return directory.updates(session)


def test_the_packaged_file_confirms_nothing_and_passes_the_check() -> None:
    for entry in packaged()["services"]:
        assert not any(entry.get(key) for key in directory.CONFIRMATION), entry["id"]
    checked = CliRunner().invoke(main, ["services", "check"])
    assert checked.exit_code == 0, checked.output


@pytest.mark.parametrize(
    "claim",
    [
        {"verified": True, "last_verified": "2026-11-25"},
        {"verified": True, "last_verified": "2026-11-25", "confirmed_by": "someone"},
        {"last_verified": "2026-11-25"},
    ],
)
def test_check_refuses_a_file_that_claims_a_confirmation(
    tmp_path: Path, claim: dict[str, Any]
) -> None:
    data = packaged()
    [alo] = [e for e in data["services"] if e["id"] == "alo-116111"]
    alo.update(claim)
    edited = tmp_path / "services.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    checked = CliRunner().invoke(main, ["services", "check", "--file", str(edited)])
    assert checked.exit_code != 0
    assert "alo-116111: the file cannot confirm an entry" in checked.output


def test_an_entry_no_document_names_is_hidden_until_onac_confirms_it(runtime: Runtime) -> None:
    assert "alo-116111" not in {e["id"] for e in directory.services_for("tirane")}
    for lang in ("sq", "en"):
        assert "116 111" not in companion_replies.services_list(lang, "tirane").text
        assert "116 111" not in sms_replies.sms_choice(lang, "7")
    with runtime.db.transaction() as session, pytest.raises(ValueError, match="who confirmed"):
        directory.record_update(session, "alo-116111", {"verified": True}, actor="test")
    with runtime.db.transaction() as session:
        directory.record_update(session, "alo-116111", dict(CONFIRM), actor="test")
    changes = changes_of(runtime)
    [alo] = [e for e in directory.services_for("tirane", changes) if e["id"] == "alo-116111"]
    assert directory.confirmed(alo)
    for lang in ("sq", "en"):
        listed = companion_replies.services_list(lang, "tirane", changes=changes).text
        assert "ALO 116 111" in listed
        assert "116 111" in directory.describe(lang, alo)
        assert "(" not in directory.describe(lang, alo)  # no "not yet confirmed" on it
        assert "116 111" in sms_replies.sms_choice(lang, "7", changes)


def test_a_changed_phone_is_unconfirmed_until_onac_confirms_it_again(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        directory.record_update(session, "sss-shkoder", dict(CONFIRM), actor="test")
    [entry] = [e for e in directory.services(changes_of(runtime)) if e["id"] == "sss-shkoder"]
    assert directory.confirmed(entry)
    with runtime.db.transaction() as session:
        directory.record_update(session, "sss-shkoder", {"phone": "+355 22 400 999"}, actor="t")
    [entry] = [e for e in directory.services(changes_of(runtime)) if e["id"] == "sss-shkoder"]
    assert not directory.confirmed(entry) and entry["confirmed_by"] is None
    source = directory.source_name("en", entry)
    shown = directory.describe("en", entry)
    assert "+355 22 400 999" in shown
    assert gettext("en", "Source: %(source)s (not yet confirmed).", source=source) in shown


def test_a_confirmation_is_audited_with_who_and_when(runtime: Runtime) -> None:
    with runtime.db.transaction() as session:
        directory.record_update(session, "nrcvt", dict(CONFIRM), actor="cli")
    with runtime.db.read() as session:
        [entry] = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "services.update")
        ).all()
    assert entry.object_id == "nrcvt" and entry.actor == "cli"
    assert entry.detail["verified"] is True
    assert entry.detail["confirmed_by"] == "A. Hoxha, ONAC"
    assert changes_of(runtime)["nrcvt"]["last_verified"] == "2026-11-20"


def test_the_services_list_explains_not_yet_confirmed_once(runtime: Runtime) -> None:
    for lang in ("sq", "en"):
        note = directory.unconfirmed_note(lang)
        assert companion_replies.services_list(lang, "vlore").text.count(note) == 1
    with runtime.db.transaction() as session:
        for entry in directory.services_for("vlore"):
            directory.record_update(session, entry["id"], dict(CONFIRM), actor="test")
    confirmed = companion_replies.services_list("en", "vlore", changes=changes_of(runtime)).text
    assert directory.unconfirmed_note("en") not in confirmed


def test_the_cli_asks_who_confirmed_and_can_withdraw_a_confirmation(
    tmp_path: Path, runtime: Runtime, sqlite_url: str
) -> None:
    env = env_for(tmp_path, sqlite_url)
    runner = CliRunner()
    lone = runner.invoke(main, ["services", "set", "alo-116111", "--confirmed-by", "X"], env=env)
    assert lone.exit_code != 0 and "go with --verified" in lone.output
    args = ["services", "set", "alo-116111", "--verified", "--confirmed-by", "A. Hoxha, ONAC"]
    assert runner.invoke(main, args, env=env).exit_code == 0
    listed = runner.invoke(main, ["services", "list"], env=env).output
    assert "alo-116111\tnational\t116 111\tverified\t" in listed
    assert "\tA. Hoxha, ONAC\n" in listed
    withdrawn = runner.invoke(main, ["services", "set", "alo-116111", "--unverified"], env=env)
    assert withdrawn.exit_code == 0, withdrawn.output
    listed = runner.invoke(main, ["services", "list"], env=env).output
    assert "alo-116111\tnational\t116 111\tHIDDEN\t-" in listed


def test_a_source_cannot_be_blanked_and_the_packaged_file_is_never_rewritten(
    tmp_path: Path, runtime: Runtime, sqlite_url: str
) -> None:
    before = directory.DIRECTORY.read_bytes()
    copy = tmp_path / "copy.yaml"
    shutil.copy(directory.DIRECTORY, copy)
    env = env_for(tmp_path, sqlite_url)
    blank = CliRunner().invoke(main, ["services", "set", "vatra", "--source", ""], env=env)
    assert blank.exit_code != 0 and "no source" in blank.output
    assert directory.DIRECTORY.read_bytes() == before == copy.read_bytes()
    assert changes_of(runtime) == {}
