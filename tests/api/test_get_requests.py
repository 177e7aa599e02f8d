"""GET requests: published cases for anyone (open-data treatment, public ids), a partner's own filings in full,
never contact details; filtered as the spec says."""
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from civicly.models import Case, Event, Role
from civicly.triage import apikeys, publication
from civicly.triage.intake import SubmissionInput, submit
from civicly.triage.permissions import Actor
from tests.api.conftest import BASE, KeywordModel, assert_valid
from tests.conftest import ACTOR

PRIVATE = "Call me on +221 77 123 45 67 or awa@example.sn: the school roof leaks into classrooms."
MODERATOR = Actor(user_id=1, email="moderator@gouv.sn", role=Role.admin, department_ids=frozenset())


def file_case(session, text=PRIVATE, consent=True, **fields) -> Case:
    """A case as an Open311 partner files it; ``consent`` is the citizen's agreement to publication."""
    routing = KeywordModel().predict([text])[0]
    from civicly.classify import Routing
    case = submit(session, SubmissionInput(text=text, channel="open311", publish_consent=consent, **fields),
                  route=lambda _t: Routing("test-1", routing))
    session.commit()
    return case


def published(session, case: Case, text: str | None = None) -> Case:
    """Approved for publication by a moderator, with ``text`` or the text as redacted at intake."""
    case = publication.approve(session, MODERATOR, case.reference, text or case.text_redacted)
    session.commit()
    return case


def aged(session, case: Case, days: float) -> Case:
    case.created_at = case.updated_at = datetime.now(UTC) - timedelta(days=days)
    session.add(case)
    session.commit()
    return case


def get(client, path="requests.json", key=None, **query):
    return client.get(f"{BASE}/{path}", query_string=query, headers={"X-Api-Key": key} if key else {})


def test_an_anonymous_reader_sees_a_published_case_under_its_public_id_with_the_open_data_treatment(client, seeded):
    case = published(seeded, file_case(
        seeded, name="Awa Diop", email="awa@example.sn", phone="+221 77 123 45 67", place="12 rue Carnot, Kaolack",
        latitude=14.791234, longitude=-16.935678, address_id="HOUSE-12", media_url="https://img.example.org/r.jpg"),
        text="The school roof leaks into classrooms. Madame Diop phoned +221 77 123 45 67.")
    body = get(client).get_json()
    assert_valid(body, "requests.json")
    [request] = body
    assert request["service_request_id"] == case.public_id != case.reference
    assert request["description"] == "The school roof leaks into classrooms. Madame [name] phoned [phone]."
    assert (request["service_code"], request["agency_responsible"]) == ("EDUCATION", "Education and Youth")
    assert (request["lat"], request["long"], request["address"]) == (14.791, -16.936, "Kaolack")
    assert request["address_id"] is None and request["media_url"] is None
    assert request["status"] == "open" and request["status_notes"] == "Received"
    assert request["requested_datetime"].endswith("+00:00")
    [one] = get(client, f"requests/{case.public_id.lower()}.json").get_json()
    assert one == request
    root = ET.fromstring(get(client, "requests.xml").data)
    [element] = root.findall("request")
    assert element.findtext("service_request_id") == case.public_id
    assert (element.findtext("lat"), element.findtext("long"), element.findtext("address")) == (
        "14.791", "-16.936", "Kaolack")
    raw = get(client, "requests.xml").data + get(client).data + get(client, f"requests/{case.public_id}.xml").data
    for secret in (case.reference.encode(), b"Awa", b"awa@example.sn", b"77 123 45 67", b"Carnot", b"14.791234",
                   b"-16.935678", b"HOUSE-12", b"img.example.org"):
        assert secret not in raw


def test_unconsented_unapproved_withdrawn_and_manual_triage_cases_never_appear_anonymously(client, seeded):
    unconsented = file_case(seeded, consent=False)
    with pytest.raises(publication.PublicationRefused):
        publication.approve(seeded, MODERATOR, unconsented.reference, "A text")
    seeded.rollback()
    waiting = file_case(seeded)  # consented, not approved yet
    withdrawn = published(seeded, file_case(seeded))
    publication.withdraw(seeded, MODERATOR, withdrawn.reference)
    seeded.commit()
    in_triage = file_case(seeded, text="Something unclear happened near my home last night.")
    assert in_triage.needs_triage
    with pytest.raises(publication.PublicationRefused):
        publication.approve(seeded, MODERATOR, in_triage.reference, "A text")
    seeded.rollback()
    sent_back = published(seeded, file_case(seeded))
    sent_back.needs_triage = True  # an officer sent it back to manual triage after it was published
    seeded.add(sent_back)
    seeded.commit()

    assert get(client).get_json() == [] and get(client, "requests.xml").data.count(b"<request>") == 0
    for case in (unconsented, waiting, withdrawn, in_triage, sent_back):
        assert get(client, f"requests/{case.reference}.json").status_code == 404
        assert get(client, service_request_id=case.reference).get_json() == []
    for case in (withdrawn, sent_back):
        assert get(client, f"requests/{case.public_id}.json").status_code == 404


def test_a_partner_sees_its_own_filings_in_full_without_contact_and_no_one_elses(client, seeded, api_key):
    mine = client.post(f"{BASE}/requests.json", data={
        "api_key": api_key, "description": PRIVATE, "address_string": "12 rue Carnot, Kaolack", "lat": "14.791234",
        "long": "-16.935678", "email": "awa@example.sn", "first_name": "Awa", "phone": "+221 77 123 45 67",
    }).get_json()[0]["service_request_id"]
    other_key = apikeys.create_key(seeded, "Another partner", actor=ACTOR).secret
    seeded.commit()
    stored = seeded.exec(select(Case).where(Case.reference == mine)).one()
    seeded.add(Event(case_id=stored.id, kind="reply", actor="officer:1", public=True, message="We send a team."))
    seeded.commit()

    [request] = get(client, key=api_key).get_json()
    assert request["service_request_id"] == mine
    assert (request["address"], request["lat"], request["long"]) == ("12 rue Carnot, Kaolack", 14.791234, -16.935678)
    assert request["status_notes"] == "We send a team." and request["description"] == stored.text_redacted
    [same] = get(client, f"requests/{mine}.json", key=api_key).get_json()
    assert same == request
    raw = get(client, "requests.xml", key=api_key).data + get(client, key=api_key).data
    for secret in (b"Awa", b"awa@example.sn", b"77 123 45 67"):
        assert secret not in raw
    assert get(client, key=other_key).get_json() == []
    assert get(client, f"requests/{mine}.json", key=other_key).status_code == 404
    assert get(client).get_json() == [] and get(client, f"requests/{mine}.json").status_code == 404


def test_a_partner_also_sees_published_cases_as_anyone_does(client, seeded, api_key):
    public = published(seeded, file_case(seeded, place="Thiès", latitude=14.791234, longitude=-16.93))
    [request] = get(client, key=api_key).get_json()
    assert request["service_request_id"] == public.public_id and request["lat"] == 14.791


def test_the_key_is_refused_in_the_query_string(client, seeded, api_key):
    response = get(client, api_key=api_key)
    assert response.status_code == 400
    assert response.get_json()[0]["description"].startswith("api_key:")
    posted = client.post(f"{BASE}/requests.json?api_key={api_key}", data={"description": PRIVATE, "lat": "14.7",
                                                                         "long": "-17.4"})
    assert posted.status_code == 400
    assert seeded.exec(select(Case)).first() is None


@pytest.mark.parametrize("status, shown, word", [
    ("new", "open", "Received"), ("acknowledged", "open", "Acknowledged"), ("in_progress", "open", "In progress"),
    ("resolved", "closed", "Resolved"), ("rejected", "closed", "Rejected"),
    ("duplicate", "closed", "Merged with a similar case")])
def test_case_statuses_map_to_open_and_closed_with_a_generic_word(client, seeded, status, shown, word):
    case = published(seeded, file_case(seeded))
    case.status = status
    seeded.add(case)
    seeded.commit()
    [request] = get(client, f"requests/{case.public_id}.json").get_json()
    assert (request["status"], request["status_notes"]) == (shown, word)
    [french] = get(client, f"requests/{case.public_id}.json", locale="fr").get_json()
    assert french["status_notes"] != word  # in the language asked for


def test_replies_stay_private_to_the_public_and_deadline_is_expected_datetime(client, seeded, api_key):
    case = file_case(seeded)
    case.filed_by_key_id = apikeys.authenticate(seeded, api_key).id
    deadline = datetime(2030, 1, 31, 9, 30, tzinfo=UTC)
    case.deadline_at = deadline
    seeded.add(case)
    for message, public in [("Madame Diop, we will send a team.", True), ("internal: roof contractor", False)]:
        seeded.add(Event(case_id=case.id, kind="reply", actor="officer:1", public=public, message=message))
    seeded.commit()
    published(seeded, case)
    [anyone] = get(client, f"requests/{case.public_id}.json").get_json()
    [partner] = get(client, f"requests/{case.reference}.json", key=api_key).get_json()
    assert anyone["status_notes"] == "Received" and b"Diop" not in get(client).data
    assert partner["status_notes"] == "Madame Diop, we will send a team."
    assert anyone["expected_datetime"] == partner["expected_datetime"] == "2030-01-31T09:30:00+00:00"


def test_one_request_is_a_one_element_list(client, seeded):
    case = published(seeded, file_case(seeded))
    assert [r["service_request_id"] for r in get(client, f"requests/ {case.public_id} .json").get_json()] == [
        case.public_id]
    root = ET.fromstring(get(client, f"request/{case.public_id}.xml").data)
    assert root.tag == "service_requests" and len(root.findall("request")) == 1


@pytest.mark.parametrize("ident", ["CIV-0000-0000", "P-000000000000", "nothing", "%00"])
def test_an_unknown_request_is_404(client, seeded, ident):
    assert get(client, f"requests/{ident}.json").status_code == 404


def test_filters_by_id_service_status_and_dates(client, seeded):
    school, clinic = published(seeded, file_case(seeded)), file_case(seeded, text="The clinic has no medicine.")
    old = published(seeded, aged(seeded, file_case(seeded), 120))
    clinic.status = "resolved"
    seeded.add(clinic)
    seeded.commit()
    clinic = published(seeded, clinic)

    def ids(**query):
        response = get(client, **query)
        assert response.status_code == 200, response.data
        return {r["service_request_id"] for r in response.get_json()}

    assert ids() == {school.public_id, clinic.public_id}  # the last 90 days by default
    assert ids(service_request_id=f"{old.public_id},{clinic.public_id}", status="open") == {
        old.public_id, clinic.public_id}
    assert ids(service_code="SANTE") == {clinic.public_id}
    assert ids(service_code="sante,EDUCATION") == {school.public_id, clinic.public_id}
    assert ids(status="open") == {school.public_id} and ids(status="closed") == {clinic.public_id}
    now = datetime.now(UTC)
    assert ids(start_date=(now - timedelta(days=150)).isoformat(),
               end_date=(now - timedelta(days=100)).isoformat()) == {old.public_id}
    assert ids(end_date=(now - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")) == {old.public_id}
    assert ids(start_date=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")) == {
        school.public_id, clinic.public_id}


@pytest.mark.parametrize("query, wrong", [
    ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "end_date"),
    ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
    ({"start_date": "2026-01-01"}, "start_date"),
    ({"end_date": "yesterday"}, "end_date"),
    ({"status": "pending"}, "status"),
    ({"page": "0"}, "page"),
    ({"page_size": "5000"}, "page_size"),
    ({"service_request_id": ",".join(f"P-{i:012d}" for i in range(21))}, "service_request_id"),
])
def test_wrong_filters_are_400_naming_the_parameter(client, seeded, query, wrong):
    response = get(client, **query)
    assert response.status_code == 400
    assert [e["description"].split(":")[0] for e in response.get_json()] == [wrong]


def test_twenty_ids_at_once_are_answered(client, seeded):
    case = published(seeded, file_case(seeded))
    many = [f"P-{i:012d}" for i in range(19)] + [case.public_id]
    assert [r["service_request_id"] for r in get(client, service_request_id=",".join(many)).get_json()] == [
        case.public_id]


def test_pages_are_newest_first(client, seeded):
    cases = [published(seeded, aged(seeded, file_case(seeded), days)) for days in (3, 2, 1)]
    first = get(client, page_size="2").get_json()
    second = get(client, page_size="2", page="2").get_json()
    assert [r["service_request_id"] for r in first + second] == [c.public_id for c in reversed(cases)]


def test_extensions_need_a_valid_key_and_show_urgency_and_confidence(client, seeded, api_key):
    case = published(seeded, file_case(seeded))
    assert "extended_attributes" not in get(client).get_json()[0]
    assert get(client, extensions="true").status_code == 403
    assert get(client, extensions="true", key="cvk_wrong").status_code == 403
    [request] = get(client, f"requests/{case.public_id}.json", extensions="true", key=api_key).get_json()
    assert request["extended_attributes"]["urgency"] == "medium"
    assert request["extended_attributes"]["confidence"] == 0.91
    assert request["extended_attributes"]["model_version"] == "test-1"


def test_updated_datetime_follows_the_latest_public_event(client, seeded):
    case = published(seeded, aged(seeded, file_case(seeded), 5))
    case.updated_at = case.created_at
    seeded.add(case)
    seeded.add(Event(case_id=case.id, kind="reply", actor="officer:1", public=True, message="Fixed."))
    seeded.commit()
    [request] = get(client, f"requests/{case.public_id}.json").get_json()
    assert request["updated_datetime"] > request["requested_datetime"]
    assert seeded.exec(select(Case)).one().reference == case.reference
