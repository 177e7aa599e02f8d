"""Officers' decisions as training data for the next model."""
from __future__ import annotations

from sqlmodel import Session, col, select

from civicly.models import Label


def labelled_examples(session: Session) -> list[dict[str, str]]:
    """One row per reviewed case (its latest decision), text already redacted of personal data."""
    latest: dict[int, Label] = {}
    for label in session.exec(select(Label).order_by(col(Label.id).asc())):
        latest[label.case_id] = label
    return [
        {"text": label.text, "department": label.department_code or "", "urgency": label.urgency or "",
         "language": label.language or ""}
        for label in latest.values()
        if label.department_code
    ]
