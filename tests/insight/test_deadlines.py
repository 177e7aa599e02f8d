"""Response deadlines: data per ministry and urgency, working days without weekends and holidays, set when routed."""
from datetime import UTC, date, datetime

import pytest

from civicly.models import Case
from civicly.triage import deadlines
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from tests.conftest import file_case

FRIDAY = datetime(2026, 5, 29, 10, 0, tzinfo=UTC)


def test_working_days_skip_weekends_and_holidays():
    assert deadlines.add_days(FRIDAY, 2, working_days=True) == datetime(2026, 6, 2, 10, 0, tzinfo=UTC)
    holiday = frozenset({date(2026, 6, 1)})
    assert deadlines.add_days(FRIDAY, 2, working_days=True, holidays=holiday) == datetime(2026, 6, 3, 10, 0, tzinfo=UTC)
    assert deadlines.add_days(FRIDAY, 2, working_days=False, holidays=holiday) == datetime(
        2026, 5, 31, 10, 0, tzinfo=UTC)


def test_the_most_specific_service_level_wins(seeded):
    deadlines.set_level(seeded, "*", "*", 15, True, actor="cli:test")
    deadlines.set_level(seeded, "*", "high", 2, True, actor="cli:test")
    deadlines.set_level(seeded, "SANTE", "*", 5, False, actor="cli:test")
    deadlines.set_level(seeded, "SANTE", "high", 1, False, actor="cli:test")
    sante = deadlines.get_department_id(seeded, "SANTE")
    education = deadlines.get_department_id(seeded, "EDUCATION")
    assert deadlines.level_for(seeded, sante, "high").days == 1
    assert deadlines.level_for(seeded, sante, "low").days == 5
    assert deadlines.level_for(seeded, education, "high").days == 2
    assert deadlines.level_for(seeded, education, None).days == 15
    deadlines.set_level(seeded, "SANTE", "high", 3, True, actor="cli:test")  # changing a level updates it in place
    assert [(r.department, r.urgency, r.days) for r in deadlines.list_levels(seeded)].count(("SANTE", "high", 3)) == 1


def test_invalid_service_levels_are_refused(seeded):
    with pytest.raises(deadlines.InvalidServiceLevel):
        deadlines.set_level(seeded, "NOPE", "high", 2, True, actor="cli:test")
    with pytest.raises(deadlines.InvalidServiceLevel):
        deadlines.set_level(seeded, "SANTE", "urgent", 2, True, actor="cli:test")
    with pytest.raises(deadlines.InvalidServiceLevel):
        deadlines.set_level(seeded, "SANTE", "high", 0, True, actor="cli:test")


def test_a_case_gets_its_deadline_when_routed_and_when_its_urgency_changes(seeded, make_user):
    deadlines.seed_demo_levels(seeded)
    deadlines.add_holiday(seeded, date(2026, 6, 1), "Whit Monday", actor="cli:test")
    case = file_case(seeded, received_at=FRIDAY)
    stored = seeded.get(Case, case.id)
    assert stored.deadline_at == datetime(2026, 6, 22, 10, 0, tzinfo=UTC)  # 15 working days, one holiday
    officer = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE", "EDUCATION"]))
    decide(seeded, officer, case.reference,
           Decision("urgency", stored.version, urgency="high", reason="Patients at risk"))
    stored = seeded.get(Case, case.id, populate_existing=True)
    assert stored.deadline_at == datetime(2026, 6, 3, 10, 0, tzinfo=UTC)  # 2 working days from reception
    deadlines.set_level(seeded, "EDUCATION", "high", 7, False, actor="cli:test")
    decide(seeded, officer, case.reference,
           Decision("reassign", stored.version, department_code="EDUCATION", reason="Schools"))
    stored = seeded.get(Case, case.id, populate_existing=True)
    assert stored.deadline_at == datetime(2026, 6, 5, 10, 0, tzinfo=UTC)


def test_unrouted_cases_have_no_deadline_yet(seeded):
    deadlines.seed_demo_levels(seeded)
    case = file_case(seeded, department="")
    assert seeded.get(Case, case.id).deadline_at is None


def test_queue_and_case_page_show_time_left_and_overdue(seeded, make_user, client, login_as):
    deadlines.seed_demo_levels(seeded)
    late = file_case(seeded, "The vaccine fridge in Kaffrine broke down last month.", received_at=FRIDAY)
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    login_as("awa@sante.gouv.sn")
    page = client.get("/officer/queue").get_data(as_text=True)
    assert "Overdue by" in page
    page = client.get(f"/officer/cases/{late.reference}").get_data(as_text=True)
    assert "Overdue by" in page
    fresh = file_case(seeded, "The maternity ward in Fatick needs a second midwife.")
    page = client.get(f"/officer/cases/{fresh.reference}").get_data(as_text=True)
    assert "left)" in page
