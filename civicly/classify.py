"""The only bridge to ``classifier/``: loads the version the database names as active (civicly/model_store.py),
switches when any host promotes or rolls back, never raises; and the classifier's language detection and report
similarity, for intake and grouping."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from civicly import model_store
from civicly.db import ENGINE_KEY
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
    """Keeps one loaded model per worker and swaps it when the database's active pointer moves (any host's promotion
    or rollback), checking the pointer at most once per ``check_every`` seconds.

    Before anything was published, this host's folder's active version is published (``model_store.adopt_local``).
    A database that cannot be read leaves the loaded model serving; with none loaded yet, the folder's active
    version serves until the database answers again."""

    def __init__(self, model_dir: str, signing_key: str, engine: Engine | None = None, check_every: float = 1.0):
        self.model_dir = model_dir
        self._signing_key = signing_key
        self._engine = engine
        self.check_every = check_every
        self._lock = threading.Lock()
        self._next_check = 0.0
        self._marker: Any = None
        self._model: Any = None
        self._version: str | None = None
        self.last_error: str | None = None

    def _registry(self) -> Registry:
        return Registry(self.model_dir, self._signing_key)

    def current(self) -> tuple[Any, str | None]:
        """The active model and its version, reloading only when the active pointer has moved."""
        if time.monotonic() >= self._next_check:
            with self._lock:
                if time.monotonic() >= self._next_check:
                    self._follow_pointer()
                    self._next_check = time.monotonic() + self.check_every
        return self._model, self._version

    def expire(self) -> None:
        """Look at the pointer on the next call: this process has just moved it."""
        self._next_check = 0.0

    def _follow_pointer(self) -> None:
        registry = self._registry()
        try:
            wanted = self._database_pointer(registry)
        except SQLAlchemyError as exc:
            if self._marker is not None and self._marker[0] == "database":
                return  # keep serving what was loaded; the next check asks again
            log.warning("model pointer not readable in the database (%s); using %s", type(exc).__name__,
                        self.model_dir)
            wanted = None
        if wanted is None:
            marker: Any = ("folder", registry.active_marker())
            if marker != self._marker:
                self._marker = marker
                self._load(registry, None)
            return
        marker = ("database", wanted.version, wanted.changes)
        if marker != self._marker:
            self._marker = marker
            self._load(registry, wanted.version)

    def _database_pointer(self, registry: Registry) -> model_store.Pointer | None:
        """The shared pointer (published from this folder if there is none yet), its version copied here; None
        with no engine or nothing active anywhere."""
        if self._engine is None:
            return None
        with Session(self._engine) as session:
            pointer = model_store.read_pointer(session) or model_store.adopt_local(session, registry, "system")
            if pointer is not None and pointer.version != self._version:
                try:
                    model_store.fetch(session, registry, pointer.version)
                except (RegistryError, OSError) as exc:
                    log.error("routing model could not be copied here: %s", exc,
                              extra={"model_version": pointer.version})
            return pointer

    def _load(self, registry: Registry, version: str | None) -> None:
        """Load ``version`` from this host's folder (its active version when None); on failure no model serves, the
        reason in ``last_error``, and cases go to manual triage."""
        self._model, self._version = None, None
        try:
            version = version or registry.active_version()
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
        log.info("routing model loaded", extra={"model_version": version})


def init_app(app: Flask) -> None:
    app.extensions[HOLDER_KEY] = ModelHolder(app.config["MODEL_DIR"], app.config["MODEL_SIGNING_KEY"],
                                             app.extensions[ENGINE_KEY], app.config["MODEL_CHECK_SECONDS"])


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


def route_many(texts: list[str]) -> list[Routing | None]:
    """``route`` for a batch in one pass of the model (the worker's routing): far cheaper per text than one call
    each; all None when no model can answer."""
    if not texts:
        return []
    try:
        model, version = holder().current()
        if model is None or version is None:
            return [None] * len(texts)
        return [Routing(model_version=version, prediction=p) for p in model.predict(texts)]
    except Exception:
        log.exception("routing failed; the cases go to manual triage")
        return [None] * len(texts)


def request_router() -> Callable[[str], Routing | None] | None:
    """What intake routes with in a request: ``route``, or None when ``civicly worker`` routes after the insert
    (CIVICLY_ROUTING=worker)."""
    return None if current_app.config["ROUTING"] == "worker" else route


def detected_language(text: str) -> str | None:
    """The language of a text, offline; None when unsure."""
    return detect_language(text).code
