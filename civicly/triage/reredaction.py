"""Redacting stored text again when the redaction rules improve.

``Case.text_redacted`` is computed once, at intake; the queue, other ministries' staff, Open311 and exports read it.
After ``civicly.privacy`` learns to find more (names, addresses, IBANs ...), the cases stored before keep the old
redaction until this runs over them: the redacted text is computed again from the text as written, the training
examples copied from it follow, and citizens' survey comments (whose raw text is not kept) are redacted again.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, select

from civicly import privacy
from civicly.models import Case, Label, SatisfactionAnswer

BATCH = 500


@dataclass(frozen=True)
class Reredacted:
    cases_read: int
    cases_changed: int
    labels_changed: int
    comments_changed: int


def reredact(session: Session, batch: int = BATCH) -> Reredacted:
    """Apply today's rules to every stored case, its training labels and survey comments; only flushes.

    Reads in primary-key batches so memory stays flat on a million cases; writes only the rows whose redaction
    changed, with plain UPDATEs (no version bump: nothing an officer sees as a change of the case).
    """
    read = changed = labels = 0
    last_id = 0
    while True:
        rows = session.exec(select(Case.id, Case.text, Case.text_redacted).where(col(Case.id) > last_id)
                            .order_by(col(Case.id)).limit(batch)).all()
        if not rows:
            break
        last_id = rows[-1][0]
        read += len(rows)
        for case_id, text, old in rows:
            new = privacy.redact(text) if text else old
            if new == old:
                continue
            changed += 1
            session.execute(update(Case).where(col(Case.id) == case_id).values(text_redacted=new))
            labels += session.execute(update(Label).where(col(Label.case_id) == case_id, col(Label.text) == old)
                                      .values(text=new)).rowcount
        session.flush()
    return Reredacted(read, changed, labels, _reredact_comments(session, batch))


def _reredact_comments(session: Session, batch: int) -> int:
    changed = 0
    last_id = 0
    while True:
        rows = session.exec(select(SatisfactionAnswer.id, SatisfactionAnswer.comment)
                            .where(col(SatisfactionAnswer.id) > last_id, col(SatisfactionAnswer.comment).is_not(None))
                            .order_by(col(SatisfactionAnswer.id)).limit(batch)).all()
        if not rows:
            return changed
        last_id = rows[-1][0]
        for answer_id, comment in rows:
            new = privacy.redact(comment)
            if new != comment:
                changed += 1
                session.execute(update(SatisfactionAnswer).where(col(SatisfactionAnswer.id) == answer_id)
                                .values(comment=new))
        session.flush()
