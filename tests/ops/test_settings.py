"""Production refuses unsafe settings: the rules, gunicorn's refusal to start, and the reverse-proxy setting."""
import os
import subprocess
import sys
from pathlib import Path

from flask import request

from civicly import create_app
from civicly.config import check_settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 64
PG = "postgresql+psycopg://civicly@db/civicly"


def production(**overrides):
    return {"ENV_NAME": "production", "SECRET_KEY": GOOD_KEY, "MODEL_SIGNING_KEY": "m" * 64, "DATABASE_URL": PG,
            "DEBUG": False, "ALLOW_SQLITE_WORKERS": False, **overrides}


def test_a_sound_production_setup_has_no_problems():
    assert check_settings(production(), workers=8) == []


def test_production_refuses_a_missing_or_short_secret_key():
    assert "CIVICLY_SECRET_KEY" in check_settings(production(SECRET_KEY=""), 2)[0]
    assert "at least 32" in check_settings(production(SECRET_KEY="changeme"), 2)[0]


def test_production_refuses_a_missing_short_or_reused_model_signing_key():
    assert "CIVICLY_MODEL_SIGNING_KEY" in check_settings(production(MODEL_SIGNING_KEY=""), 2)[0]
    assert "at least 32" in check_settings(production(MODEL_SIGNING_KEY="short"), 2)[0]
    assert "differ from CIVICLY_SECRET_KEY" in check_settings(production(MODEL_SIGNING_KEY=GOOD_KEY), 2)[0]


def test_the_model_signing_key_is_generated_once_in_development_and_never_in_production(tmp_path):
    first = load_settings(tmp_path, {})["MODEL_SIGNING_KEY"]
    assert len(first) == 64 and load_settings(tmp_path, {})["MODEL_SIGNING_KEY"] == first
    assert (tmp_path / "model_signing_key").stat().st_mode & 0o077 == 0
    assert first != load_settings(tmp_path, {})["SECRET_KEY"]
    production_settings = load_settings(tmp_path / "prod",
                                        {"CIVICLY_ENV": "production", "CIVICLY_SECRET_KEY": GOOD_KEY})
    assert production_settings["MODEL_SIGNING_KEY"] == "" and not (tmp_path / "prod" / "model_signing_key").exists()
    given = load_settings(tmp_path, {"CIVICLY_MODEL_SIGNING_KEY": "given"})["MODEL_SIGNING_KEY"]
    assert given == "given"


def test_production_refuses_debug_mode():
    assert "FLASK_DEBUG" in check_settings(production(DEBUG=True), 2)[0]


def test_production_refuses_sqlite_with_several_workers_unless_allowed():
    sqlite = production(DATABASE_URL="sqlite:////srv/civicly/civicly.sqlite3")
    assert check_settings(sqlite, workers=1) == []
    assert "CIVICLY_ALLOW_SQLITE_WORKERS=1" in check_settings(sqlite, workers=3)[0]
    assert check_settings({**sqlite, "ALLOW_SQLITE_WORKERS": True}, workers=3) == []


def test_development_keeps_its_convenient_defaults():
    assert check_settings(production(ENV_NAME="development", SECRET_KEY="", DEBUG=True,
                                     DATABASE_URL="sqlite:///x.db"), workers=4) == []


def test_settings_come_from_the_environment(tmp_path):
    settings = load_settings(tmp_path, {"CIVICLY_PROXY_FIX": "1", "CIVICLY_ALLOW_SQLITE_WORKERS": "yes"})
    assert settings["PROXY_FIX"] == 1 and settings["ALLOW_SQLITE_WORKERS"] is True
    assert load_settings(tmp_path, {})["PROXY_FIX"] == 0


def test_gunicorn_refuses_to_start_in_production_with_unsafe_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICLY_", "FLASK_"))}
    env.update(CIVICLY_ENV="production", CIVICLY_SECRET_KEY=GOOD_KEY, WEB_CONCURRENCY="3", PORT="1",
               CIVICLY_DATABASE_URL=f"sqlite:///{tmp_path / 'civicly.sqlite3'}", CIVICLY_MODEL_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "refusing to start" in done.stderr and "SQLite with 3 workers" in done.stderr


def test_behind_a_proxy_https_and_the_client_address_come_from_forwarded_headers(tmp_path):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}

    def served(proxy_fix: int) -> tuple[str, dict]:
        app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "PROXY_FIX": proxy_fix,
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'civicly.sqlite3'}", "MODEL_DIR": str(tmp_path)})
        seen = {}
        app.before_request(lambda: seen.setdefault("address", request.remote_addr))
        response = app.test_client().get("/healthz", headers=forwarded)
        return seen["address"], response.headers

    address, headers = served(proxy_fix=0)
    assert address == "127.0.0.1" and "Strict-Transport-Security" not in headers  # not trusted by default
    address, headers = served(proxy_fix=1)
    assert address == "198.51.100.7" and headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_worker_retrains_on_the_demo_models_data_unless_told_otherwise(tmp_path):
    defaults = load_settings(tmp_path, {})
    assert defaults["RETRAIN_AFTER_LABELS"] == 200
    assert [Path(p).name for p in defaults["RETRAIN_DATA"]] == [
        "cfpb_complaints_en.csv", "fr_questions_ecrites_an.csv", "masakhanews_sw.csv", "nyc311_requests_en.csv",
        "sib200_topics_ar.csv"]
    assert all(Path(p).is_file() for p in defaults["RETRAIN_DATA"])
    assert Path(defaults["RETRAIN_LABEL_MAP"]).is_file()
    chosen = load_settings(tmp_path, {"CIVICLY_RETRAIN_AFTER_LABELS": "0", "CIVICLY_RETRAIN_LABEL_MAP": "",
                                      "CIVICLY_RETRAIN_DATA": f"/srv/a.csv{os.pathsep} /srv/b.csv{os.pathsep}"})
    assert (chosen["RETRAIN_AFTER_LABELS"], chosen["RETRAIN_DATA"], chosen["RETRAIN_LABEL_MAP"]) == (
        0, ["/srv/a.csv", "/srv/b.csv"], "")
