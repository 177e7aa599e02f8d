"""Model versions as the app sees them: the active pointer and the versions in the database every host shares, this
host's MODEL_DIR as their verified copy (signed with the app's key), officers' reviewed decisions as training rows
(the retraining loop), and every change of the active model in the administration audit."""
from __future__ import annotations

from flask import current_app
from sqlmodel import Session

from civicly import model_store
from civicly.classify import Registry, RegistryError, holder, training
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
    models = registry()
    try:  # the gate compares with the version every host routes with
        model_store.mirror(session, models)
    except RegistryError as problem:  # none good anywhere: the gate finds this host's copy unusable and says so
        echo(f"the active version could not be copied here: {problem}", err=True)
    trained = training.train(models, plan, reviewed, echo)
    if trained.promoted:
        model_store.set_active(session, models, trained.version, actor)
        holder().expire()
    report = trained.report
    admin_audit.record(session, actor, "model.train", trained.version, files=len(plan.paths), from_db=from_db,
                       macro_f1=report.get("macro_f1"), auto_route_share=report.get("auto_route_share"))
    if trained.promoted:
        admin_audit.record(session, actor, "model.promote", trained.version, previous=trained.previous,
                           forced=plan.force, via="train")
    return trained


def promote(session: Session, actor: str, version: str) -> str | None:
    """Make ``version`` active (it must load: signed, readable); returns the version it replaced."""
    previous = model_store.set_active(session, registry(), version, actor)
    admin_audit.record(session, actor, "model.promote", version, previous=previous)
    holder().expire()
    return previous


def rollback(session: Session, actor: str) -> str:
    """Re-activate the previously active version; returns it."""
    version, replaced = model_store.rollback(session, registry(), actor)
    admin_audit.record(session, actor, "model.rollback", version, previous=replaced)
    holder().expire()
    return version


def active_version(session: Session) -> str | None:
    """The version every host routes with."""
    return model_store.active_version(session, registry())


def version_here(session: Session, version: str | None) -> str | None:
    """``version``, or the one every host routes with, copied into this host's folder if it lacks it: what
    ``evaluate`` and ``predict`` load by default."""
    wanted = version or active_version(session)
    if wanted is not None and version is None:
        model_store.fetch(session, registry(), wanted)
    return wanted


def sign(session: Session, actor: str, version: str) -> None:
    """Vouch for a version saved before models were signed (or under another key): sign it with the app's key
    without loading it, and record who did, with the artifact's checksum."""
    digest = registry().sign_version(version)
    admin_audit.record(session, actor, "model.sign", version, artifact_sha256=digest)
