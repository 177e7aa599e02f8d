"""Discovery, services and service definitions: ministries as Open311 services, in the caller's language."""
import xml.etree.ElementTree as ET

import pytest

from civicly.triage.departments import set_department_active
from tests.api.conftest import BASE, assert_valid


def test_discovery_lists_the_endpoint_and_documents_the_optional_service_code(client):
    body = client.get(f"{BASE}/discovery.json").get_json()
    assert_valid(body, "discovery.json")
    endpoint = body["endpoints"][0]
    assert endpoint["url"].endswith("/open311/v2") and endpoint["specification"].endswith("GeoReport_v2")
    assert any(e["name"] == "optional_service_code" for e in body["extensions"])
    root = ET.fromstring(client.get(f"{BASE}/discovery.xml").data)
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format") is not None


def test_services_are_the_active_ministries_with_the_spec_fields(client, seeded):
    set_department_active(seeded, "SPORTS", False, actor="cli:test")
    seeded.commit()
    body = client.get(f"{BASE}/services.json").get_json()
    assert_valid(body, "services.json")
    codes = [s["service_code"] for s in body]
    assert "SANTE" in codes and "SPORTS" not in codes and len(codes) == 16
    sante = next(s for s in body if s["service_code"] == "SANTE")
    assert sante["service_name"] == "Health and Prevention"
    assert sante["metadata"] is False and sante["type"] == "realtime" and sante["group"]


@pytest.mark.parametrize("how, expected", [
    ({"query_string": {"locale": "ar"}}, "الصحة والوقاية"),
    ({"headers": {"Accept-Language": "sw"}}, "Afya na Kinga"),
    ({"headers": {"Accept-Language": "fr-FR,fr;q=0.9"}}, "Santé et prévention"),
])
def test_service_names_follow_the_requests_language(client, seeded, how, expected):
    body = client.get(f"{BASE}/services.json", **how).get_json()
    assert next(s for s in body if s["service_code"] == "SANTE")["service_name"] == expected


def test_services_in_xml_have_one_service_element_each(client, seeded):
    response = client.get(f"{BASE}/services.xml")
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "services" and len(root.findall("service")) == 17
    assert root.find("service/metadata").text == "false"


@pytest.mark.parametrize("path", ["services/SANTE", "service/SANTE", "services/sante"])
def test_service_definition_is_an_object_in_json(client, seeded, path):
    body = client.get(f"{BASE}/{path}.json").get_json()
    assert_valid(body, "service-definition.json")
    assert body == {"service_code": "SANTE", "attributes": []}
    root = ET.fromstring(client.get(f"{BASE}/{path}.xml").data)
    assert root.tag == "service_definition" and root.find("service_code").text == "SANTE"


@pytest.mark.parametrize("path", ["services/NOPE.json", "services/SPORTS.json", "services/%00.xml", "nothing.json"])
def test_unknown_services_and_paths_are_404_in_the_api_format(client, seeded, path):
    set_department_active(seeded, "SPORTS", False, actor="cli:test")
    seeded.commit()
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    if path.endswith(".xml"):
        assert ET.fromstring(response.data).find("error/code").text == "404"
    else:
        assert_valid(response.get_json(), "errors.json")


@pytest.mark.parametrize("jurisdiction, status", [("", 200), ("civicly", 200), ("CIVICLY", 200), ("sf.gov", 404)])
def test_jurisdiction_id_is_optional_and_must_be_ours_when_given(client, seeded, jurisdiction, status):
    response = client.get(f"{BASE}/services.json", query_string={"jurisdiction_id": jurisdiction})
    assert response.status_code == status


def test_the_jurisdiction_is_configurable(app, seeded):
    app.config["OPEN311_JURISDICTION"] = "dakar.sn"
    client = app.test_client()
    assert client.get(f"{BASE}/services.json?jurisdiction_id=dakar.sn").status_code == 200
    assert client.get(f"{BASE}/services.json?jurisdiction_id=civicly").status_code == 404


def test_odd_paths_under_the_prefix_answer_in_the_api_format(client):
    response = client.get(f"{BASE}/discovery.%06%21%0A%F4%8C%A8%81")
    assert response.status_code == 404 and response.mimetype == "application/json"
