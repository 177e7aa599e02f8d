"""Open311 fixtures: a key, a small deterministic routing model, the spec's JSON Schemas, a live server."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from werkzeug.serving import make_server

from civicly.classify import HOLDER_KEY
from civicly.triage import apikeys

SCHEMAS = Path(__file__).parent / "schemas"
BASE = "/open311/v2"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def assert_valid(instance, schema_name: str) -> None:
    """Fail with every violation of the GeoReport v2 schema ``schema_name`` (tests/api/schemas/)."""
    schema = json.loads((SCHEMAS / schema_name).read_text())
    validator = Draft202012Validator(schema, registry=REGISTRY)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]
    assert not problems, problems


@dataclass
class FakePrediction:
    department: str | None
    confidence: float
    auto_routed: bool
    urgency: str = "medium"
    urgency_score: float = 0.5
    urgency_source: str = "model"
    triage_reason: str | None = None
    language: str = "en"
    top3: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    urgency_reasons: list = field(default_factory=list)


class KeywordModel:
    """Routes by a few words, like a trained model would for these texts; anything else goes to triage."""

    RULES = {"water": ("TERRITOIRES", "high"), "school": ("EDUCATION", "medium"), "clinic": ("SANTE", "high")}

    def predict(self, texts):
        predictions = []
        for text in texts:
            hit = next((rule for word, rule in self.RULES.items() if word in text.lower()), None)
            if hit is None:
                predictions.append(FakePrediction(None, 0.2, False, "low", 0.1, triage_reason="low_confidence"))
            else:
                predictions.append(FakePrediction(hit[0], 0.91, True, hit[1], 0.8, top3=[[hit[0], 0.91]]))
        return predictions


class FixedHolder:
    def current(self):
        return KeywordModel(), "test-1"


@pytest.fixture
def model(app):
    """A routing model that is always loaded (the real registry is tested in tests/classifier)."""
    app.extensions[HOLDER_KEY] = FixedHolder()
    return app.extensions[HOLDER_KEY]


@pytest.fixture
def api_key(seeded) -> str:
    secret = apikeys.create_key(seeded, "FixMyStreet test", actor="cli:test").secret
    seeded.commit()
    return secret


@pytest.fixture
def live_server(app, seeded):
    """The app served over real HTTP on 127.0.0.1 (a free port), for clients nobody here wrote."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
