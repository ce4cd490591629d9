"""Real `raporto worker` processes and a gunicorn web process that a test can SIGKILL and restart,
and a private Redis."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
import requests

from tests.helpers import free_port

RAPORTO = str(Path(sys.executable).parent / "raporto")
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
ROOT = Path(__file__).resolve().parents[1]


class WorkerPool:
    """N worker processes, restarted by `supervise()` when they die (like a process manager)."""

    def __init__(self, env: dict[str, str], size: int = 2, log_dir: Path | None = None) -> None:
        self.env = {**os.environ, **env}
        self.size = size
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []
        self.kills = 0
        self.started = 0

    def _spawn(self) -> subprocess.Popen[bytes]:
        self.started += 1
        log = (
            open(self.log_dir / f"worker-{self.started}.log", "wb")  # noqa: SIM115
            if self.log_dir
            else subprocess.DEVNULL
        )
        return subprocess.Popen(
            [RAPORTO, "worker", "--sweep-interval", "1"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start(self) -> WorkerPool:
        self.procs = [self._spawn() for _ in range(self.size)]
        return self

    def supervise(self) -> None:
        """Restart any worker that exited."""
        self.procs = [p if p.poll() is None else self._spawn() for p in self.procs]

    def kill_one(self, rng: random.Random) -> None:
        """SIGKILL a random worker (mid-job or not) and start a replacement."""
        victim = rng.randrange(len(self.procs))
        self.procs[victim].send_signal(signal.SIGKILL)
        self.procs[victim].wait()
        self.kills += 1
        self.procs[victim] = self._spawn()

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                p.wait()


class PrivateRedis:
    """A redis-server of the test's own (no persistence), so restarting it disturbs nobody."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # no persistence: every job in it is lost
            self.proc.wait()


def _refuses(port: int) -> bool:
    """True when nothing accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except OSError:
        return True


def live_group_members(pgid: int) -> list[int]:
    """Pids of the processes of a process group that still run (zombies are dead already)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # exited while we looked
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            members.append(int(stat.parent.name))
    return members


class WebProcess:
    """The web app under gunicorn (one worker, threads) in its own session, to SIGKILL whole.

    The port stays the same across restarts, so clients (the sandbox, the test) keep one URL.
    `start()` returns once /health answers with any status: 503 is fine, the database may be down.
    """

    def __init__(
        self,
        env: dict[str, str],
        log_dir: Path,
        port: int | None = None,
        *,
        threads: int = 4,
        deadline: float = 60.0,
    ) -> None:
        self.env = {**os.environ, **env}
        self.log_dir = log_dir
        self.port = port or free_port()
        self.threads = threads
        self.deadline = deadline  # a noisy 2-core machine imports the app slowly
        self.proc: subprocess.Popen[bytes] | None = None
        self.started = 0
        self.kills = 0
        self.log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def is_running(self) -> bool:
        """True while the gunicorn master lives."""
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> WebProcess:
        """Start gunicorn and wait until /health answers (any HTTP status)."""
        if self.is_running():
            raise RuntimeError(f"the web process is already running on {self.url}")
        self.started += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_dir / f"web-{self.started}.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    GUNICORN,
                    "--workers",
                    "1",
                    "--threads",
                    str(self.threads),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    # Its default control socket is one path in $HOME for every gunicorn.
                    "--no-control-socket",
                    "raporto.app:create_app()",
                ],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() takes master and worker
            )
        stop_at = time.monotonic() + self.deadline
        while True:
            try:
                requests.get(self.url + "/health", timeout=5)
                return self
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.proc.returncode} before answering; log:\n"
                    + self.log_tail()
                )
            if time.monotonic() > stop_at:
                self.kill()
                raise RuntimeError(
                    f"gunicorn did not answer /health within {self.deadline:g} s; log:\n"
                    + self.log_tail()
                )
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL the master and its worker at once (no graceful shutdown, like a crash)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.kills += 1
        with contextlib.suppress(ProcessLookupError):  # the whole group is gone already
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._wait_gone()

    def restart(self) -> WebProcess:
        """SIGKILL the running process (if any) and start a new one on the same port."""
        if self.is_running():
            self.kill()
        return self.start()

    def stop(self) -> None:
        """Shut down gracefully (SIGTERM to the group), SIGKILL it if it lingers."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=self.deadline)
        # The worker may outlive a master that died first; it is in the same group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._wait_gone()

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None:
            return "(no log)"
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _wait_gone(self) -> None:
        """Wait until no process of the group runs and the listening socket is closed."""
        assert self.proc is not None
        stop_at = time.monotonic() + self.deadline
        while (left := live_group_members(self.proc.pid)) or not _refuses(self.port):
            if time.monotonic() > stop_at:
                raise RuntimeError(
                    f"gunicorn's group {self.proc.pid} still has {left} or port {self.port} "
                    f"still accepts {self.deadline:g} s after it was killed"
                )
            time.sleep(0.05)
