"""Retraining by itself: once enough officers' decisions arrived since the active model was trained, the worker trains
a version on the historical files plus every reviewed label and promotes it if no worse (the same service as
``civicly model train --from-db --promote``), at most once a day and by one worker at a time across hosts.

The lease is a row of ``jobs`` (triage/jobs.py)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from civicly import model_store
from civicly.classify import RegistryError, training
from civicly.models import Job, Label
from civicly.models.timestamps import utcnow
from civicly.triage import admin_audit, jobs, model_versions

JOB = "model.retrain"
EVERY = timedelta(days=1)  # at most one retraining a day: a day's labels barely move a model trained on thousands
LEASE = timedelta(hours=2)  # far longer than a training; a worker that died mid-way frees the job after it


@dataclass(frozen=True)
class Retrained:
    """What a retraining did: the version saved (None if training failed), whether it became active, and why not."""

    version: str | None
    promoted: bool
    problem: str | None = None


def labels_since_active(session: Session, at_most: int) -> int:
    """Officers' decisions recorded since the active model was trained (all of them when no model is active),
    counted up to ``at_most``: the worker asks often, and only needs to know whether there are enough."""
    rows = select(col(Label.id)).limit(at_most)
    trained_at = _active_trained_at(session)
    if trained_at is not None:
        rows = rows.where(col(Label.created_at) > trained_at)
    return session.exec(select(func.count()).select_from(rows.subquery())).one()


def _active_trained_at(session: Session) -> datetime | None:
    """The active version's training time, from its model card (None: no model, or one that cannot be read)."""
    models = model_versions.registry()
    try:
        version = model_versions.active_version(session)
        if version is None:
            return None
        model_store.fetch(session, models, version)
        return datetime.fromisoformat(models.card(version)["created_at"])
    except (RegistryError, OSError, KeyError, ValueError):
        return None


def claim(session: Session, config: Mapping[str, Any], worker: str, now: datetime | None = None) -> bool:
    """Take the retraining job if it is due: on (CIVICLY_RETRAIN_AFTER_LABELS > 0), enough new labels, not run in
    the last day, no other worker holding it. Marks it started now; the caller commits before training, so other
    workers see the lease."""
    threshold = config.get("RETRAIN_AFTER_LABELS", 0)
    now = now or utcnow()
    if threshold <= 0 or _ran_since(session, now - EVERY) or labels_since_active(session, threshold) < threshold:
        return False
    return jobs.claim(session, JOB, worker, now, LEASE, now - EVERY)


def _ran_since(session: Session, since: datetime) -> bool:
    """Whether the job started after ``since`` (one primary-key read, before counting labels)."""
    job = session.get(Job, JOB)
    return job is not None and job.last_run_at is not None and job.last_run_at > since


def release(session: Session, worker: str) -> None:
    """End this worker's lease (its start time stays, for the once-a-day rule)."""
    jobs.release(session, JOB, worker)


def plan(config: Mapping[str, Any]) -> training.TrainingPlan:
    """The historical files and label map of CIVICLY_RETRAIN_DATA / CIVICLY_RETRAIN_LABEL_MAP, promoted if no worse."""
    return training.TrainingPlan(paths=tuple(config["RETRAIN_DATA"]), label_map=config.get("RETRAIN_LABEL_MAP") or None,
                                 promote=True)


def retrain(session: Session, config: Mapping[str, Any], actor: str,
            echo: training.Echo = training.silent) -> Retrained:
    """Train on the historical files plus officers' labels, gate and promote (audited as ``model.train`` and
    ``model.promote`` by the service). A version the gate refuses, or a training that fails, is audited as
    ``model.train`` with the reason, so administrators see every attempt."""
    saved_before = set(_saved_versions())
    try:
        trained = model_versions.train(session, actor, plan(config), from_db=True, echo=echo)
    except (training.TrainingError, OSError) as error:
        problem = str(error)[:500]  # figures and version ids, or a file path: no personal data
        saved = sorted(set(_saved_versions()) - saved_before)  # the version the gate refused, if one was saved
        version = saved[-1] if saved else None
        admin_audit.record(session, actor, "model.train", version or "-", from_db=True, promoted=False,
                           problem=problem)
        return Retrained(version, False, problem)
    return Retrained(trained.version, trained.promoted)


def _saved_versions() -> list[str]:
    """Every version in the app's registry (none if its folder cannot be read)."""
    try:
        return model_versions.registry().versions()
    except (RegistryError, OSError):
        return []
