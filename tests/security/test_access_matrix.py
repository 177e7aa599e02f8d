"""Every route x every role. The test walks the URL map: a new route fails here until its access rule is stated
below."""
from __future__ import annotations

import pytest

from civicly.storage import LocalStorage
from civicly.triage import photos
from tests import images
from tests.conftest import csrf_token, file_case, sign_in

ROLES = ("anonymous", "citizen", "officer_a", "officer_b", "triage", "admin")
ALL = set(ROLES)
STAFF = ALL - {"anonymous", "citizen"}

# endpoint -> (roles that get through, what the others get: "login" = sent to sign in, "404" = not revealed)
# officer_a works for SANTE, where the probed case lives; officer_b for EDUCATION; triage and admin have no ministry.
ACCESS_POLICY: dict[str, tuple[set[str], str]] = {
    "citizen.home": (ALL, ""),
    "citizen.submit": (ALL, ""),
    "citizen.track": (ALL, ""),
    "citizen.case": (ALL, ""),
    "i18n.choose_language": (ALL, ""),
    "static": (ALL, ""),
    "auth.login": (ALL, ""),
    "auth.logout": (STAFF, "login"),
    # Single sign-on is off in this app, so not found for anyone; when on, both are public (tests/sso).
    "auth.sso_start": (set(), "404"),
    "auth.sso_callback": (set(), "404"),
    "auth.second_factor_page": (ALL, ""),  # without a pending sign-in: back to the login page
    "auth.enrol_at_sign_in": (ALL, ""),
    "auth.account": (STAFF, "login"),
    "auth.enrol": (STAFF, "login"),
    "auth.recovery_codes": (STAFF, "login"),
    "officer.home": (STAFF, "login"),
    "officer.queue": (STAFF, "login"),
    "officer.triage": ({"triage", "admin"}, "login|404"),
    "officer.case": ({"officer_a", "admin"}, "login|404"),
    "officer.decide": ({"officer_a"}, "login|404"),
    "officer.merge": ({"officer_a"}, "login|404"),
    "officer.answer_all": ({"officer_a"}, "login|404"),
    "officer.show_contact": ({"officer_a"}, "login|404|403"),  # admins see the case, not its citizen's contact
    "officer.export_data": ({"officer_a", "admin"}, "login|404"),
    "officer.confirm_erase": ({"officer_a", "admin"}, "login|404"),
    "officer.erase": ({"officer_a", "admin"}, "login|404"),
    # The ministry's officers and admins moderate publication (this case has no consent: refused, but reached).
    "officer.publish": ({"officer_a", "admin"}, "login|404"),
    "officer.unpublish": ({"officer_a", "admin"}, "login|404"),
    # Holding cases: the ministry's officers; assigning to others: its supervisors (none here). The load view is for
    # supervisors, the reply templates for supervisors and admins (template 1 does not exist: not found for all).
    "officer.take": ({"officer_a"}, "login|404|403"),
    "officer.release": ({"officer_a"}, "login|404|403"),
    "officer.assign": (set(), "login|404|403"),
    "officer.load": (set(), "login|404"),
    "officer.templates": ({"admin"}, "login|404"),
    "officer.add_template": ({"admin"}, "login|404"),
    "officer.edit_template": (set(), "login|404"),
    "officer.remove_template": (set(), "login|404"),
    # The probed case's photo: whoever sees the case; everyone else, signed in or not, 404 (never a sign-in page).
    "officer.photo": ({"officer_a", "admin"}, "404"),
    "officer.photo_thumbnail": ({"officer_a", "admin"}, "404"),
    "api.published_photo": (set(), "404"),  # only a published case's photos are public; this case is not
    "citizen.rate_case": (ALL, ""),  # anyone holding the reference; refused (409) while the case is open
    "admin.dashboard_page": ({"officer_a", "officer_b", "admin"}, "login|404"),  # officers: their ministries only
    "admin.export": ({"officer_a", "officer_b", "admin"}, "login|404"),
    "admin.outbox_page": ({"admin"}, "login|404"),
    "admin.outbox_retry": ({"admin"}, "login|404"),
    "admin.audit_page": ({"admin"}, "login|403"),
    "admin.audit_export": ({"admin"}, "login|403"),
    "metrics": (ALL, ""),  # the test client calls from loopback; tests/insight/test_metrics.py covers the refusals
    "api.discovery": (ALL, ""),
    "api.services": (ALL, ""),
    "api.service_definition": (ALL, ""),
    "api.list_requests": (ALL, ""),
    "api.get_request": (set(), "404"),  # a reference is nobody's public id: only the key that filed it reads it
    "api.create_request": (set(), "403"),  # needs an API key, whatever the browser session
    "api.openapi": (ALL, ""),
    "api.unknown": (set(), "404"),
    "ops.healthz": (ALL, ""),  # probes for the load balancer; no personal data
    "ops.readyz": (ALL, ""),  # 503 while no model is active (as here): "through" counts it, see below
    # The SMS, USSD and WhatsApp providers' callbacks: off here (no channel secret set), so not found for anyone;
    # tests/channels checks the secrets (403 when wrong) once they are set.
    "channels.africastalking_sms": (set(), "404"),
    "channels.africastalking_ussd": (set(), "404"),
    "channels.africastalking_delivery": (set(), "404"),
    "channels.twilio_sms": (set(), "404"),
    "channels.twilio_status": (set(), "404"),
}
ARGUMENTS = {"reference": "{ref}", "code": "SANTE", "fmt": "json", "filename": "civicly.css", "request_id": "{ref}",
             "kind": "cases", "message_id": "1", "template_id": "1", "photo_id": "1", "public_id": "P-AAAAAAAAAAAA",
             "number": "1",
             "_rest": "nothing-here"}


def routes(app):
    """Every (rule, method), signing out last so it does not end the session mid-walk."""
    rules = sorted(app.url_map.iter_rules(), key=lambda rule: (rule.endpoint == "auth.logout", rule.rule))
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_access_rule(app):
    missing = sorted({rule.endpoint for rule, _ in routes(app)} - set(ACCESS_POLICY))
    assert not missing, f"state who may reach {missing} in ACCESS_POLICY ({__file__})"


@pytest.fixture
def people(app, make_user, seeded):
    make_user("a@sante.gouv.sn", "officer", ["SANTE"])
    make_user("b@education.gouv.sn", "officer", ["EDUCATION"])
    make_user("t@gov.sn", "triage", [])
    make_user("root@gov.sn", "admin", [])
    case = file_case(seeded, "The clinic in Rufisque has run out of vaccines.", email="c@example.sn")
    photos.attach(seeded, LocalStorage(app.config["STORAGE_DIR"]), case, [photos.prepare(
        photos.PhotoUpload(images.png()))])  # photo 1 of a fresh database
    seeded.commit()
    return case


EMAILS = {"officer_a": "a@sante.gouv.sn", "officer_b": "b@education.gouv.sn", "triage": "t@gov.sn",
          "admin": "root@gov.sn"}


def sign_in_as(app, client, role):
    if role in EMAILS:
        assert sign_in(app, client, EMAILS[role]).status_code == 303


def outcome(response) -> str:
    location = response.headers.get("Location", "")
    if response.status_code in (302, 303) and "/officer/login?next=" in location:
        return "login"  # sent to sign in first (signing out also ends on the login page, but without ?next=)
    if response.status_code in (403, 404):
        return str(response.status_code)
    if response.status_code == 401:
        return "login"
    return "through" if response.status_code < 500 else "error"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_what_it_should(app, people, role):
    client = app.test_client()
    sign_in_as(app, client, role)
    token = csrf_token(client.get("/officer/login").get_data(as_text=True))
    failures = []
    for rule, method in routes(app):
        allowed, otherwise = ACCESS_POLICY[rule.endpoint]
        url = rule.build({arg: ARGUMENTS[arg].format(ref=people.reference) for arg in rule.arguments})[1]
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "action": "note", "version": "1", "message": "x"})
        got = outcome(response)
        expected = {"through"} if role in allowed else set(otherwise.split("|"))
        if rule.endpoint == "auth.login" and method == "POST":
            expected = {"through", "login", "400"}  # the form itself answers; nobody is let in without a password
        if rule.endpoint == "ops.readyz" and response.status_code == 503:
            got = "through"  # a readiness verdict (no model here), not an access decision
        if got not in expected:
            failures.append(f"{role} {method} {url}: got {got} ({response.status_code}), expected {expected}")
    assert not failures, "\n".join(failures)


def test_every_form_post_without_a_csrf_token_changes_nothing(app, people, seeded):
    """Signed in as an admin and as the case's officer, each browser POST without a token is refused with 400
    and writes no event (the API and the channels' callbacks are exempt: keys and providers' signatures, not
    cookies)."""
    from sqlmodel import func, select

    from civicly.models import Event

    def events() -> int:
        seeded.expire_all()
        return seeded.exec(select(func.count()).select_from(Event)).one()

    before = events()
    for role in ("admin", "officer_a"):
        client = app.test_client()
        sign_in_as(app, client, role)
        for rule, method in routes(app):
            if method != "POST" or rule.endpoint.startswith(("api.", "channels.")):
                continue  # the API authenticates with keys, the channels' providers sign their callbacks
            url = rule.build({arg: ARGUMENTS[arg].format(ref=people.reference) for arg in rule.arguments})[1]
            response = client.post(url, data={"action": "note", "version": "1", "message": "x", "text": "x" * 40})
            assert response.status_code == 400, f"{role} POST {url}: {response.status_code}"
    assert events() == before
