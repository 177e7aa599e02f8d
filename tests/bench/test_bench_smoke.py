"""Every bench step at toy scale, so the scripts keep working as the code they measure changes."""
from __future__ import annotations

import json

import pytest

from bench import classification, databases, intake, queue_pages, report, scale, training
from bench.routing_model import classifier_available

TOY_ROWS = 150


@pytest.fixture(autouse=True)
def bench_work_dir(tmp_path, monkeypatch):
    """Bench files and databases of the test's own, never the ones `make bench` uses."""
    monkeypatch.setattr(databases, "WORK_DIR", tmp_path / "bench")
    monkeypatch.setattr(databases, "POSTGRES_URL", databases.POSTGRES_URL.rsplit("/", 1)[0] + "/civicly_bench_smoke")


needs_classifier = pytest.mark.skipif(not classifier_available(), reason="the classifier package is not installed")


@needs_classifier
def test_training_then_classification_report_time_memory_and_ratios():
    trained = training.run([TOY_ROWS], timeout=300)
    assert [f.unit for f in trained.figures] == ["s", "MiB"], trained.notes
    assert trained.figures[1].value > 0

    classified = classification.run(training.model_dir(TOY_ROWS), calls=20, time_budget=10)
    assert classified.figures, classified.notes
    p50 = classified.figures[0]
    assert p50.value > 0 and p50.ratio is not None
    assert {t.what for t in classified.targets} == {"one text p99", "full / bare predict, one text p50"}


def test_intake_posts_real_forms_to_both_apps_on_sqlite(tmp_path):
    result = intake.run(["sqlite"], tmp_path / "no-model", intake.LoadPlan(seconds=1, warmup_seconds=0.2, clients=2))
    details = result.details["sqlite"]
    assert details["baseline"]["ok"] > 0 and details["baseline"]["errors"] == 0
    assert details["civicly"]["ok"] > 0 and details["civicly"]["errors"] == 0
    assert details["open_loop"]["errors"] == 0
    assert result.figures[-1].step == "memory" and result.figures[-1].value > 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_queue_fills_measures_and_explains(backend, capsys):
    if backend not in databases.backends():
        pytest.skip("PostgreSQL is not reachable")
    result = queue_pages.run([backend], cases=300, repeats=2)
    assert result.details["plans"], "no query plan captured"
    assert "cases" in capsys.readouterr().out
    assert all(t.value is not None for t in result.targets)


def test_scale_fills_in_sql_and_measures_queue_dashboard_and_export():
    if "postgresql" not in databases.backends():
        pytest.skip("PostgreSQL is not reachable")
    result = scale.run(cases=300, repeats=2)
    assert result.details["plans"] and not result.notes, result.notes
    measured = [f.what for f in result.figures if f.step == "scale"]
    assert sum("dashboard" in what for what in measured) == sum("open-data export" in what for what in measured) == 2
    assert all(t.value is not None for t in result.targets)


def test_table_and_results_file(tmp_path):
    step = report.StepResult([report.Figure("intake", "throughput", 50.0, "req/s", 100.0)],
                             [report.Target("intake", "ratio", 0.5, 0.5, "×", at_least=True)])
    assert "0.50×" in report.table({"intake": step})
    report.write({"intake": step}, "make bench", tmp_path / "results.json")
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["steps"]["intake"]["targets"][0]["met"] is True
    assert saved["machine"]["cores"] >= 1
