"""Model versions as the app sees them: the registry in its MODEL_DIR, signed with the app's key, officers' reviewed
decisions as training rows (the retraining loop), and every change of the active model in the administration audit."""
from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from civicly.classify import Registry, training
from civicly.triage import admin_audit
from civicly.triage.feedback import labelled_examples


def registry() -> Registry:
    """The app's model registry (CIVICLY_MODEL_DIR) with its signing key (CIVICLY_MODEL_SIGNING_KEY), the one
    ``civicly.classify`` loads the active version from."""
    return Registry(current_app.config["MODEL_DIR"], current_app.config["MODEL_SIGNING_KEY"])


def train(session: Session, actor: str, plan: training.TrainingPlan, from_db: bool = False,
          echo: training.Echo = training.silent) -> training.TrainedVersion:
    """Train a signed version into the app's registry, audited; with ``from_db``, officers' reviewed decisions join
    the files' rows."""
    reviewed = labelled_examples(session) if from_db else None
    trained = training.train(registry(), plan, reviewed, echo)
    report = trained.report
    admin_audit.record(session, actor, "model.train", trained.version, files=len(plan.paths), from_db=from_db,
                       macro_f1=report.get("macro_f1"), auto_route_share=report.get("auto_route_share"))
    if trained.promoted:
        admin_audit.record(session, actor, "model.promote", trained.version, previous=trained.previous,
                           forced=plan.force, via="train")
    return trained


def promote(session: Session, actor: str, version: str) -> str | None:
    """Make ``version`` active (it must load: signed, readable); returns the version it replaced."""
    models = registry()
    previous = models.active_version()
    admin_audit.record(session, actor, "model.promote", version, previous=previous)
    models.promote(version)
    return previous


def rollback(session: Session, actor: str) -> str:
    """Re-activate the previously active version; returns it."""
    models = registry()
    replaced = models.active_version()
    version = models.rollback()
    admin_audit.record(session, actor, "model.rollback", version, previous=replaced)
    return version


def sign(session: Session, actor: str, version: str) -> None:
    """Vouch for a version saved before models were signed (or under another key): sign it with the app's key
    without loading it, and record who did, with the artifact's checksum."""
    digest = registry().sign_version(version)
    admin_audit.record(session, actor, "model.sign", version, artifact_sha256=digest)
