"""Gunicorn in a subprocess on a free 127.0.0.1 port, the same settings for Civicly and for the baseline."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
# Both apps run under exactly these settings; only the WSGI target differs: production's gunicorn.conf.py (worker
# class, threads, worker recycling, and its hook that loads the routing model before a worker takes requests; a no-op
# for the baseline, which logs that it has no model), with the worker count, port and timeouts of the bench.
GUNICORN_ARGS = ["--config", str(ROOT / "gunicorn.conf.py"), "--workers", str(WORKERS), "--worker-class", "gthread",
                 "--threads", "2", "--timeout", "60", "--backlog", "2048", "--log-level", "warning"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (so index 11 is field 14, utime)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def cpu_seconds(pid: int, children_only: bool = False) -> float:
    """CPU time (user + system) used so far by a process, or by its children that have exited and been reaped."""
    fields = _stat(pid)
    if not fields:
        return 0.0
    first = 13 if children_only else 11
    return (int(fields[first]) + int(fields[first + 1])) / CLOCK_TICKS


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    def worker_pids(self) -> list[int]:
        """The master's children (its workers)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def worker_cpu_seconds(self) -> float:
        """CPU time of every worker so far, including those already recycled (gunicorn.conf.py's max_requests)."""
        return cpu_seconds(self.process.pid, children_only=True) + sum(cpu_seconds(p) for p in self.worker_pids())

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker, in MiB."""
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(target: str, env: dict[str, str], ready_path: str = "/", log: Path | None = None) -> Iterator[Server]:
    """Serve ``target`` (module:app) until the block ends; waits until every worker answers."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", *GUNICORN_ARGS, "--bind", f"127.0.0.1:{port}", target]
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
    server = Server(port, process)
    try:
        _wait_ready(server, ready_path)
        yield server
    finally:
        stop(process)
        if log:
            out.close()


def _wait_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {server.process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{server.port}{path}", timeout=5):
                answered += 1
            if answered >= 2 * WORKERS:  # a few answers, so that every worker has imported the app
                return
            continue
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {server.port} did not answer {path} within {timeout:.0f} s")


def stop(process: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM (gunicorn and ``civicly worker`` finish what they hold), then SIGKILL after ``grace`` seconds."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
