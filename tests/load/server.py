"""Gunicorn as in production, in a subprocess on a free 127.0.0.1 port, migrated and seeded with the real CLI."""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bench.servers import stop
from tests.conftest import MODEL_SIGNING_KEY

ROOT = Path(__file__).resolve().parents[2]
CIVICLY = Path(sys.executable).with_name("civicly")


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    env: dict[str, str]
    log: Path

    def workers(self) -> list[int]:
        """Process ids of the master's current workers (its children)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def civicly(self, *args: str) -> subprocess.CompletedProcess:
        return civicly(self.env, *args)


def civicly(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run the ``civicly`` command with the server's environment."""
    return subprocess.run([str(CIVICLY), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, model_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CIVICLY_", "FLASK_"))}
    env.update({
        "CIVICLY_ENV": "production",
        "CIVICLY_DATABASE_URL": database_url,
        "CIVICLY_SECRET_KEY": secrets.token_hex(32),
        "CIVICLY_MODEL_DIR": str(model_dir),
        "CIVICLY_MODEL_SIGNING_KEY": MODEL_SIGNING_KEY,
        "CIVICLY_SUBMIT_RATE_LIMIT": "100000 per minute",
        "PORT": str(_free_port()),
        **extra,
    })
    return env


@contextmanager
def serve(database_url: str, tmp_path: Path, workers: int, **extra: str) -> Iterator[Server]:
    """Start gunicorn with ``workers``, migrate and seed meanwhile (the server needs no database to boot),
    wait until it answers; stop it afterwards."""
    env = server_env(database_url, tmp_path / "models", WEB_CONCURRENCY=str(workers), **extra)
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                                   env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{env['PORT']}", process, env, log)
    try:
        for command in (["db", "upgrade"], ["seed-demo"]):
            done = civicly(env, *command)
            assert done.returncode == 0, done.stderr
        _wait_until_up(server)
        yield server
    finally:
        stop(process)


def _wait_until_up(server: Server, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {server.process.returncode}:\n{server.log.read_text()[-3000:]}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {seconds} s:\n{server.log.read_text()[-3000:]}")


def pg_cluster() -> list[str]:
    """``pg_ctlcluster`` arguments for the local cluster (version, name)."""
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions or shutil.which("pg_ctlcluster") is None:
        pytest.skip("no local PostgreSQL cluster to restart (pg_ctlcluster)")
    return [versions[-1], "main"]
