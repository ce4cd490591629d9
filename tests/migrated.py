"""Migrated databases for tests: SQLite is migrated once per process and copied per test.

Running the migrations costs most of a second per test; copying a migrated SQLite file costs a
millisecond. The copy goes through SQLite's online backup API, so a write-ahead log that was not
checkpointed yet is copied too. A PostgreSQL database lent by tests/pgpool.py and still empty
is swapped for the pool's migrated one (a few milliseconds instead of most of a second); any
other is migrated as before. Tests of the migrations themselves call `models.migrate` directly.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

from models.backup import copy_sqlite
from models.db import private_sqlite_file
from models.migrate import upgrade
from tests import pgpool

_lock = threading.Lock()
_template: Path | None = None


def _sqlite_template() -> Path:
    """Return this process's migrated SQLite file, migrating it on first use."""
    global _template
    with _lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="raporto-template-"))
            atexit.register(shutil.rmtree, folder, True)
            path = folder / "template.sqlite"
            upgrade(f"sqlite:///{path}")
            _template = path
        return _template


def migrate(database_url: str) -> None:
    """Bring a test database to the newest schema (a fresh SQLite file by copy)."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix):
        target = Path(database_url.removeprefix(prefix))
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            private_sqlite_file(database_url)  # 0600, as `upgrade` creates it
            copy_sqlite(_sqlite_template(), target)
            return
    pool = pgpool.current()
    if pool is not None and pool.migrate(database_url):
        return
    upgrade(database_url)
