"""A corrupt model artifact never stops intake: the case is stored unrouted, in the manual triage queue."""
from sqlmodel import select

from civicly.models import Case, Event
from tests.conftest import csrf_token
from tests.ops.conftest import corrupt_artifact, promote_placeholder


def test_a_corrupt_model_leaves_submissions_unrouted_for_manual_triage(app, client, seeded):
    corrupt_artifact(app.config["MODEL_DIR"], promote_placeholder(app.config["MODEL_DIR"]))
    page = client.get("/submit").get_data(as_text=True)
    response = client.post("/submit", data={"csrf_token": csrf_token(page), "form_token": "corrupt-model-1",
                                            "text": "The bridge near the market in Ziguinchor is cracked."})
    assert response.status_code == 303
    case = seeded.exec(select(Case).where(Case.form_token == "corrupt-model-1")).one()
    assert case.needs_triage and case.department_id is None
    events = seeded.exec(select(Event).where(Event.case_id == case.id)).all()
    assert [e.kind for e in events] == ["submitted", "triage"]
    assert events[1].after["triage_reason"] == "model_unavailable"
