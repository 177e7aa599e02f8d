"""classifier.training without a command line: reviewed rows join the data, a version is saved with its card, and a
worse one is not activated."""
from __future__ import annotations

import functools

import pytest

from classifier import Registry, TrainingSet, TriageModel, training
from tests.classifier.conftest import DATA, write_slice

LABEL_MAP = str(DATA / "label_maps" / "demo.csv")


def test_reviewed_rows_are_mapped_and_incomplete_ones_left_out():
    data = TrainingSet()
    added = training.add_reviewed_examples(data, [
        {"text": " Water cut ", "department": "NYPD", "urgency": "HIGH", "language": "en"},
        {"text": "No teacher", "department": "EDUCATION", "urgency": "soon"},
        {"text": "", "department": "SANTE"},
        {"text": "Unlabelled", "department": ""},
    ], {"NYPD": "INTERIEUR"})
    assert added == 2
    assert data.texts == ["Water cut", "No teacher"] and data.departments == ["INTERIEUR", "EDUCATION"]
    assert data.urgencies == ["high", None] and data.languages == ["en", None]
    assert data.sources == [training.DATABASE_SOURCE] * 2


def test_a_report_worse_on_either_figure_is_not_promotable():
    active = {"macro_f1": 0.8, "auto_route_accuracy": 0.95}
    assert training.no_worse({"macro_f1": 0.8, "auto_route_accuracy": 0.95}, active) == []
    worse_f1 = {"macro_f1": 0.7, "auto_route_accuracy": 0.99}
    assert training.no_worse(worse_f1, active) == ["macro-F1 0.700 < active 0.800"]
    assert training.no_worse({"macro_f1": 0.9, "auto_route_accuracy": None}, active) == [
        "auto-routed accuracy n/a < active 0.950"]


def test_train_saves_and_promotes_then_refuses_a_worse_version(tmp_path, monkeypatch):
    files = [str(write_slice(DATA / "nyc311_requests_en.csv", tmp_path / "nyc.csv", 40)),
             str(write_slice(DATA / "sib200_topics_ar.csv", tmp_path / "ar.csv", 25))]
    registry = Registry(tmp_path / "models", "training-test-key")
    plan = training.TrainingPlan(files, LABEL_MAP, promote=True)
    messages: list[str] = []

    first = training.train(registry, plan, echo=lambda message, err=False: messages.append(message))
    assert first.promoted and first.previous is None and registry.active_version() == first.version
    card = registry.card(first.version)
    assert card["database_examples"] == 0 and card["metrics"]["per_file"] and card["label_map"]["mapping"]
    assert any(m.startswith("training on ") for m in messages) and any("saved version" in m for m in messages)

    monkeypatch.setattr(training, "TriageModel", functools.partial(TriageModel, C=1e-6, neighbours=0))
    with pytest.raises(training.TrainingError, match="saved but not promoted"):
        training.train(registry, plan)
    assert registry.active_version() == first.version and len(registry.versions()) == 2
    forced = training.train(registry, training.TrainingPlan(files, LABEL_MAP, promote=True, force=True))
    assert forced.promoted and forced.previous == first.version


def test_reviewed_rows_of_one_department_are_not_enough(tmp_path):
    reviewed = [{"text": "water cut in the village", "department": "A"},
                {"text": "no water since Monday", "department": "A"}]
    with pytest.raises(training.TrainingError, match="at least two departments"):
        training.train(Registry(tmp_path / "models", "training-test-key"), training.TrainingPlan(), reviewed)
