"""Citizens' e-mails go through the outbox to a real local SMTP server (aiosmtpd), each exactly once, in their
language, with retries and dead letters."""
import logging
import socket
import threading
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from civicly import mail
from civicly.cli.worker import worker
from civicly.logging_setup import JsonFormatter
from civicly.models import OutboxMessage
from civicly.models.timestamps import utcnow
from civicly.triage import outbox
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from tests.conftest import file_case


class Inbox:
    """An aiosmtpd handler that keeps what it receives and refuses one mailbox for good."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("gone."):  # as many servers word it: the refused address quoted back
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_FROM="Civicly <no-reply@gov.example>")
    yield inbox
    controller.stop()


def emails():
    """The outbox's e-mails (it also holds the jobs of grouping each new case, done by the same worker)."""
    return select(OutboxMessage).where(OutboxMessage.kind.in_(outbox.KINDS))


def run_worker(runner):
    result = runner.invoke(worker, ["--once"])
    assert result.exit_code == 0, result.output
    return result


def test_a_status_change_reaches_the_smtp_server_exactly_once(seeded, make_user, runner, smtp):
    case = file_case(seeded, email="fatou@example.sn", language="fr")
    officer = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    decide(seeded, officer, case.reference, Decision("status", 1, status="in_progress"))
    seeded.commit()
    run_worker(runner)
    run_worker(runner)  # nothing left to send: a second pass sends nothing again
    assert len(smtp.messages) == 2
    status_mail = next(m for m in smtp.messages if "acknowledgement" not in m["Message-ID"])
    assert status_mail["To"] == "fatou@example.sn" and status_mail["Content-Language"] == "fr"
    assert case.reference in status_mail.get_content() and "/track/" + case.reference in status_mail.get_content()
    assert all(m.status == "sent" for m in seeded.exec(emails()))


def test_no_message_without_an_email_address(seeded, make_user):
    case = file_case(seeded, phone="+221 77 000 00 00")
    officer = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    decide(seeded, officer, case.reference, Decision("reply", 1, message="We are on it."))
    assert seeded.exec(emails()).all() == []


def test_the_citizen_gets_a_closure_message_and_a_reply_in_their_language(seeded, make_user, runner, smtp):
    case = file_case(seeded, email="juma@example.ke", language="sw")
    officer = Actor.of(seeded, make_user("awa@sante.gouv.sn", "officer", ["SANTE"]))
    decide(seeded, officer, case.reference, Decision("reply", 1, message="Daktari atafika Jumatatu."))
    decide(seeded, officer, case.reference, Decision("status", 1, status="resolved"))
    seeded.commit()
    run_worker(runner)
    bodies = [m.get_content() for m in smtp.messages]
    assert len(bodies) == 3 and any("Daktari atafika Jumatatu." in b for b in bodies)
    assert {m["Content-Language"] for m in smtp.messages} == {"sw"}


def test_a_crashed_workers_claim_is_taken_over_after_its_lease_and_sent_once(app, seeded, smtp):
    file_case(seeded, email="fatou@example.sn")
    claimed = outbox.claim(seeded, "crashed-worker")  # claimed, then the process died before sending
    assert len(claimed) == 1
    send = mail.smtp_sender(app.config)
    with app.app_context():
        assert mail.deliver_due(seeded, app.config, send, "second").sent == 0  # the lease still holds
        later = utcnow() + outbox.LEASE + timedelta(seconds=1)
        assert outbox.claim(seeded, "second", now=later) == claimed
        assert mail.deliver_due(seeded, app.config, send, "second").sent == 0  # claimed above, not due again
        delivery = outbox.delivery(seeded, claimed[0], "second", now=later - timedelta(seconds=2))
        send(mail.compose(delivery, app.config))
        assert outbox.mark_sent(seeded, claimed[0], "second")
        assert not outbox.mark_sent(seeded, claimed[0], "crashed-worker")  # the old claim can no longer finish
    assert len(smtp.messages) == 1


def test_concurrent_workers_send_each_message_once(app, seeded, smtp):
    for i in range(12):
        file_case(seeded, f"Report {i}: the dispensary in village {i} has been closed for {i + 2} weeks.",
                  email=f"citizen{i}@example.sn")
    send = mail.smtp_sender(app.config)
    errors = []

    def work(name):
        try:
            with app.app_context(), Session(app.extensions["civicly.engine"], expire_on_commit=False) as session:
                while mail.deliver_due(session, app.config, send, name, limit=3).sent:
                    pass
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert len(smtp.messages) == 12
    assert len({m["Message-ID"] for m in smtp.messages}) == 12


def test_failures_are_retried_with_backoff_then_become_dead_letters(app, seeded, runner):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2, OUTBOX_MAX_ATTEMPTS=2)
    file_case(seeded, email="fatou@example.sn")
    run_worker(runner)
    message = seeded.exec(emails()).one()
    assert message.status == "pending" and message.attempts == 1 and message.next_attempt_at > utcnow()
    assert "ConnectionRefusedError" in message.last_error
    seeded.exec(emails()).one().next_attempt_at = utcnow()
    seeded.commit()
    run_worker(runner)
    message = seeded.get(OutboxMessage, message.id, populate_existing=True)
    assert message.status == "dead" and message.attempts == 2
    assert outbox.retry(seeded, message.id)
    assert seeded.get(OutboxMessage, message.id, populate_existing=True).status == "pending"


def test_a_refused_mailbox_is_a_dead_letter_at_once(seeded, runner, smtp):
    file_case(seeded, email="nobody@example.sn")
    run_worker(runner)
    message = seeded.exec(emails()).one()
    assert message.status == "dead" and "550" in message.last_error and smtp.messages == []


def test_a_refused_address_is_nowhere_in_the_outbox_the_logs_or_the_admin_page(seeded, runner, smtp, caplog,
                                                                                 make_user, client, login_as):
    caplog.set_level(logging.DEBUG)
    file_case(seeded, email="gone.mbaye@example.sn")
    run_worker(runner)
    message = seeded.exec(emails()).one()
    assert message.status == "dead" and message.last_error == "550 5.1.1 recipient refused"
    make_user("root@gov.sn", "admin", [])
    login_as("root@gov.sn")
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "550 5.1.1 recipient refused" in page
    # Everything logged in this process but the test SMTP server's own log (aiosmtpd's "mail.log").
    logs = "\n".join(JsonFormatter().format(r) for r in caplog.records if r.name != "mail.log")
    assert "outbox message" in logs  # the failure is logged, without the address
    for seen in (repr(message.model_dump()), logs, page):
        assert "gone.mbaye" not in seen


def test_other_failures_are_stored_without_any_address(seeded):
    file_case(seeded, email="fatou@example.sn")
    [message_id] = outbox.claim(seeded, "w", kinds=("acknowledgement",))
    outbox.mark_failed(seeded, message_id, "w", "SMTPDataError: (554, b'<fatou@example.sn> looks like spam')")
    assert seeded.get(OutboxMessage, message_id).last_error == "SMTPDataError: (554, b'<[address]> looks like spam')"


def test_backoff_doubles_and_is_capped():
    assert outbox.backoff(1) >= timedelta(minutes=1) and outbox.backoff(1) < timedelta(minutes=1.2)
    assert outbox.backoff(4) >= timedelta(minutes=8)
    assert outbox.backoff(30) <= outbox.BACKOFF_MAX * 1.1
