"""Publication by consent and moderation: a case is shown to the public (Open311 without a key) only when its citizen
consented when submitting and an officer of its ministry (or an admin) approved a public text.

The public sees the case under a random public id, never under its reference: the reference is the citizen's secret
for tracking and answering the survey. Approval, edits of the public text and withdrawal are each an Event.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from civicly import privacy
from civicly.errors import CivicError, NotAllowed, UnknownReference
from civicly.models import Case, Event, Role
from civicly.models.timestamps import utcnow
from civicly.references import ALPHABET
from civicly.storage import NotStored, Storage, StoredObject
from civicly.triage import photos
from civicly.triage.intake import TEXT_MAX, clean_text
from civicly.triage.permissions import Actor, find_visible_case

PUBLIC_PREFIX = "P"
PUBLIC_ID_LEN = 12  # 60 random bits, drawn independently of the reference so neither reveals the other
PUBLIC_ID_MAX = len(PUBLIC_PREFIX) + 1 + PUBLIC_ID_LEN


class PublicationRefused(CivicError):
    """The case cannot be published as asked (the message says why, for the officer)."""


@dataclass(frozen=True)
class Publication:
    """What the case page shows about publication, as plain data."""

    consent: bool
    published: bool
    public_id: str | None
    public_text: str  # the approved text, or the proposal: the text as redacted at intake
    published_at: datetime | None
    published_by: str | None
    can_publish: bool  # this actor may approve, edit or withdraw
    blocked_by_triage: bool  # consented, but not routed to a ministry yet


def new_public_id() -> str:
    return f"{PUBLIC_PREFIX}-" + "".join(secrets.choice(ALPHABET) for _ in range(PUBLIC_ID_LEN))


def normalise_public_id(typed: str) -> str | None:
    """A public id as a client may send it back (any case, surrounding spaces); None if it cannot be one."""
    value = typed.strip().upper()
    if len(value) != PUBLIC_ID_MAX or not value.startswith(PUBLIC_PREFIX + "-"):
        return None
    return value if all(ch in ALPHABET for ch in value[len(PUBLIC_PREFIX) + 1:]) else None


def is_published() -> ColumnElement[bool]:
    """The SQL condition for "anyone may see this case": consented, approved, and out of manual triage."""
    return and_(col(Case.published_at).is_not(None), col(Case.publish_consent).is_(True),
                col(Case.needs_triage).is_(False), col(Case.public_id).is_not(None))


def shown_to_public(case: Case) -> bool:
    """is_published() for one case already loaded."""
    return (case.published_at is not None and case.publish_consent and not case.needs_triage
            and case.public_id is not None)


def published_photo(session: Session, storage: Storage, public_id: str, number: int) -> StoredObject:
    """The ``number``-th photo (from 1) of a case shown to the public, by its public id; UnknownReference for
    anything else, so an unpublished or withdrawn case's photos stay out of reach. Photos were re-encoded without
    metadata at intake; the officer who approves the text publishes them with it (officer/_publication.html)."""
    wanted = normalise_public_id(public_id)
    case = session.exec(select(Case).where(Case.public_id == wanted)).first() if wanted else None
    photo = photos.nth_photo(session, case.id, number) if case is not None and shown_to_public(case) else None
    if photo is None:
        raise UnknownReference(public_id)
    try:
        return storage.get(photo.image_name)
    except NotStored:
        raise UnknownReference(public_id) from None


def may_moderate(actor: Actor, case: Case) -> bool:
    """Officers of the case's ministry, and admins, decide what of it is published."""
    return actor.owns(case) or actor.role == Role.admin


def summary(session: Session, actor: Actor, reference: str) -> Publication:
    """The publication panel of the case page; UnknownReference if this actor may not see the case."""
    case = find_visible_case(session, actor, reference)
    return Publication(
        consent=case.publish_consent, published=case.published_at is not None, public_id=case.public_id,
        public_text=case.public_text or case.text_redacted, published_at=case.published_at,
        published_by=case.published_by,
        can_publish=case.publish_consent and not case.needs_triage and may_moderate(actor, case),
        blocked_by_triage=case.publish_consent and (case.needs_triage or case.department_id is None),
    )


def approve(session: Session, actor: Actor, reference: str, public_text: str) -> Case:
    """Publish the case (or change its public text) with ``public_text``, redacted again with today's rules.

    Raises UnknownReference (not visible), NotAllowed (not this actor's ministry) or PublicationRefused (no consent,
    still in manual triage, or an empty or too long text).
    """
    case = _moderated_case(session, actor, reference)
    if not case.publish_consent:
        raise PublicationRefused("the citizen did not consent to publication")
    if case.needs_triage or case.department_id is None:
        raise PublicationRefused("route the case to a ministry before publishing it")
    text = privacy.redact(clean_text(public_text))
    if not text or len(text) > TEXT_MAX:
        raise PublicationRefused(f"write a public text of 1 to {TEXT_MAX} characters")
    before = {"public_text": case.public_text} if case.published_at else {}
    case.public_id = case.public_id or new_public_id()  # a withdrawn and approved again case keeps its id
    case.public_text = text
    case.published_at = utcnow()
    case.published_by = actor.email
    session.add(case)
    session.add(Event(case_id=case.id, kind="published", actor=actor.email, before=before,
                      after={"public_id": case.public_id, "public_text": text}, created_at=case.published_at))
    session.flush()
    return case


def withdraw(session: Session, actor: Actor, reference: str) -> Case:
    """Stop showing the case to the public; its public id and text are kept should it be approved again."""
    case = _moderated_case(session, actor, reference)
    if case.published_at is None:
        raise PublicationRefused("this case is not published")
    case.published_at = case.published_by = None
    session.add(case)
    session.add(Event(case_id=case.id, kind="unpublished", actor=actor.email, before={"public_id": case.public_id}))
    session.flush()
    return case


def _moderated_case(session: Session, actor: Actor, reference: str) -> Case:
    case = find_visible_case(session, actor, reference)
    if not may_moderate(actor, case):
        raise NotAllowed(reference)
    return case
