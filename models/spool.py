"""The inbound spool: authenticated provider events kept on local disk while the database is down.

Twilio does not retry an inbound SMS or call whose webhook failed (it asks the fallback URL once),
so an event the database cannot take is written here instead, and the webhook answers as after a
commit. Each event is one file, encrypted with the service's Vault (nothing in clear on disk),
written to a temporary name, fsynced, then renamed into place and the folder fsynced: a process
killed at any point leaves either no event file or a whole one. The file name carries the arrival
time (for replay in arrival order) and a keyed hash of the provider's event id (so a provider's
retry of the same event is not spooled twice); neither says anything about the reporter.

Replay (bot/spool_replay.py) takes each file under an exclusive lock, hands the event to the same
intake a webhook uses, and deletes the file after the commit; the provider id dedupes an event
that was stored before a crash but not yet deleted.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models.crypto import DecryptionError, Pseudonymizer, Vault

SUFFIX = ".evt"
FAILED = ".failed"
TEMP_PREFIX = ".tmp-"
# A temporary file older than this was left by a process killed mid-write: never renamed, so
# the provider was never answered for it and will have retried or fallen back.
STALE_TEMP_SECONDS = 60


class SpoolFull(RuntimeError):
    """The spool cannot take the event (size cap reached or the disk refused): answer 503."""


@dataclass(frozen=True)
class SpooledEvent:
    """One inbound event as the webhook received it, after authentication."""

    channel: str
    kind: str
    event_id: str
    arrived_at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class Entry:
    """A spool file as listed: no decryption needed for its id, channel and age."""

    path: Path
    arrived_at: datetime
    channel: str
    key: str
    failed: bool

    @property
    def id(self) -> str:
        """A short, stable id for operators (a prefix of the keyed hash)."""
        return self.key[:12]


class Spool:
    """An append-only folder of encrypted event files with a size cap."""

    def __init__(
        self, folder: Path, vault: Vault, pseudonym: Pseudonymizer, max_bytes: int
    ) -> None:
        self.folder = folder
        self.vault = vault
        self.pseudonym = pseudonym
        self.max_bytes = max_bytes

    def _ensure(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def key(self, channel: str, event_id: str) -> str:
        """The keyed hash an event's file is named by."""
        return self.pseudonym("spool:" + channel, event_id)

    def write(self, event: SpooledEvent) -> Entry:
        """Keep one event durably; raise SpoolFull when it cannot be kept."""
        try:
            self._ensure()
        except OSError as exc:
            reason = errno.errorcode.get(exc.errno or 0, "error")
            raise SpoolFull(f"spool folder unusable ({reason})") from exc
        key = self.key(event.channel, event.event_id)
        earlier, used = self._scan(key)
        if earlier is not None:
            return earlier  # the provider sent it again while we were down
        token = self.vault.encrypt_json(
            {
                "v": 1,
                "channel": event.channel,
                "kind": event.kind,
                "event_id": event.event_id,
                "arrived_at": event.arrived_at.isoformat(),
                "payload": event.payload,
            }
        )
        if used + len(token) > self.max_bytes:
            raise SpoolFull("spool size cap reached (RAPORTO_SPOOL_MAX_MB)")
        ns = int(event.arrived_at.timestamp() * 1_000_000_000)
        name = f"{ns:020d}-{event.channel}-{key}{SUFFIX}"
        temp = self.folder / f"{TEMP_PREFIX}{os.getpid()}-{key}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                view = memoryview(token)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, self.folder / name)
            self._sync_folder()
        except OSError as exc:
            with contextlib.suppress(OSError):
                temp.unlink()
            reason = errno.errorcode.get(exc.errno or 0, "error")
            raise SpoolFull(f"spool write failed ({reason})") from exc
        return self._entry(self.folder / name)  # type: ignore[return-value]

    def _scan(self, key: str) -> tuple[Entry | None, int]:
        """One pass over the folder: the entry already kept under `key`, and the bytes in use."""
        found, used = None, 0
        for item in os.scandir(self.folder):
            with contextlib.suppress(FileNotFoundError):
                used += item.stat().st_size
            if found is None and key in item.name:
                found = self._entry(Path(item.path))
        return found, used

    def _sync_folder(self) -> None:
        # The rename is durable only once the folder's entry is on disk.
        fd = os.open(self.folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    @staticmethod
    def _entry(path: Path) -> Entry | None:
        name = path.name
        failed = name.endswith(FAILED)
        stem = name.removesuffix(FAILED).removesuffix(SUFFIX)
        parts = stem.split("-", 2)
        if len(parts) != 3 or not parts[0].isdigit():
            return None
        arrived = datetime.fromtimestamp(int(parts[0]) / 1_000_000_000, UTC)
        return Entry(path=path, arrived_at=arrived, channel=parts[1], key=parts[2], failed=failed)

    def entries(self, *, include_failed: bool = False) -> list[Entry]:
        """Spooled events, oldest first (failed ones only when asked)."""
        if not self.folder.is_dir():
            return []
        found = []
        for item in os.scandir(self.folder):
            if not (item.name.endswith(SUFFIX) or (include_failed and item.name.endswith(FAILED))):
                continue
            entry = self._entry(Path(item.path))
            if entry is not None:
                found.append(entry)
        return sorted(found, key=lambda e: e.path.name)

    def size(self) -> int:
        """Bytes held by the spool's files."""
        if not self.folder.is_dir():
            return 0
        total = 0
        for item in os.scandir(self.folder):
            with contextlib.suppress(FileNotFoundError):
                total += item.stat().st_size
        return total

    def read(self, entry: Entry) -> SpooledEvent:
        """Decrypt one event (raises DecryptionError for a file no configured key opens)."""
        data = self.vault.decrypt_json(entry.path.read_bytes())
        return SpooledEvent(
            channel=str(data["channel"]),
            kind=str(data["kind"]),
            event_id=str(data["event_id"]),
            arrived_at=datetime.fromisoformat(str(data["arrived_at"])),
            payload=dict(data["payload"]),
        )

    @contextlib.contextmanager
    def claim(self, entry: Entry) -> Iterator[bool]:
        """Hold an exclusive lock on an entry while it is replayed; False if someone else has it."""
        try:
            fd = os.open(entry.path, os.O_RDONLY)
        except FileNotFoundError:
            yield False  # replayed and deleted by another process meanwhile
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            # Locked, but another process may have finished and deleted it just before.
            yield entry.path.exists()
        finally:
            os.close(fd)  # closing releases the lock; a killed process releases it too

    def remove(self, entry: Entry) -> None:
        """Delete a replayed event's file (durably)."""
        with contextlib.suppress(FileNotFoundError):
            entry.path.unlink()
        self._sync_folder()

    def set_aside(self, entry: Entry) -> None:
        """Mark an event that the intake refused as failed: kept, counted, not replayed again."""
        with contextlib.suppress(FileNotFoundError):
            entry.path.rename(entry.path.with_name(entry.path.name + FAILED))

    def retry_failed(self) -> int:
        """Put failed events back in line; return how many."""
        count = 0
        for entry in self.entries(include_failed=True):
            if entry.failed:
                entry.path.rename(entry.path.with_name(entry.path.name.removesuffix(FAILED)))
                count += 1
        return count

    def needing_old_keys(self) -> int:
        """How many spooled events open only with an older key (`raporto keys check`)."""
        return sum(
            1
            for e in self.entries(include_failed=True)
            if not self.vault.is_current(e.path.read_bytes())
        )

    def rotate(self) -> int:
        """Re-encrypt spooled events under the newest key, each replaced atomically."""
        count = 0
        for entry in self.entries(include_failed=True):
            with self.claim(entry) as mine:
                token = entry.path.read_bytes() if mine else b""
                if not mine or self.vault.is_current(token):
                    continue
                temp = entry.path.with_name(TEMP_PREFIX + entry.path.name)
                temp.write_bytes(self.vault.rotate(token))
                os.chmod(temp, 0o600)
                os.replace(temp, entry.path)
                count += 1
        if count:
            self._sync_folder()
        return count

    def clean_temporary(self, now: float | None = None) -> int:
        """Delete temporary files left by a process killed mid-write; return how many."""
        if not self.folder.is_dir():
            return 0
        now = time.time() if now is None else now
        removed = 0
        for item in os.scandir(self.folder):
            if item.name.startswith(TEMP_PREFIX):
                with contextlib.suppress(FileNotFoundError):
                    if now - item.stat().st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(item.path)
                        removed += 1
        return removed

    def status(self, now: datetime) -> dict[str, Any]:
        """Waiting and failed counts and the oldest waiting event's age (ids and ages only)."""
        entries = self.entries(include_failed=True)
        waiting = [e for e in entries if not e.failed]
        oldest = min((e.arrived_at for e in waiting), default=None)
        return {
            "waiting": len(waiting),
            "failed": len(entries) - len(waiting),
            "oldest_seconds": round((now - oldest).total_seconds(), 1) if oldest else 0.0,
            "bytes": self.size(),
            "max_bytes": self.max_bytes,
        }


__all__ = ["DecryptionError", "Entry", "Spool", "SpoolFull", "SpooledEvent"]
