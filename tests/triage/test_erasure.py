"""Erasing a citizen's data leaves no trace of them in any table or log, keeps a skeleton that still counts in the
statistics, and keeps erased cases out of training; the retention purge erases by the same rules."""
import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select as core_select
from sqlmodel import SQLModel, select

from civicly.logging_setup import JsonFormatter
from civicly.models import Case, CaseGroup, CaseGroupMember, Event, Label, OutboxMessage, Prediction
from civicly.models.timestamps import utcnow
from civicly.triage import admin_audit, erasure, retention
from civicly.triage.dashboard import Period, Scope, build
from civicly.triage.feedback import labelled_examples
from tests.conftest import csrf_token, file_case

# What identifies the citizen, in the lower case the scan compares in.
TRACES = ("zebulon", "quixworth", "xylophag", "brambleworth", "913 58 24", "14.123456", "16.654321",
          "dev-qx-7731", "acct-qx-7731", "qx-photo")
SUBMISSION = dict(
    text="Xylophagous beetles are eating the Brambleworth school roof. Zebulon Quixworth, +221 77 913 58 24.",
    name="Zebulon Quixworth", email="Zebulon.Quixworth@example.sn", phone="+221 77 913 58 24",
    place="17 Quixworth lane, Kaolack", latitude=14.123456, longitude=-16.654321, address_id="addr-quixworth",
    media_url="https://img.example.sn/qx-photo.jpg", device_id="dev-qx-7731", account_id="acct-qx-7731",
    attributes={"landmark": "Brambleworth bakery"}, language="en",
)


def everything_stored(session) -> str:
    """Every row of every table, stringified: what an erasure must leave without the citizen in it."""
    session.expire_all()
    rows = [f"{table.name}: {row!r}" for table in SQLModel.metadata.sorted_tables
            for row in session.execute(core_select(table)).all()]
    return "\n".join(rows).lower()


def traces_in(text: str) -> list[str]:
    return [trace for trace in TRACES if trace in text.lower()]


def logged(caplog) -> str:
    """Every record at DEBUG and above, formatted as production writes them (the request log included)."""
    return "\n".join(JsonFormatter().format(r) for r in caplog.records)


def post_decision(client, case_id, session, **data):
    session.expire_all()
    case = session.get(Case, case_id)
    token = csrf_token(client.get(f"/officer/cases/{case.reference}").get_data(as_text=True))
    response = client.post(f"/officer/cases/{case.reference}/decide",
                           data={"csrf_token": token, "version": str(case.version), **data})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


@pytest.fixture
def scenario(client, seeded, make_user, login_as, caplog):
    """A case with every kind of personal data Civicly stores, handled by its ministry's officer on the web."""
    caplog.set_level(logging.DEBUG)
    make_user("awa@sante.gouv.sn", "officer", ["SANTE"])
    case = file_case(seeded, **SUBMISSION)
    seeded.add(Prediction(case_id=case.id, model_version="v-test", department_code="SANTE", confidence=0.81,
                          top3=[["SANTE", 0.81]], reasons=[["xylophagous", 0.4], ["brambleworth", 0.2]],
                          urgency="high", urgency_reasons=["brambleworth roof"]))
    group = CaseGroup(department_id=case.department_id, lead_case_id=case.id)
    seeded.add(group)
    seeded.flush()
    seeded.add(CaseGroupMember(case_id=case.id, group_id=group.id))
    # A dead letter as the mailer used to store it, naming the address.
    seeded.add(OutboxMessage(case_id=case.id, kind="status", idempotency_key=f"status:{case.reference}:0",
                             status="dead", last_error="recipient refused: {'zebulon.quixworth@example.sn': (550,)}"))
    seeded.commit()
    login_as("awa@sante.gouv.sn")
    post_decision(client, case.id, seeded, action="reply", message="Dear Zebulon Quixworth, we treat the beetles.")
    post_decision(client, case.id, seeded, action="urgency", urgency="high", reason="Mr Quixworth's roof may fall")
    post_decision(client, case.id, seeded, action="note", message="Called Zebulon at 77 913 58 24.")
    post_decision(client, case.id, seeded, action="status", status="resolved")
    page = client.get(f"/track/{case.reference}").get_data(as_text=True)
    client.post(f"/track/{case.reference}/satisfaction", data={
        "csrf_token": csrf_token(page), "answered": "no", "comment": "Zebulon Quixworth still sees beetles"})
    post_decision(client, case.id, seeded, action="status", status="resolved")  # reopened by that "No", closed again
    seeded.expire_all()
    assert traces_in(everything_stored(seeded)) == list(TRACES)  # the scan would see each of them
    assert seeded.exec(select(Label).where(Label.case_id == case.id)).all()
    return case


def test_erasing_from_the_case_page_leaves_no_trace_in_any_table_or_log(client, seeded, scenario, caplog):
    board_before = build(seeded, Scope(None), Period.last_weeks(2))
    shown = client.post(f"/officer/cases/{scenario.reference}/contact",
                        data={"csrf_token": csrf_token(client.get("/officer/queue").get_data(as_text=True))})
    assert "zebulon.quixworth@example.sn" in shown.get_data(as_text=True).lower()
    confirm = client.get(f"/officer/cases/{scenario.reference}/erase")
    assert confirm.status_code == 200
    token = csrf_token(confirm.get_data(as_text=True))
    unconfirmed = client.post(f"/officer/cases/{scenario.reference}/erase", data={"csrf_token": token})
    assert unconfirmed.status_code == 400 and seeded.get(Case, scenario.id).erased_at is None
    erased = client.post(f"/officer/cases/{scenario.reference}/erase", data={"csrf_token": token, "confirm": "y"})
    assert erased.status_code == 303

    assert traces_in(everything_stored(seeded)) == []
    assert traces_in(logged(caplog)) == []
    assert any(r.name == "civicly.request" for r in caplog.records)  # the request log was captured too
    skeleton = seeded.get(Case, scenario.id)
    assert (skeleton.status, skeleton.urgency, skeleton.channel, skeleton.language) == ("resolved", "high", "web", "en")
    assert skeleton.department_id is not None and skeleton.erased_at is not None
    assert seeded.exec(select(CaseGroupMember).where(CaseGroupMember.case_id == scenario.id)).one()
    assert seeded.exec(select(Label).where(Label.case_id == scenario.id)).all() == []
    assert seeded.exec(select(OutboxMessage).where(OutboxMessage.case_id == scenario.id)).all() == []
    board_after = build(seeded, Scope(None), Period.last_weeks(2))
    assert board_after.total_cases == board_before.total_cases == 1
    assert board_after.submissions == board_before.submissions
    assert (board_after.satisfied, board_after.unsatisfied) == (board_before.satisfied, board_before.unsatisfied)
    [entry] = admin_audit.entries(seeded, action="case.erase")
    assert entry.actor == "awa@sante.gouv.sn" and entry.target == scenario.reference
    assert entry.details["labels"] >= 1 and entry.details["outbox"] >= 2 and entry.details["satisfaction"] == 1
    assert [e.target for e in admin_audit.entries(seeded, action="contact.view")] == [scenario.reference]
    page = client.get(f"/officer/cases/{scenario.reference}").get_data(as_text=True)
    assert "was erased on" in page and "Show contact details" not in page


def test_the_export_holds_everything_stored_about_the_case_and_is_audited(client, seeded, scenario):
    token = csrf_token(client.get(f"/officer/cases/{scenario.reference}").get_data(as_text=True))
    response = client.post(f"/officer/cases/{scenario.reference}/export", data={"csrf_token": token})
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["contact"] == {"name": "Zebulon Quixworth", "email": "Zebulon.Quixworth@example.sn",
                               "phone": "+221 77 913 58 24", "device_id": "dev-qx-7731", "account_id": "acct-qx-7731"}
    assert data["attributes"] == {"landmark": "Brambleworth bakery"}
    assert data["media_url"] == SUBMISSION["media_url"] and data["location"]["latitude"] == 14.123456
    assert data["satisfaction"]["answered"] is False and "Quixworth" in data["satisfaction"]["comment"]
    [prediction] = data["predictions"]
    assert (prediction["model_version"], prediction["ministry"], prediction["confidence"]) == ("v-test", "SANTE", 0.81)
    assert prediction["reasons"] == [["xylophagous", 0.4], ["brambleworth", 0.2]]
    assert {(m["kind"], m["status"]) for m in data["messages"]} >= {("acknowledgement", "pending"), ("status", "dead")}
    assert all(m["created_at"] for m in data["messages"])
    assert data["group"]["lead"] is True
    assert any(e.get("message", "").startswith("Dear Zebulon") for e in data["history"])
    assert "Called Zebulon" not in response.get_data(as_text=True)  # internal notes are not the citizen's data
    [entry] = admin_audit.entries(seeded, action="case.export")
    assert (entry.actor, entry.target) == ("awa@sante.gouv.sn", scenario.reference)


def test_the_purge_by_age_erases_by_the_same_rules(seeded, scenario, caplog):
    seeded.get(Case, scenario.id).updated_at = utcnow() - timedelta(days=400)
    recent = file_case(seeded, "The Keur Massar well is dry again since Monday.", email="awa.ndiaye@example.sn")
    seeded.commit()
    assert retention.purge_closed_cases(seeded, utcnow() - timedelta(days=365), "cli:test") == 1
    seeded.commit()
    remaining = everything_stored(seeded)
    assert traces_in(remaining) == [] and "awa.ndiaye@example.sn" in remaining and "keur massar" in remaining
    assert traces_in(logged(caplog)) == []
    assert seeded.get(Case, recent.id).erased_at is None
    assert seeded.exec(select(Event).where(Event.case_id == scenario.id, Event.kind == "purged")).one()
    [entry] = admin_audit.entries(seeded, action="privacy.purge")
    assert entry.details["count"] == 1


def test_erased_cases_never_reach_training(seeded, scenario):
    assert [row["text"] for row in labelled_examples(seeded)] != []
    erasure.erase_case(seeded, seeded.get(Case, scenario.id), "cli:test")
    # A decision racing the erasure could still write a label: the training query skips the case all the same.
    seeded.add(Label(case_id=scenario.id, text="late label", department_code="SANTE", kind="confirm",
                     decided_by="awa@sante.gouv.sn"))
    seeded.flush()
    assert labelled_examples(seeded) == []


def test_erasing_by_email_takes_all_of_that_persons_cases_and_no_one_elses(seeded):
    mine = [file_case(seeded, email="Zebulon.Quixworth@example.sn"),
            file_case(seeded, email="zebulon.quixworth@EXAMPLE.sn", phone="+221 77 913 58 24"),
            file_case(seeded, phone="+221 779135824")]
    other = file_case(seeded, email="someone.else@example.sn")
    found = erasure.cases_of_person(seeded, email=" zebulon.quixworth@example.sn ")
    assert [c.id for c in found] == [mine[0].id, mine[1].id]
    assert [c.id for c in erasure.cases_of_person(seeded, phone="(+221) 77-913-58-24")] == [mine[1].id, mine[2].id]
    assert erasure.cases_of_person(seeded, email="", phone="12") == []
    for case in erasure.cases_of_person(seeded, email="zebulon.quixworth@example.sn", phone="+221 77 913 58 24"):
        erasure.erase_case(seeded, case, "cli:test")
    seeded.commit()
    assert all(seeded.get(Case, c.id).erased_at is not None for c in mine)
    assert seeded.get(Case, other.id).erased_at is None and seeded.get(Case, other.id).contact_email


def test_events_stay_append_only_outside_erasure(seeded, scenario):
    event = seeded.exec(select(Event).where(Event.case_id == scenario.id)).first()
    event.message = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        seeded.flush()
