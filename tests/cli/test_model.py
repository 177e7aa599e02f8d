"""The `civicly model` commands, run on the app (SQLite: the audit is written there) whose MODEL_DIR is a temporary
folder."""
from __future__ import annotations

import csv
import functools
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session

from civicly import create_app
from civicly.cli.model import model
from civicly.models import ModelArtifact
from civicly.triage import admin_audit
from classifier import Registry, TriageModel, training
from tests.classifier.conftest import DATA, write_slice
from tests.conftest import MODEL_SIGNING_KEY


@pytest.fixture(scope="module")
def slices(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli-data")
    return {
        "nyc": write_slice(DATA / "nyc311_requests_en.csv", folder / "nyc.csv", 40),
        "ar": write_slice(DATA / "sib200_topics_ar.csv", folder / "ar.csv", 25),
    }


@pytest.fixture
def model_app(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "civicly.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "MODEL_SIGNING_KEY": MODEL_SIGNING_KEY,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'civicly.sqlite3'}",
                      "MODEL_DIR": str(tmp_path / "models")})
    yield app
    app.extensions["civicly.engine"].dispose()


def registry_of(app) -> Registry:
    return Registry(app.config["MODEL_DIR"], app.config["MODEL_SIGNING_KEY"])


def audited(app, prefix: str) -> list[tuple[str, str]]:
    """(action, target) of the audit entries of ``prefix``, oldest first, as committed."""
    with Session(app.extensions["civicly.engine"]) as session:
        return [(entry.action, entry.target) for entry in admin_audit.entries(session, action=prefix)][::-1]


@pytest.fixture
def invoke(model_app):
    runner = model_app.test_cli_runner()
    return lambda *args: runner.invoke(model, list(args))


@pytest.fixture
def trained(invoke, slices, model_app):
    """One promoted version trained on the NYC and Arabic slices."""
    result = invoke("train", "--data", str(slices["nyc"]), "--data", str(slices["ar"]),
                    "--label-map", str(DATA / "label_maps" / "demo.csv"), "--promote")
    assert result.exit_code == 0, result.output
    return registry_of(model_app).active_version()


def test_train_saves_a_version_with_card_and_report(trained, invoke, model_app):
    card = registry_of(model_app).card(trained)
    assert {entry["path"].rsplit("/", 1)[-1] for entry in card["data_files"]} == {"nyc.csv", "ar.csv"}
    assert card["label_map"]["mapping"]["NYPD"] == "INTERIEUR"
    assert card["metrics"]["per_file"] and card["metrics"]["per_language"]
    assert 0 < card["threshold"] <= 1.01
    listing = invoke("list")
    assert listing.exit_code == 0 and f"* {trained}" in listing.output
    shown = invoke("show", trained)
    assert json.loads(shown.output)["version"] == trained


def test_predict_one_text_explains_itself(trained, invoke):
    result = invoke("predict", "--text", "Blocked Driveway: No Access")
    assert result.exit_code == 0, result.output
    for part in ("confidence", "top 3:", "because of:", "urgency", "language: en"):
        assert part in result.output
    as_json = json.loads(invoke("predict", "--text", "Blocked Driveway: No Access", "--json").output)
    assert as_json["version"] == trained and len(as_json["top3"]) == 3


def test_predict_file_keeps_every_row_and_adds_columns(trained, invoke, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text\n1,Blocked Driveway: No Access\n2,\n3,ውሃ የለም በመንደራችን\n", encoding="utf-8")
    result = invoke("predict", "--data", str(source), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["id"] for row in rows] == ["1", "2", "3"]
    assert rows[0]["predicted_department"] and not rows[1]["predicted_department"]
    assert {row["auto_routed"] for row in rows} <= {"true", "false"} and rows[1]["auto_routed"] == "false"
    assert all(row["predicted_urgency"] in {"high", "medium", "low"} and float(row["urgency_score"]) >= 0
               for row in rows)


def test_evaluate_prints_json_report(trained, invoke, slices):
    result = invoke("evaluate", "--data", str(slices["ar"]), "--label-map", str(DATA / "label_maps" / "demo.csv"),
                    "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["version"] == trained and report["rows"] > 0 and "per_class" in report


def test_worse_model_is_not_promoted_without_force(trained, invoke, slices, monkeypatch, model_app):
    monkeypatch.setattr(training, "TriageModel", functools.partial(TriageModel, C=1e-6, neighbours=0))
    args = ["train", "--data", str(slices["nyc"]), "--data", str(slices["ar"]),
            "--label-map", str(DATA / "label_maps" / "demo.csv"), "--promote"]
    refused = invoke(*args)
    assert refused.exit_code != 0 and "not promoted" in refused.output
    registry = registry_of(model_app)
    assert registry.active_version() == trained and len(registry.versions()) == 2
    forced = invoke(*args, "--force")
    assert forced.exit_code == 0, forced.output
    assert registry.active_version() != trained
    rolled = invoke("rollback")
    assert rolled.exit_code == 0 and registry.active_version() == trained
    assert audited(model_app, "model.rollback") == [("model.rollback", trained)]


def test_promote_named_version_and_errors_are_messages_not_tracebacks(trained, invoke):
    assert invoke("promote", trained).exit_code == 0
    unknown = invoke("promote", "no-such-version")
    assert unknown.exit_code == 1 and "no model version 'no-such-version'" in unknown.output
    assert "Traceback" not in unknown.output
    assert "no previously active version" in invoke("rollback").output


def test_bad_training_file_is_reported_with_file_and_line(invoke, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,department,urgency\nwater cut,A,high\nfire,B,soon\n", encoding="utf-8")
    result = invoke("train", "--data", str(bad))
    assert result.exit_code == 1
    assert "bad.csv: line 3: unknown urgency value 'soon'" in result.output
    assert "Traceback" not in result.output


def test_commands_without_a_model_say_so(invoke):
    result = invoke("predict", "--text", "Blocked Driveway: No Access")
    assert result.exit_code == 1 and "no active model version" in result.output
    assert "no model versions" in invoke("list").output


def tamper_published(app, version: str, **columns) -> None:
    """Change the database's copy of ``version`` (its artifact or signature), as a bad copy or a forgery would."""
    with Session(app.extensions["civicly.engine"]) as session:
        session.execute(update(ModelArtifact).where(ModelArtifact.version == version).values(**columns))
        session.commit()


def test_active_version_that_cannot_be_loaded_is_replaced(trained, invoke, slices, monkeypatch, model_app):
    artifact = next((Path(model_app.config["MODEL_DIR"]) / trained).glob("*.joblib"))
    artifact.write_bytes(b"truncated")
    tamper_published(model_app, trained, artifact=b"truncated")
    # worse, yet promoted
    monkeypatch.setattr(training, "TriageModel", functools.partial(TriageModel, C=1e-6, neighbours=0))
    result = invoke("train", "--data", str(slices["nyc"]), "--data", str(slices["ar"]),
                    "--label-map", str(DATA / "label_maps" / "demo.csv"), "--promote")
    assert result.exit_code == 0, result.output
    assert "cannot be loaded" in result.output
    assert registry_of(model_app).active_version() != trained


def test_a_corrupt_copy_on_this_host_is_replaced_from_the_database(trained, invoke, model_app):
    artifact = next((Path(model_app.config["MODEL_DIR"]) / trained).glob("*.joblib"))
    artifact.write_bytes(b"truncated")
    from civicly import classify

    with model_app.app_context():
        routing = classify.route("Blocked Driveway: No Access")
    assert routing is not None and routing.model_version == trained
    assert registry_of(model_app).signature_problem(trained) is None


def test_train_promote_rollback_and_sign_are_audited(trained, invoke, model_app):
    assert [action for action, _ in audited(model_app, "model.")] == ["model.train", "model.promote"]
    assert audited(model_app, "model.train")[0][1] == trained
    (Path(model_app.config["MODEL_DIR"]) / trained / "signature").unlink()
    assert "NOT LOADABLE" in invoke("list").output
    assert invoke("sign", trained).exit_code == 0
    assert invoke("promote", trained).exit_code == 0
    assert audited(model_app, "model.sign") == [("model.sign", trained)]
    assert "NOT LOADABLE" not in invoke("list").output


def test_a_trained_version_routes_in_the_app_and_an_unsigned_one_does_not(trained, model_app):
    from civicly import classify

    with model_app.app_context():
        routing = classify.route("Blocked Driveway: No Access")
        assert routing is not None and routing.model_version == trained
        assert routing.prediction.department == "INTERIEUR"
    (Path(model_app.config["MODEL_DIR"]) / trained / "signature").unlink()
    tamper_published(model_app, trained, signature="hmac-sha256:forged")
    with model_app.app_context():
        classify.holder()._marker = None  # as a worker started now would
        classify.holder().expire()
        assert classify.route("Blocked Driveway: No Access") is None
        assert "is not signed" in classify.model_problem()


@pytest.mark.parametrize("where", ["absolute", "relative"])
def test_promoting_a_path_is_refused_and_its_pickle_never_runs(trained, invoke, model_app, tmp_path, where):
    from tests.classifier.test_registry import plant_crafted_version

    marker = tmp_path / "pwned"
    crafted = plant_crafted_version(tmp_path / "outside", "x", marker)
    name = str(crafted) if where == "absolute" else "../outside/x"
    result = invoke("promote", name)
    assert result.exit_code == 1 and "is not a model version name" in result.output
    assert not marker.exists() and registry_of(model_app).active_version() == trained
    assert audited(model_app, "model.promote") == [("model.promote", trained)]


def test_a_crafted_version_inside_the_registry_is_refused_and_never_runs(trained, invoke, model_app, tmp_path):
    from tests.classifier.test_registry import plant_crafted_version

    marker = tmp_path / "pwned"
    plant_crafted_version(Path(model_app.config["MODEL_DIR"]), "20990101-000000-abcdef", marker)
    result = invoke("promote", "20990101-000000-abcdef")
    assert result.exit_code == 1 and "is not signed" in result.output and "Traceback" not in result.output
    assert not marker.exists() and registry_of(model_app).active_version() == trained


def test_another_host_predicts_with_the_active_version_copied_from_the_database(trained, model_app, tmp_path):
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "MODEL_SIGNING_KEY": MODEL_SIGNING_KEY,
                        "DATABASE_URL": model_app.config["DATABASE_URL"], "MODEL_DIR": str(tmp_path / "other")})
    result = other.test_cli_runner().invoke(model, ["predict", "--text", "Blocked Driveway: No Access", "--json"])
    other.extensions["civicly.engine"].dispose()
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["version"] == trained
    assert Registry(tmp_path / "other", MODEL_SIGNING_KEY).signature_problem(trained) is None


def test_replay_prints_each_step_per_language_as_json(invoke, slices):
    result = invoke("replay", "--data", str(slices["ar"]), "--step", "80", "--order", "created_at", "--json")
    assert result.exit_code == 0, result.output
    steps = json.loads(result.output)
    assert [step["labels_seen"] for step in steps] == [80, 160]
    assert set(steps[0]["per_language"]["ar"]) >= {"labels_seen", "auto_route_share", "auto_route_accuracy",
                                                   "macro_f1"}
