"""`civicly check`: every problem named with what to do, exit code 1 unless everything is ready."""
from civicly.cli.check import check
from tests.ops.conftest import promote_placeholder


def test_everything_ready_passes(app, runner):
    version = promote_placeholder(app.config["MODEL_DIR"])
    result = runner.invoke(check)
    assert result.exit_code == 0, result.output
    assert "ok    database: ok" in result.output and f"ok    model: ok [{version}]" in result.output
    assert "Ready to serve." in result.output


def test_a_missing_model_fails_with_a_hint(runner):
    result = runner.invoke(check)
    assert result.exit_code == 1
    assert "FAIL  model:" in result.output and "civicly model train" in result.output
    assert "ok    migrations: ok" in result.output and "ok    rate limits: ok (memory)" in result.output


def test_an_unmigrated_database_fails_with_the_command_to_run(tmp_path):
    from civicly import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "MODEL_DIR": str(tmp_path),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    result = app.test_cli_runner().invoke(check)
    assert result.exit_code == 1
    assert "FAIL  migrations: database at no migration" in result.output and "civicly db upgrade" in result.output


def test_unreachable_database_and_rate_limit_storage_are_both_reported(database_down_app):
    database_down_app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:9"
    result = database_down_app.test_cli_runner().invoke(check)
    assert result.exit_code == 1
    assert "FAIL  database: unreachable" in result.output and "Connection refused" in result.output
    assert "FAIL  rate limits: redis storage unreachable" in result.output


def test_unsafe_production_settings_fail(app, runner, monkeypatch):
    app.config["ENV_NAME"] = "production"
    monkeypatch.setenv("FLASK_DEBUG", "1")  # how debug mode is switched on; the CLI applies it when loading the app
    result = runner.invoke(check, ["--workers", "4"])
    assert result.exit_code == 1
    assert "FAIL  settings" in result.output
    assert "CIVICLY_SECRET_KEY" in result.output and "FLASK_DEBUG" in result.output
