"""Providers' delivery reports on the SMS Civicly sent: the outbox row they name records what became of it. A
message reported undelivered becomes a dead letter, which admins see and may send again."""
from __future__ import annotations

from sqlmodel import Session, col, select

from civicly.models import OutboxMessage, OutboxStatus
from civicly.triage import outbox

DELIVERED, FAILED = "delivered", "failed"
# Each provider's words for the two final states; any other word (sent, queued, buffered...) is kept as it is.
FINAL_STATES = {
    "success": DELIVERED, "delivered": DELIVERED, "read": DELIVERED,
    "failed": FAILED, "rejected": FAILED, "undelivered": FAILED,
}


def record(session: Session, provider_message_id: str, reported: str, reason: str = "") -> bool:
    """Store what the provider reported for its message ``provider_message_id``; False when no SMS of ours has that
    id (a report for another application, or a forged one)."""
    if not provider_message_id:
        return False
    message = session.exec(select(OutboxMessage).where(
        OutboxMessage.provider_message_id == provider_message_id[:100],
        col(OutboxMessage.kind).in_(outbox.SMS_KINDS))).first()
    if message is None:
        return False
    state = FINAL_STATES.get(reported.strip().lower(), reported.strip().lower()[:16] or "unknown")
    message.delivery_status = state
    if state == FAILED and message.status == OutboxStatus.sent.value:
        message.status = OutboxStatus.dead.value
        message.last_error = f"not delivered: {reason.strip()[:200] or reported.strip()[:40]}"
    session.add(message)
    return True
