"""Publication rules in the service: who may approve, what may be approved, and what the public id reveals."""
import pytest
from sqlmodel import select

from civicly.errors import NotAllowed, UnknownReference
from civicly.models import Case, Event, Role
from civicly.references import PATTERN
from civicly.triage import publication
from civicly.triage.permissions import Actor
from tests.conftest import file_case


@pytest.fixture
def sante(seeded):
    from civicly.triage.departments import department_by_code

    department_id = department_by_code(seeded, "SANTE").id
    return Actor(1, "awa@sante.gouv.sn", Role.officer, frozenset({department_id}))


def test_an_approved_case_gets_a_random_public_id_unlike_its_reference(seeded, sante):
    ids = set()
    for _ in range(5):
        case = publication.approve(seeded, sante, file_case(seeded, publish_consent=True).reference, "Public text")
        assert publication.normalise_public_id(f" {case.public_id.lower()} ") == case.public_id
        assert not PATTERN.match(case.public_id) and case.reference[4:] not in case.public_id
        ids.add(case.public_id)
    assert len(ids) == 5
    assert publication.normalise_public_id("CIV-0000-0000") is None


def test_triage_officers_and_other_ministries_may_not_publish(seeded, sante):
    case = file_case(seeded, publish_consent=True)
    triage = Actor(2, "tri@gov.sn", Role.triage, frozenset())
    education = Actor(3, "ali@education.gouv.sn", Role.officer, frozenset({999}))
    with pytest.raises(UnknownReference):  # cannot even see it
        publication.approve(seeded, education, case.reference, "Public text")
    case.needs_triage = True
    seeded.add(case)
    seeded.flush()
    with pytest.raises(NotAllowed):  # sees it (manual triage) but it is not theirs to publish
        publication.approve(seeded, triage, case.reference, "Public text")
    with pytest.raises(publication.PublicationRefused):  # theirs, but not routed out of triage
        publication.approve(seeded, sante, case.reference, "Public text")
    assert seeded.exec(select(Event).where(Event.case_id == case.id, Event.kind == "published")).first() is None


@pytest.mark.parametrize("text", ["", "   ", "x" * 5001])
def test_an_empty_or_too_long_public_text_is_refused(seeded, sante, text):
    case = file_case(seeded, publish_consent=True)
    with pytest.raises(publication.PublicationRefused):
        publication.approve(seeded, sante, case.reference, text)
    assert seeded.get(Case, case.id).published_at is None


def test_withdrawing_an_unpublished_case_is_refused(seeded, sante):
    case = file_case(seeded, publish_consent=True)
    with pytest.raises(publication.PublicationRefused):
        publication.withdraw(seeded, sante, case.reference)
