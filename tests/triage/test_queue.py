"""triage.queue.list_queue: ministry scoping, urgency order, filters, pages."""
import uuid
from datetime import timedelta

from civicly.models import Case
from civicly.models.timestamps import utcnow
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
    assert list_queue(seeded, actor, QueueFilters()).rows[0].preview == "Write to me at [email], the ambulance never came."


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
