"""The transactional outbox: e-mails and SMS to citizens are rows written with the change they announce, then claimed,
sent and marked by ``civicly worker``. The same worker takes the grouping of each new case with similar reports
(``GROUPING`` rows, written by intake and handled by ``triage.groups.attach_pending``), so that a citizen's
submission does not wait for it, and, with CIVICLY_ROUTING=worker, the routing of stored cases (``ROUTING`` rows,
``triage.background_routing``).

Exactly once: a row is claimed under a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a compare-and-set update
everywhere), sent, and marked sent only by the worker that holds it. The idempotency key is unique (one message per
change) and is the e-mail's Message-ID, so the one remaining window, a crash between the SMTP server's acceptance
and the database commit, produces at most a repeat that mail systems recognise as such. SMS follow the same rules
(civicly.sms.delivery); their providers keep no such key, so that window may repeat an SMS.
"""
from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, or_, update
from sqlmodel import Session, col, select

from civicly.models import Case, Event, OutboxMessage, OutboxStatus, User
from civicly.models.cases import OPEN_STATUSES, CaseStatus
from civicly.models.timestamps import utcnow

log = logging.getLogger(__name__)

CITIZEN_KINDS = ("acknowledgement", "reply", "status", "closure")  # e-mails to the citizen of a case
DIGEST = "digest"  # an e-mail to a civil servant: the cases needing their attention (triage/escalation.py)
KINDS = (*CITIZEN_KINDS, DIGEST)  # e-mails
SMS_KINDS = ("sms_ack", "sms_reply", "sms_status", "sms_closure")  # the same news by SMS, in that order
MESSAGE_KINDS = KINDS + SMS_KINDS
GROUPING = "grouping"  # not an e-mail: compare a new case with the open ones and group it (triage.groups)
ROUTING = "routing"  # not an e-mail: route a case stored before routing (triage.background_routing)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=6)
EMAIL_ADDRESS = re.compile(r"[^\s<>()\[\]'\",;:@]+@[^\s<>()\[\]'\",;:@]+")


@dataclass(frozen=True)
class Delivery:
    """What the mailer needs for one claimed row: the message, its case and the event it announces (a citizen's
    e-mail), or the civil servant it is for (a digest)."""

    message: OutboxMessage
    case: Case | None
    event: Event | None
    recipient: User | None = None


def enqueue(session: Session, case: Case, kind: str, event: Event | None = None,
            sms: bool = True) -> OutboxMessage | None:
    """Add a message for the case's citizen to the current unit of work, if they left an e-mail address; and the
    same news by SMS if they agreed to it (unless ``sms`` is false: the channel gave it already). Returns the
    e-mail."""
    if kind not in CITIZEN_KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    if sms and wants_sms(case):
        session.add(_message(case, SMS_KINDS[CITIZEN_KINDS.index(kind)], event))
    if not case.contact_email:
        return None
    message = _message(case, kind, event)
    session.add(message)
    return message


def wants_sms(case: Case) -> bool:
    """The citizen gave a phone number and agreed to news by SMS (writing by phone counts as agreeing)."""
    return bool(case.contact_phone and case.sms_consent)


def _message(case: Case, kind: str, event: Event | None) -> OutboxMessage:
    key = f"{kind}:{case.reference}" if event is None else f"{kind}:{case.reference}:{event.id}"
    return OutboxMessage(case_id=case.id, event_id=event.id if event else None, kind=kind, language=case.language,
                         idempotency_key=key, created_at=event.created_at if event else case.created_at)


def enqueue_grouping(session: Session, case: Case) -> OutboxMessage:
    """Add to the current unit of work the job of grouping ``case`` with similar open reports, done after commit."""
    message = OutboxMessage(case_id=case.id, kind=GROUPING, idempotency_key=f"{GROUPING}:{case.reference}",
                            created_at=case.created_at)
    session.add(message)
    return message


def enqueue_routing(session: Session, case_id: int, reference: str, created_at: datetime) -> None:
    """Add the job of routing a case stored without routing (CIVICLY_ROUTING=worker), done after commit. A bare
    insert: it is part of the cheapest intake there is."""
    session.execute(insert(OutboxMessage.__table__), {
        "case_id": case_id, "kind": ROUTING, "idempotency_key": f"{ROUTING}:{reference}", "created_at": created_at})


def notify(session: Session, case: Case, kind: str, event: Event) -> None:
    """Tell the citizen of ``case``, and those of the reports merged into it of its status changes only: a reply was
    written to this case's citizen and may name them (triage/tracking.py shows the same)."""
    enqueue(session, case, kind, event)
    if kind == "reply":
        return
    for duplicate in session.exec(select(Case).where(Case.duplicate_of_id == case.id)):
        enqueue(session, duplicate, kind, event)


def kind_for_status(status: str) -> str:
    return "status" if CaseStatus(status) in OPEN_STATUSES else "closure"


def _due(now: datetime):
    return or_(
        and_(col(OutboxMessage.status) == OutboxStatus.pending.value, col(OutboxMessage.next_attempt_at) <= now),
        and_(col(OutboxMessage.status) == OutboxStatus.sending.value, col(OutboxMessage.lease_until) < now),
    )


def claim(session: Session, worker: str, now: datetime | None = None, limit: int = 20,
          lease: timedelta = LEASE, kinds: tuple[str, ...] = KINDS) -> list[int]:
    """Take up to ``limit`` due messages of ``kinds`` (e-mails unless told) for ``worker``, oldest first (also those
    whose previous worker's lease ran out). Commits."""
    now = now or utcnow()
    ids = session.exec(select(OutboxMessage.id).where(_due(now), col(OutboxMessage.kind).in_(kinds))
                       .order_by(col(OutboxMessage.id)).limit(limit).with_for_update(skip_locked=True)).all()
    claimed = []
    if ids:
        # Compare and set: only rows still due are taken, so two workers never hold the same one.
        take = (update(OutboxMessage).where(_due(now))
                .values(status=OutboxStatus.sending.value, lease_until=now + lease, claimed_by=worker,
                        attempts=OutboxMessage.attempts + 1))
        if session.get_bind().dialect.update_returning:  # PostgreSQL, SQLite 3.35+: one statement for them all
            claimed = sorted(session.execute(
                take.where(col(OutboxMessage.id).in_(ids)).returning(OutboxMessage.id)).scalars())
        else:
            claimed = [i for i in ids if session.execute(take.where(col(OutboxMessage.id) == i)).rowcount == 1]
    session.commit()  # a claim is its own short transaction: other workers must see the lease before we send
    return claimed


def delivery(session: Session, message_id: int, worker: str, now: datetime | None = None) -> Delivery | None:
    """The claimed message with its case and event, if ``worker`` still holds its lease."""
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    now = now or utcnow()
    if message is None or message.status != OutboxStatus.sending.value or message.claimed_by != worker \
            or message.lease_until is None or message.lease_until <= now:
        return None
    event = session.get(Event, message.event_id) if message.event_id else None
    case = session.get(Case, message.case_id) if message.case_id else None
    recipient = session.get(User, message.recipient_id) if message.recipient_id else None
    return Delivery(message, case, event, recipient)


def _held_by(message_id: int, worker: str):
    return and_(col(OutboxMessage.id) == message_id, col(OutboxMessage.claimed_by) == worker,
                col(OutboxMessage.status) == OutboxStatus.sending.value)


def mark_sent(session: Session, message_id: int, worker: str, now: datetime | None = None,
              provider_message_id: str | None = None) -> bool:
    """Sent, if ``worker`` still holds it; an SMS keeps the provider's id, which its delivery reports name."""
    result = session.execute(update(OutboxMessage).where(_held_by(message_id, worker)).values(
        status=OutboxStatus.sent.value, sent_at=now or utcnow(), lease_until=None, last_error=None,
        provider_message_id=provider_message_id, delivery_status=None))
    session.commit()  # stored as soon as the SMTP server accepted it: a crash later in the batch cannot resend it
    return result.rowcount == 1


def finish(session: Session, message_ids: list[int], worker: str) -> int:
    """Grouping jobs done: remove those ``worker`` still holds (in the caller's transaction, not committed); returns
    how many."""
    if not message_ids:
        return 0
    return session.execute(delete(OutboxMessage).where(
        col(OutboxMessage.id).in_(message_ids), col(OutboxMessage.claimed_by) == worker,
        col(OutboxMessage.status) == OutboxStatus.sending.value)).rowcount


def mark_cancelled(session: Session, message_id: int, worker: str, reason: str) -> None:
    """Nothing to send any more (the address was erased): not a failure, so not a dead letter."""
    session.execute(update(OutboxMessage).where(_held_by(message_id, worker)).values(
        status=OutboxStatus.cancelled.value, lease_until=None, last_error=reason))
    session.commit()  # ends this message's lease now, not with the worker's batch


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """1, 2, 4 … minutes (capped at 6 hours), with up to 10 % jitter so failing workers do not retry in step."""
    delay = min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_MAX)
    return delay * (1 + (rng or random).random() / 10)


def without_addresses(error: str) -> str:
    """``error`` with any e-mail address replaced: an error is stored, logged and shown to admins, an address is a
    citizen's personal data (mail.refusal already leaves the server's words out; this catches any other error)."""
    return EMAIL_ADDRESS.sub("[address]", error)


def mark_failed(session: Session, message_id: int, worker: str, error: str, permanent: bool = False,
                now: datetime | None = None, max_attempts: int = MAX_ATTEMPTS) -> str:
    """Schedule a retry with back-off, or move to the dead letters after the last attempt. Returns the new status."""
    error = without_addresses(error)
    now = now or utcnow()
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    dead = permanent or message.attempts >= max_attempts
    status = OutboxStatus.dead if dead else OutboxStatus.pending
    session.execute(update(OutboxMessage).where(_held_by(message_id, worker)).values(
        status=status.value, lease_until=None, last_error=error[:2000],
        next_attempt_at=now if dead else now + backoff(message.attempts)))
    session.commit()  # ends this message's lease now, not with the worker's batch
    log.warning("outbox message %s failed (attempt %s, now %s): %s", message_id, message.attempts, status.value, error)
    return status.value


def retry(session: Session, message_id: int) -> bool:
    """An admin sends a dead letter again (for example after fixing the SMTP settings)."""
    result = session.execute(update(OutboxMessage).where(
        col(OutboxMessage.id) == message_id, col(OutboxMessage.status) == OutboxStatus.dead.value).values(
        status=OutboxStatus.pending.value, attempts=0, next_attempt_at=utcnow(), last_error=None))
    return result.rowcount == 1


def counts(session: Session) -> dict[str, int]:
    """E-mails and SMS in each state (grouping jobs are not messages)."""
    found = dict(session.exec(select(OutboxMessage.status, func.count())
                              .where(col(OutboxMessage.kind).in_(MESSAGE_KINDS))
                              .group_by(OutboxMessage.status)).all())
    return {status.value: found.get(status.value, 0) for status in OutboxStatus}


def list_messages(session: Session, status: str, limit: int = 100) -> list[tuple[OutboxMessage, str | None]]:
    """Messages in one state with their case reference (None for a digest), newest first (no address: admins do
    not need it)."""
    rows = session.exec(select(OutboxMessage, Case.reference).join(Case, Case.id == OutboxMessage.case_id, isouter=True)
                        .where(OutboxMessage.status == status, col(OutboxMessage.kind).in_(MESSAGE_KINDS))
                        .order_by(col(OutboxMessage.id).desc()).limit(limit))
    return list(rows.all())
