"""triage.tracking.track: the public view of a case."""
import pytest

from civicly.errors import UnknownReference
from civicly.triage.intake import SubmissionInput, submit
from civicly.triage.tracking import track


def test_public_view_shows_status_and_history_but_no_personal_data(seeded):
    case = submit(seeded, SubmissionInput(text="The bridge near the market is cracked.", name="Moussa",
                                          email="moussa@example.ml", phone="+223 70 12 34 56"), route=lambda t: None)
    public = track(seeded, case.reference)
    assert public.reference == case.reference and public.status == "new"
    assert [e.kind for e in public.history] == ["submitted"]
    flat = repr(public)
    assert "moussa" not in flat.lower() and "70 12 34 56" not in flat


def test_reference_typed_loosely_is_found(seeded):
    case = submit(seeded, SubmissionInput(text="Garbage not collected for two weeks."), route=lambda t: None)
    typed = case.reference.lower().replace("-", " ")
    assert track(seeded, typed).reference == case.reference


@pytest.mark.parametrize("typed", ["", "CIV-0000-0000", "nonsense", "CIV-" + "Z" * 40])
def test_unknown_reference_raises(seeded, typed):
    with pytest.raises(UnknownReference):
        track(seeded, typed)
