"""Escalation before and after the deadline, run by ``civicly worker`` once each working day, by one worker across
all workers and hosts (a lease on the ``jobs`` row, triage/jobs.py; triage/worker.py takes it and commits).

- A case past its ministry's ``warn_at_percent`` (80 % by default) of its service-level time, with no public
  answer yet, alerts whoever holds it, or the ministry's supervisors when nobody does: once per deadline.
- An overdue case without a public answer alerts the ministry's supervisors again each working day.
- A case the citizen reopened (triage/reopening.py) alerts its holder, or the supervisors from the second time.

Each alert is a ``CaseAlert`` row per person (unique per case, level and day, so never given twice) and an Event on
the case; the e-mails are one digest per person, queued in the outbox by the same run (``digest`` messages) and sent
by the worker like the citizens' e-mails. A ministry without supervisors has its officers alerted instead.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists
from sqlmodel import Session, col, select

from civicly.models import Case, CaseAlert, Department, Event, OutboxMessage, User, UserDepartment
from civicly.models.cases import OPEN_STATUSES
from civicly.models.timestamps import utcnow
from civicly.triage import deadlines, jobs

JOB = "escalation.daily"
LEASE = timedelta(minutes=30)  # a run takes seconds; a worker that died mid-way frees the job after this
WARNING, OVERDUE, REOPENED = "warning", "overdue", "reopened"
SYSTEM = "system"
NO_DEADLINE = datetime.max.replace(tzinfo=UTC)  # sorts last


@dataclass
class Escalated:
    """What a run did: alerts given per level, and the digests queued (recipient id -> case references)."""

    alerts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    digests: dict[int, list[str]] = field(default_factory=dict)


def is_working_day(session: Session, day: date) -> bool:
    return day.weekday() not in deadlines.WEEKEND and not deadlines.holidays_between(session, day, day)


def claim(session: Session, worker: str, now: datetime) -> bool:
    """Take today's run if it is a working day, no other worker holds it and none ran today."""
    if not is_working_day(session, now.date()):
        return False
    start_of_day = datetime.combine(now.date(), time.min, tzinfo=UTC)
    return jobs.claim(session, JOB, worker, now, LEASE, start_of_day - timedelta(microseconds=1))


def release(session: Session, worker: str) -> None:
    """End this worker's lease (its start time keeps the job to once today)."""
    jobs.release(session, JOB, worker)


def run(session: Session, now: datetime) -> Escalated:
    """Today's alerts, then the digests of every alert not yet e-mailed (flushed; the worker commits)."""
    done = escalate(session, now)
    done.digests = queue_digests(session, now)
    return done


def _answered_publicly():
    return exists().where(Event.case_id == Case.id, Event.kind == "reply", col(Event.public).is_(True))


def escalate(session: Session, now: datetime) -> Escalated:
    """Alert about every open, unanswered case past its warning point or its deadline (flushed, not committed)."""
    done = Escalated()
    rows = session.exec(
        select(Case, Department.warn_at_percent).join(Department, col(Department.id) == col(Case.department_id))
        .where(col(Case.status).in_([s.value for s in OPEN_STATUSES]), col(Case.deadline_at).is_not(None),
               ~_answered_publicly())
        .order_by(col(Case.deadline_at), col(Case.id))).all()
    for case, percent in rows:
        if case.deadline_at <= now:
            given = alert(session, case, OVERDUE, now.date(), supervisors_first=True, now=now)
        elif now >= case.created_at + (case.deadline_at - case.created_at) * (percent / 100):
            given = alert(session, case, WARNING, case.deadline_at.date(), supervisors_first=False, now=now)
        else:
            continue
        if given:
            done.alerts[OVERDUE if case.deadline_at <= now else WARNING] += 1
    return done


def recipients(session: Session, case: Case, supervisors_first: bool) -> list[User]:
    """The holder (unless ``supervisors_first``), else the ministry's supervisors, else its officers: never nobody
    while the ministry has someone active."""
    if case.assignee_id and not supervisors_first:
        holder = session.get(User, case.assignee_id)
        if holder is not None and holder.active:
            return [holder]
    people = session.exec(select(User, UserDepartment.supervisor)
                          .join(UserDepartment, col(UserDepartment.user_id) == col(User.id))
                          .where(UserDepartment.department_id == case.department_id, col(User.active).is_(True))
                          .order_by(col(User.id))).all()
    supervisors = [user for user, supervisor in people if supervisor]
    return supervisors or [user for user, _supervisor in people]


def alert(session: Session, case: Case, level: str, day: date, supervisors_first: bool,
          now: datetime | None = None) -> list[str]:
    """Alert the people ``recipients`` names about ``case`` at ``level`` for ``day``, those not yet alerted so;
    one Event saying whom. Returns their e-mails (empty when all were alerted already)."""
    now = now or utcnow()
    already = set(session.exec(select(CaseAlert.recipient_id).where(
        CaseAlert.case_id == case.id, CaseAlert.level == level, CaseAlert.day == day)).all())
    people = [user for user in recipients(session, case, supervisors_first) if user.id not in already]
    for user in people:
        session.add(CaseAlert(case_id=case.id, recipient_id=user.id, level=level, day=day, created_at=now))
    if people:
        session.add(Event(case_id=case.id, kind="escalation", actor=SYSTEM, created_at=now,
                          after={"level": level, "to": [user.email for user in people],
                                 "deadline": case.deadline_at.isoformat() if case.deadline_at else None}))
        session.flush()
    return [user.email for user in people]


def queue_digests(session: Session, now: datetime) -> dict[int, list[str]]:
    """One digest e-mail per person for every alert not yet e-mailed (flushed, not committed); returns, per
    recipient, the references it lists."""
    pending = session.exec(select(CaseAlert, Case.reference).join(Case, col(Case.id) == col(CaseAlert.case_id))
                           .where(col(CaseAlert.digest_id).is_(None))
                           .order_by(col(CaseAlert.recipient_id), col(CaseAlert.id))).all()
    by_person: dict[int, list[tuple[CaseAlert, str]]] = defaultdict(list)
    for row, reference in pending:
        by_person[row.recipient_id].append((row, reference))
    queued = {}
    for recipient_id, alerts in by_person.items():
        digest = OutboxMessage(recipient_id=recipient_id, kind="digest", created_at=now, next_attempt_at=now,
                               idempotency_key=f"digest:{recipient_id}:{alerts[0][0].id}")
        session.add(digest)
        session.flush()
        for row, _reference in alerts:
            row.digest_id = digest.id
            session.add(row)
        queued[recipient_id] = [f"{reference} ({row.level})" for row, reference in alerts]
    session.flush()
    return queued


@dataclass(frozen=True)
class DigestLine:
    """One case in a digest e-mail."""

    reference: str
    level: str
    deadline_at: datetime | None


def digest_lines(session: Session, digest_id: int) -> list[DigestLine]:
    """The cases a digest e-mail lists, overdue first."""
    rows = session.exec(select(CaseAlert.level, Case.reference, Case.deadline_at)
                        .join(Case, col(Case.id) == col(CaseAlert.case_id))
                        .where(CaseAlert.digest_id == digest_id)).all()
    order = {OVERDUE: 0, REOPENED: 1, WARNING: 2}
    lines = [DigestLine(reference, level, deadline_at) for level, reference, deadline_at in rows]
    return sorted(lines, key=lambda line: (order.get(line.level, 3), line.deadline_at or NO_DEADLINE, line.reference))
