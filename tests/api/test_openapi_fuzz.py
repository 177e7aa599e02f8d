"""The OpenAPI document is true: generated requests, valid and invalid, never get a 5xx and answers match it.

Schemathesis generates the requests from /open311/v2/openapi.json; each operation gets a bounded number of
examples in both modes so the file runs in about a minute.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from civicly.triage import apikeys
from tests.api.conftest import BASE

EXAMPLES = 20
# The API is deliberately liberal (unknown parameters ignored, loose spellings read), so those two do not apply.
LIBERAL = [negative_data_rejection, positive_data_acceptance]


def operations(app):
    schema = schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_the_promises_of_its_openapi_document(app, seeded, model, mode):
    key = apikeys.create_key(seeded, "fuzz", actor="cli:test").secret
    seeded.commit()
    for operation in operations(app):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            if case.method == "POST" and isinstance(case.body, dict):
                case.body.setdefault("api_key", key)  # a real key, so validation runs, not only the 403
            case.call_and_validate(excluded_checks=LIBERAL)

        check()


def test_the_document_is_served(client):
    document = client.get(f"{BASE}/openapi.json").get_json()
    assert document["openapi"].startswith("3.") and "/requests.{format}" in document["paths"]
