"""Rate limits live in memory by default and in Redis when configured, where every worker and host shares them."""
import os
import secrets

import pytest
import redis

from civicly import create_app
from civicly.extensions import limiter
from tests.conftest import csrf_token

REDIS_URL = os.environ.get("CIVICLY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis at {REDIS_URL} is unreachable ({exc}); CI runs this test (.ci/run starts Redis)")
    return REDIS_URL


@pytest.fixture(autouse=True)
def memory_storage_afterwards(database_url, tmp_path):
    """The limiter is one object for the whole process: give it back to the other tests as it was."""
    yield
    limiter.init_app(worker(database_url, tmp_path, "memory://"))
    limiter._storage_dead = False  # left set by the fallback test; nothing public resets it


def worker(database_url: str, tmp_path, storage_uri: str):
    """An app as one gunicorn worker builds it: its own limiter storage, connected afresh."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "MODEL_DIR": str(tmp_path / "models"), "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": storage_uri, "SUBMIT_RATE_LIMIT": "2 per minute"})
    limiter.init_app(app)  # the limiter is shared by all apps in this process: bind its storage to this one
    return app


def post_from(app, address: str) -> int:
    client = app.test_client()
    page = client.get("/submit", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post("/submit", environ_base={"REMOTE_ADDR": address}, data={
        "csrf_token": csrf_token(page), "text": "The market drains in Kaolack are blocked again."}).status_code


def test_memory_storage_limits_each_worker_on_its_own(database_url, seeded, tmp_path):
    address = f"192.0.2.{secrets.randbelow(250) + 1}"
    first = worker(database_url, tmp_path, "memory://")
    assert [post_from(first, address) for _ in range(3)] == [303, 303, 429]
    second = worker(database_url, tmp_path, "memory://")
    assert post_from(second, address) == 303  # a new worker's memory starts empty: why production wants Redis


def test_redis_storage_shares_the_limit_across_workers(database_url, seeded, tmp_path, redis_url):
    address = f"198.18.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"  # fresh counters for this run
    first = worker(database_url, tmp_path, redis_url)
    assert [post_from(first, address) for _ in range(2)] == [303, 303]
    second = worker(database_url, tmp_path, redis_url)
    assert post_from(second, address) == 429


def test_an_unreachable_redis_does_not_turn_citizens_away(database_url, seeded, tmp_path):
    """Each worker counts in memory until Redis answers again: limits still hold, forms still work."""
    app = worker(database_url, tmp_path, "redis://127.0.0.1:9/0")
    assert [post_from(app, "192.0.2.200") for _ in range(3)] == [303, 303, 429]
