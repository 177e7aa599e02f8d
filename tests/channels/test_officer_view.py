"""Officers see how a case came in, in the queue and on the case page."""
from sqlmodel import select

from civicly.models import Case, Department
from tests.channels.test_sms_in import REPORT, at_sms


def test_an_sms_case_shows_its_channel_in_the_queue_and_case_page(channels, client, seeded, make_user, login_as):
    at_sms(client, REPORT)
    case = seeded.exec(select(Case)).one()
    case.department_id = seeded.exec(select(Department.id).where(Department.code == "SANTE")).one()
    case.needs_triage = False
    seeded.add(case)
    seeded.commit()
    make_user("wanjiru@health.go.ke", "officer", ["SANTE"])
    login_as("wanjiru@health.go.ke")
    queue = client.get("/officer/queue").get_data(as_text=True)
    assert case.reference in queue and '<span class="tag channel">SMS</span>' in queue
    page = client.get(f"/officer/cases/{case.reference}").get_data(as_text=True)
    assert '<span class="tag channel">SMS</span>' in page and "Public replies go to the citizen by SMS." in page
