"""Cases: what a citizen submitted, where it is routed and how urgent it is."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import operators
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class CaseStatus(StrEnum):
    new = "new"
    acknowledged = "acknowledged"
    in_progress = "in_progress"
    resolved = "resolved"
    rejected = "rejected"
    duplicate = "duplicate"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset({CaseStatus.new, CaseStatus.acknowledged, CaseStatus.in_progress})


class Urgency(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"

    @property
    def rank(self) -> int:
        """Sort key stored with the case so the queue orders by an indexed integer."""
        return {"high": 3, "medium": 2, "low": 1}[self.value]


class Case(SQLModel, table=True):
    """A submission and its routing state. Contact fields are shown only to the case's ministry."""

    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=16, unique=True, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    text_redacted: str = Field(sa_column=Column(Text, nullable=False))
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40, index=True)  # phones ask about their cases
    place: str | None = Field(default=None, max_length=200)
    # The first-level administrative area (ISO 3166-2: a region, a county), chosen or mapped from the place or the
    # coordinates (civicly/areas.py). Coarse enough to stay for statistics when personal data is erased.
    area_code: str | None = Field(default=None, max_length=8, index=True)
    latitude: float | None = Field(default=None)
    longitude: float | None = Field(default=None)
    address_id: str | None = Field(default=None, max_length=100)
    media_url: str | None = Field(default=None, max_length=500)
    device_id: str | None = Field(default=None, max_length=100)
    account_id: str | None = Field(default=None, max_length=100)
    service_code: str | None = Field(default=None, max_length=32)  # the Open311 service the client chose, if any
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    language: str | None = Field(default=None, max_length=8)
    channel: str = Field(default="web", max_length=16)
    status: str = Field(default=CaseStatus.new.value, max_length=16)
    department_id: int | None = Field(default=None, foreign_key="departments.id")
    needs_triage: bool = Field(default=True)
    urgency: str | None = Field(default=None, max_length=8)
    urgency_rank: int = Field(default=0)
    urgency_score: float = Field(default=0.0)
    urgency_source: str | None = Field(default=None, max_length=16)
    duplicate_of_id: int | None = Field(default=None, foreign_key="cases.id")
    form_token: str | None = Field(default=None, max_length=64, unique=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deadline_at: datetime | None = Field(default=None)
    # When the citizen's data was erased (on request or by the retention purge); the row stays as a skeleton for
    # statistics. Erased cases never become training examples.
    erased_at: datetime | None = Field(default=None)
    # Publication (docs/publication.md): the citizen's consent, then an officer's approval of a public text. A
    # published case is shown to anyone under its random public id, never under its reference (the tracking secret).
    publish_consent: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # The citizen agreed to news by SMS at contact_phone (asked on the web form; implied when they wrote by phone).
    sms_consent: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    public_id: str | None = Field(default=None, max_length=16, unique=True, index=True)
    public_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    published_at: datetime | None = Field(default=None, index=True)
    published_by: str | None = Field(default=None, max_length=254)
    # The Open311 key that filed the case: that partner reads it back in full (without contact details).
    filed_by_key_id: int | None = Field(default=None, foreign_key="api_keys.id", index=True)
    # The officer holding the case (triage/assignment.py); None: anyone of the ministry may take it.
    assignee_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    # How many times the citizen said "not solved" and reopened it (triage/reopening.py): the second goes to the
    # ministry's supervisors.
    reopen_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class NullsLastOnPostgres(UnaryExpression):
    """``column NULLS LAST`` in PostgreSQL, the bare column in SQLite, whose indexes cannot store NULLS LAST.

    SQLite keeps NULLs first in such an index, so a query ordered ``NULLS LAST`` there sorts only the rows that tie
    on the columns before it; PostgreSQL reads the whole order from the index.
    """

    inherit_cache = True

    def __init__(self, column: ColumnElement) -> None:
        super().__init__(column, modifier=operators.nulls_last_op)


@compiles(NullsLastOnPostgres)
def _nulls_last(element: NullsLastOnPostgres, compiler: SQLCompiler, **kw) -> str:
    return compiler.visit_unary(element, **kw)


@compiles(NullsLastOnPostgres, "sqlite")
def _bare_column(element: NullsLastOnPostgres, compiler: SQLCompiler, **kw) -> str:
    return compiler.process(element.element, **kw)


def _queue_order_index(name: str, *leading: str) -> Index:
    """An index holding the queue's whole order (triage/queue._queue_order) after ``leading`` equality columns, so
    each range the queue reads comes out of it in order and stops after one page."""
    c = Case.__table__.c
    return Index(name, *(c[column] for column in leading), c.urgency_rank.desc(), c.urgency_score.desc(),
                 NullsLastOnPostgres(c.deadline_at), c.created_at, c.id)


# Officers' queues: one range per (ministry, status). Manual triage and the admin queue: one per (needs_triage,
# status), needs_triage being true or false on every case, with or without a ministry.
QUEUE_ORDER_INDEX = _queue_order_index("ix_cases_queue_order", "department_id", "status")
TRIAGE_ORDER_INDEX = _queue_order_index("ix_cases_triage_order", "needs_triage", "status")
# The dashboard's period and the exports read cases by reception time; exports stream them in this order.
RECEPTION_ORDER_INDEX = Index("ix_cases_reception_order", Case.__table__.c.created_at, Case.__table__.c.id)
