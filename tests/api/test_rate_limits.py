"""Limits: POSTs counted per key, GETs per address, refusals in the API's format with Retry-After."""
import pytest

from civicly.triage import apikeys
from tests.api.conftest import BASE

BODY = {"description": "The water pipe on Rue 10 has burst.", "address_id": "A-1"}


@pytest.fixture
def limited(app, seeded):
    app.config.update(RATELIMIT_ENABLED=True, API_WRITE_RATE_LIMIT="2 per minute", API_READ_RATE_LIMIT="5 per minute")
    from civicly.extensions import limiter

    limiter.init_app(app)
    yield app.test_client()
    limiter.reset()


def test_posts_are_limited_per_key(limited, seeded):
    first, second = (apikeys.create_key(seeded, name, actor="cli:test").secret for name in ("one", "two"))
    seeded.commit()
    codes = [limited.post(f"{BASE}/requests.json", data={**BODY, "api_key": first}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert limited.post(f"{BASE}/requests.json", data={**BODY, "api_key": second}).status_code == 200


def test_reads_are_limited_per_address_in_the_api_format(limited):
    responses = [limited.get(f"{BASE}/services.xml") for _ in range(6)]
    assert [r.status_code for r in responses] == [200] * 5 + [429]
    assert b"<code>429</code>" in responses[-1].data and responses[-1].headers["Retry-After"]


def test_made_up_keys_do_not_escape_the_per_address_limit(limited):
    codes = [limited.post(f"{BASE}/requests.json", data={**BODY, "api_key": f"cvk_guess{i}"}).status_code
             for i in range(6)]
    assert codes == [403] * 5 + [429]


def test_each_id_asked_for_counts_against_the_read_limit(limited):
    three = ",".join(f"P-{i:012d}" for i in range(3))
    codes = [limited.get(f"{BASE}/requests.json", query_string={"service_request_id": three}).status_code
             for _ in range(2)]
    assert codes == [200, 429]  # 3 reads, then 3 more of a limit of 5
