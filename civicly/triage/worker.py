"""The worker's loop: route cases stored before routing (CIVICLY_ROUTING=worker), group new cases with similar open
reports, send the outbox's e-mails and SMS, delete ended officers' sessions, alert officers and supervisors about
cases close to or past their deadline (once each working day), and retrain the routing model once enough officers'
decisions arrived, until stopped.

Run by ``civicly worker``; several may run at once (outbox claims and leases keep each job to one of them). A
retraining runs in the loop itself: that pass takes about a minute (once a day at most), during which this worker
neither groups nor sends; other workers go on.
"""
from __future__ import annotations

import signal
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from civicly import classify, mail
from civicly.models.timestamps import utcnow
from civicly.sms import delivery as sms_delivery
from civicly.triage import background_routing, escalation, groups, retraining, sessions

GROUPING_BUDGET = 1.0  # seconds of grouping at most between two rounds of e-mails
ROUTING_BUDGET = 1.0  # the same for routing (CIVICLY_ROUTING=worker)

Echo = Callable[..., None]  # called as click.echo is: (message, err=False)


def _silent(message: str, err: bool = False) -> None:
    """Progress nobody reads (the default)."""


def route_for_a_while(session: Session, worker: str, batch: int, budget: float = ROUTING_BUDGET) -> int:
    """Route cases stored before routing (CIVICLY_ROUTING=worker), ``batch`` at a time in one pass of the model each,
    until none waits or ``budget`` seconds have passed, so grouping and e-mails go on during a surge."""
    started, total = time.monotonic(), 0
    while True:
        done = background_routing.route_pending(session, worker, classify.route_many, limit=batch)
        total += done
        if done < batch or time.monotonic() - started >= budget:
            return total


def group_for_a_while(session: Session, worker: str, batch: int, budget: float = GROUPING_BUDGET) -> int:
    """Group waiting cases, ``batch`` at a time, until none waits or ``budget`` seconds have passed: a round of
    e-mails (each a round trip to the SMTP server) delays grouping by one batch of them at most, and a flood of
    submissions holds the e-mails back by ``budget`` at most."""
    started, total = time.monotonic(), 0
    while True:
        done = groups.attach_pending(session, worker, limit=batch)
        session.commit()  # a short transaction per batch: its groups are stored before the next batch is claimed
        total += done
        if done < batch or time.monotonic() - started >= budget:
            return total


def run_once(session: Session, config: Mapping[str, Any], send: mail.Send, worker: str, batch: int,
             once: bool = False, echo: Echo = _silent) -> tuple[int, mail.Round]:
    """One pass: route what waits for routing, then group what waits (every case if ``once``, else for a while),
    send the e-mails due, then delete the officers' sessions that ended; returns how many cases were routed or
    grouped and what the e-mails' round did. A lost database pauses routing and grouping, or stops a ``once``."""
    try:
        routed = (background_routing.route_all_pending(session, worker, classify.route_many) if once
                  else route_for_a_while(session, worker, batch))
        grouped = groups.attach_all_pending(session, worker) if once else group_for_a_while(session, worker, batch)
        session.commit()  # the groups found are stored before any e-mail is sent
    except OperationalError as exc:  # database busy or unreachable: the claimed jobs are taken again later
        session.rollback()
        if once:
            raise
        echo(f"routing and grouping paused: {type(exc.orig).__name__}", err=True)
        routed = grouped = 0
    emails = mail.deliver_due(session, config, send, worker, limit=batch)
    session.commit()  # a short transaction per round: what was sent is recorded before the next round is claimed
    texts = sms_delivery.deliver_due(session, config, worker, limit=batch)
    session.commit()  # the same for the round of SMS
    done = mail.Round(emails.sent + texts.sent, emails.failed + texts.failed, emails.cancelled + texts.cancelled)
    if done.sent or done.failed or done.cancelled:
        echo(f"sent {done.sent}, failed {done.failed}, cancelled {done.cancelled}")
    sessions.purge_ended(session, sessions.SessionPolicy.from_config(config))
    session.commit()  # one short DELETE on a table about as large as the number of people signed in
    escalate_if_due(session, worker, echo)
    retrain_if_due(session, config, worker, echo)
    return routed + grouped, done


def escalate_if_due(session: Session, worker: str, echo: Echo = _silent,
                    now: datetime | None = None) -> escalation.Escalated | None:
    """Today's escalation alerts and digests, if this is a working day, none ran today and no other worker is at
    it; the digests queued are sent by the next rounds of e-mails."""
    now = now or utcnow()
    try:
        claimed = escalation.claim(session, worker, now)
    except OperationalError as exc:  # database busy or unreachable: asked again next pass
        session.rollback()
        echo(f"escalation paused: {type(exc.orig).__name__}", err=True)
        return None
    if not claimed:
        session.rollback()  # not due, or another worker has it: end the read-only transaction
        return None
    session.commit()  # the lease is taken for all to see
    try:
        done = escalation.run(session, now)
    except BaseException:  # an unexpected failure or Ctrl-C: free the job now rather than when its lease ends
        session.rollback()
        escalation.release(session, worker)
        session.commit()  # the job is free again (its start time keeps it to once today)
        raise
    escalation.release(session, worker)
    session.commit()  # the alerts, their events and the digests in one unit of work, with the lease freed
    if done.alerts or done.digests:
        echo(f"escalation: {done.alerts.get(escalation.WARNING, 0)} cases close to their deadline, "
             f"{done.alerts.get(escalation.OVERDUE, 0)} overdue; {len(done.digests)} digests queued")
        for recipient_id, cases in sorted(done.digests.items()):
            echo(f"escalation digest for user {recipient_id}: {', '.join(cases)}")
    return done


def retrain_if_due(session: Session, config: Mapping[str, Any], worker: str,
                   echo: Echo = _silent) -> retraining.Retrained | None:
    """Retrain and maybe promote the routing model if enough officers' decisions arrived (and no other worker is
    at it, and none did today); returns what it did, or None when it was not due."""
    try:
        claimed = retraining.claim(session, config, worker)
    except OperationalError as exc:  # database busy or unreachable: asked again next pass
        session.rollback()
        echo(f"retraining check paused: {type(exc.orig).__name__}", err=True)
        return None
    if not claimed:
        session.rollback()  # nothing claimed: end the read-only transaction
        return None
    session.commit()  # the lease is taken for all to see before the minute of training
    echo("retraining the routing model on the historical data and officers' decisions...")
    try:
        outcome = retraining.retrain(session, config, "worker", echo)
    except BaseException:  # an unexpected failure or Ctrl-C: free the job now rather than when its lease ends
        session.rollback()
        retraining.release(session, worker)
        session.commit()  # the job is free again (its start time keeps it to once a day)
        raise
    retraining.release(session, worker)
    session.commit()  # the audit of this retraining, and the job free again
    echo(f"model {outcome.version or '-'} {'promoted' if outcome.promoted else 'not promoted'}"
         + (f": {outcome.problem}" if outcome.problem else ""), err=outcome.problem is not None)
    return outcome


def run(session: Session, config: Mapping[str, Any], send: mail.Send, worker: str, batch: int, interval: float,
        once: bool = False, echo: Echo = _silent) -> None:
    """Pass after pass, sleeping ``interval`` seconds when nothing was due; stops cleanly on SIGTERM or Ctrl-C after
    the case or message in hand, or after one pass if ``once``."""
    stopping: list[bool] = []
    signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
    try:
        while not stopping:
            handled, done = run_once(session, config, send, worker, batch, once, echo)
            if once:
                break
            if not (handled or done.sent or done.failed):
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
