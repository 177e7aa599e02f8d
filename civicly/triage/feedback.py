"""Officers' decisions as training data for the next model."""
from __future__ import annotations

from sqlmodel import Session, col, select

from civicly.models import Case, Label


def labelled_examples(session: Session) -> list[dict[str, str]]:
    """One row per reviewed case (its latest decision), text already redacted of personal data.

    Erased cases never train a model: erasure deletes their labels, and this query skips them all the same, so a
    label written by a decision racing the erasure cannot slip through."""
    latest: dict[int, Label] = {}
    query = (select(Label).join(Case, Case.id == Label.case_id).where(col(Case.erased_at).is_(None))
             .order_by(col(Label.id).asc()))
    for label in session.exec(query):
        latest[label.case_id] = label
    return [
        {"text": label.text, "department": label.department_code or "", "urgency": label.urgency or "",
         "language": label.language or ""}
        for label in latest.values()
        if label.department_code
    ]
