"""Routing the cases intake stored without routing them (CIVICLY_ROUTING=worker), a batch at a time: redact each
text, classify the batch in one pass of the model, then record each case's ministry, urgency, deadline and
acknowledgement exactly as intake does in a request (``intake.route_stored``).

Run by ``civicly worker`` before grouping; several workers may run at once (outbox claims and leases keep each job
to one of them). A case whose routing cannot be recorded goes to manual triage, as when no model answers.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session, col, select

from civicly import privacy
from civicly.classify import Routing
from civicly.models import Case, OutboxMessage
from civicly.models.timestamps import utcnow
from civicly.triage import intake, outbox

log = logging.getLogger(__name__)

RouteMany = Callable[[list[str]], list[Routing | None]]


def route_pending(session: Session, worker: str, route_many: RouteMany, limit: int = 20) -> int:
    """Route up to ``limit`` cases waiting for it, oldest first; returns how many jobs were done. A lost or busy
    database propagates: the claimed jobs are taken again when their lease ends (``outbox.LEASE``)."""
    job_ids = outbox.claim(session, worker, limit=limit, kinds=(outbox.ROUTING,))
    if not job_ids:
        return 0
    jobs = dict(session.exec(select(OutboxMessage.case_id, OutboxMessage.id)
                             .where(col(OutboxMessage.id).in_(job_ids), OutboxMessage.claimed_by == worker)).all())
    cases = list(session.exec(select(Case).where(col(Case.id).in_(list(jobs))).order_by(col(Case.id))
                              .execution_options(populate_existing=True)))
    waiting = [case for case in cases if case.erased_at is None]
    redacted = [privacy.redact(case.text) for case in waiting]
    # One pass of the model over the batch, outside any write: SQLite's single write lock is held only below.
    verdicts = iter(route_many([text for case, text in zip(waiting, redacted, strict=True)
                                if intake.being_routed(case)]))
    routings = [next(verdicts) if intake.being_routed(case) else None for case in waiting]
    session.commit()  # ends the reads (on PostgreSQL, their transaction); nothing was written
    # Each transaction's first write removes jobs: on SQLite it takes the write lock before anything is read in it
    # (a write after reads could find its snapshot outdated and fail at once). SQLite has one write lock for the
    # whole database, which submissions wait for: there each case is its own short transaction.
    one_by_one = session.get_bind().dialect.name == "sqlite"
    outbox.finish(session, [job for case_id, job in jobs.items()
                            if not one_by_one or case_id not in {case.id for case in waiting}], worker)
    now = utcnow()
    for case, text, routing in zip(waiting, redacted, routings, strict=True):
        if one_by_one:
            session.commit()  # the previous case's routing is stored; the lock is free for submissions meanwhile
            outbox.finish(session, [jobs[case.id]], worker)
        try:
            with session.begin_nested():
                intake.route_stored(session, case, text, routing, now)
        except Exception:
            log.exception("routing could not be recorded for case %s; it goes to manual triage", case.reference)
            with session.begin_nested():
                intake.route_stored(session, case, text, None, now)
    session.commit()  # the batch's routing is stored with its finished jobs, before the next batch is claimed
    return len(jobs)


def route_all_pending(session: Session, worker: str, route_many: RouteMany) -> int:
    """Every routing job due now, until none is left (``civicly worker --once``, tests); returns how many."""
    total = 0
    while done := route_pending(session, worker, route_many):
        total += done
    return total
