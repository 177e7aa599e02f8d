"""Escalation with a fake clock: warnings at 80 % of the service-level time, overdue alerts each working day, one
digest per person, and each alert once however many workers run at the same moment."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from civicly import mail
from civicly.models import Case, CaseAlert, Event, OutboxMessage, User
from civicly.triage import assignment, worker
from civicly.triage.decisions import Decision, decide
from tests.conftest import file_case
from tests.insight.test_notifications import smtp  # noqa: F401  (the real local SMTP server)
from tests.working_day.conftest import actor_of

WEDNESDAY = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


def _case(session, text: str, created: datetime, deadline: datetime) -> Case:
    case = file_case(session, text)
    case.created_at, case.deadline_at = created, deadline
    session.add(case)
    session.commit()
    return case


@pytest.fixture
def cases(seeded, team):
    """Near its deadline and held by awa; near and unheld; overdue; overdue but answered; far from its deadline."""
    near_held = _case(seeded, "The maternity ward of Pikine has no running water since Monday.",
                      WEDNESDAY - timedelta(days=12), WEDNESDAY + timedelta(days=1))
    near_free = _case(seeded, "Vaccines for children are out of stock at the Rufisque health post.",
                      WEDNESDAY - timedelta(days=9), WEDNESDAY + timedelta(days=2))
    overdue = _case(seeded, "The ambulance of Mbour district has been broken for a month.",
                    WEDNESDAY - timedelta(days=20), WEDNESDAY - timedelta(days=1))
    answered = _case(seeded, "The clinic of Yoff closes at noon instead of six.",
                     WEDNESDAY - timedelta(days=20), WEDNESDAY - timedelta(days=1))
    far = _case(seeded, "Ask for a vaccination campaign in Diourbel schools next year.",
                WEDNESDAY - timedelta(days=1), WEDNESDAY + timedelta(days=13))
    awa = actor_of(seeded, "awa@gov.sn")
    assignment.take(seeded, awa, near_held.reference, near_held.version)
    decide(seeded, awa, answered.reference, Decision("reply", answered.version, message="A team comes on Friday."))
    seeded.commit()
    return {"near_held": near_held, "near_free": near_free, "overdue": overdue, "answered": answered, "far": far}


def _alerts(session) -> set[tuple[str, str, str]]:
    rows = session.exec(select(Case.reference, CaseAlert.level, User.email)
                        .join(Case, col(Case.id) == col(CaseAlert.case_id))
                        .join(User, col(User.id) == col(CaseAlert.recipient_id))).all()
    return set(rows)


def test_warnings_and_overdue_alerts_go_to_the_right_people_once_a_working_day(seeded, cases):
    done = worker.escalate_if_due(seeded, "w1", now=WEDNESDAY)
    assert dict(done.alerts) == {"warning": 2, "overdue": 1}
    c = {name: case.reference for name, case in cases.items()}
    assert _alerts(seeded) == {(c["near_held"], "warning", "awa@gov.sn"), (c["near_free"], "warning", "boss@gov.sn"),
                               (c["overdue"], "overdue", "boss@gov.sn")}
    events = seeded.exec(select(Event).where(Event.kind == "escalation")).all()
    assert {(e.case_id, e.after["level"], tuple(e.after["to"])) for e in events} == {
        (cases["near_held"].id, "warning", ("awa@gov.sn",)), (cases["near_free"].id, "warning", ("boss@gov.sn",)),
        (cases["overdue"].id, "overdue", ("boss@gov.sn",))}
    digests = seeded.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
    assert len(digests) == 2  # one per person, not one per case
    assert worker.escalate_if_due(seeded, "w1", now=WEDNESDAY + timedelta(hours=3)) is None  # once a day
    thursday = worker.escalate_if_due(seeded, "w1", now=WEDNESDAY + timedelta(days=1))
    assert dict(thursday.alerts) == {"overdue": 2}  # the held one passed its deadline too; warnings are not repeated
    assert worker.escalate_if_due(seeded, "w1", now=WEDNESDAY + timedelta(days=3)) is None  # Saturday


def test_thresholds_are_set_per_ministry(seeded, cases):
    from civicly.models import Department

    sante = seeded.exec(select(Department).where(Department.code == "SANTE")).one()
    sante.warn_at_percent = 90
    seeded.add(sante)
    seeded.commit()
    done = worker.escalate_if_due(seeded, "w1", now=WEDNESDAY)
    assert dict(done.alerts) == {"warning": 1, "overdue": 1}  # 12/13 of its time is past 90 %, 9/11 is not


def test_two_workers_at_the_same_moment_give_each_alert_once(app, seeded, cases):
    barrier, results, errors = threading.Barrier(2), [], []

    def work(name):
        try:
            with app.app_context(), Session(app.extensions["civicly.engine"], expire_on_commit=False) as session:
                barrier.wait(10)
                results.append(worker.escalate_if_due(session, name, now=WEDNESDAY))
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"host{n}:1",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert sorted(r is None for r in results) == [False, True]
    seeded.expire_all()
    assert len(_alerts(seeded)) == 3
    assert len(seeded.exec(select(Event).where(Event.kind == "escalation")).all()) == 3
    assert len(seeded.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()) == 2


def test_the_digest_reaches_each_person_once_and_the_worker_says_so(app, seeded, cases, smtp):  # noqa: F811
    lines = []
    with app.app_context():
        worker.escalate_if_due(seeded, "w1", lambda message, err=False: lines.append(message), now=WEDNESDAY)
        mail.deliver_due(seeded, app.config, mail.smtp_sender(app.config), "w1")
        mail.deliver_due(seeded, app.config, mail.smtp_sender(app.config), "w1")
    boss_id = seeded.exec(select(User.id).where(User.email == "boss@gov.sn")).one()
    assert lines[0] == "escalation: 2 cases close to their deadline, 1 overdue; 2 digests queued"
    assert f"escalation digest for user {boss_id}: {cases['overdue'].reference} (overdue)" in "\n".join(lines)
    digests = {m["To"]: m for m in smtp.messages if "attention" in m["Subject"]}
    assert set(digests) == {"awa@gov.sn", "boss@gov.sn"}
    body = digests["boss@gov.sn"].get_content()
    assert cases["overdue"].reference in body and cases["near_free"].reference in body
    assert cases["near_held"].reference not in body and "/officer/cases/" in body
    assert body.index(cases["overdue"].reference) < body.index(cases["near_free"].reference)  # overdue first


def test_the_threshold_is_set_from_the_command_line_and_audited(app, runner, seeded):
    from civicly.cli.departments import departments
    from civicly.models import AdminAction, Department

    result = runner.invoke(departments, ["set-escalation", "sante", "--warn-at", "70"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(departments, ["set-escalation", "SANTE", "--warn-at", "170"]).exit_code == 2
    with Session(app.extensions["civicly.engine"]) as fresh:
        assert fresh.exec(select(Department.warn_at_percent).where(Department.code == "SANTE")).one() == 70
        entry = fresh.exec(select(AdminAction).where(AdminAction.action == "department.escalation")).one()
        assert entry.details == {"before": {"warn_at_percent": 80}, "after": {"warn_at_percent": 70}}
