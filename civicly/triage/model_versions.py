"""Model versions as the app sees them: the registry in its MODEL_DIR, and officers' reviewed decisions as
training rows (the retraining loop)."""
from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from civicly.classify import Registry, training
from civicly.triage.feedback import labelled_examples


def registry() -> Registry:
    """The app's model registry (CIVICLY_MODEL_DIR), the one ``civicly.classify`` loads the active version from."""
    return Registry(current_app.config["MODEL_DIR"])


def train(session: Session | None, plan: training.TrainingPlan,
          echo: training.Echo = training.silent) -> training.TrainedVersion:
    """Train a version into the app's registry; given a session, officers' reviewed decisions join the files' rows."""
    reviewed = labelled_examples(session) if session is not None else None
    return training.train(registry(), plan, reviewed, echo)
