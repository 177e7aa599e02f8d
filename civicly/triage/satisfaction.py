"""Asking citizens, once their case is closed, whether their concern was answered; once per case."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from civicly import privacy
from civicly.errors import CivicError
from civicly.models import SatisfactionAnswer
from civicly.models.cases import CaseStatus
from civicly.references import case_by_reference

COMMENT_MAX = 2000


class NotAsked(CivicError):
    """The case is still open, or its citizen already answered."""


def can_answer(session: Session, typed_reference: str) -> bool:
    """Closed, and not answered yet: the tracking page asks the question."""
    case = case_by_reference(session, typed_reference)
    return not CaseStatus(case.status).is_open and session.exec(
        select(SatisfactionAnswer.id).where(SatisfactionAnswer.case_id == case.id)).first() is None


def answer(session: Session, typed_reference: str, answered: bool, comment: str = "") -> SatisfactionAnswer:
    """Store the citizen's answer (the comment redacted of personal data); NotAsked if not possible."""
    case = case_by_reference(session, typed_reference)
    if CaseStatus(case.status).is_open:
        raise NotAsked("the case is still open")
    comment = privacy.redact(comment.strip()[:COMMENT_MAX]) or None
    row = SatisfactionAnswer(case_id=case.id, answered=answered, comment=comment)
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise NotAsked("this case was already rated") from None
    return row
