"""The citizen says "not solved": their answer to the survey of a closed case (triage/satisfaction.py), a "No" with a
short reason, reopens it. Status back to in progress, a new deadline counted from now, the same holder; the holder
is alerted (the ministry's supervisors when nobody holds it), and from the second reopening the supervisors are.

The alert is a CaseAlert given once (triage/escalation.py) and goes out in the next daily digest; the case is back in
its holder's "Mine" view at once."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from civicly.models import Case, Event
from civicly.models.cases import CaseStatus
from civicly.triage import deadlines, escalation

REOPENABLE = frozenset({CaseStatus.resolved, CaseStatus.rejected})  # a merged duplicate lives on in its original
CITIZEN = "citizen"


def may_reopen(case: Case) -> bool:
    return CaseStatus(case.status) in REOPENABLE and case.department_id is not None


def reopen(session: Session, case: Case, reason: str, now: datetime) -> Case:
    """Reopen ``case`` for the citizen's ``reason`` (already redacted), in the caller's unit of work."""
    times = case.reopen_count + 1
    deadline = deadlines.deadline_for(session, case.department_id, case.urgency, now)
    session.execute(update(Case).where(col(Case.id) == case.id).values(
        status=CaseStatus.in_progress.value, deadline_at=deadline, reopen_count=times, version=Case.version + 1,
        updated_at=now))
    session.add(Event(case_id=case.id, kind="reopened", actor=CITIZEN, public=True, message=reason, created_at=now,
                      before={"status": case.status},
                      after={"status": CaseStatus.in_progress.value, "times": times,
                             "deadline": deadline.isoformat() if deadline else None}))
    session.flush()
    session.refresh(case)
    escalation.alert(session, case, escalation.REOPENED, now.date(), supervisors_first=times >= 2, now=now)
    return case
