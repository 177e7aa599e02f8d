"""Groups of near-identical open reports to one ministry: found just after submission (``civicly worker``), raised on a
surge, merged or answered at once by an officer, so the same problem is worked once."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import TypeVar

from sqlalchemy import and_, func, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from civicly import areas, classify
from civicly.errors import NotAllowed, UnknownReference
from civicly.models import Case, CaseGroup, CaseGroupMember, Event, OutboxMessage, Urgency
from civicly.models.audit import MESSAGE_MAX
from civicly.models.cases import OPEN_STATUSES, CaseStatus
from civicly.models.timestamps import utcnow
from civicly.references import normalise_reference
from civicly.triage import deadlines, outbox
from civicly.triage.permissions import Actor, can_act, can_view, find_visible_case

log = logging.getLogger(__name__)
T = TypeVar("T")

WINDOW = timedelta(days=14)  # only reports received this close together are compared
CANDIDATES_MAX = 200  # the most recent open reports of the ministry compared with a new one
LENGTH_RATIO = 3  # candidates between a third and three times the new text's length
SURGE_SIZE = 5  # this many similar reports ...
SURGE_WINDOW = timedelta(hours=24)  # ... within this time make a surge
NEAR_KM = 1.0  # reports whose positions are further apart are about different places
OPEN = [s.value for s in OPEN_STATUSES]


class GroupActionRefused(NotAllowed):
    """The merge or group answer cannot be done as asked (the message says why, for the officer)."""


@dataclass(frozen=True)
class SimilarReport:
    reference: str
    preview: str
    status: str
    similarity: float
    created_at: datetime
    can_act: bool


@dataclass(frozen=True)
class GroupSummary:
    """What a lead case's row and page show: how many similar open reports wait behind it, and whether they surged."""

    group_id: int
    similar_open: int
    surge_at: datetime | None


def attach_pending(session: Session, worker: str, limit: int = 20) -> int:
    """Group the cases whose submission left a grouping job (``outbox.GROUPING``), up to ``limit`` of them, oldest
    first; returns how many jobs were done. Run by ``civicly worker``; several workers may run at once.

    A case closed or already grouped meanwhile is left as it is. A lost or busy database propagates: the jobs still
    claimed are taken again when their lease ends (``outbox.LEASE``).
    """
    job_ids = outbox.claim(session, worker, limit=limit, kinds=(outbox.GROUPING,))
    if not job_ids:
        return 0
    jobs = dict(session.exec(select(OutboxMessage.id, OutboxMessage.case_id)
                             .where(col(OutboxMessage.id).in_(job_ids), OutboxMessage.claimed_by == worker)).all())
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(list(jobs.values())))
                                           .execution_options(populate_existing=True))}
    grouped = set(session.exec(select(CaseGroupMember.case_id)
                               .where(col(CaseGroupMember.case_id).in_(list(jobs.values())))).all())
    # First every comparison, reading only; then the groups found are written in the order the cases were stored.
    # The first write of each transaction removes jobs: on SQLite that takes the write lock before the groups are
    # read and written (a write after reads in one transaction could find its snapshot outdated and fail at once).
    matches = []
    for case_id in sorted(jobs.values()):
        case = cases.get(case_id)
        if case is not None and case.status in OPEN and case.id not in grouped:
            match = _guarded(case, partial(_most_similar, session, case))
            if match is not None:
                matches.append((case, match))
    session.commit()  # ends the reads (on PostgreSQL, their transaction); nothing was written
    job_of = {case_id: job_id for job_id, case_id in jobs.items()}
    if session.get_bind().dialect.name == "sqlite":
        # One write lock for the whole database, which submissions wait for: a short transaction per group found.
        matched = {case.id for case, _match in matches}
        outbox.finish(session, [job for case_id, job in job_of.items() if case_id not in matched], worker)
        session.commit()  # SQLite's single write lock is held only this long
        for case, match in matches:
            if outbox.finish(session, [job_of[case.id]], worker):
                _guarded(case, partial(_join, session, case, *match), savepoint=session)
            session.commit()  # one short transaction per group found, for the same lock
    else:
        outbox.finish(session, list(jobs), worker)
        for case, match in matches:
            _guarded(case, partial(_join, session, case, *match), savepoint=session)
        session.commit()  # a batch's groups are stored with its finished jobs, before the next batch is claimed
    return len(jobs)


def attach_all_pending(session: Session, worker: str) -> int:
    """Every grouping job due now, until none is left (``civicly seed-demo``, tests); returns how many were done."""
    total = 0
    while done := attach_pending(session, worker):
        total += done
    return total


def _guarded(case: Case, step: Callable[[], T], savepoint: Session | None = None) -> T | None:
    """``step()``, in a savepoint of ``savepoint`` when given; None (and a log line) when it fails, except for a lost
    or busy database."""
    try:
        if savepoint is None:
            return step()
        with savepoint.begin_nested():
            return step()
    except DBAPIError as error:
        if isinstance(error, OperationalError) or error.connection_invalidated:
            raise
        log.exception("grouping failed for case %s; it stays ungrouped", case.reference)  # e.g. a concurrent regroup
        return None
    except Exception:
        log.exception("grouping failed for case %s; it stays ungrouped", case.reference)
        return None


def _most_similar(session: Session, case: Case) -> tuple[int, float] | None:
    """The id of the open report most like ``case`` (same ministry, stored before it) and their similarity, if any
    reaches the threshold. Reads only."""
    department = (col(Case.department_id).is_(None) if case.department_id is None
                  else Case.department_id == case.department_id)
    length = func.length(Case.text_redacted)
    own_length = len(case.text_redacted)
    # Only the opening of the texts (all that is compared), and only texts of a comparable length: near-identical
    # reports are of similar size, and this keeps each comparison small however long the queue grows. Only cases
    # stored before this one (lower id), as if it were compared at its submission: the first of similar reports leads
    # their group.
    candidates = session.exec(
        select(Case.id, func.substr(Case.text_redacted, 1, classify.OPENING), Case.place, Case.area_code,
               Case.latitude, Case.longitude).where(
            department, col(Case.status).in_(OPEN), Case.id < case.id,
            Case.created_at >= case.created_at - WINDOW, Case.created_at <= case.created_at,
            length >= own_length // LENGTH_RATIO, length <= own_length * LENGTH_RATIO)
        .order_by(col(Case.created_at).desc()).limit(CANDIDATES_MAX)).all()
    candidates = [(id_, opening) for id_, opening, *where in candidates if _same_location(Location(*where), case)]
    match = classify.most_similar(case.text_redacted, [opening for _id, opening in candidates])
    return None if match is None else (candidates[match[0]][0], match[1])


@dataclass(frozen=True)
class Location:
    place: str | None
    area_code: str | None
    latitude: float | None
    longitude: float | None


def _same_location(other: Location, case: Case) -> bool:
    """Whether two reports may be about the same spot, by the most precise thing both have: their positions (within
    NEAR_KM), else their administrative areas, else the places their citizens typed. Something only one of them
    gives never separates them."""
    if None not in (other.latitude, other.longitude, case.latitude, case.longitude):
        return areas.distance_km((other.latitude, other.longitude), (case.latitude, case.longitude)) <= NEAR_KM
    if other.area_code and case.area_code:
        return other.area_code == case.area_code
    return classify.same_place(other.place, case.place)


def _join(session: Session, case: Case, other_id: int, score: float) -> CaseGroup:
    """Put ``case`` in the group of the report ``other_id`` (made now if that one had none); raise a surge if due."""
    own = session.get(CaseGroupMember, case.id)
    if own is not None:  # grouped meanwhile, as the match of a later report (another worker)
        return session.get(CaseGroup, own.group_id)
    membership = session.get(CaseGroupMember, other_id)
    if membership is not None:
        group = session.get(CaseGroup, membership.group_id)
    else:
        group = CaseGroup(department_id=case.department_id, lead_case_id=other_id, created_at=case.created_at)
        session.add(group)
        session.flush()
        session.add(CaseGroupMember(case_id=other_id, group_id=group.id, similarity=1.0, joined_at=case.created_at))
    session.add(CaseGroupMember(case_id=case.id, group_id=group.id, similarity=round(score, 4),
                                joined_at=case.created_at))
    session.flush()
    _raise_on_surge(session, group, case, case.created_at)
    return group


def _raise_on_surge(session: Session, group: CaseGroup, case: Case, now: datetime) -> None:
    """Many similar reports in a short window: mark the group, and make its open reports (and any that join it
    later, as ``case`` just did) high urgency."""
    recent = session.exec(select(func.count()).select_from(CaseGroupMember)
                          .join(Case, Case.id == CaseGroupMember.case_id)
                          .where(CaseGroupMember.group_id == group.id, Case.created_at >= now - SURGE_WINDOW)).one()
    if group.surge_at is not None:  # surging already: the others were raised when it began or when they joined
        members = [session.get(Case, case.id, populate_existing=True)]
    elif recent < SURGE_SIZE:
        return
    else:
        group.surge_at = now
        session.add(group)
        members = _member_cases(session, group.id)
    high = Urgency.high
    for member in members:
        if member.status not in OPEN or member.urgency_rank >= high.rank:
            continue
        session.add(Event(case_id=member.id, kind="surge", actor="system", created_at=now,
                          before={"urgency": member.urgency}, after={"urgency": high.value, "similar_reports": recent}))
        member.urgency, member.urgency_rank, member.urgency_source = high.value, high.rank, "surge"
        member.version += 1
        deadlines.refresh_deadline(session, member)
        session.add(member)


def _member_cases(session: Session, group_id: int) -> list[Case]:
    return list(session.exec(select(Case).join(CaseGroupMember, CaseGroupMember.case_id == Case.id)
                             .where(CaseGroupMember.group_id == group_id).order_by(col(Case.created_at))))


def detach(session: Session, case: Case) -> None:
    """Take a case out of its group (it moved to another ministry); a group left alone dissolves. Not committed."""
    membership = session.get(CaseGroupMember, case.id)
    if membership is None:
        return
    group = session.get(CaseGroup, membership.group_id)
    session.delete(membership)
    session.flush()
    rest = [c for c in _member_cases(session, group.id)]
    if len(rest) < 2:
        for member in rest:
            session.delete(session.get(CaseGroupMember, member.id))
        session.flush()
        session.delete(group)
    elif group.lead_case_id == case.id:
        group.lead_case_id = next((c.id for c in rest if c.status in OPEN), rest[0].id)
        session.add(group)


def hidden_behind_lead():
    """True for an open report grouped under another open case: the queue shows their lead only.

    The lead's status is a scalar subquery on the case's own membership row, then its group and lead, all by primary
    key: a few lookups per case the queue reads. An ``EXISTS`` there let PostgreSQL hash every grouped report of
    every ministry instead, scanning all open cases on each page; an ``id NOT IN (…)`` list did the same everywhere.
    """
    lead = aliased(Case)
    lead_status = (select(lead.status)
                   .select_from(CaseGroupMember)
                   .join(CaseGroup, CaseGroup.id == CaseGroupMember.group_id)
                   .join(lead, lead.id == CaseGroup.lead_case_id)
                   .where(CaseGroupMember.case_id == Case.id,
                          col(CaseGroupMember.case_id) != col(CaseGroup.lead_case_id))
                   .scalar_subquery())
    return and_(col(Case.status).in_(OPEN), func.coalesce(lead_status, "").in_(OPEN))


def summaries(session: Session, case_ids: Sequence[int]) -> dict[int, GroupSummary]:
    """For the lead cases among ``case_ids``: their group and how many other open reports it holds."""
    if not case_ids:
        return {}
    groups = list(session.exec(select(CaseGroup).where(col(CaseGroup.lead_case_id).in_(list(case_ids)))))
    if not groups:
        return {}
    counts = dict(session.exec(
        select(CaseGroupMember.group_id, func.count()).join(Case, Case.id == CaseGroupMember.case_id)
        .where(col(CaseGroupMember.group_id).in_([g.id for g in groups]), col(Case.status).in_(OPEN))
        .group_by(CaseGroupMember.group_id)).all())
    return {g.lead_case_id: GroupSummary(g.id, max(0, counts.get(g.id, 0) - 1), g.surge_at) for g in groups}


def similar_reports(session: Session, actor: Actor, case: Case) -> tuple[GroupSummary | None, list[SimilarReport]]:
    """The other reports grouped with ``case`` that this actor may see, open ones first."""
    membership = session.get(CaseGroupMember, case.id)
    if membership is None:
        return None, []
    group = session.get(CaseGroup, membership.group_id)
    scores = dict(session.exec(select(CaseGroupMember.case_id, CaseGroupMember.similarity)
                               .where(CaseGroupMember.group_id == group.id)).all())
    reports = [
        SimilarReport(c.reference, _preview(c.text_redacted), c.status, scores.get(c.id, 0.0), c.created_at,
                      can_act(actor, c))
        for c in _member_cases(session, group.id) if c.id != case.id and can_view(actor, c)
    ]
    reports.sort(key=lambda r: (r.status not in OPEN, r.created_at))
    open_count = sum(1 for r in reports if r.status in OPEN)
    return GroupSummary(group.id, open_count, group.surge_at), reports


def merge(session: Session, actor: Actor, lead_reference: str, references: Sequence[str]) -> int:
    """Close the given open reports as duplicates of the lead, one public Event (and e-mail) each; returns how many."""
    lead = _actionable_lead(session, actor, lead_reference)
    targets = _actionable_others(session, actor, lead, references)
    now = utcnow()
    merged = []
    for case in targets:
        result = session.execute(
            update(Case).where(col(Case.id) == case.id, col(Case.status).in_(OPEN))
            .values(status=CaseStatus.duplicate.value, duplicate_of_id=lead.id, version=Case.version + 1,
                    updated_at=now))
        if result.rowcount != 1:
            continue  # closed by someone else meanwhile: leave it as they decided
        event = Event(case_id=case.id, kind="status", actor=actor.email, public=True, before={"status": case.status},
                      after={"status": CaseStatus.duplicate.value, "duplicate_of": lead.reference})
        session.add(event)
        session.flush()
        outbox.enqueue(session, case, "closure", event)
        merged.append(case.reference)
    if merged:
        session.add(Event(case_id=lead.id, kind="merged", actor=actor.email, after={"merged": merged}))
    return len(merged)


def answer_all(session: Session, actor: Actor, lead_reference: str, message: str) -> int:
    """Publish the same reply on the lead and on every open report grouped with it; returns how many got it."""
    message = (message or "").strip()
    if not message or len(message) > MESSAGE_MAX:
        raise GroupActionRefused(f"write a reply of 1 to {MESSAGE_MAX} characters")
    lead = _actionable_lead(session, actor, lead_reference)
    _summary, reports = similar_reports(session, actor, lead)
    others = [r.reference for r in reports if r.status in OPEN and r.can_act]
    answered = 0
    for case in [lead, *_actionable_others(session, actor, lead, others)]:
        event = Event(case_id=case.id, kind="reply", actor=actor.email, public=True, message=message)
        session.add(event)
        session.flush()
        outbox.notify(session, case, "reply", event)
        answered += 1
    return answered


def _actionable_lead(session: Session, actor: Actor, reference: str) -> Case:
    lead = find_visible_case(session, actor, reference)
    if not can_act(actor, lead):
        raise NotAllowed(reference)
    if lead.status not in OPEN:
        raise GroupActionRefused("reopen this case first: only an open case can gather similar reports")
    return lead


def _actionable_others(session: Session, actor: Actor, lead: Case, references: Sequence[str]) -> list[Case]:
    """The open cases named, each checked against the actor's rights; unknown or closed ones are refused."""
    cases = []
    for typed in dict.fromkeys(references):
        reference = normalise_reference(typed or "")
        if reference is None or reference == lead.reference:
            continue
        try:
            case = find_visible_case(session, actor, reference)
        except UnknownReference:
            raise GroupActionRefused(f"no case you can see has the reference {typed}") from None
        if not can_act(actor, case):
            raise GroupActionRefused(f"you may not act on {reference}")
        if case.status in OPEN:
            cases.append(case)
    return cases


def _preview(text: str, limit: int = 140) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
