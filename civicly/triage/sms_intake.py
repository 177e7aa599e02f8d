"""Messages from citizens' phones (SMS and WhatsApp): a report becomes a case through triage.intake, a reference
asks for that case's status, and "NO" with a reference and a reason reopens a closed case (triage/sms_reopening.py).
Answers are short texts in the sender's language (civicly.sms.texts).

Providers send a message again when they doubt it arrived: its id is kept (ChannelMessage), so a retry answers with
the first case (or says again that it reopened it). A long SMS may arrive in parts: parts from one number within
CIVICLY_SMS_MERGE_MINUTES join the case the first part opened.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from civicly import privacy
from civicly.errors import InvalidSubmission, UnknownReference
from civicly.models import Case, ChannelMessage, Department, Event
from civicly.models.cases import CaseStatus
from civicly.models.timestamps import utcnow
from civicly.references import ALPHABET, GROUP_LEN, PREFIX, case_by_reference, normalise_reference
from civicly.sms import texts
from civicly.triage import intake, sms_reopening

log = logging.getLogger(__name__)

# The first word of a status question, in each language Civicly speaks (case and accents as typed).
STATUS_WORDS = {"status": "en", "etat": "fr", "état": "fr", "hali": "sw", "حالة": "ar"}
QUERY_MAX = 24  # a status word and a reference; anything longer is a report
PARTIAL_REFERENCE = re.compile(rf"^[{ALPHABET}]{{{GROUP_LEN}}}$")


@dataclass(frozen=True)
class InboundMessage:
    """One message as a provider delivered it; ``phone`` is already in E.164."""

    provider: str  # africastalking | twilio
    message_id: str
    phone: str
    text: str
    channel: str = "sms"  # sms | whatsapp
    receipt_inline: bool = False  # the provider sends our HTTP answer to the phone (TwiML); else it goes by SMS


@dataclass(frozen=True)
class Answer:
    """What to tell the sender, and the case filed or joined, if any."""

    text: str
    locale: str
    reference: str | None = None
    kind: str = "status"  # filed | joined | replayed | status | refused | reopened


@dataclass(frozen=True)
class StatusQuestion:
    locale: str | None
    typed: str  # a full reference, a reference's last group, or empty (the number's latest case)


def receive(session: Session, message: InboundMessage, route: intake.Router,
            config: Mapping[str, Any]) -> Answer:
    """File, join or answer one message; raises nothing for a citizen's text (a refusal is an answer)."""
    text = intake.clean_text(message.text)
    reopen = sms_reopening.request_of(session, message.phone, text)
    if reopen is not None:
        return _reopen(session, message, reopen, text, config)
    question = status_question(text)
    if question is not None:
        return answer_status(session, message.phone, question, texts.language_of(text, question.locale, config))
    if _known(session, message) is None:
        joined = _join_recent(session, message, text, config)
        if joined is not None:
            return Answer(texts.added(joined.reference, _locale(joined, config)), _locale(joined, config),
                          joined.reference, "joined")
    return file_report(session, message, text, route, config)


def _reopen(session: Session, message: InboundMessage, request: sms_reopening.ReopenRequest, text: str,
            config: Mapping[str, Any]) -> Answer:
    """Reopen, or say why not; a provider's retry of a message that reopened a case is told so again, not "still
    open" (its id is kept with the case, as a report's)."""
    locale = texts.language_of(text, request.locale, config)
    known = _known(session, message)
    if known is not None:
        return Answer(texts.reopened(known.reference, locale), locale, known.reference, "replayed")
    reply = sms_reopening.answer(session, message.phone, request, config)
    if reply.kind == "reopened" and request.case is not None:
        _remember(session, message, request.case)
    return Answer(reply.text, locale, reply.reference, reply.kind)


def status_question(text: str) -> StatusQuestion | None:
    """A status word followed by a reference (or part of one, or nothing), or a bare reference; else None."""
    if len(text) > QUERY_MAX:
        return None
    word, _space, rest = text.partition(" ")
    locale = STATUS_WORDS.get(word.casefold().strip(":#"))
    if locale is not None:
        return StatusQuestion(locale, rest.strip(" :#"))
    compact = text.upper()
    if normalise_reference(text) and (compact.startswith(PREFIX) or "-" in compact or any(c.isdigit() for c in text)):
        return StatusQuestion(None, text)
    return None


def answer_status(session: Session, phone: str, question: StatusQuestion, locale: str) -> Answer:
    """The public status and ministry of a case: any case by its full reference, the number's own cases by the last
    group of their reference, or the number's latest case when none is given."""
    try:
        case = _asked_case(session, phone, question.typed)
    except UnknownReference:
        return Answer(texts.unknown_reference(locale), locale, kind="refused")
    department = session.get(Department, case.department_id) if case.department_id else None
    ministry = department.name(locale) if department else None
    return Answer(texts.status(case.reference, case.status, ministry, locale), locale, case.reference)


def _asked_case(session: Session, phone: str, typed: str) -> Case:
    if normalise_reference(typed):
        return case_by_reference(session, typed)
    own = select(Case).where(Case.contact_phone == phone, col(Case.erased_at).is_(None))
    group = typed.strip().upper()
    if group:
        if not PARTIAL_REFERENCE.match(group):
            raise UnknownReference(typed)
        own = own.where(col(Case.reference).endswith(f"-{group}"))
    case = session.exec(own.order_by(col(Case.id).desc())).first()
    if case is None:
        raise UnknownReference(typed)
    return case


def _locale(case: Case, config: Mapping[str, Any]) -> str:
    return texts.language_of("", case.language, config)


def _known(session: Session, message: InboundMessage) -> Case | None:
    """The case a message with this provider id already filed or joined (the provider is trying again)."""
    row = session.exec(select(ChannelMessage).where(ChannelMessage.provider == message.provider,
                                                    ChannelMessage.provider_message_id == message.message_id)).first()
    return session.get(Case, row.case_id) if row else None


def _join_recent(session: Session, message: InboundMessage, text: str, config: Mapping[str, Any]) -> Case | None:
    """Add ``text`` to the case this number opened within the last minutes, if it is still new and has room."""
    since = utcnow() - timedelta(minutes=config["SMS_MERGE_MINUTES"])
    case = session.exec(
        select(Case).join(ChannelMessage, col(ChannelMessage.case_id) == Case.id)
        .where(col(ChannelMessage.received_at) >= since, Case.contact_phone == message.phone,
               Case.channel == message.channel, Case.status == CaseStatus.new.value, col(Case.erased_at).is_(None))
        .order_by(col(ChannelMessage.received_at).desc()).limit(1)).first()
    if case is None or not text or len(case.text) + 1 + len(text) > intake.TEXT_MAX:
        return None
    before = len(case.text)
    case.text = f"{case.text} {text}"
    case.text_redacted = privacy.redact(case.text)
    case.updated_at = utcnow()
    case.version += 1  # an officer's open page of the shorter text gets "this case changed"
    session.add(case)
    session.add(Event(case_id=case.id, kind="appended", actor=f"citizen:{message.channel}",
                      before={"length": before}, after={"length": len(case.text)}))
    return _remember(session, message, case)


def file_report(session: Session, message: InboundMessage, text: str, route: intake.Router,
                config: Mapping[str, Any], language: str = "") -> Answer:
    """File ``text`` (already cleaned) as a new case, or answer with the case this message id filed before; a text
    intake refuses is answered with intake's reasons. ``language``: the one the citizen chose (USSD), if any."""
    known = _known(session, message)
    if known is not None:
        return Answer(texts.receipt(known.reference, _locale(known, config)), _locale(known, config), known.reference,
                      "replayed")
    locale = texts.language_of(text, language or None, config)
    data = intake.SubmissionInput(text=text, phone=message.phone, channel=message.channel, language=language,
                                  sms_consent=True, receipt_sent=message.receipt_inline)
    try:
        case = intake.submit(session, data, route)
    except InvalidSubmission as exc:
        return Answer(texts.refused((m for messages in exc.errors.values() for m in messages), locale), locale,
                      kind="refused")
    stored = _remember(session, message, case)
    if stored is not case:  # the same message, filed meanwhile by a parallel delivery of it
        return Answer(texts.receipt(stored.reference, _locale(stored, config)), _locale(stored, config),
                      stored.reference, "replayed")
    return Answer(texts.receipt(case.reference, _locale(case, config)), _locale(case, config), case.reference, "filed")


def _remember(session: Session, message: InboundMessage, case: Case) -> Case:
    """Keep the provider's id with ``case``; if a parallel request stored it first, undo ours and return its case."""
    session.add(ChannelMessage(provider=message.provider, provider_message_id=message.message_id, case_id=case.id))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        known = _known(session, message)
        if known is None:
            raise
        log.info("%s delivered one message twice at once; the first case stands", message.provider)
        return known
    return case
