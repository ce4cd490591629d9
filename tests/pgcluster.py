"""A PostgreSQL cluster of the test's own, so a test can stop and restart it and disturb nobody.

Debian's server binaries (the highest /usr/lib/postgresql/<version>/bin), run as the `postgres`
OS user when the tests run as root, in a folder under /tmp (pytest's tmp_path may not be
traversable by `postgres`), listening on a free port on 127.0.0.1 with trust authentication.
fsync stays on: the chaos tests that stop it want a server that behaves like production.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.helpers import free_port

PG_ROOT = Path("/usr/lib/postgresql")
# A noisy 2-core machine can take a while to start, recover or stop a server.
DEADLINE = 60.0
STOP_MODES = ("smart", "fast", "immediate")


def server_bin_dir(root: Path = PG_ROOT) -> Path:
    """Return the bin folder of the highest PostgreSQL version installed under `root`."""
    candidates = root.iterdir() if root.is_dir() else iter(())
    versions = [
        d
        for d in candidates
        if d.name.replace(".", "").isdigit() and (d / "bin" / "postgres").is_file()
    ]
    if not versions:
        raise RuntimeError(f"no PostgreSQL server binaries under {root}/<version>/bin")
    best = max(versions, key=lambda d: tuple(int(p) for p in d.name.split(".")))
    return best / "bin"


class PrivatePostgres:
    """One PostgreSQL cluster: `start()`, `stop()`, `restart()`, `destroy()`; a context manager."""

    def __init__(
        self,
        port: int | None = None,
        *,
        database: str = "raporto",
        bin_dir: Path | None = None,
        deadline: float = DEADLINE,
    ) -> None:
        self.port = port or free_port()  # kept across restarts: clients' URLs name it
        self.database = database
        self.bin_dir = bin_dir or server_bin_dir()
        self.deadline = deadline
        self._as_postgres = os.geteuid() == 0
        self.base = Path(tempfile.mkdtemp(prefix="raporto-pg-"))
        self.data_dir = self.base / "data"
        self.log_path = self.base / "server.log"
        os.chmod(self.base, 0o700)
        if self._as_postgres:
            user = pwd.getpwnam("postgres")
            os.chown(self.base, user.pw_uid, user.pw_gid)

    # -- addresses -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the `raporto` database, on the psycopg 3 driver like the app's."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    @property
    def dsn(self) -> str:
        """libpq URL of the same database (for psycopg.connect, createdb, psql)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> PrivatePostgres:
        """Create the cluster on the first start, start the server, wait until it accepts."""
        first = not (self.data_dir / "PG_VERSION").exists()
        if first:
            self._initdb()
        if not self.is_running():
            self._server_cmd(
                "pg_ctl",
                "start",
                "-w",
                "-t",
                str(int(self.deadline)),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_path),
                what="start",
                timeout=self.deadline + 30,
            )
        self._wait_ready()
        if first:
            self._client_cmd("createdb", self.database, what="create the database")
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: roll back and disconnect; `immediate`: like a crash)."""
        if mode not in STOP_MODES:
            raise ValueError(f"stop mode must be one of {', '.join(STOP_MODES)}, not {mode!r}")
        if not self.is_running():
            return
        self._server_cmd(
            "pg_ctl",
            "stop",
            "-w",
            "-t",
            str(int(self.deadline)),
            "-m",
            mode,
            "-D",
            str(self.data_dir),
            what=f"stop ({mode})",
            timeout=self.deadline + 30,
        )

    def restart(self, mode: str = "fast") -> PrivatePostgres:
        """Stop the server (if it runs) and start it again on the same port and data."""
        self.stop(mode)
        return self.start()

    def is_running(self) -> bool:
        """True while a postmaster serves this cluster's data folder."""
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        result = subprocess.run(
            self._as_owner(str(self.bin_dir / "pg_ctl"), "status", "-D", str(self.data_dir)),
            capture_output=True,
            text=True,
            cwd=self.base,
            timeout=self.deadline,
            check=False,
        )
        return result.returncode == 0  # 3: not running, 4: no accessible data folder

    def destroy(self) -> None:
        """Stop the server (immediately if a fast stop fails) and remove the folder."""
        try:
            if self.base.exists():
                try:
                    self.stop("fast")
                except RuntimeError:
                    self.stop("immediate")
        finally:
            self._kill_postmaster()  # never leave a server running on a deleted folder
            shutil.rmtree(self.base, ignore_errors=True)
        if self.base.exists():
            raise RuntimeError(f"could not remove {self.base}")

    def _kill_postmaster(self) -> None:
        """SIGQUIT (then SIGKILL) a postmaster still named in postmaster.pid."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        stop_at = time.monotonic() + self.deadline
        sig = signal.SIGQUIT  # the postmaster's immediate shutdown: it takes its children along
        while self._is_our_postmaster(pid) and time.monotonic() < stop_at + 10:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                return
            if time.monotonic() > stop_at:
                sig = signal.SIGKILL
            time.sleep(0.1)

    def _is_our_postmaster(self, pid: int) -> bool:
        """True while `pid` is a live process serving our data folder (not a reused pid)."""
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()  # empty for a zombie
        except OSError:
            return False
        return str(self.data_dir).encode() in cmdline

    def __enter__(self) -> PrivatePostgres:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.destroy()

    # -- helpers ---------------------------------------------------------------------------

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's log (where a failed start says why)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:])

    def _initdb(self) -> None:
        # --no-sync only skips initdb's own flush of the fresh files; the server keeps fsync on.
        self._server_cmd(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            what="initdb",
            timeout=self.deadline + 30,
        )
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.base}'",
            "max_connections": "100",
            "shared_buffers": "'16MB'",
            "logging_collector": "off",
        }
        with open(self.data_dir / "postgresql.conf", "a") as conf:
            conf.write("\n# PrivatePostgres (tests/pgcluster.py)\n")
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def _wait_ready(self) -> None:
        """Poll pg_isready until the server accepts connections over TCP."""
        stop_at = time.monotonic() + self.deadline
        while True:
            result = subprocess.run(
                [
                    str(self.bin_dir / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "-d",
                    "postgres",
                    "-t",
                    "5",
                ],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            if result.returncode == 0:
                return
            if time.monotonic() > stop_at:
                raise RuntimeError(
                    f"PostgreSQL on port {self.port} did not accept connections within "
                    f"{self.deadline:g} s ({result.stdout.strip()}); server log:\n"
                    + self.log_tail()
                )
            time.sleep(0.1)

    def _as_owner(self, *cmd: str) -> list[str]:
        """The command as the `postgres` user when we are root (the server refuses root)."""
        return ["runuser", "-u", "postgres", "--", *cmd] if self._as_postgres else list(cmd)

    def _server_cmd(self, binary: str, *args: str, what: str, timeout: float) -> None:
        cmd = self._as_owner(str(self.bin_dir / binary), *args)
        self._run(cmd, what=what, timeout=timeout)

    def _client_cmd(self, binary: str, *args: str, what: str) -> None:
        cmd = [str(self.bin_dir / binary), "-h", "127.0.0.1", "-p", str(self.port)]
        self._run([*cmd, "-U", "postgres", *args], what=what, timeout=self.deadline)

    def _run(self, cmd: list[str], *, what: str, timeout: float) -> None:
        try:
            result = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                cwd=self.base,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(
                f"PostgreSQL {what} did not finish within {timeout:g} s; server log:\n"
                + self.log_tail()
            ) from exc
        if result.returncode != 0:
            raise RuntimeError(
                f"PostgreSQL {what} failed (exit {result.returncode}): {' '.join(cmd)}\n"
                f"{result.stdout.strip()}\n{result.stderr.strip()}\nserver log:\n" + self.log_tail()
            )
