"""Two application hosts, each with its own model folder, on one PostgreSQL: a promotion through one is served by
both within a few seconds, and each prediction records the version that made it."""
from __future__ import annotations

import time
import uuid

import requests
from sqlalchemy import create_engine, text

from classifier import Registry, TriageModel, load_label_map, load_training_data
from tests.classifier.conftest import DATA, write_slice
from tests.conftest import MODEL_SIGNING_KEY
from tests.load.server import serve
from tests.load.traffic import Citizen, Tally

SWITCH_SECONDS = 5.0  # after the command committed; each process checks the pointer about once a second


def two_versions(tmp_path, model_dir) -> tuple[str, str]:
    """Two signed versions of a small real model in ``model_dir``, the first active there."""
    slices = [write_slice(DATA / "nyc311_requests_en.csv", tmp_path / "nyc.csv", 20),
              write_slice(DATA / "sib200_topics_ar.csv", tmp_path / "ar.csv", 10)]
    data = load_training_data(slices, load_label_map(DATA / "label_maps" / "demo.csv"))
    model = TriageModel(cv=2, neighbours=0).fit(data.texts, data.departments, data.urgencies, data.languages)
    registry = Registry(model_dir, MODEL_SIGNING_KEY)
    first, second = (registry.save(model, {"note": note}) for note in ("first", "second"))
    registry.promote(first)
    return first, second


def serving(url: str) -> str | None:
    return requests.get(f"{url}/readyz", timeout=10).json().get("model_version")


def wait_for_version(urls: list[str], version: str, started: float) -> float:
    """Seconds from ``started`` until every host's /readyz names ``version``."""
    while time.monotonic() - started < SWITCH_SECONDS:
        if all(serving(url) == version for url in urls):
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"after {SWITCH_SECONDS} s: {[serving(url) for url in urls]}, not {version}")


def versions_of_submissions(database_url: str, run_id: str) -> list[str]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        versions = connection.execute(text(
            "SELECT p.model_version FROM predictions p JOIN cases c ON c.id = p.case_id WHERE c.text LIKE :run"),
            {"run": f"{run_id} %"}).scalars().all()
    engine.dispose()
    return versions


def submit_through(url: str, run_id: str, number: int) -> None:
    tally = Tally()
    with requests.Session() as http:
        Citizen(url, run_id, number, tally).submit_one(http, 1)
    assert len(tally.acknowledged) == 1, tally.figures(0)


def test_a_promotion_through_one_host_is_served_by_both(postgres_load_url, tmp_path, report):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = two_versions(tmp_path, tmp_path / "a" / "models")  # host b's folder starts empty
    with serve(postgres_load_url, tmp_path / "a", workers=1) as host_a, \
            serve(postgres_load_url, tmp_path / "b", workers=1) as host_b:
        urls = [host_a.url, host_b.url]
        wait_for_version(urls, first, time.monotonic())  # a published its folder's active version, b copied it
        promoted = host_a.civicly("model", "promote", second)
        assert promoted.returncode == 0, promoted.stderr
        switched = wait_for_version(urls, second, time.monotonic())
        run_id = f"hosts-{uuid.uuid4().hex[:12]}"
        for number, url in enumerate(urls):
            submit_through(url, run_id, number)
        assert versions_of_submissions(postgres_load_url, run_id) == [second, second]
        rolled_back = host_b.civicly("model", "rollback")
        assert rolled_back.returncode == 0, rolled_back.stderr
        back = wait_for_version(urls, first, time.monotonic())
    assert Registry(tmp_path / "b" / "models", MODEL_SIGNING_KEY).signature_problem(second) is None
    report(f"both hosts served the promoted version {switched:.1f} s after `civicly model promote` returned, the "
           f"rolled-back one {back:.1f} s after `civicly model rollback` returned")
