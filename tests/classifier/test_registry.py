import hashlib
import json
import pickle
import shutil
from pathlib import Path

import joblib
import pytest

from classifier import Registry, RegistryError, TriageModel
from classifier.registry import library_versions

KEY = "a key kept outside the model folder"


@pytest.fixture
def registry(tmp_path):
    return Registry(tmp_path / "models", KEY)


class FileCreatingPayload:
    """What an attacker would put in a model file: unpickling it calls open(path, "w")."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


def plant_crafted_version(root: Path, version: str, marker: Path) -> Path:
    """A version folder whose artifact creates ``marker`` when unpickled, with a card that matches it exactly."""
    folder = root / version
    folder.mkdir(parents=True)
    (folder / "model.joblib").write_bytes(pickle.dumps(FileCreatingPayload(marker)))
    card = {"version": version, "model_format": TriageModel.FORMAT, "library_versions": library_versions(),
            "artifact_sha256": hashlib.sha256((folder / "model.joblib").read_bytes()).hexdigest()}
    (folder / "card.json").write_text(json.dumps(card))
    return folder


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
    registry.sign_version(version)  # signed as it is: the refusal is about the library, not the signature
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
    registry.sign_version(version)
    with pytest.raises(RegistryError, match="model format 1.*retrain"):
        registry.load(version)


def test_crafted_pickle_with_a_matching_checksum_is_refused_before_it_runs(registry, tmp_path):
    marker = tmp_path / "pwned"
    folder = plant_crafted_version(registry.root, "20990101-000000-abcdef", marker)
    with pytest.raises(RegistryError, match="is not signed"):
        registry.load("20990101-000000-abcdef")
    (folder / "signature").write_text("hmac-sha256:" + "0" * 64)
    with pytest.raises(RegistryError, match="signature does not match"):
        registry.promote("20990101-000000-abcdef")
    assert not marker.exists() and registry.active_version() is None
    joblib.load(folder / "model.joblib")  # the payload is real: loaded without the registry, it runs
    assert marker.exists()


@pytest.mark.parametrize("name", ["/tmp/x", "../x", "a/b", "..", "x..y", ".hidden", "", "a" * 65, "v\\w"])
def test_version_names_that_are_paths_are_refused_everywhere(registry, trained_model, name):
    registry.promote(registry.save(trained_model, {}))
    for attempt in (registry.load, registry.promote, registry.card, registry.sign_version):
        with pytest.raises(RegistryError, match="is not a model version name"):
            attempt(name)


def test_pointer_naming_a_path_is_refused(registry, trained_model, tmp_path):
    elsewhere = plant_crafted_version(tmp_path / "elsewhere", "x", tmp_path / "pwned")
    (registry.root).mkdir(parents=True)
    (registry.root / "ACTIVE.json").write_text(json.dumps({"active": str(elsewhere), "history": ["../x"]}))
    with pytest.raises(RegistryError, match="is not a model version name"):
        registry.load()
    with pytest.raises(RegistryError, match="is not a model version name"):
        registry.rollback()
    assert not (tmp_path / "pwned").exists()


def test_version_signed_with_another_key_is_refused(tmp_path, trained_model):
    version = Registry(tmp_path / "models", "another installation's key").save(trained_model, {})
    with pytest.raises(RegistryError, match="signature does not match"):
        Registry(tmp_path / "models", KEY).load(version)


def test_edited_card_breaks_the_signature(registry, trained_model):
    version = registry.save(trained_model, {"metrics": {"macro_f1": 0.5}})
    card_path = registry.root / version / "card.json"
    card_path.write_text(card_path.read_text().replace("0.5", "0.99"))
    with pytest.raises(RegistryError, match="signature does not match"):
        registry.load(version)


def test_nothing_is_saved_or_loaded_without_a_key(tmp_path, trained_model, registry):
    version = registry.save(trained_model, {})
    keyless = Registry(registry.root)
    for attempt in (lambda: keyless.save(trained_model, {}), lambda: keyless.load(version)):
        with pytest.raises(RegistryError, match="no model signing key"):
            attempt()
    assert keyless.versions() == [version] and keyless.card(version)["version"] == version


def test_an_unsigned_trusted_version_can_be_signed_then_loads(registry, trained_model):
    version = registry.save(trained_model, {})
    (registry.root / version / "signature").unlink()
    assert "is not signed" in registry.signature_problem(version)
    registry.sign_version(version)
    assert registry.signature_problem(version) is None
    model, _card = registry.load(version)
    assert model.predict_departments(["Blocked Driveway: No Access"]) == ["INTERIEUR"]


def test_signing_refuses_an_artifact_that_does_not_match_its_card(registry, tmp_path):
    folder = plant_crafted_version(registry.root, "v1", tmp_path / "pwned")
    (folder / "model.joblib").write_bytes(b"swapped after the card was written")
    with pytest.raises(RegistryError, match="does not match the sha256"):
        registry.sign_version("v1")
    assert not (folder / "signature").exists()


def test_a_signed_folder_copied_under_another_name_is_refused(registry, trained_model):
    version = registry.save(trained_model, {})
    shutil.copytree(registry.root / version, registry.root / "renamed")
    with pytest.raises(RegistryError, match="card names version"):
        registry.load("renamed")
