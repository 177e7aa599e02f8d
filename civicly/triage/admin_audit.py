"""Recording and reading the administration audit (models.admin_audit): one call per administrative action."""
from __future__ import annotations

import getpass
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlmodel import Session, col, select

from civicly.models import AdminAction

CLI_ADDRESS = "cli"


def cli_actor() -> str:
    """Who runs a ``civicly`` command: the system account, the only identity a terminal gives."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def record(session: Session, actor: str, action: str, target: str = "", **details: Any) -> AdminAction:
    """Append one entry; the address is the client's in a request (after the proxy rules), "cli" otherwise.

    ``details`` say what changed (before/after values, counts), never a password, key or citizen's contact data.
    """
    address = (request.remote_addr or "") if has_request_context() else CLI_ADDRESS
    entry = AdminAction(actor=actor[:254], address=address[:64], action=action, target=target[:254], details=details)
    session.add(entry)
    session.flush()
    return entry


def entries(session: Session, *, since: datetime | None = None, action: str | None = None,
            actor: str | None = None, limit: int | None = None, before_id: int | None = None) -> Iterator[AdminAction]:
    """Entries newest first, optionally from ``since``, of one action (or action family such as ``user.``), older
    than entry ``before_id`` (the next page)."""
    query = select(AdminAction)
    if since is not None:
        query = query.where(col(AdminAction.created_at) >= since)
    if before_id is not None:
        query = query.where(col(AdminAction.id) < before_id)
    if action:
        query = query.where(col(AdminAction.action).startswith(action, autoescape=True) if action.endswith(".")
                            else AdminAction.action == action)
    if actor:
        query = query.where(AdminAction.actor == actor)
    query = query.order_by(col(AdminAction.id).desc())
    if limit is not None:
        query = query.limit(limit)
    yield from session.exec(query)
