"""The only bridge to ``classifier/``: loads the active registry version, reloads on promotion, never raises; and the
classifier's language detection and report similarity, for intake and grouping."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from classifier import Registry, RegistryError, detect_language
from classifier import training as training  # model versions are trained through here (triage/model_versions.py)
from classifier.similarity import OPENING as OPENING  # grouping reads this much of a report, compares these:
from classifier.similarity import most_similar as most_similar
from classifier.similarity import same_place as same_place

log = logging.getLogger(__name__)
HOLDER_KEY = "civicly.classifier"


@dataclass(frozen=True)
class Routing:
    """A model's verdict on one text, with the version that gave it."""

    model_version: str
    prediction: Any  # classifier.Prediction


class ModelHolder:
    """Keeps one loaded model per worker and swaps it when the registry's active pointer changes."""

    def __init__(self, model_dir: str, signing_key: str):
        self.model_dir = model_dir
        self._signing_key = signing_key
        self._lock = threading.Lock()
        self._marker: Any = None
        self._model: Any = None
        self._version: str | None = None
        self.last_error: str | None = None

    def _registry(self) -> Registry:
        return Registry(self.model_dir, self._signing_key)

    def current(self) -> tuple[Any, str | None]:
        """The active model and its version, reloading only when the active pointer has moved."""
        registry = self._registry()
        marker = registry.active_marker()
        if marker != self._marker:
            with self._lock:
                if marker != self._marker:
                    self._load(registry, marker)
        return self._model, self._version

    def _load(self, registry: Registry, marker: Any) -> None:
        self._marker = marker
        self._model, self._version = None, None
        try:
            version = registry.active_version()
        except RegistryError as exc:  # a pointer naming a path instead of a version
            self.last_error = f"active model pointer refused: {exc}"
            log.error("routing model unavailable: %s", self.last_error)
            return
        if version is None:
            self.last_error = "no active model version"
            return
        try:
            self._model, _card = registry.load(version)
        except Exception as exc:  # a broken, unsigned or badly signed artifact must never stop intake
            self.last_error = f"model {version} could not be loaded: {exc}"
            log.error("routing model unavailable: %s", self.last_error)
            return
        self._version = version
        self.last_error = None
        log.info("routing model %s loaded", version)


def init_app(app: Flask) -> None:
    app.extensions[HOLDER_KEY] = ModelHolder(app.config["MODEL_DIR"], app.config["MODEL_SIGNING_KEY"])


def holder() -> ModelHolder:
    return current_app.extensions[HOLDER_KEY]


def warm_up(app: Flask) -> None:
    """Load the active model and the language identifier now (worker start), not on a citizen's request."""
    try:
        with app.app_context():
            holder().current()
            detect_language("warm up")
    except Exception:
        log.exception("warm-up failed; the first request will load the model instead")


def model_problem() -> str | None:
    """Why no model is serving, for /readyz and the admins' alert; None when one is."""
    try:
        model, _version = holder().current()
    except Exception as exc:  # the registry itself is unreadable
        return f"model registry unavailable: {exc}"
    return None if model is not None else (holder().last_error or "no active model version")


def route(text: str) -> Routing | None:
    """Predict department and urgency for ``text``; None (and a log line) when no model can answer."""
    try:
        model, version = holder().current()
        if model is None or version is None:
            return None
        return Routing(model_version=version, prediction=model.predict([text])[0])
    except Exception:
        log.exception("routing failed; the case goes to manual triage")
        return None


def detected_language(text: str) -> str | None:
    """The language of a text, offline; None when unsure."""
    return detect_language(text).code
