"""triage.queue.list_queue: ministry scoping, urgency order, filters, pages."""
import uuid
from datetime import timedelta

from sqlmodel import col, select

from civicly.models import Case, CaseGroup, CaseGroupMember, Department, Urgency
from civicly.models.cases import OPEN_STATUSES, CaseStatus
from civicly.models.timestamps import utcnow
from civicly.references import new_reference
from civicly.triage.permissions import Actor
from civicly.triage.queue import QueueFilters, list_queue
from tests.conftest import file_case


def set_urgency(session, case, level, rank, score=0.5, age_days=0):
    stored = session.get(Case, case.id)
    stored.urgency, stored.urgency_rank, stored.urgency_score = level, rank, score
    stored.created_at = utcnow() - timedelta(days=age_days)
    session.add(stored)
    session.commit()


def test_queue_shows_own_ministry_most_urgent_first(seeded, make_user):
    actor = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    low = file_case(seeded, "Low: the waiting room paint is peeling.")
    high_old = file_case(seeded, "High, old: the clinic generator is broken, vaccines at risk.")
    high_new = file_case(seeded, "High, newer: the clinic generator failed again last night.")
    medium = file_case(seeded, "Medium: opening hours are too short for workers.")
    file_case(seeded, "Other ministry: the school roof leaks.", department="EDUCATION")
    set_urgency(seeded, low, "low", 1, age_days=9)
    set_urgency(seeded, high_old, "high", 3, score=0.9, age_days=2)
    set_urgency(seeded, high_new, "high", 3, score=0.9, age_days=1)
    set_urgency(seeded, medium, "medium", 2)
    rows = list_queue(seeded, actor, QueueFilters()).rows
    assert [r.reference for r in rows] == [high_old.reference, high_new.reference, medium.reference, low.reference]


INSULIN_CONCERNS = (
    "The pharmacy in Pikine has had no insulin for a month.",
    "Insulin prices doubled at the Thies hospital dispensary.",
    "Our diabetic children cannot get insulin at school.",
    "The insulin fridge at the Kolda clinic is broken.",
    "Nurses in Louga were never trained to inject insulin.",
    "Insulin pens are sold on the street market, is that legal?",
    "Please reimburse insulin for retired civil servants.",
)


def test_filters_and_pages(seeded, make_user):
    actor = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    for text in INSULIN_CONCERNS:  # distinct concerns: similar reports would be grouped behind one row
        file_case(seeded, text, language="en")
    file_case(seeded, "La maternité de Ziguinchor manque de sages-femmes.", language="fr")
    assert len(list_queue(seeded, actor, QueueFilters(language="fr")).rows) == 1
    assert len(list_queue(seeded, actor, QueueFilters(text="INSULIN")).rows) == 7
    assert list_queue(seeded, actor, QueueFilters(text="100%_")).rows == []
    first = list_queue(seeded, actor, QueueFilters(), page=1, page_size=5)
    second = list_queue(seeded, actor, QueueFilters(), page=2, page_size=5)
    assert first.has_next and not second.has_next
    assert len(first.rows) == 5 and len(second.rows) == 3
    assert not {r.reference for r in first.rows} & {r.reference for r in second.rows}


def test_previews_are_redacted(seeded, make_user):
    actor = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    file_case(seeded, "Write to me at moussa@example.ml, the ambulance never came.")
    preview = list_queue(seeded, actor, QueueFilters()).rows[0].preview
    assert preview == "Write to me at [email], the ambulance never came."


def test_triage_queue_holds_unrouted_cases_for_triage_officers_only(seeded, make_user):
    officer = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    triage = Actor.of(seeded, make_user("tri@gov.sn", "triage", []))
    unrouted = file_case(seeded, "Nobody knows who handles this problem.", department="")
    file_case(seeded)
    assert [r.reference for r in list_queue(seeded, triage, QueueFilters(), triage=True).rows] == [unrouted.reference]
    assert list_queue(seeded, officer, QueueFilters(), triage=True).rows == []


def test_pages_across_ministries_and_statuses_follow_one_order(seeded, make_user):
    """Each (ministry, status) is read separately and merged; the pages must still be one total order."""
    actor = Actor.of(seeded, make_user("awa@gouv.sn", "officer", ["SANTE", "EDUCATION"]))
    statuses = ["new", "acknowledged", "in_progress", "resolved"]
    expected = []
    for i in range(16):
        unrelated = " ".join(uuid.uuid4().hex for _ in range(3))  # distinct texts: similar ones would be grouped
        case = file_case(seeded, f"Report {unrelated}", department=["SANTE", "EDUCATION"][i % 2])
        stored = seeded.get(Case, case.id)
        stored.status = statuses[i % 4]
        stored.urgency_rank, stored.urgency_score = i % 3, (i % 2) / 2
        stored.deadline_at = utcnow() + timedelta(days=i % 5) if i % 3 else None
        seeded.add(stored)
        seeded.commit()
        if stored.status != "resolved":
            expected.append(stored)
    expected.sort(key=lambda c: (-c.urgency_rank, -c.urgency_score, c.deadline_at is None,
                                 c.deadline_at or utcnow(), c.created_at, c.id))
    pages = [list_queue(seeded, actor, QueueFilters(), page=n, page_size=5) for n in (1, 2, 3)]
    assert [r.reference for p in pages for r in p.rows] == [c.reference for c in expected]
    assert [p.has_next for p in pages] == [True, True, False]


STATUSES = [s.value for s in CaseStatus]
OPEN = [s.value for s in OPEN_STATUSES]


def mixed_cases(session, count: int = 54) -> set[str]:
    """Cases in two ministries and in none (manual triage), every status, urgencies and scores that tie, deadlines
    with NULLs, equal receipt times (so the id decides), and groups; returns the references the queue must hide."""
    codes = {d.code: d.id for d in session.exec(select(Department))}
    departments = [codes["SANTE"], codes["EDUCATION"], None]
    levels = [None, "low", "medium", "high"]
    start = utcnow() - timedelta(days=30)
    cases = []
    for i in range(count):
        level = levels[i % 4]
        case = Case(reference=new_reference(), text=f"Report {i}", text_redacted=f"Report {i}",
                    language=["fr", "en"][i % 2], department_id=departments[i % 3], needs_triage=i % 3 == 2,
                    status=STATUSES[(i // 3) % len(STATUSES)], urgency=level,
                    urgency_rank=Urgency(level).rank if level else 0, urgency_score=(i % 3) / 2 if level else 0.0,
                    deadline_at=start + timedelta(days=40 + i % 4) if i % 5 else None,
                    created_at=start + timedelta(hours=i % 6))
        session.add(case)
        cases.append(case)
    session.flush()
    sante = [c for c in cases if c.department_id == codes["SANTE"]]
    open_ones, closed_ones = [c for c in sante if c.status in OPEN], [c for c in sante if c.status not in OPEN]
    hidden = open_ones[1]  # open, behind an open lead
    for lead, member in ((open_ones[0], hidden), (closed_ones[0], open_ones[2]), (open_ones[3], closed_ones[1])):
        group = CaseGroup(department_id=lead.department_id, lead_case_id=lead.id)
        session.add(group)
        session.flush()
        session.add_all([CaseGroupMember(case_id=lead.id, group_id=group.id),
                         CaseGroupMember(case_id=member.id, group_id=group.id)])
    session.commit()
    return {hidden.reference}


def plainly_sorted(session, filters: QueueFilters, hidden: set[str], triage: bool = False,
                   departments=None) -> list[str]:
    """The references of the queue as one plain sorted query over every case it may show, less the hidden ones."""
    statuses = {"open": OPEN, "closed": sorted(set(STATUSES) - set(OPEN)), "all": STATUSES}.get(filters.status,
                                                                                             [filters.status])
    query = select(Case.reference).where(col(Case.status).in_(statuses))
    if triage:
        query = query.where(Case.needs_triage == True)  # noqa: E712
    if departments is not None:
        query = query.where(col(Case.department_id).in_(departments))
    if filters.urgency == "none":
        query = query.where(col(Case.urgency).is_(None))
    elif filters.urgency:
        query = query.where(Case.urgency == filters.urgency)
    if filters.language:
        query = query.where(Case.language == filters.language)
    order = (col(Case.urgency_rank).desc(), col(Case.urgency_score).desc(), col(Case.deadline_at).asc().nulls_last(),
             col(Case.created_at).asc(), col(Case.id).asc())
    return [reference for reference in session.exec(query.order_by(*order)) if reference not in hidden]


def every_page(session, actor, filters: QueueFilters, triage: bool = False) -> list[str]:
    """All pages of the queue, five rows a page, in order; each page but the last says there is a next one."""
    references, number = [], 1
    while True:
        page = list_queue(session, actor, filters, page=number, page_size=5, triage=triage)
        references += [r.reference for r in page.rows]
        if not page.has_next:
            return references
        assert len(page.rows) == 5
        number += 1


MIXED_FILTERS = [QueueFilters(), QueueFilters(status="closed"), QueueFilters(status="all"),
                 QueueFilters(status="acknowledged"), QueueFilters(urgency="high"),
                 QueueFilters(status="all", urgency="none", language="fr")]


def test_admin_queue_is_the_plain_sorted_query(seeded, make_user):
    """The admins' queue merges (needs_triage, status) ranges: every case, with a ministry or none, in one order."""
    hidden = mixed_cases(seeded)
    admin = Actor.of(seeded, make_user("root@gouv.sn", "admin", []))
    for filters in MIXED_FILTERS:
        expected = plainly_sorted(seeded, filters, hidden)
        assert expected and every_page(seeded, admin, filters) == expected, filters


def test_triage_queue_is_the_plain_sorted_query(seeded, make_user):
    hidden = mixed_cases(seeded)
    for actor in (Actor.of(seeded, make_user("tri@gouv.sn", "triage", [])),
                  Actor.of(seeded, make_user("root@gouv.sn", "admin", []))):
        for filters in MIXED_FILTERS:
            expected = plainly_sorted(seeded, filters, hidden, triage=True)
            assert expected and every_page(seeded, actor, filters, triage=True) == expected, filters


def test_officer_queue_is_the_plain_sorted_query_for_every_status_filter(seeded, make_user):
    """Closed and all statuses too are read as (ministry, status) ranges; a grouped report hides only while both
    it and its lead are open."""
    hidden = mixed_cases(seeded)
    actor = Actor.of(seeded, make_user("awa@gouv.sn", "officer", ["SANTE", "EDUCATION"]))
    for filters in MIXED_FILTERS:
        expected = plainly_sorted(seeded, filters, hidden, departments=sorted(actor.department_ids))
        assert expected and every_page(seeded, actor, filters) == expected, filters
