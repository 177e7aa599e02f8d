"""CIVICLY_ROUTING=worker: the web form and Open311 store the case as typed, ``civicly worker`` redacts and routes it
in batches; nothing is lost or shown early on the way."""
import re

import pytest
from sqlmodel import col, select

from civicly import classify
from civicly.config import ConfigError, load_settings
from civicly.models import Case, Department, Event, OutboxMessage, Prediction
from civicly.triage import background_routing, erasure, intake, outbox, worker
from tests.api.conftest import FixedHolder, KeywordModel
from tests.conftest import csrf_token

WATER = "The public water tap in Médina has been dry since Monday. Call me on +221 77 123 45 67."


class RecordingModel(KeywordModel):
    """The keyword model, remembering every batch it was given."""

    def __init__(self):
        self.batches: list[list[str]] = []

    def predict(self, texts):
        self.batches.append(list(texts))
        return super().predict(texts)


@pytest.fixture
def model(app):
    recording = RecordingModel()
    app.extensions[classify.HOLDER_KEY] = type("Holder", (FixedHolder,), {"current": lambda self: (recording, "t-1")})()
    app.config["ROUTING"] = "worker"
    return recording


def post_form(client, **fields) -> str:
    page = client.get("/submit").get_data(as_text=True)
    response = client.post("/submit", data={"csrf_token": csrf_token(page), "text": WATER, "form_token": "", **fields})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response.headers["Location"].split("/track/")[1].split("?")[0]


def route_all(app, session) -> int:
    with app.app_context():
        return background_routing.route_all_pending(session, "test-worker", classify.route_many)


def case_of(session, reference: str) -> Case:
    session.expire_all()
    return session.exec(select(Case).where(Case.reference == reference)).one()


def ministry(session, case: Case) -> str | None:
    return session.get(Department, case.department_id).code if case.department_id else None


def test_the_form_stores_the_case_at_once_and_the_worker_routes_it(app, client, seeded, model):
    reference = post_form(client, email="awa@example.org")
    stored = case_of(seeded, reference)
    assert stored.text == WATER and stored.contact_email == "awa@example.org"
    assert (stored.department_id, stored.needs_triage, stored.text_redacted) == (None, False, "")
    assert model.batches == []  # nothing routed in the request
    assert seeded.exec(select(Prediction)).first() is None
    page = client.get(f"/track/{reference}").get_data(as_text=True)
    assert "Being assigned to the right ministry" in page and "Received" in page

    assert route_all(app, seeded) == 1
    routed = case_of(seeded, reference)
    assert ministry(seeded, routed) == "TERRITOIRES" and not routed.needs_triage
    assert routed.urgency == "high" and routed.urgency_rank == 3 and routed.language == "en"
    assert "[phone]" in routed.text_redacted and "77 123" not in routed.text_redacted
    assert model.batches == [[routed.text_redacted]]  # the model reads only the redacted text
    prediction = seeded.exec(select(Prediction).where(Prediction.case_id == routed.id)).one()
    assert prediction.model_version == "t-1"
    kinds = [e.kind for e in seeded.exec(select(Event).where(Event.case_id == routed.id).order_by(col(Event.id)))]
    assert kinds == ["submitted", "routed"]
    jobs = {m.kind for m in seeded.exec(select(OutboxMessage).where(OutboxMessage.case_id == routed.id))}
    assert jobs == {"acknowledgement", outbox.GROUPING}  # the routing job is done, the e-mail and grouping wait
    name = seeded.get(Department, routed.department_id).name("en")
    assert name in client.get(f"/track/{reference}").get_data(as_text=True)


def test_the_worker_routes_a_batch_in_one_pass_of_the_model(app, client, seeded, model):
    texts = ["No water at the Kaolack fountain for a week.", "The school roof of Thiès leaks onto the pupils.",
             "The clinic in Ziguinchor has no nurse at night."]
    references = [post_form(client, text=text) for text in texts]
    assert route_all(app, seeded) == 3
    assert len(model.batches) == 1 and len(model.batches[0]) == 3
    codes = [ministry(seeded, case_of(seeded, r)) for r in references]
    assert codes == ["TERRITOIRES", "EDUCATION", "SANTE"]


def test_without_a_model_the_worker_sends_the_case_to_manual_triage(app, client, seeded, model):
    app.extensions[classify.HOLDER_KEY] = type("NoModel", (), {"current": lambda self: (None, None)})()
    reference = post_form(client)
    assert route_all(app, seeded) == 1
    case = case_of(seeded, reference)
    assert case.needs_triage and case.department_id is None and case.text_redacted
    triage = seeded.exec(select(Event).where(Event.case_id == case.id, Event.kind == "triage")).one()
    assert triage.after["triage_reason"] == "model_unavailable"


def test_a_case_a_person_routed_meanwhile_keeps_that_ministry(app, client, seeded, model):
    reference = post_form(client, email="awa@example.org")
    case = case_of(seeded, reference)
    health = seeded.exec(select(Department).where(Department.code == "SANTE")).one()
    case.department_id = health.id  # as an admin's decision in the window does
    seeded.add(case)
    seeded.commit()
    assert route_all(app, seeded) == 1
    case = case_of(seeded, reference)
    assert case.department_id == health.id and case.text_redacted
    assert seeded.exec(select(Prediction)).first() is None and model.batches == []
    assert {m.kind for m in seeded.exec(select(OutboxMessage))} == {"acknowledgement", outbox.GROUPING}


def test_a_case_erased_before_routing_is_left_erased(app, client, seeded, model):
    reference = post_form(client, email="awa@example.org")
    with app.app_context():
        erasure.erase_case(seeded, case_of(seeded, reference), actor="admin@example.org")
        seeded.commit()
    assert seeded.exec(select(OutboxMessage)).all() == []  # erasure removed the routing job with the rest
    assert route_all(app, seeded) == 0
    case = case_of(seeded, reference)
    assert case.erased_at is not None and case.department_id is None and model.batches == []


def test_a_case_whose_routing_cannot_be_recorded_goes_to_manual_triage(app, client, seeded, model, monkeypatch):
    first, second = post_form(client), post_form(client, text="The school roof of Thiès leaks onto the pupils.")
    original = intake._record_routing

    def fails_once(session, case, department, *args):
        if case.reference == first and department is not None:
            raise RuntimeError("a bug while recording")
        return original(session, case, department, *args)

    monkeypatch.setattr(intake, "_record_routing", fails_once)
    assert route_all(app, seeded) == 2
    assert case_of(seeded, first).needs_triage and case_of(seeded, first).text_redacted
    assert ministry(seeded, case_of(seeded, second)) == "EDUCATION"
    assert seeded.exec(select(OutboxMessage).where(OutboxMessage.kind == outbox.ROUTING)).all() == []


def test_the_same_form_sent_twice_is_one_case(app, client, seeded, model):
    token = "f" * 32
    assert post_form(client, form_token=token) == post_form(client, form_token=token)
    assert len(seeded.exec(select(Case)).all()) == 1
    assert route_all(app, seeded) == 1


def test_open311_files_for_the_worker_and_a_chosen_service_is_kept(app, client, seeded, model):
    from civicly.triage import apikeys

    key = apikeys.create_key(seeded, "partner", actor="cli:test").secret
    seeded.commit()
    response = client.post("/open311/v2/requests.json", data={
        "api_key": key, "service_code": "SANTE", "description": "No water at the clinic of Kaolack since Monday.",
        "lat": "14.15", "long": "-16.07"})
    assert response.status_code == 200, response.get_data(as_text=True)
    reference = response.get_json()[0]["service_request_id"]
    assert case_of(seeded, reference).department_id is None
    assert route_all(app, seeded) == 1
    case = case_of(seeded, reference)
    assert ministry(seeded, case) == "SANTE"  # the sender's choice, though the words say water
    routed = seeded.exec(select(Event).where(Event.case_id == case.id, Event.kind == "routed")).one()
    assert routed.after["chosen_by"] == "sender"


def test_the_worker_loop_routes_before_it_groups(app, client, seeded, model):
    references = [post_form(client), post_form(client, text=WATER + " Still dry today.")]
    with app.app_context():
        handled, _round = worker.run_once(seeded, app.config, lambda _message: None, "test-worker", batch=20,
                                          once=True)
    assert handled == 4  # two routed, two grouping jobs
    assert all(case_of(seeded, r).department_id is not None for r in references)
    assert seeded.exec(select(OutboxMessage).where(col(OutboxMessage.kind).in_(
        (outbox.ROUTING, outbox.GROUPING)))).all() == []


def test_metrics_show_what_waits_for_the_worker(app, client, seeded, model):
    post_form(client)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'civicly_jobs_waiting{job="routing"} 1.0' in text
    assert re.search(r'civicly_jobs_oldest_seconds\{job="routing"\} \d', text)
    route_all(app, seeded)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'civicly_jobs_waiting{job="routing"} 0.0' in text and 'civicly_jobs_waiting{job="grouping"} 1.0' in text


def test_the_routing_setting_is_checked(tmp_path):
    assert load_settings(tmp_path, {"CIVICLY_ROUTING": "worker"})["ROUTING"] == "worker"
    assert load_settings(tmp_path, {})["ROUTING"] == "request"
    with pytest.raises(ConfigError, match="CIVICLY_ROUTING"):
        load_settings(tmp_path, {"CIVICLY_ROUTING": "later"})


def test_a_photo_sent_with_the_form_is_kept_before_routing(app, client, seeded, model):
    import io

    from civicly.models import Photo
    from tests.images import phone_photo

    page = client.get("/submit").get_data(as_text=True)
    response = client.post("/submit", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page), "text": WATER, "form_token": "",
        "photos": [(io.BytesIO(phone_photo()), "tap.jpg")]})
    assert response.status_code == 303
    reference = response.headers["Location"].split("/track/")[1].split("?")[0]
    case = case_of(seeded, reference)
    assert [p.position for p in seeded.exec(select(Photo).where(Photo.case_id == case.id))] == [0]
    assert route_all(app, seeded) == 1 and case_of(seeded, reference).department_id is not None
