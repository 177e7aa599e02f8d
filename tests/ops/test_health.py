"""/healthz says the process is up; /readyz says whether it can store and route, and why not."""
from tests.ops.conftest import corrupt_artifact, promote_placeholder


def test_healthz_answers_200_even_when_the_database_is_down(database_down_app):
    response = database_down_app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_200_when_the_database_answers_and_a_model_is_loaded(app, client):
    version = promote_placeholder(app.config["MODEL_DIR"])
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"database": "ok", "model": "ok", "model_version": version}


def test_readyz_is_503_and_says_why_when_the_model_artifact_is_corrupt(app, client):
    corrupt_artifact(app.config["MODEL_DIR"], version := promote_placeholder(app.config["MODEL_DIR"]))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "ok"
    assert response.json["model"].startswith(f"model {version} could not be loaded")
    assert "sha256" in response.json["model"]


def test_readyz_is_503_without_any_model(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"database": "ok", "model": "no active model version"}


def test_readyz_is_503_when_the_database_is_unreachable(database_down_app):
    response = database_down_app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"
