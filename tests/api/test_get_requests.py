"""GET requests: cases as Open311 service requests, redacted, filtered as the spec says."""
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from civicly.models import Case, Event
from civicly.triage.intake import SubmissionInput, submit
from tests.api.conftest import BASE, KeywordModel, assert_valid

PRIVATE = "Call me on +221 77 123 45 67 or awa@example.sn: the school roof leaks into classrooms."


def file_case(session, text=PRIVATE, **fields) -> Case:
    routing = KeywordModel().predict([text])[0]
    from civicly.classify import Routing
    case = submit(session, SubmissionInput(text=text, channel="open311", **fields),
                  route=lambda _t: Routing("test-1", routing))
    session.commit()
    return case


def aged(session, case: Case, days: float) -> Case:
    case.created_at = case.updated_at = datetime.now(UTC) - timedelta(days=days)
    session.add(case)
    session.commit()
    return case


def get(client, path="requests.json", **query):
    return client.get(f"{BASE}/{path}", query_string=query)


def test_a_request_shows_redacted_text_and_never_contact_details(client, seeded):
    case = file_case(seeded, name="Awa Diop", email="awa@example.sn", phone="+221 77 123 45 67",
                     place="Thiès", latitude=14.79, longitude=-16.93, media_url="https://img.example.org/r.jpg")
    body = get(client).get_json()
    assert_valid(body, "requests.json")
    [request] = body
    assert request["service_request_id"] == case.reference
    assert request["description"] == case.text_redacted and "awa@example.sn" not in request["description"]
    assert (request["service_code"], request["agency_responsible"]) == ("EDUCATION", "Education and Youth")
    assert (request["lat"], request["long"], request["address"]) == (14.79, -16.93, "Thiès")
    assert request["status"] == "open" and request["status_notes"] is None
    assert request["requested_datetime"].endswith("+00:00")
    raw = get(client, "requests.xml").data + get(client, f"requests/{case.reference}.json").data
    for secret in (b"Awa Diop", b"awa@example.sn", b"77 123 45 67"):
        assert secret not in raw


@pytest.mark.parametrize("status, shown", [("new", "open"), ("acknowledged", "open"), ("in_progress", "open"),
                                           ("resolved", "closed"), ("rejected", "closed"), ("duplicate", "closed")])
def test_case_statuses_map_to_open_and_closed(client, seeded, status, shown):
    case = file_case(seeded)
    case.status = status
    seeded.add(case)
    seeded.commit()
    assert get(client, f"requests/{case.reference}.json").get_json()[0]["status"] == shown


def test_status_notes_are_the_latest_public_reply_and_deadline_is_expected_datetime(client, seeded):
    case = file_case(seeded)
    deadline = datetime(2030, 1, 31, 9, 30, tzinfo=UTC)
    case.deadline_at = deadline
    seeded.add(case)
    for message, public in [("We will send a team.", True), ("internal: roof contractor", False)]:
        seeded.add(Event(case_id=case.id, kind="reply", actor="officer:1", public=public, message=message))
    seeded.commit()
    [request] = get(client, f"requests/{case.reference}.json").get_json()
    assert request["status_notes"] == "We will send a team."
    assert request["expected_datetime"] == "2030-01-31T09:30:00+00:00"


def test_one_request_is_a_one_element_list_and_references_read_loosely(client, seeded):
    case = file_case(seeded)
    loose = case.reference.lower().replace("-", "")
    assert [r["service_request_id"] for r in get(client, f"requests/{loose}.json").get_json()] == [case.reference]
    root = ET.fromstring(get(client, f"request/{case.reference}.xml").data)
    assert root.tag == "service_requests" and len(root.findall("request")) == 1


@pytest.mark.parametrize("ident", ["CIV-0000-0000", "nothing", "%00"])
def test_an_unknown_request_is_404(client, seeded, ident):
    assert get(client, f"requests/{ident}.json").status_code == 404


def test_filters_by_id_service_status_and_dates(client, seeded):
    school, clinic, old = (file_case(seeded), file_case(seeded, text="The clinic has no medicine since May."),
                           aged(seeded, file_case(seeded), 120))
    clinic.status = "resolved"
    seeded.add(clinic)
    seeded.commit()

    def ids(**query):
        response = get(client, **query)
        assert response.status_code == 200, response.data
        return {r["service_request_id"] for r in response.get_json()}

    assert ids() == {school.reference, clinic.reference}  # the last 90 days by default
    assert ids(service_request_id=f"{old.reference},{clinic.reference}", status="open") == {
        old.reference, clinic.reference}
    assert ids(service_code="SANTE") == {clinic.reference}
    assert ids(service_code="sante,EDUCATION") == {school.reference, clinic.reference}
    assert ids(status="open") == {school.reference} and ids(status="closed") == {clinic.reference}
    now = datetime.now(UTC)
    assert ids(start_date=(now - timedelta(days=150)).isoformat(),
               end_date=(now - timedelta(days=100)).isoformat()) == {old.reference}
    assert ids(end_date=(now - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")) == {old.reference}
    assert ids(start_date=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")) == {
        school.reference, clinic.reference}


@pytest.mark.parametrize("query, wrong", [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "end_date"),
    ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
    ({"start_date": "2026-01-01"}, "start_date"),
    ({"end_date": "yesterday"}, "end_date"),
    ({"status": "pending"}, "status"),
    ({"page": "0"}, "page"),
    ({"page_size": "5000"}, "page_size"),
])
def test_wrong_filters_are_400_naming_the_parameter(client, seeded, query, wrong):
    response = get(client, **query)
    assert response.status_code == 400
    assert [e["description"].split(":")[0] for e in response.get_json()] == [wrong]


def test_pages_are_newest_first(client, seeded):
    cases = [aged(seeded, file_case(seeded), days) for days in (3, 2, 1)]
    first = get(client, page_size="2").get_json()
    second = get(client, page_size="2", page="2").get_json()
    assert [r["service_request_id"] for r in first + second] == [c.reference for c in reversed(cases)]


def test_extensions_need_a_valid_key_and_show_urgency_and_confidence(client, seeded, api_key):
    case = file_case(seeded)
    assert "extended_attributes" not in get(client).get_json()[0]
    assert get(client, extensions="true").status_code == 403
    assert get(client, extensions="true", api_key="cvk_wrong").status_code == 403
    [request] = get(client, f"requests/{case.reference}.json", extensions="true", api_key=api_key).get_json()
    assert request["extended_attributes"]["urgency"] == "medium"
    assert request["extended_attributes"]["confidence"] == 0.91
    assert request["extended_attributes"]["model_version"] == "test-1"


def test_updated_datetime_follows_the_latest_public_event(client, seeded):
    case = aged(seeded, file_case(seeded), 5)
    seeded.add(Event(case_id=case.id, kind="reply", actor="officer:1", public=True, message="Fixed."))
    seeded.commit()
    [request] = get(client, f"requests/{case.reference}.json").get_json()
    assert request["updated_datetime"] > request["requested_datetime"]
    assert seeded.exec(select(Case)).one().reference == case.reference
