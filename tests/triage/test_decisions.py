"""triage.decisions: each decision changes the case, writes an Event and, for routing/urgency, a Label."""
import pytest
from sqlmodel import select

from civicly.errors import NotAllowed, UnknownReference
from civicly.models import Case, Department, Event, Label
from civicly.models.audit import MESSAGE_MAX
from civicly.triage import groups
from civicly.triage.decisions import Conflict, Decision, InvalidDecision, decide
from civicly.triage.feedback import labelled_examples
from civicly.triage.permissions import Actor
from civicly.triage.tracking import track
from tests.conftest import file_case


@pytest.fixture
def sante(make_user, seeded):
    return Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))


@pytest.fixture
def education(make_user, seeded):
    return Actor.of(seeded, make_user("ali@education.gouv.sn", "officer", ["EDUCATION"]))


def test_reassigning_moves_the_case_and_records_event_and_label(seeded, sante, education):
    case = file_case(seeded, "The school canteen has had no food since the holidays.")
    assert case.version == 1
    decide(seeded, sante, case.reference, Decision("reassign", 1, department_code="EDUCATION", reason="School matter"))
    moved = seeded.get(Case, case.id)
    assert moved.department_id == seeded.exec(select(Department).where(Department.code == "EDUCATION")).one().id
    assert moved.version == 2
    event = seeded.exec(select(Event).where(Event.case_id == case.id, Event.kind == "reassigned")).one()
    assert event.before == {"department": "SANTE"} and event.after["department"] == "EDUCATION"
    assert event.actor == sante.email
    label = seeded.exec(select(Label).where(Label.case_id == case.id)).one()
    assert label.department_code == "EDUCATION" and label.kind == "correct"
    # it left SANTE's hands and is now EDUCATION's
    with pytest.raises(UnknownReference):
        decide(seeded, sante, case.reference, Decision("note", moved.version, message="still mine?"))
    decide(seeded, education, case.reference, Decision("confirm", moved.version))


def test_an_officer_of_another_ministry_cannot_see_or_act(seeded, education):
    case = file_case(seeded)
    with pytest.raises(UnknownReference):
        decide(seeded, education, case.reference, Decision("status", case.version, status="acknowledged"))


def test_two_conflicting_decisions_one_wins_the_other_is_told(seeded, sante):
    case = file_case(seeded)
    seen_version = case.version
    decide(seeded, sante, case.reference, Decision("urgency", seen_version, urgency="high", reason="Children at risk"))
    with pytest.raises(Conflict):
        decide(seeded, sante, case.reference, Decision("urgency", seen_version, urgency="low", reason="Not urgent"))
    assert seeded.get(Case, case.id).urgency == "high"
    assert len(seeded.exec(select(Event).where(Event.case_id == case.id, Event.kind == "urgency")).all()) == 1


def test_status_moves_forward_and_a_duplicate_names_its_original(seeded, sante):
    first, second = file_case(seeded), file_case(seeded, "No doctor at the Kaolack health centre again this week.")
    decide(seeded, sante, first.reference, Decision("status", 1, status="in_progress"))
    with pytest.raises(InvalidDecision):
        decide(seeded, sante, first.reference, Decision("status", 2, status="acknowledged"))
    decide(seeded, sante, second.reference, Decision("status", 1, status="duplicate", duplicate_of=first.reference))
    assert seeded.get(Case, second.id).duplicate_of_id == first.id


def test_public_reply_appears_on_the_tracking_page_but_notes_do_not(seeded, sante):
    case = file_case(seeded)
    decide(seeded, sante, case.reference, Decision("note", case.version, message="Call the district doctor"))
    decide(seeded, sante, case.reference, Decision("reply", case.version, message="A doctor arrives on Monday."))
    messages = [e.message for e in track(seeded, case.reference).history if e.message]
    assert messages == ["A doctor arrives on Monday."]


def test_admin_reads_but_does_not_act_without_a_ministry(seeded, make_user):
    admin = Actor.of(seeded, make_user("root@gov.sn", "admin", []))
    case = file_case(seeded)
    with pytest.raises(NotAllowed):
        decide(seeded, admin, case.reference, Decision("confirm", case.version))


def test_triage_officer_routes_unrouted_cases(seeded, make_user):
    triage = Actor.of(seeded, make_user("tri@gov.sn", "triage", []))
    case = file_case(seeded, "Something about roads and water and schools all at once.", department="")
    decide(seeded, triage, case.reference,
           Decision("reassign", case.version, department_code="TERRITOIRES", reason="Roads"))
    assert not seeded.get(Case, case.id).needs_triage


def test_confirmed_and_corrected_decisions_become_redacted_training_examples(seeded, sante):
    case = file_case(seeded, "Call me at +221 77 123 45 67: the maternity ward roof is leaking.")
    decide(seeded, sante, case.reference, Decision("urgency", 1, urgency="high", reason="Patients"))
    decide(seeded, sante, case.reference, Decision("confirm", 2))
    examples = labelled_examples(seeded)
    assert examples == [{"text": "Call me at [phone]: the maternity ward roof is leaking.", "department": "SANTE",
                         "urgency": "high", "language": "en"}]


def test_one_limit_for_an_officers_message_on_one_case_or_a_whole_group(seeded, sante):
    case = file_case(seeded)
    decide(seeded, sante, case.reference, Decision("reply", case.version, message="a" * MESSAGE_MAX))
    with pytest.raises(InvalidDecision):
        decide(seeded, sante, case.reference, Decision("note", case.version, message="a" * (MESSAGE_MAX + 1)))
    with pytest.raises(groups.GroupActionRefused, match=str(MESSAGE_MAX)):
        groups.answer_all(seeded, sante, case.reference, "a" * (MESSAGE_MAX + 1))
