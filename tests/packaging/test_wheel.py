"""The wheel is the whole app: built from the checkout, installed in a clean virtualenv, migrated and served by
gunicorn from directories that are not the checkout, with its pages translated into French, Arabic and Swahili."""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]
# Not in a fresh clone: stale build/ output would land in the wheel, and compiled catalogs must come from the build.
NOT_IN_A_CLONE = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "instance", "*.egg-info", "__pycache__",
                                        ".pytest_cache", "*.mo")
HEADING = "Tell your government"  # the submission form's title


def _run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 900) -> str:
    done = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args} exited with {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _outside_env(**settings: str) -> dict[str, str]:
    """This environment without what would make the checkout or the test run's settings leak into the installed app."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "CIVICLY_", "FLASK_", "VIRTUAL_ENV"))}
    env.update(settings)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A clean virtualenv with only the wheel built from a copy of the checkout (and its dependencies)."""
    tmp = tmp_path_factory.mktemp("packaging")
    source = tmp / "source"
    shutil.copytree(REPO, source, ignore=NOT_IN_A_CLONE)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp / "dist", source], tmp,
         _outside_env())
    wheel = next((tmp / "dist").glob("civicly-*.whl"))
    _run([sys.executable, "-m", "venv", tmp / "venv"], tmp, _outside_env())
    _run([tmp / "venv/bin/python", "-m", "pip", "install", "--quiet", wheel], tmp, _outside_env())
    return tmp / "venv"


@pytest.fixture(scope="module")
def settings(venv, tmp_path_factory) -> dict[str, str]:
    """Production settings with an SQLite database and a model folder of their own, and a migrated database."""
    home = tmp_path_factory.mktemp("home")
    env = _outside_env(CIVICLY_ENV="production", CIVICLY_SECRET_KEY=secrets.token_hex(32),
                       CIVICLY_MODEL_SIGNING_KEY=secrets.token_hex(32),
                       CIVICLY_DATABASE_URL=f"sqlite:///{home / 'civicly.sqlite3'}",
                       CIVICLY_MODEL_DIR=str(home / "models"))
    _run([venv / "bin/civicly", "db", "upgrade"], tmp_path_factory.mktemp("elsewhere"), env)
    return env


@pytest.fixture(scope="module")
def server(venv, settings, tmp_path_factory) -> Iterator[str]:
    """gunicorn from the virtualenv, one worker; its URL."""
    url, cwd = f"127.0.0.1:{_free_port()}", tmp_path_factory.mktemp("served-from")
    log = cwd / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen([venv / "bin/gunicorn", "--bind", url, "--workers", "1", "civicly:create_app()"],
                                   cwd=cwd, env=settings, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(f"http://{url}", process, log)
        yield f"http://{url}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


def test_the_installed_package_is_not_the_checkout(venv, tmp_path):
    code = "import civicly, importlib.resources as r; print(civicly.__file__); print(r.files('civicly.migrations'))"
    for path in _run([venv / "bin/python", "-c", code], tmp_path, _outside_env()).split():
        assert Path(path).is_relative_to(venv) and not Path(path).is_relative_to(REPO)


def test_db_upgrade_from_another_directory_migrates_to_the_latest_revision(venv, settings, tmp_path):
    assert "(head)" in _run([venv / "bin/civicly", "db", "current"], tmp_path, settings)
    with sqlite3.connect(settings["CIVICLY_DATABASE_URL"].removeprefix("sqlite:///")) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cases", "departments", "events", "predictions"} <= tables


@pytest.mark.parametrize("language", ["fr", "ar", "sw"])
def test_pages_are_served_translated(server, language):
    with (REPO / "civicly/translations" / language / "LC_MESSAGES/messages.po").open("rb") as po:
        translated = read_po(po)[HEADING].string
    assert translated and translated != HEADING
    request = urllib.request.Request(f"{server}/submit", headers={"Accept-Language": language})
    with urllib.request.urlopen(request, timeout=10) as response:
        page = response.read().decode()
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert str(escape(translated)) in page and HEADING not in page
