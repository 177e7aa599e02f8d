"""Asking citizens, once their case is closed, whether their concern was answered.

Whoever holds the case's reference may answer, and may change the answer while the survey is open
(``SURVEY_WINDOW`` after the case was closed): the latest answer counts. The reference is the citizen's secret: it
is on their receipt and in their messages only, never public (Open311 and open data show a separate public id).

Why revision rather than a second secret: the first answer used to be final, so a stranger who learned a reference
could answer first and lock the citizen out. With revision, the citizen can always put their own answer back until
the survey closes. A second secret would have to reach citizens through every channel (SMS, USSD and WhatsApp
receipts are short, and many keep only the reference) and would be lost more often than the reference, silencing
the very people the survey is for; and what it protects is a statistic, not a decision about anyone. Answers are
rate-limited like tracking (``CIVICLY_TRACK_RATE_LIMIT``).

A "No" with a reason also reopens the case (triage/reopening.py): the question is "Is it solved?", and the survey
is open for ``CIVICLY_REOPEN_DAYS`` (30) days after closure. A stranger who learned the reference could reopen it,
once per closure: the officer closes it again, and the history shows the citizen's reason each time.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from civicly import privacy
from civicly.errors import CivicError
from civicly.models import Case, Event, SatisfactionAnswer
from civicly.models.cases import CaseStatus
from civicly.models.timestamps import utcnow
from civicly.references import case_by_reference
from civicly.triage import reopening

COMMENT_MAX = 2000
SURVEY_WINDOW = timedelta(days=30)  # after closure; the citizen may answer and change their answer until then


class NotAsked(CivicError):
    """The case is still open, or its survey closed."""


def closed_at(session: Session, case: Case) -> datetime | None:
    """When the case was last closed (its latest status change), or None while it is open."""
    if CaseStatus(case.status).is_open:
        return None
    latest = session.exec(select(Event.created_at).where(Event.case_id == case.id, Event.kind == "status")
                          .order_by(col(Event.created_at).desc(), col(Event.id).desc())).first()
    return latest or case.updated_at


def _survey_open(session: Session, case: Case, now: datetime | None = None,
                 window: timedelta = SURVEY_WINDOW) -> bool:
    closed = closed_at(session, case)
    return closed is not None and (now or utcnow()) < closed + window


def can_answer(session: Session, typed_reference: str, window: timedelta = SURVEY_WINDOW) -> bool:
    """Closed, and within the survey window: the tracking page asks the question (again, if already answered)."""
    return _survey_open(session, case_by_reference(session, typed_reference), window=window)


def has_answered(session: Session, typed_reference: str) -> bool:
    case = case_by_reference(session, typed_reference)
    return session.exec(select(SatisfactionAnswer.id).where(SatisfactionAnswer.case_id == case.id)).first() is not None


def answer(session: Session, typed_reference: str, answered: bool, comment: str = "",
           now: datetime | None = None, window: timedelta = SURVEY_WINDOW) -> SatisfactionAnswer:
    """Store the citizen's answer, replacing an earlier one (the comment redacted of personal data); a "No" with a
    reason reopens the case. NotAsked if the case is open or its survey closed. ``now`` is when it was answered, for
    replaying history (the demo data)."""
    now = now or utcnow()
    case = case_by_reference(session, typed_reference)
    if not _survey_open(session, case, now, window):
        raise NotAsked("the case is still open or its survey closed")
    comment = privacy.redact(comment.strip()[:COMMENT_MAX]) or None
    if not answered and comment and reopening.may_reopen(case):
        reopening.reopen(session, case, comment, now)
    row = _answer_of(session, case.id)
    if row is None:
        try:
            with session.begin_nested():  # two first answers at once: the second becomes a revision below
                row = SatisfactionAnswer(case_id=case.id, answered=answered, comment=comment, created_at=now)
                session.add(row)
            return row
        except IntegrityError:
            row = _answer_of(session, case.id)
    row.answered, row.comment, row.revised_at = answered, comment, now
    session.add(row)
    session.flush()
    return row


def _answer_of(session: Session, case_id: int) -> SatisfactionAnswer | None:
    return session.exec(select(SatisfactionAnswer).where(SatisfactionAnswer.case_id == case_id)
                        .execution_options(populate_existing=True)).first()


def is_open(session: Session, typed_reference: str) -> bool:
    """The case is open (again, after a "No" that reopened it)."""
    return CaseStatus(case_by_reference(session, typed_reference).status).is_open
