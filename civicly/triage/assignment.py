"""Who holds a case: an officer takes it, a supervisor of its ministry gives it to someone, the holder (or a
supervisor) releases it. Each change is an Event; rerouting to another ministry clears the holder (decisions.py).

A change is a compare-and-set on the case version, as decisions are, so two officers clicking "Take" at once
cannot both hold it: the second gets Conflict and sees who took it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, update
from sqlmodel import Session, col, select

from civicly.errors import NotAllowed
from civicly.models import Case, Event, User, UserDepartment
from civicly.models.cases import OPEN_STATUSES
from civicly.models.timestamps import utcnow
from civicly.triage.decisions import Conflict, InvalidDecision
from civicly.triage.permissions import Actor, can_act, find_visible_case


@dataclass(frozen=True)
class Colleague:
    """An officer of a ministry, as the "Assign to…" list and the load view show them."""

    user_id: int
    email: str
    open_cases: int = 0
    overdue: int = 0
    supervisor: bool = False


def holder_email(session: Session, case: Case) -> str | None:
    user = session.get(User, case.assignee_id) if case.assignee_id else None
    return user.email if user else None


def take(session: Session, actor: Actor, reference: str, version: int, at: datetime | None = None) -> Case:
    """The actor holds the case from now on; someone else's case only if the actor supervises its ministry."""
    case = _actionable(session, actor, reference, version)
    if case.assignee_id == actor.user_id:
        raise InvalidDecision(str(_l("you already hold this case")))
    if case.assignee_id is not None and not actor.supervises(case):
        raise NotAllowed("another officer holds this case")
    return _set_holder(session, actor, case, version, actor.user_id, actor.email, "taken", at)


def assign(session: Session, actor: Actor, reference: str, version: int, to_email: str,
           at: datetime | None = None) -> Case:
    """A supervisor of the case's ministry gives it to one of the ministry's active officers."""
    case = _actionable(session, actor, reference, version)
    if not actor.supervises(case):
        raise NotAllowed("only a supervisor of the ministry assigns its cases to others")
    colleague = next((c for c in colleagues(session, case.department_id) if c.email == to_email.strip().lower()), None)
    if colleague is None:
        raise InvalidDecision(str(_l("choose an officer of this ministry")))
    if colleague.user_id == case.assignee_id:
        raise InvalidDecision(str(_l("this officer already holds the case")))
    return _set_holder(session, actor, case, version, colleague.user_id, colleague.email, "assigned", at)


def release(session: Session, actor: Actor, reference: str, version: int, at: datetime | None = None) -> Case:
    """The holder (or a supervisor) puts the case back among the ministry's unassigned cases."""
    case = _actionable(session, actor, reference, version)
    if case.assignee_id is None:
        raise InvalidDecision(str(_l("nobody holds this case")))
    if case.assignee_id != actor.user_id and not actor.supervises(case):
        raise NotAllowed("another officer holds this case")
    return _set_holder(session, actor, case, version, None, None, "released", at)


def _actionable(session: Session, actor: Actor, reference: str, version: int) -> Case:
    """Only the officers of the case's ministry hold its cases (not triage staff, nor admins of other ministries);
    Conflict when the case changed since the actor's page showed it (someone may have taken it meanwhile)."""
    case = find_visible_case(session, actor, reference)
    if not can_act(actor, case) or not actor.owns(case):
        raise NotAllowed(reference)
    if case.version != version:
        raise Conflict(reference)
    return case


def _set_holder(session: Session, actor: Actor, case: Case, version: int, user_id: int | None, email: str | None,
                kind: str, at: datetime | None) -> Case:
    now = at or utcnow()
    before = holder_email(session, case)
    result = session.execute(update(Case).where(col(Case.id) == case.id, col(Case.version) == version)
                             .values(assignee_id=user_id, version=Case.version + 1, updated_at=now))
    if result.rowcount != 1:
        raise Conflict(case.reference)
    session.add(Event(case_id=case.id, kind=kind, actor=actor.email, before={"assignee": before},
                      after={"assignee": email}, created_at=now))
    session.flush()
    session.refresh(case)
    return case


def colleagues(session: Session, department_id: int | None) -> list[Colleague]:
    """The active officers of a ministry with the open cases each holds there (and how many are overdue)."""
    if department_id is None:
        return []
    people = session.exec(select(User.id, User.email, UserDepartment.supervisor)
                          .join(UserDepartment, col(UserDepartment.user_id) == col(User.id))
                          .where(UserDepartment.department_id == department_id, col(User.active).is_(True))
                          .order_by(User.email)).all()
    now = utcnow()
    open_cases = (col(Case.department_id) == department_id) & col(Case.status).in_([s.value for s in OPEN_STATUSES])
    held = dict(session.exec(select(Case.assignee_id, func.count()).where(open_cases)
                             .group_by(Case.assignee_id)).all())
    late = dict(session.exec(select(Case.assignee_id, func.count()).where(open_cases, col(Case.deadline_at) < now)
                             .group_by(Case.assignee_id)).all())
    return [Colleague(uid, email, held.get(uid, 0), late.get(uid, 0), supervisor)
            for uid, email, supervisor in people]


@dataclass(frozen=True)
class MinistryLoad:
    """A supervised ministry: each officer's open and overdue cases, and those nobody holds."""

    department_id: int
    name: str
    officers: list[Colleague]
    unassigned: int
    unassigned_overdue: int


def load(session: Session, actor: Actor, names: dict[int, str]) -> list[MinistryLoad]:
    """Everyone's load in each ministry the actor supervises (NotAllowed for anyone else)."""
    if not actor.is_supervisor:
        raise NotAllowed("the load view is for supervisors")
    loads = []
    now = utcnow()
    for department_id in sorted(actor.supervised_ids):
        unheld = (col(Case.department_id) == department_id, col(Case.assignee_id).is_(None),
                  col(Case.status).in_([s.value for s in OPEN_STATUSES]))
        unassigned = session.exec(select(func.count()).select_from(Case).where(*unheld)).one()
        overdue = session.exec(select(func.count()).select_from(Case).where(*unheld, col(Case.deadline_at) < now)).one()
        loads.append(MinistryLoad(department_id, names.get(department_id, str(department_id)),
                                  colleagues(session, department_id), unassigned, overdue))
    return loads
