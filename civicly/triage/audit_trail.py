"""The administration audit as admins read it: filters as people type them, pages, and exports (which are audited
in turn, as ``audit.export``)."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import IO

from sqlmodel import Session

from civicly.models import AdminAction
from civicly.triage import admin_audit, exports

FIELDS = ("id", "created_at", "actor", "address", "action", "target", "details")
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """Which entries: from a day on, of an action or family, by one actor."""

    since: date | None = None
    action: str = ""
    actor: str = ""

    def as_details(self) -> dict[str, str | None]:
        return {"since": self.since.isoformat() if self.since else None, "action": self.action or None,
                "actor": self.actor or None}


def action_pattern(typed: str | None) -> str:
    """``model`` and ``model.`` mean the family, ``model.promote`` the one action (what ``entries`` expects)."""
    typed = (typed or "").strip().lower()
    return f"{typed}." if typed and "." not in typed else typed


def _entries(session: Session, wanted: AuditFilter, limit: int | None = None,
             before_id: int | None = None) -> Iterator[AdminAction]:
    since = datetime.combine(wanted.since, time.min, tzinfo=UTC) if wanted.since else None
    return admin_audit.entries(session, since=since, action=action_pattern(wanted.action) or None,
                               actor=wanted.actor.strip() or None, limit=limit, before_id=before_id)


def listing(session: Session, wanted: AuditFilter, limit: int | None = None) -> list[AdminAction]:
    """Entries newest first (all of them, or the ``limit`` newest)."""
    return list(_entries(session, wanted, limit))


@dataclass(frozen=True)
class AuditPage:
    entries: list[AdminAction]
    next_before: int | None  # the ``before`` of the next (older) page; None on the last one


def page(session: Session, wanted: AuditFilter, before_id: int | None = None, size: int = PAGE_SIZE) -> AuditPage:
    """One page newest first, by keyset (entries older than ``before_id``), so paging stays cheap on a long audit."""
    found = list(_entries(session, wanted, size + 1, before_id))
    more = len(found) > size
    found = found[:size]
    return AuditPage(found, found[-1].id if more and found else None)


def _rows(found: Iterable[AdminAction], fmt: str) -> Iterator[dict]:
    for entry in found:
        details = entry.details if fmt == "jsonl" else json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
        yield {"id": entry.id, "created_at": entry.created_at.isoformat(timespec="seconds"), "actor": entry.actor,
               "address": entry.address, "action": entry.action, "target": entry.target, "details": details}


def export(session: Session, actor: str, wanted: AuditFilter, fmt: str, out: IO[str], destination: str) -> int:
    """Write the chosen entries (newest first) as CSV (formula-safe) or JSON Lines, then record the export itself;
    returns how many."""
    count = exports.write(_rows(_entries(session, wanted), fmt), FIELDS, fmt, out)
    admin_audit.record(session, actor, "audit.export", "", format=fmt, rows=count, destination=destination,
                       filters=wanted.as_details())
    return count
