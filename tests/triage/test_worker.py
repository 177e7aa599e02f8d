"""The worker's pass without a command line: grouping then e-mails, each step committed before the next."""
from sqlmodel import Session, select

from civicly.models import OutboxMessage
from civicly.triage import outbox, worker
from tests.conftest import file_case


def test_one_pass_sends_what_is_due_and_records_it_for_everyone(app, seeded):
    case = file_case(seeded, email="fatou@example.sn", language="fr")
    seeded.commit()
    sent, lines = [], []
    with app.app_context():
        grouped, done = worker.run_once(seeded, app.config, sent.append, "test-worker", batch=20, once=True,
                                        echo=lambda message, err=False: lines.append(message))
    assert grouped == 1 and (done.sent, done.failed, done.cancelled) == (1, 0, 0)
    assert [m["To"] for m in sent] == ["fatou@example.sn"] and lines == ["sent 1, failed 0, cancelled 0"]
    with Session(app.extensions["civicly.engine"]) as fresh:
        statuses = fresh.exec(select(OutboxMessage.status).where(OutboxMessage.case_id == case.id,
                                                                 OutboxMessage.kind.in_(outbox.KINDS))).all()
    assert statuses == ["sent"]


def test_a_pass_with_nothing_due_does_nothing(app, seeded):
    with app.app_context():
        grouped, done = worker.run_once(seeded, app.config, lambda _message: None, "test-worker", batch=5)
    assert grouped == 0 and (done.sent, done.failed, done.cancelled) == (0, 0, 0)
