import json

import pytest

from classifier import Registry, RegistryError


@pytest.fixture
def registry(tmp_path):
    return Registry(tmp_path / "models")


def test_saved_version_loads_with_its_card(registry, trained_model):
    version = registry.save(trained_model, {"metrics": {"macro_f1": 0.5}})
    model, card = registry.load(version)
    assert card["version"] == version and card["metrics"]["macro_f1"] == 0.5
    assert card["library_versions"]["scikit-learn"]
    assert {"artifact_sha256", "created_at", "created_by", "code_version"} <= set(card)
    assert model.predict_departments(["Blocked Driveway: No Access"]) == ["INTERIEUR"]
    assert registry.versions() == [version]


def test_tampered_artifact_is_refused(registry, trained_model):
    version = registry.save(trained_model, {})
    with open(registry.root / version / "model.joblib", "ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(RegistryError, match="does not match the sha256"):
        registry.load(version)


def test_other_scikit_learn_version_is_refused(registry, trained_model):
    version = registry.save(trained_model, {})
    card_path = registry.root / version / "card.json"
    card = json.loads(card_path.read_text())
    card["library_versions"]["scikit-learn"] = "0.24.2"
    card_path.write_text(json.dumps(card))
    with pytest.raises(RegistryError, match="trained with scikit-learn 0.24.2"):
        registry.load(version)


def test_promote_and_rollback_keep_a_history(registry, trained_model):
    first = registry.save(trained_model, {})
    second = registry.save(trained_model, {})
    assert registry.active_version() is None and registry.active_marker() is None
    registry.promote(first)
    marker = registry.active_marker()
    registry.promote(second)
    assert registry.active_version() == second and registry.history() == [first]
    assert registry.active_marker() != marker
    assert registry.rollback() == first
    assert registry.active_version() == first
    with pytest.raises(RegistryError, match="no previously active version"):
        registry.rollback()


def test_loading_without_active_version_or_unknown_version_says_so(registry):
    with pytest.raises(RegistryError, match="no active model version"):
        registry.load()
    with pytest.raises(RegistryError, match="no model version 'nope'"):
        registry.load("nope")


def test_no_temporary_files_are_left_behind(registry, trained_model):
    registry.promote(registry.save(trained_model, {}))
    assert sorted(p.name for p in registry.root.iterdir() if p.name.startswith(".")) == []


def test_artifact_of_another_model_format_is_refused(registry, trained_model):
    version = registry.save(trained_model, {})
    card_path = registry.root / version / "card.json"
    card = json.loads(card_path.read_text())
    card["model_format"] = 1
    card_path.write_text(json.dumps(card))
    with pytest.raises(RegistryError, match="model format 1.*retrain"):
        registry.load(version)
