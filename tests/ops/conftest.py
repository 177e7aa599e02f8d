"""Fixtures for operations tests: an app whose database cannot be reached, and a model registry to break."""
from __future__ import annotations

from pathlib import Path

import pytest

from civicly import create_app
from classifier import Registry, TriageModel
from tests.conftest import MODEL_SIGNING_KEY

UNREACHABLE_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:9/civicly"  # the discard port: refused at once
PLACEHOLDER_MODEL = {"placeholder": "loads like a model; readiness only needs a version that loads"}


def promote_placeholder(model_dir: str | Path) -> str:
    """Save and promote a placeholder version in the registry at ``model_dir``; return its name."""
    registry = Registry(model_dir, MODEL_SIGNING_KEY)
    version = registry.save(PLACEHOLDER_MODEL, {"model_format": TriageModel.FORMAT})
    registry.promote(version)
    return version


def corrupt_artifact(model_dir: str | Path, version: str) -> None:
    """Overwrite the version's artifact, as a bad copy or a full disk would: its checksum no longer matches."""
    artifact = next((Path(model_dir) / version).glob("*.joblib"))
    artifact.write_bytes(b"truncated")


@pytest.fixture
def database_down_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": UNREACHABLE_DATABASE,
                      "MODEL_DIR": str(tmp_path / "models"), "MODEL_SIGNING_KEY": MODEL_SIGNING_KEY,
                      "RATELIMIT_ENABLED": False, "DEFAULT_LOCALE": "en"})
    yield app
    app.extensions["civicly.engine"].dispose()
