"""triage.departments: a ministry found by its code the same way wherever a code is typed."""
from civicly.models import Department
from civicly.triage import deadlines, service_requests
from civicly.triage.dashboard import Period, Scope, build
from civicly.triage.decisions import Decision, decide
from civicly.triage.departments import department_by_code, get_department, normalise_code, set_department_active
from civicly.triage.exports import ExportFilter, case_rows
from civicly.triage.permissions import Actor
from tests.conftest import file_case

TYPED = "  sante "


def test_codes_are_read_without_surrounding_spaces_and_in_upper_case():
    assert normalise_code(TYPED) == "SANTE"
    assert normalise_code(None) == ""


def test_every_service_that_takes_a_ministry_code_reads_it_the_same_way(seeded, make_user):
    sante = department_by_code(seeded, "SANTE")
    assert isinstance(sante, Department) and department_by_code(seeded, TYPED).id == sante.id
    assert get_department(seeded, TYPED).id == sante.id
    assert deadlines.get_department_id(seeded, TYPED) == sante.id
    assert service_requests.get_service(seeded, TYPED, "en").service_code == "SANTE"
    officer = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", [TYPED]))
    assert officer.department_ids == {sante.id}
    case = file_case(seeded, department=TYPED)
    assert case.department_id == sante.id
    rows = case_rows(seeded, Scope(None), ExportFilter(ministry=TYPED))
    assert [row["reference"] for row in rows] == [case.reference]
    assert build(seeded, Scope(None), Period.last_weeks(1), TYPED).total_cases == 1
    moved = decide(seeded, officer, case.reference, Decision("reassign", case.version, department_code=" education ",
                                                             reason="Schools, not health"))
    assert moved.department_id == department_by_code(seeded, "EDUCATION").id


def test_an_inactive_ministry_is_found_only_when_inactive_ones_are_asked_for(seeded):
    set_department_active(seeded, "SANTE", False, actor="cli:test")
    assert department_by_code(seeded, TYPED).code == "SANTE"
    assert department_by_code(seeded, TYPED, active_only=True) is None
    assert department_by_code(seeded, "NOPE") is None
