"""Leases on the worker's periodic jobs (models.jobs): a job runs on one worker at a time across hosts, and no more
often than its caller's rule says. The lease is a compare-and-set update of the job's row, which SQLite and
PostgreSQL both make atomic: of two workers asking at once, one gets the row, the other nothing."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from civicly.models import Job


def ensure_row(session: Session, name: str) -> None:
    """The job's row, inserted by whichever worker comes first (the others' inserts do nothing)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(Job).values(name=name).on_conflict_do_nothing(index_elements=["name"]))


def claim(session: Session, name: str, worker: str, now: datetime, lease: timedelta, last_run_before: datetime) -> bool:
    """Take job ``name`` for ``worker`` if no lease is held and it last started at or before ``last_run_before``;
    marks it started ``now``. The caller commits, so that other workers see the lease."""
    ensure_row(session, name)
    taken = session.execute(
        update(Job).where(
            col(Job.name) == name,
            or_(col(Job.lease_until).is_(None), col(Job.lease_until) < now),
            or_(col(Job.last_run_at).is_(None), col(Job.last_run_at) <= last_run_before),
        ).values(lease_until=now + lease, held_by=worker[:64], last_run_at=now)
    )
    return taken.rowcount == 1


def release(session: Session, name: str, worker: str) -> None:
    """End this worker's lease (its start time stays, for the "how often" rule)."""
    session.execute(update(Job).where(and_(col(Job.name) == name, col(Job.held_by) == worker[:64]))
                    .values(lease_until=None, held_by=None))
