"""Real `raporto worker` processes that a test can SIGKILL and restart, and a private Redis."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis

RAPORTO = str(Path(sys.executable).parent / "raporto")


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
