"""A request filed through Open311 lands in the officer queue exactly like the same text sent through the web form."""
from sqlmodel import select

from civicly.models import Case, Event
from tests.api.conftest import BASE
from tests.conftest import csrf_token

TEXT = "No water at the public tap of our school since Monday, the children are thirsty."


def routing_of(session, reference):
    case = session.exec(select(Case).where(Case.reference == reference)).one()
    events = session.exec(select(Event).where(Event.case_id == case.id).order_by(Event.id)).all()
    return ((case.department_id, case.needs_triage, case.urgency, case.urgency_rank, case.status),
            [(e.kind, e.public, e.after.get("department"), e.after.get("urgency")) for e in events])


def test_api_and_web_form_route_the_same_text_the_same_way(client, seeded, api_key, model):
    page = client.get("/submit").get_data(as_text=True)
    web = client.post("/submit", data={"csrf_token": csrf_token(page), "text": TEXT, "form_token": "t" * 32})
    web_reference = web.headers["Location"].split("/track/")[1].split("?")[0]
    api = client.post(f"{BASE}/requests.json", data={"api_key": api_key, "description": TEXT, "address_id": "S-1"})
    api_reference = api.get_json()[0]["service_request_id"]

    web_routing, api_routing = routing_of(seeded, web_reference), routing_of(seeded, api_reference)
    assert api_routing == web_routing
    assert web_routing[0][1] is False and web_routing[0][2] == "high"


def test_an_officers_status_change_and_reply_are_visible_to_the_partner_that_filed_it(client, seeded, api_key, model):
    reference = client.post(f"{BASE}/requests.json", data={
        "api_key": api_key, "description": TEXT, "lat": "14.7", "long": "-17.4"}).get_json()[0]["service_request_id"]
    case = seeded.exec(select(Case).where(Case.reference == reference)).one()
    case.status = "resolved"
    seeded.add(case)
    seeded.add(Event(case_id=case.id, kind="status", actor="officer:7", public=True,
                     before={"status": "new"}, after={"status": "resolved"}))
    seeded.add(Event(case_id=case.id, kind="reply", actor="officer:7", public=True, message="The tap is repaired."))
    seeded.commit()

    key = {"X-Api-Key": api_key}
    [request] = client.get(f"{BASE}/requests/{reference}.json", headers=key).get_json()
    assert request["status"] == "closed" and request["status_notes"] == "The tap is repaired."
    closed = client.get(f"{BASE}/requests.json", query_string={"status": "closed"}, headers=key).get_json()
    assert [r["service_request_id"] for r in closed] == [reference]
    assert client.get(f"{BASE}/requests/{reference}.json").status_code == 404  # not published: not for anyone
