"""The inbound spool on disk: encrypted, durable, deduplicated, capped, safe against a kill."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from models.base import utcnow
from models.crypto import Pseudonymizer, Vault
from models.spool import Spool, SpooledEvent, SpoolFull

KEY = Fernet.generate_key().decode()
PSEUDONYM = b"p" * 32
NUMBER = "+355691234567"
WORDS = "Vajzën e mbajnë të mbyllur në një lokal në Vlorë"


def make_spool(folder: Path, max_bytes: int = 1_000_000) -> Spool:
    return Spool(folder, Vault([KEY]), Pseudonymizer(PSEUDONYM), max_bytes)


def sms_event(sid: str = "SM" + "a" * 32, seconds_ago: float = 0.0) -> SpooledEvent:
    arrived = utcnow() - timedelta(seconds=seconds_ago)
    return SpooledEvent("sms", "sms", sid, arrived, {"from": NUMBER, "body": WORDS})


def test_an_event_is_kept_encrypted_and_read_back(tmp_path: Path) -> None:
    spool = make_spool(tmp_path / "spool")
    event = sms_event()
    entry = spool.write(event)
    raw = entry.path.read_bytes()
    for secret in (NUMBER, WORDS, event.event_id, "Vajz"):
        assert secret.encode() not in raw
        assert secret not in entry.path.name
    assert spool.read(entry) == event
    assert oct(entry.path.stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "spool").stat().st_mode & 0o777) == "0o700"
    assert [e.id for e in spool.entries()] == [entry.id]


def test_the_same_provider_event_is_spooled_once(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    first = spool.write(sms_event())
    again = spool.write(sms_event())  # Telegram or a caller's retry while the database is down
    assert first.path == again.path
    assert len(spool.entries()) == 1
    spool.write(sms_event("SM" + "b" * 32))
    assert len(spool.entries()) == 2


def test_entries_come_in_arrival_order(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    for n, ago in enumerate([5.0, 30.0, 1.0, 12.0]):
        spool.write(sms_event(f"SM{n:032d}", seconds_ago=ago))
    arrivals = [e.arrived_at for e in spool.entries()]
    assert arrivals == sorted(arrivals) and len(arrivals) == 4
    status = spool.status(utcnow())
    assert status["waiting"] == 4 and 29 < status["oldest_seconds"] < 60


def test_the_size_cap_refuses_an_event(tmp_path: Path) -> None:
    spool = make_spool(tmp_path, max_bytes=600)
    spool.write(sms_event("SM" + "1" * 32))
    with pytest.raises(SpoolFull, match="cap"):
        for n in range(2, 10):
            spool.write(sms_event(f"SM{n:032d}"))
    assert spool.size() <= 600


def test_a_disk_that_refuses_the_write_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = make_spool(tmp_path)

    def full(_fd: int, _data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(SpoolFull, match="ENOSPC"):
        spool.write(sms_event())
    assert list(tmp_path.iterdir()) == []


def test_a_claimed_entry_is_not_claimed_twice(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    entry = spool.write(sms_event())
    with spool.claim(entry) as mine:
        assert mine
        with spool.claim(entry) as other:  # a second replayer (flock is per open file)
            assert not other
    with spool.claim(entry) as mine_again:
        assert mine_again
    spool.remove(entry)
    with spool.claim(entry) as gone:
        assert not gone


def test_set_aside_and_retry(tmp_path: Path) -> None:
    spool = make_spool(tmp_path)
    entry = spool.write(sms_event())
    spool.set_aside(entry)
    assert spool.entries() == []
    assert spool.status(utcnow())["failed"] == 1
    assert spool.retry_failed() == 1
    assert len(spool.entries()) == 1


CRASH = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime
    from models.crypto import Pseudonymizer, Vault
    from models.spool import Spool, SpooledEvent
    folder, key, point = sys.argv[1], sys.argv[2], sys.argv[3]
    spool = Spool(__import__("pathlib").Path(folder), Vault([key]), Pseudonymizer(b"p" * 32), 10**6)
    def die(*_a, **_k):
        os._exit(9)  # as SIGKILL: no cleanup, no flush
    if point == "before-rename":
        os.replace = die
    else:
        spool._sync_folder = die
    event = SpooledEvent("sms", "sms", "SM" + "c" * 32, datetime(2026, 12, 4, 3, 0), {"body": "x"})
    spool.write(event)
    """
)


@pytest.mark.parametrize("point", ["before-rename", "after-rename"])
def test_a_process_killed_mid_write_leaves_no_half_event(tmp_path: Path, point: str) -> None:
    folder = tmp_path / "spool"
    done = subprocess.run(
        [sys.executable, "-c", CRASH, str(folder), KEY, point],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr
    spool = make_spool(folder)
    entries = spool.entries()
    if point == "before-rename":
        # Never renamed: the provider got no answer and retries; the leftover is swept later.
        assert entries == []
        assert spool.clean_temporary(now=time.time() + 3600) == 1
        assert list(folder.iterdir()) == []
    else:
        # Renamed before the kill: the event is whole and readable.
        assert len(entries) == 1
        assert spool.read(entries[0]).payload == {"body": "x"}


def test_key_rotation_re_encrypts_spooled_events(tmp_path: Path) -> None:
    make_spool(tmp_path).write(sms_event())
    newer = Fernet.generate_key().decode()
    both = Spool(tmp_path, Vault([newer, KEY]), Pseudonymizer(PSEUDONYM), 10**6)
    assert both.needing_old_keys() == 1
    assert both.rotate() == 1
    assert both.needing_old_keys() == 0
    only_new = Spool(tmp_path, Vault([newer]), Pseudonymizer(PSEUDONYM), 10**6)
    [entry] = only_new.entries()
    assert only_new.read(entry).payload["body"] == WORDS
