"""Model versions on disk, each with the card that says what it is, and the pointer to the active one.

Layout::

    <root>/<version>/model.joblib   the fitted TriageModel
    <root>/<version>/card.json      data, params, library versions, metrics, artifact sha256
    <root>/<version>/signature      HMAC-SHA256 of the card and the artifact, made with a key kept elsewhere
    <root>/ACTIVE.json              {"active": version, "history": [previously active, ...]}

A version directory is written under a temporary name and renamed into place, and the
pointer is replaced with os.replace, so a reader never sees half a model or half a pointer.

Unpickling runs code, so a checksum kept beside the artifact proves nothing: whoever can write the folder can
write both. The signature is made with a key held outside the registry (the caller passes it in) and is checked
on the bytes in memory before joblib sees them. Version names are plain names, never paths.
"""
from __future__ import annotations

import getpass
import hashlib
import hmac
import io
import json
import os
import platform
import re
import secrets
import shutil
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
SIGNATURE = "signature"
SIGNATURE_SCHEME = "hmac-sha256"
# A plain name: no path separator, no "..", nothing that could leave the registry folder.
VERSION_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


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


def check_version_name(version: object) -> str:
    """``version`` if it is a plain version name; a RegistryError otherwise (a path, "..", empty, too long)."""
    if not isinstance(version, str) or not VERSION_NAME.fullmatch(version) or ".." in version:
        raise RegistryError(f"'{version}' is not a model version name (letters, digits, '.', '_' and '-', at most "
                            "64, no path); list the versions with: civicly model list")
    return version


def sign(key: bytes, card: bytes, artifact: bytes) -> str:
    """The signature of a version: HMAC-SHA256 over its card and artifact bytes, each length-prefixed."""
    mac = hmac.new(key, b"civicly-model-signature/1\0", hashlib.sha256)
    for part in (card, artifact):
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return f"{SIGNATURE_SCHEME}:{mac.hexdigest()}"


def _key_bytes(key: str | bytes | None) -> bytes | None:
    if not key:
        return None
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


class Registry:
    """Versions under `root`, with an active pointer that can be promoted and rolled back.

    ``signing_key`` signs the versions saved and checks those loaded; without it versions can be listed and
    their cards read, but none can be saved, signed or loaded.
    """

    def __init__(self, root: str | os.PathLike, signing_key: str | bytes | None = None):
        self.root = Path(root)
        self._key = _key_bytes(signing_key)

    def _signing_key(self) -> bytes:
        if self._key is None:
            raise RegistryError("no model signing key given (CIVICLY_MODEL_SIGNING_KEY); model versions can be "
                                "neither saved nor loaded without one")
        return self._key

    def _folder(self, version: str) -> Path:
        return self.root / check_version_name(version)

    # ------------------------------------------------------------- versions
    def save(self, model, card: dict) -> str:
        """Write a new version (model + card completed with checksum, versions, date), signed; return its name."""
        key = self._signing_key()
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
        card_bytes = json.dumps(card, indent=2, ensure_ascii=False, default=str).encode("utf-8")
        (staging / CARD).write_bytes(card_bytes)
        (staging / SIGNATURE).write_text(sign(key, card_bytes, (staging / ARTIFACT).read_bytes()) + "\n")
        os.replace(staging, self.root / version)
        return version

    def versions(self) -> list[str]:
        """All saved versions, oldest first (names start with their UTC creation time)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir()
                      if (p / CARD).is_file() and not p.name.startswith(".") and VERSION_NAME.fullmatch(p.name))

    def _card_bytes(self, version: str) -> bytes:
        path = self._folder(version) / CARD
        if not path.is_file():
            raise RegistryError(f"no model version '{version}' in {self.root}")
        return path.read_bytes()

    @staticmethod
    def _parse_card(version: str, raw: bytes) -> dict:
        try:
            card = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RegistryError(f"model card of version '{version}' is not valid JSON ({error})") from None
        if not isinstance(card, dict):
            raise RegistryError(f"model card of version '{version}' is not a JSON object")
        return card

    def card(self, version: str) -> dict:
        return self._parse_card(version, self._card_bytes(version))

    def cards(self) -> list[dict]:
        return [self.card(version) for version in self.versions()]

    def _signed_bytes(self, version: str) -> tuple[dict, bytes]:
        """The card and artifact bytes of ``version``, read once, checked against the card's checksum (a corrupt
        copy) and then against the signature (anything not made with this key)."""
        key = self._signing_key()
        raw_card = self._card_bytes(version)
        card = self._parse_card(version, raw_card)
        artifact = self._folder(version) / ARTIFACT
        if not artifact.is_file():
            raise RegistryError(f"model version '{version}' has no {ARTIFACT}")
        blob = artifact.read_bytes()
        if hashlib.sha256(blob).hexdigest() != card.get("artifact_sha256"):
            raise RegistryError(
                f"model version '{version}': {ARTIFACT} does not match the sha256 in its card; refusing to load it"
            )
        signature_file = self._folder(version) / SIGNATURE
        if not signature_file.is_file():
            raise RegistryError(f"model version '{version}' is not signed; refusing to load it. If you trust it "
                                f"(you trained it here), sign it: civicly model sign {version}")
        if not hmac.compare_digest(signature_file.read_text(encoding="utf-8", errors="replace").strip(),
                                   sign(key, raw_card, blob)):
            raise RegistryError(f"model version '{version}': its signature does not match (signed with another "
                                "key, or the model or its card changed since); refusing to load it")
        if card.get("version") != version:
            raise RegistryError(f"model version '{version}': its card names version '{card.get('version')}'; "
                                "refusing to load it")
        return card, blob

    def load(self, version: str | None = None):
        """(model, card) of `version` or of the active one, once its signature, library versions and format check
        out; the artifact is unpickled from the very bytes whose signature was checked."""
        if version is None:
            version = self.active_version()
            if version is None:
                raise RegistryError(f"no active model version in {self.root}; train and promote one first")
        card, blob = self._signed_bytes(version)
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
        return joblib.load(io.BytesIO(blob)), card

    def sign_version(self, version: str) -> str:
        """Sign an existing version with this registry's key, without loading it: for versions saved before
        signing existed, which an operator vouches for. Its artifact must still match its card's sha256."""
        key = self._signing_key()
        raw_card = self._card_bytes(version)
        card = self._parse_card(version, raw_card)
        if card.get("version") != version:
            raise RegistryError(f"model version '{version}': its card names version '{card.get('version')}'; "
                                "refusing to sign it")
        artifact = self._folder(version) / ARTIFACT
        if not artifact.is_file():
            raise RegistryError(f"model version '{version}' has no {ARTIFACT}")
        blob = artifact.read_bytes()
        digest = hashlib.sha256(blob).hexdigest()
        if digest != card.get("artifact_sha256"):
            raise RegistryError(f"model version '{version}': {ARTIFACT} does not match the sha256 in its card; "
                                "refusing to sign it")
        handle, temporary = tempfile.mkstemp(prefix=".signature-", dir=self._folder(version))
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(sign(key, raw_card, blob) + "\n")
        os.replace(temporary, self._folder(version) / SIGNATURE)
        return digest

    def export_version(self, version: str) -> tuple[bytes, bytes, str]:
        """The card, artifact and signature of ``version``, byte for byte, once checksum and signature check out:
        what another host needs to install the same version."""
        _card, blob = self._signed_bytes(version)
        signature = (self._folder(version) / SIGNATURE).read_text(encoding="utf-8").strip()
        return self._card_bytes(version), blob, signature

    def install_version(self, card: bytes, artifact: bytes, signature: str) -> str:
        """Write a version exported by another registry (same key) into this one, replacing a copy that no longer
        checks out; refused unless its checksum and signature are right. Returns its name."""
        key = self._signing_key()
        version = check_version_name(self._parse_card("?", card).get("version"))
        if not hmac.compare_digest(signature.strip(), sign(key, card, artifact)):
            raise RegistryError(f"model version '{version}': its signature does not match; refusing to install it")
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".installing-", dir=self.root))
        (staging / ARTIFACT).write_bytes(artifact)
        (staging / CARD).write_bytes(card)
        (staging / SIGNATURE).write_text(signature.strip() + "\n")
        try:
            self._check_staged(version, staging)
        except RegistryError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        if self._folder(version).exists():  # a corrupt or foreign copy: moved aside, replaced, then deleted
            aside = self.root / f".replaced-{secrets.token_hex(4)}"
            os.replace(self._folder(version), aside)
            os.replace(staging, self._folder(version))
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(staging, self._folder(version))
        return version

    def _check_staged(self, version: str, staging: Path) -> None:
        card = self._parse_card(version, (staging / CARD).read_bytes())
        if hashlib.sha256((staging / ARTIFACT).read_bytes()).hexdigest() != card.get("artifact_sha256"):
            raise RegistryError(f"model version '{version}': {ARTIFACT} does not match the sha256 in its card; "
                                "refusing to install it")

    def signature_problem(self, version: str) -> str | None:
        """Why ``version`` would be refused for its signature or checksum; None when it would not."""
        try:
            self._signed_bytes(version)
        except RegistryError as error:
            return str(error)
        return None

    # --------------------------------------------------------- active pointer
    def _pointer(self) -> dict:
        path = self.root / POINTER
        if not path.is_file():
            return {"active": None, "history": []}
        try:
            pointer = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RegistryError(f"{path} is not valid JSON ({error})") from None
        if not isinstance(pointer, dict) or not isinstance(pointer.get("history", []), list):
            raise RegistryError(f"{path} is not an active-version pointer")
        return pointer

    def _write_pointer(self, pointer: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".active-", dir=self.root)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(pointer, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.root / POINTER)

    def point_to(self, active: str, history: list[str]) -> None:
        """Set the pointer as another source of truth has it (the database every host shares), history included;
        ``active`` must be saved here, its checksum and signature right."""
        self._signed_bytes(check_version_name(active))
        self._write_pointer({"active": active, "history": [check_version_name(v) for v in history]})

    def active_version(self) -> str | None:
        """The active version's name; a RegistryError if the pointer names something that is not a version name."""
        active = self._pointer().get("active")
        return None if active is None else check_version_name(active)

    def history(self) -> list[str]:
        """Previously active versions, most recent last (what rollback goes back through)."""
        return [check_version_name(version) for version in self._pointer().get("history", [])]

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
        self.load(check_version_name(version))
        active, history = self.active_version(), self.history()
        if active == version:
            return
        if active:
            history.append(active)
        self._write_pointer({"active": version, "history": history})

    def rollback(self) -> str:
        """Re-activate the previously active version; return it."""
        history = self.history()
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
