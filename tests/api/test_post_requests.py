"""POST requests: a keyed door into intake.submit, liberal in what it reads, precise in what it refuses."""
import xml.etree.ElementTree as ET

import pytest
from sqlmodel import select

from civicly.models import ApiKey, Case, Event
from civicly.triage import apikeys
from civicly.triage.departments import department_by_code
from civicly.triage.intake import TEXT_MAX
from tests.api.conftest import BASE, assert_valid

TEXT = "The water pipe on Rue 10 has burst and the street is flooded."


def post(client, fmt="json", path=None, **fields):
    data = {"description": TEXT, "lat": "14.6928", "long": "-17.4467"}
    data.update(fields)
    return client.post(path or f"{BASE}/requests.{fmt}", data={k: v for k, v in data.items() if v is not None})


def stored(session, response) -> Case:
    reference = response.get_json()[0]["service_request_id"]
    return session.exec(select(Case).where(Case.reference == reference)).one()


def test_a_keyed_request_is_stored_through_intake_with_every_open311_field(client, seeded, api_key, model):
    response = post(client, api_key=api_key, service_code="SANTE", address_string="Rue 10, Médina",
                    address_id="A-77", email="awa@example.sn", first_name="Awa", last_name="Diop",
                    phone="+221 77 123 45 67", device_id="dev-1", account_id="acc-9",
                    media_url="https://img.example.org/1.jpg", **{"attribute[WARD]": "3", "attribute[KIND][]": "pipe"})
    assert response.status_code == 200, response.data
    assert_valid(response.get_json(), "post-response.json")
    case = stored(seeded, response)
    assert case.channel == "open311" and case.service_code == "SANTE"
    assert (case.latitude, case.longitude, case.place, case.address_id) == (14.6928, -17.4467, "Rue 10, Médina", "A-77")
    assert (case.contact_name, case.contact_email, case.contact_phone) == (
        "Awa Diop", "awa@example.sn", "+221 77 123 45 67")
    assert (case.device_id, case.account_id, case.media_url) == ("dev-1", "acc-9", "https://img.example.org/1.jpg")
    assert case.attributes == {"WARD": "3", "KIND": "pipe"}
    kinds = [e.kind for e in seeded.exec(select(Event).where(Event.case_id == case.id).order_by(Event.id))]
    assert kinds == ["submitted", "routed"]
    assert response.get_json()[0]["account_id"] == "acc-9"
    assert case.filed_by_key_id == apikeys.authenticate(seeded, api_key).id
    assert case.publish_consent is False and case.published_at is None  # publication is never the default


@pytest.mark.parametrize("given, consent", [("true", True), ("1", True), ("false", False), ("", False)])
def test_publish_consent_is_read_and_defaults_to_no(client, seeded, api_key, given, consent):
    case = stored(seeded, post(client, api_key=api_key, publish_consent=given))
    assert case.publish_consent is consent and case.published_at is None


def test_a_service_code_in_lower_case_with_spaces_names_the_same_ministry(client, seeded, api_key, model):
    case = stored(seeded, post(client, api_key=api_key, service_code=" sante "))
    assert case.service_code == "SANTE" and case.department_id == department_by_code(seeded, "SANTE").id


def test_without_service_code_the_model_routes_the_request(client, seeded, api_key, model):
    case = stored(seeded, post(client, api_key=api_key))
    assert case.service_code is None and not case.needs_triage
    assert case.department_id is not None and case.urgency == "high"


@pytest.mark.parametrize("key", [None, "", "cvk_not-a-real-key"])
def test_a_missing_or_unknown_key_is_refused_with_403(client, seeded, key):
    response = post(client, api_key=key)
    assert response.status_code == 403
    assert_valid(response.get_json(), "errors.json")
    assert seeded.exec(select(Case)).first() is None


def test_a_revoked_key_is_refused_and_a_used_key_remembers_when(client, seeded, api_key):
    post(client, api_key=api_key)
    key = seeded.exec(select(ApiKey)).one()
    seeded.refresh(key)
    assert key.last_used_at is not None
    apikeys.revoke_key(seeded, key.prefix, actor="cli:test")
    seeded.commit()
    assert post(client, api_key=api_key).status_code == 403


def test_the_key_may_come_in_a_header_and_the_body_may_be_multipart(client, seeded, api_key):
    response = client.post(f"{BASE}/requests.xml?jurisdiction_id=", headers={"X-Api-Key": api_key},
                           data={"description": TEXT, "address_id": "A-1"}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert ET.fromstring(response.data).find("request/service_request_id").text.startswith("CIV-")


def test_the_key_in_the_query_string_is_refused_and_an_empty_one_ignored(client, seeded, api_key):
    refused = client.post(f"{BASE}/requests.json?api_key={api_key}", data={"description": TEXT, "address_id": "A-1"})
    assert refused.status_code == 400 and "query string" in refused.get_json()[0]["description"]
    accepted = client.post(f"{BASE}/requests.json?api_key=&jurisdiction_id=",  # what the py2 open311 client sends
                           data={"description": TEXT, "address_id": "A-1", "api_key": api_key})
    assert accepted.status_code == 200


def test_a_doubled_slash_is_served_not_redirected(client, seeded, api_key):
    response = post(client, path=f"{BASE}//requests.xml", api_key=api_key)
    assert response.status_code == 200


def test_deviceid_is_read_as_device_id(client, seeded, api_key):
    assert stored(seeded, post(client, api_key=api_key, deviceid="phone-42")).device_id == "phone-42"


def test_several_wrong_fields_are_reported_together(client, seeded, api_key):
    response = post(client, api_key=api_key, description="short", email="not-mail", lat="north", long="",
                    service_code="NOPE", media_url="javascript:alert(1)")
    assert response.status_code == 400
    body = response.get_json()
    assert_valid(body, "errors.json")
    fields = {e["description"].split(":")[0] for e in body}
    assert fields == {"description", "email", "lat", "service_code", "media_url"}


@pytest.mark.parametrize("fields, wrong", [
    ({"lat": None, "long": None}, "location"),
    ({"long": None}, "lat"),
    ({"description": None}, "description"),
    ({"description": "x" * (TEXT_MAX + 1)}, "description"),
    ({"lat": "91"}, "lat"),
    ({"long": "nan"}, "long"),
    ({"first_name": "x" * 300}, "first_name"),
])
def test_each_rule_of_the_spec_is_checked(client, seeded, api_key, fields, wrong):
    response = post(client, api_key=api_key, **fields)
    assert response.status_code == 400
    assert [e["description"].split(":")[0] for e in response.get_json()] == [wrong]


def test_a_description_as_long_as_the_web_form_allows_is_accepted(client, seeded, api_key):
    assert post(client, api_key=api_key, description="a" * TEXT_MAX).status_code == 200


def test_one_character_more_is_refused_in_the_spec_error_format(client, seeded, api_key):
    response = post(client, api_key=api_key, description="a" * (TEXT_MAX + 1))
    assert response.status_code == 400
    assert_valid(response.get_json(), "errors.json")
    assert [e["description"] for e in response.get_json()] == [
        f"description: description must be at most {TEXT_MAX} characters."]


def test_the_openapi_document_states_the_same_description_limit(client):
    document = client.get(f"{BASE}/openapi.json").get_json()
    assert document["components"]["schemas"]["NewRequest"]["properties"]["description"]["maxLength"] == TEXT_MAX


def test_xml_errors_escape_what_they_carry(client, seeded, api_key):
    response = post(client, fmt="xml", api_key=api_key, description="<b>&", service_code="<x>")
    root = ET.fromstring(response.data)
    assert root.tag == "errors" and {e.find("code").text for e in root} == {"400"}
    assert b"<x>" not in response.data


def test_the_api_needs_no_csrf_token(app, seeded, api_key):
    app.config["WTF_CSRF_ENABLED"] = True
    assert post(app.test_client(), api_key=api_key).status_code == 200


def test_a_multipart_part_without_a_usable_name_is_ignored(client, seeded, api_key):
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"%0D\"\r\n\r\nnull\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\n{api_key}\r\n--{boundary}--\r\n")
    response = client.post(f"{BASE}/requests.xml", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400 and b"<code>400</code>" in response.data
