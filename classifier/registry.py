"""Model versions on disk, each with the card that says what it is, and the pointer to the active one.

Layout::

    <root>/<version>/model.joblib   the fitted TriageModel
    <root>/<version>/card.json      data, params, library versions, metrics, artifact sha256
    <root>/ACTIVE.json              {"active": version, "history": [previously active, ...]}

A version directory is written under a temporary name and renamed into place, and the
pointer is replaced with os.replace, so a reader never sees half a model or half a pointer.
"""
from __future__ import annotations

import getpass
import json
import os
import platform
import secrets
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import joblib
import sklearn

from classifier.dataset import file_sha256
from classifier.model import TriageModel

ARTIFACT = "model.joblib"
CARD = "card.json"
POINTER = "ACTIVE.json"


class RegistryError(RuntimeError):
    """A version that cannot be saved, found, trusted or activated; the message says which and why."""


def library_versions() -> dict[str, str]:
    """Versions of what a pickled model depends on; scikit-learn must match exactly to load."""
    versions = {"python": platform.python_version(), "scikit-learn": sklearn.__version__}
    for name in ("numpy", "scipy", "joblib", "py3langid"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def code_version() -> str:
    """Version of the installed project distribution, which ships this package."""
    try:
        return metadata.version("civicly")
    except metadata.PackageNotFoundError:
        return "unknown"


class Registry:
    """Versions under `root`, with an active pointer that can be promoted and rolled back."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    # ------------------------------------------------------------- versions
    def save(self, model, card: dict) -> str:
        """Write a new version (model + card completed with checksum, versions, date); return its name."""
        self.root.mkdir(parents=True, exist_ok=True)
        created = datetime.now(UTC)
        version = f"{created:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        staging = Path(tempfile.mkdtemp(prefix=".saving-", dir=self.root))
        joblib.dump(model, staging / ARTIFACT, compress=3)
        card = {
            **card,
            "version": version,
            "artifact_sha256": file_sha256(staging / ARTIFACT),
            "library_versions": library_versions(),
            "model_format": getattr(model, "FORMAT", card.get("model_format")),
            "code_version": card.get("code_version") or code_version(),
            "created_at": created.isoformat(timespec="seconds"),
            "created_by": card.get("created_by") or getpass.getuser(),
        }
        (staging / CARD).write_text(json.dumps(card, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        os.replace(staging, self.root / version)
        return version

    def versions(self) -> list[str]:
        """All saved versions, oldest first (names start with their UTC creation time)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / CARD).is_file() and not p.name.startswith("."))

    def card(self, version: str) -> dict:
        path = self.root / version / CARD
        if not path.is_file():
            raise RegistryError(f"no model version '{version}' in {self.root}")
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise RegistryError(f"model card of version '{version}' is not valid JSON ({error})") from None

    def cards(self) -> list[dict]:
        return [self.card(version) for version in self.versions()]

    def load(self, version: str | None = None):
        """(model, card) of `version` or of the active one, after checking library version and checksum."""
        if version is None:
            version = self.active_version()
            if version is None:
                raise RegistryError(f"no active model version in {self.root}; train and promote one first")
        card = self.card(version)
        trained_with = card.get("library_versions", {}).get("scikit-learn")
        if trained_with != sklearn.__version__:
            raise RegistryError(
                f"model version '{version}' was trained with scikit-learn {trained_with}, but scikit-learn "
                f"{sklearn.__version__} is installed; retrain it (civicly model train) or install {trained_with}"
            )
        if card.get("model_format") != TriageModel.FORMAT:
            raise RegistryError(
                f"model version '{version}' was saved in model format {card.get('model_format')}, this code reads "
                f"format {TriageModel.FORMAT}; retrain it (civicly model train)"
            )
        artifact = self.root / version / ARTIFACT
        if not artifact.is_file():
            raise RegistryError(f"model version '{version}' has no {ARTIFACT}")
        if file_sha256(artifact) != card.get("artifact_sha256"):
            raise RegistryError(
                f"model version '{version}': {ARTIFACT} does not match the sha256 in its card; refusing to load it"
            )
        return joblib.load(artifact), card

    # --------------------------------------------------------- active pointer
    def _pointer(self) -> dict:
        path = self.root / POINTER
        if not path.is_file():
            return {"active": None, "history": []}
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise RegistryError(f"{path} is not valid JSON ({error})") from None

    def _write_pointer(self, pointer: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".active-", dir=self.root)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(pointer, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.root / POINTER)

    def active_version(self) -> str | None:
        return self._pointer().get("active")

    def history(self) -> list[str]:
        """Previously active versions, most recent last (what rollback goes back through)."""
        return list(self._pointer().get("history", []))

    def active_marker(self) -> str | None:
        """Cheap token that changes whenever the active version changes (pointer mtime + content),
        so a web worker can check it per request and reload only on promotion or rollback."""
        path = self.root / POINTER
        try:
            stat = path.stat()
            return f"{stat.st_mtime_ns}:{stat.st_size}:{path.read_text(encoding='utf-8')}"
        except FileNotFoundError:
            return None

    def promote(self, version: str) -> None:
        """Make `version` active (after checking it loads), remembering the previous one for rollback."""
        self.load(version)
        pointer = self._pointer()
        if pointer.get("active") == version:
            return
        history = list(pointer.get("history", []))
        if pointer.get("active"):
            history.append(pointer["active"])
        self._write_pointer({"active": version, "history": history})

    def rollback(self) -> str:
        """Re-activate the previously active version; return it."""
        pointer = self._pointer()
        history = list(pointer.get("history", []))
        if not history:
            raise RegistryError("no previously active version to roll back to")
        previous = history.pop()
        self.load(previous)
        self._write_pointer({"active": previous, "history": history})
        return previous


def describe_data_files(files) -> list[dict]:
    """Card entries for the training files (path, sha256, rows, per-class counts)."""
    return [
        {"path": f.path, "sha256": f.sha256, "rows": f.rows, "class_counts": f.class_counts} for f in files
    ]


def label_map_entry(path: str | os.PathLike | None, mapping: dict[str, str] | None) -> dict | None:
    """Card entry for the label map used, if any."""
    if path is None:
        return None
    return {"path": str(path), "sha256": file_sha256(path), "mapping": mapping}
