"""triage.intake.submit: validation, storage, idempotency, and survival when the model fails."""
import pytest
from sqlmodel import select

from civicly.errors import InvalidSubmission
from civicly.models import Case, Event
from civicly.references import PATTERN
from civicly.triage.intake import SubmissionInput, submit


def no_model(_text):
    return None


def broken_model(_text):
    raise RuntimeError("model artifact is corrupt")


def test_valid_submission_is_stored_unrouted_with_a_submitted_event(seeded):
    case = submit(seeded, SubmissionInput(text="  The water has been cut in our street for three days.  "),
                  route=no_model)
    stored = seeded.exec(select(Case).where(Case.reference == case.reference)).one()
    assert PATTERN.match(stored.reference)
    assert stored.text == "The water has been cut in our street for three days."
    assert stored.department_id is None and stored.needs_triage
    kinds = [e.kind for e in seeded.exec(select(Event).where(Event.case_id == stored.id).order_by(Event.id))]
    assert kinds == ["submitted", "triage"]


def test_a_failing_model_never_loses_the_submission(seeded):
    case = submit(seeded, SubmissionInput(text="Les coupures d'électricité durent depuis une semaine."),
                  route=broken_model)
    assert seeded.get(Case, case.id).needs_triage


@pytest.mark.parametrize("typed, field", [
    ("", "text"),
    ("   short   ", "text"),
    ("x" * 5001, "text"),
])
def test_text_length_is_checked_after_trimming(seeded, typed, field):
    with pytest.raises(InvalidSubmission) as info:
        submit(seeded, SubmissionInput(text=typed), route=no_model)
    assert field in info.value.errors
    assert seeded.exec(select(Case)).first() is None


def test_several_wrong_fields_are_reported_together(seeded):
    with pytest.raises(InvalidSubmission) as info:
        submit(seeded, SubmissionInput(text="A long enough text here.", email="not-an-email", phone="call me"),
               route=no_model)
    assert set(info.value.errors) == {"email", "phone"}


def test_contact_details_are_kept_in_their_own_columns_and_text_is_redacted_copy(seeded):
    case = submit(seeded, SubmissionInput(
        text="Please call me on +221 77 123 45 67 or write to awa@example.sn about the school roof.",
        name="Awa Diop", email="awa@example.sn", phone="+221 77 123 45 67", place="Thiès"), route=no_model)
    assert case.contact_email == "awa@example.sn" and case.contact_name == "Awa Diop"
    assert "awa@example.sn" in case.text
    assert "awa@example.sn" not in case.text_redacted and "123 45 67" not in case.text_redacted


def test_the_same_form_sent_twice_creates_one_case(seeded):
    data = SubmissionInput(text="Streetlights are out on the main road.", form_token="f" * 32)
    first = submit(seeded, data, route=no_model)
    seeded.commit()  # the first request ends; the second finds its case by the form token
    second = submit(seeded, data, route=no_model)
    assert first.reference == second.reference
    assert len(seeded.exec(select(Case)).all()) == 1


def test_control_characters_are_removed_and_unicode_normalised(seeded):
    case = submit(seeded, SubmissionInput(text="Cafe\u0301 ferm\u00e9\x00 depuis lundi, merci"), route=no_model)
    assert case.text == "Caf\u00e9 ferm\u00e9 depuis lundi, merci"


def test_events_are_append_only(seeded):
    case = submit(seeded, SubmissionInput(text="The clinic has no medicine left."), route=no_model)
    event = seeded.exec(select(Event).where(Event.case_id == case.id)).first()
    event.kind = "tampered"
    seeded.add(event)
    with pytest.raises(RuntimeError, match="append-only"):
        seeded.commit()


def test_the_model_reads_the_redacted_text_it_was_trained_on(seeded):
    read = []

    def recording_model(text):
        read.append(text)

    case = submit(seeded, SubmissionInput(
        text="Write to awa@example.sn or call +221 77 123 45 67: the school roof leaks."), route=recording_model)
    assert read == [case.text_redacted]
    assert "awa@example.sn" not in read[0] and "123 45 67" not in read[0]
