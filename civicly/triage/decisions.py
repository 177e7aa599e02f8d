"""Officers' decisions on a case: permission check, then change + Event (+ Label) in one unit of work."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, col, select

from civicly.errors import CivicError, NotAllowed, UnknownReference
from civicly.models import Case, Department, Event, Label, Prediction, User
from civicly.models.audit import MESSAGE_MAX
from civicly.models.cases import OPEN_STATUSES, CaseStatus, Urgency
from civicly.models.timestamps import utcnow
from civicly.references import normalise_reference
from civicly.triage import deadlines, groups, outbox
from civicly.triage.departments import department_by_code
from civicly.triage.permissions import Actor, can_act, find_visible_case

ACTIONS = ("confirm", "reassign", "urgency", "status", "note", "reply")
STATE_ACTIONS = frozenset({"confirm", "reassign", "urgency", "status"})
STATUS_ORDER = [CaseStatus.new, CaseStatus.acknowledged, CaseStatus.in_progress]


class Conflict(CivicError):
    """Someone else changed the case since this page was loaded."""


class InvalidDecision(CivicError):
    """The decision is incomplete or impossible (the message says why, for the officer)."""


@dataclass(frozen=True)
class Decision:
    """What an officer asks for; ``version`` is the case version their page showed."""

    action: str
    version: int
    department_code: str = ""
    urgency: str = ""
    status: str = ""
    duplicate_of: str = ""
    reason: str = ""
    message: str = ""


def decide(session: Session, actor: Actor, reference: str, decision: Decision, at: datetime | None = None) -> Case:
    """Apply one decision; raises UnknownReference (not visible), NotAllowed, InvalidDecision or Conflict.

    ``at`` is when it was decided, for replaying recorded history (the demo data); it defaults to now.
    """
    case = find_visible_case(session, actor, reference)
    if not can_act(actor, case):
        raise NotAllowed(reference)
    if decision.action not in ACTIONS:
        raise InvalidDecision(f"unknown action {decision.action!r}")
    handler = {
        "confirm": _confirm, "reassign": _reassign, "urgency": _urgency,
        "status": _status, "note": _note, "reply": _reply,
    }[decision.action]
    changes, event, label = handler(session, actor, case, decision)
    now = at or utcnow()
    event.created_at = now
    if label is not None:
        label.created_at = now
    if decision.action in STATE_ACTIONS:
        result = session.execute(
            update(Case).where(col(Case.id) == case.id, col(Case.version) == decision.version)
            .values(**changes, version=Case.version + 1, updated_at=now)
        )
        if result.rowcount != 1:  # nothing was written or added: the caller's unit of work stays as it was
            raise Conflict(reference)
        if "department_id" in changes:
            groups.detach(session, case)
    session.add(event)
    if decision.action in ("reply", "status"):
        session.flush()
        kind = "reply" if decision.action == "reply" else outbox.kind_for_status(decision.status)
        outbox.notify(session, case, kind, event)
    if label is not None:
        session.add(label)
    session.flush()
    session.refresh(case)
    return case


def _latest_prediction(session: Session, case: Case) -> Prediction | None:
    return session.exec(
        select(Prediction).where(Prediction.case_id == case.id).order_by(col(Prediction.id).desc())).first()


def _department_code(session: Session, department_id: int | None) -> str | None:
    department = session.get(Department, department_id) if department_id else None
    return department.code if department else None


def _label(session: Session, actor: Actor, case: Case, department_code: str | None, urgency: str | None) -> Label:
    """A training example: the final department and urgency, and what the model had said."""
    prediction = _latest_prediction(session, case)
    agrees = prediction is not None and prediction.department_code == department_code and (
        urgency is None or prediction.urgency == urgency)
    return Label(
        case_id=case.id, text=case.text_redacted, language=case.language, department_code=department_code,
        urgency=urgency, kind="confirm" if agrees else "correct", decided_by=actor.email,
        model_version=prediction.model_version if prediction else None,
        predicted_department=prediction.department_code if prediction else None,
        predicted_urgency=prediction.urgency if prediction else None,
    )


def _event(case: Case, actor: Actor, kind: str, before: dict[str, Any], after: dict[str, Any],
           public: bool = False, message: str | None = None) -> Event:
    return Event(case_id=case.id, kind=kind, actor=actor.email, public=public, message=message,
                 before=before, after=after)


def _required_text(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidDecision(str(_l("%(what)s is required", what=what)))
    if len(value) > MESSAGE_MAX:
        raise InvalidDecision(str(_l("%(what)s is longer than %(max)d characters", what=what, max=MESSAGE_MAX)))
    return value


def _confirm(session: Session, actor: Actor, case: Case, decision: Decision):
    code = _department_code(session, case.department_id)
    if code is None:
        raise InvalidDecision(str(_l("the case has no ministry yet: reassign it to one")))
    event = _event(case, actor, "confirmed", {"department": code, "urgency": case.urgency},
                   {"department": code, "urgency": case.urgency})
    return {"needs_triage": False}, event, _label(session, actor, case, code, case.urgency)


def _reassign(session: Session, actor: Actor, case: Case, decision: Decision):
    target = department_by_code(session, decision.department_code, active_only=True)
    if target is None:
        raise InvalidDecision(str(_l("choose an active ministry")))
    if target.id == case.department_id:
        raise InvalidDecision(str(_l("the case is already with this ministry")))
    reason = _required_text(decision.reason, str(_l("a reason")))
    before = _department_code(session, case.department_id)
    holder = session.get(User, case.assignee_id) if case.assignee_id else None
    event = _event(case, actor, "reassigned", {"department": before, **({"assignee": holder.email} if holder else {})},
                   {"department": target.code, "reason": reason}, public=True)
    # The case leaves its holder's ministry: nobody there holds it any more, and the new ministry assigns it.
    changes = {"department_id": target.id, "needs_triage": False, "assignee_id": None,
               "deadline_at": deadlines.deadline_for(session, target.id, case.urgency, case.created_at)}
    return changes, event, _label(session, actor, case, target.code, case.urgency)


def _urgency(session: Session, actor: Actor, case: Case, decision: Decision):
    if decision.urgency not in Urgency.__members__:
        raise InvalidDecision(str(_l("choose high, medium or low")))
    level = Urgency(decision.urgency)
    reason = _required_text(decision.reason, str(_l("a reason")))
    event = _event(case, actor, "urgency", {"urgency": case.urgency, "source": case.urgency_source},
                   {"urgency": level.value, "source": "officer", "reason": reason})
    changes = {"urgency": level.value, "urgency_rank": level.rank, "urgency_source": "officer",
               "deadline_at": deadlines.deadline_for(session, case.department_id, level.value, case.created_at)}
    label = _label(session, actor, case, _department_code(session, case.department_id), level.value)
    return changes, event, label


def _status(session: Session, actor: Actor, case: Case, decision: Decision):
    try:
        target = CaseStatus(decision.status)
    except ValueError:
        raise InvalidDecision(str(_l("choose a status"))) from None
    current = CaseStatus(case.status)
    if target == current:
        raise InvalidDecision(str(_l("the case already has this status")))
    if (target in OPEN_STATUSES and current in OPEN_STATUSES
            and STATUS_ORDER.index(target) < STATUS_ORDER.index(current)):
        raise InvalidDecision(str(_l("a status can only move forward")))
    if current not in OPEN_STATUSES and target != CaseStatus.in_progress:
        raise InvalidDecision(str(_l("a closed case can only be reopened (in progress)")))
    changes: dict[str, Any] = {"status": target.value, "duplicate_of_id": None}
    after: dict[str, Any] = {"status": target.value}
    if target == CaseStatus.duplicate:
        original = _duplicate_target(session, actor, case, decision.duplicate_of)
        changes["duplicate_of_id"] = original.id
        after["duplicate_of"] = original.reference
    event = _event(case, actor, "status", {"status": current.value}, after, public=True)
    return changes, event, None


def _duplicate_target(session: Session, actor: Actor, case: Case, typed: str) -> Case:
    reference = normalise_reference(typed or "")
    if reference is None or reference == case.reference:
        raise InvalidDecision(str(_l("give the reference of the case this one duplicates")))
    try:
        return find_visible_case(session, actor, reference)
    except UnknownReference:
        raise InvalidDecision(str(_l("no case you can see has this reference"))) from None


def _note(session: Session, actor: Actor, case: Case, decision: Decision):
    message = _required_text(decision.message, str(_l("the note")))
    return {}, _event(case, actor, "note", {}, {}, message=message), None


def _reply(session: Session, actor: Actor, case: Case, decision: Decision):
    message = _required_text(decision.message, str(_l("the reply")))
    return {}, _event(case, actor, "reply", {}, {}, public=True, message=message), None
