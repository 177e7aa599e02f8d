"""The active routing model as every host sees it: the pointer and the signed versions in the shared database, and
each host's model folder (CIVICLY_MODEL_DIR) as a verified local copy.

A promotion or rollback on any host (or by the worker's retraining) moves the one pointer row; each host compares
that row with what it loaded about once a second (``civicly.classify.ModelHolder``) and copies a version it does not
have from the database, checked against its card's checksum and the signature made with CIVICLY_MODEL_SIGNING_KEY.
An installation whose database has no pointer yet publishes its folder's active version on first use."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from civicly.models import ActiveModel, ModelArtifact
from civicly.models.timestamps import utcnow
from classifier import Registry, RegistryError

log = logging.getLogger(__name__)
ROUTING = "routing"


@dataclass(frozen=True)
class Pointer:
    """The database's active version, the versions active before it (newest last), and its change counter."""

    version: str
    history: list[str]
    changes: int


def read_pointer(session: Session) -> Pointer | None:
    """The shared pointer, one primary-key read; None before any version was published."""
    row = session.get(ActiveModel, ROUTING, populate_existing=True)
    return None if row is None else Pointer(row.version, list(row.history), row.changes)


def publish(session: Session, registry: Registry, version: str) -> None:
    """Store ``version`` from this host's folder in the database, if it is not there yet (checked first)."""
    if session.get(ModelArtifact, version) is not None:
        return
    card, artifact, signature = registry.export_version(version)
    session.add(ModelArtifact(version=version, card=card, artifact=artifact, signature=signature,
                              artifact_sha256=hashlib.sha256(artifact).hexdigest()))
    session.flush()


def fetch(session: Session, registry: Registry, version: str) -> None:
    """Make sure this host's folder holds a copy of ``version`` that checks out, copying it from the database if
    not; a RegistryError when neither has a good one."""
    if registry.signature_problem(version) is None:
        return
    stored = session.get(ModelArtifact, version)
    if stored is None:
        raise RegistryError(f"model version '{version}' is active but was never published to the database; "
                            "promote it again from the host that has it")
    registry.install_version(stored.card, stored.artifact, stored.signature)


def set_active(session: Session, registry: Registry, version: str, actor: str) -> str | None:
    """Make ``version`` (saved and loadable on this host) the one every host routes with; the version it replaced."""
    registry.load(version)  # refuse what would not load anywhere: unsigned, corrupt, another scikit-learn
    publish(session, registry, version)
    row = _locked_pointer(session)
    if row is None:
        _insert_pointer(session, ActiveModel(name=ROUTING, version=version, history=[], changed_by=actor[:254]))
        mirror(session, registry)
        return None
    previous = row.version
    if previous != version:
        _move(row, version, [*row.history, previous], actor)
        session.flush()
    mirror(session, registry)
    return previous


def rollback(session: Session, registry: Registry, actor: str) -> tuple[str, str]:
    """Re-activate the version active before the current one, for every host; (that version, the one replaced)."""
    row = _locked_pointer(session)
    if row is None or not row.history:
        raise RegistryError("no previously active version to roll back to")
    *history, version = row.history
    fetch(session, registry, version)
    registry.load(version)
    replaced = row.version
    _move(row, version, history, actor)
    session.flush()
    mirror(session, registry)
    return version, replaced


def adopt_local(session: Session, registry: Registry, actor: str) -> Pointer | None:
    """Before any pointer exists in the database: publish this host's active version (an installation upgraded
    from model folders, or a fresh clone's demo model) and point to it. If another host got there first, its
    pointer stands. Commits; None when this host has no active version either."""
    try:
        version = registry.active_version()
        if version is None:
            return None
        publish(session, registry, version)
        _insert_pointer(session, ActiveModel(name=ROUTING, version=version, history=[], changed_by=actor[:254]))
        session.commit()  # the model holder's own session: every host sees the pointer before it routes a case
    except IntegrityError:  # another host published the same version or a pointer at the same moment
        session.rollback()
    except (RegistryError, OSError) as problem:  # a copy that does not check out is never shared
        session.rollback()
        log.error("this host's active model version was not published: %s", problem)
        return None
    return read_pointer(session)


def mirror(session: Session, registry: Registry) -> None:
    """Point this host's folder where the database points (copying the version if needed), so commands that read
    the folder (evaluate, predict, the training gate) use the version every host routes with."""
    pointer = read_pointer(session)
    if pointer is None:
        return
    fetch(session, registry, pointer.version)
    registry.point_to(pointer.version, pointer.history)


def active_version(session: Session, registry: Registry) -> str | None:
    """The version every host routes with (this host's folder's, before anything was published)."""
    pointer = read_pointer(session)
    return registry.active_version() if pointer is None else pointer.version


def _locked_pointer(session: Session) -> ActiveModel | None:
    """The pointer row, locked until commit on PostgreSQL, so two promotions at once keep both in the history."""
    return session.exec(select(ActiveModel).where(ActiveModel.name == ROUTING)
                        .with_for_update().execution_options(populate_existing=True)).first()


def _insert_pointer(session: Session, row: ActiveModel) -> None:
    session.add(row)
    session.flush()


def _move(row: ActiveModel, version: str, history: list[str], actor: str) -> None:
    row.version, row.history = version, history
    row.changes += 1
    row.changed_at, row.changed_by = utcnow(), actor[:254]
