"""The append-only record of administration: who changed accounts, ministries, keys, deadlines and models, who
exported, purged or erased data, and who displayed a citizen's contact details."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, event
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class AdminAction(SQLModel, table=True):
    """One administrative action: who (``actor``), from where (``address``), what (``action`` on ``target``)."""

    __tablename__ = "admin_actions"

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=254)  # an officer's e-mail, or "cli:<system user>"
    address: str = Field(default="", max_length=64)  # the client's IP address, or "cli"
    action: str = Field(max_length=48, index=True)  # e.g. user.create, model.promote, case.erase, contact.view
    target: str = Field(default="", max_length=254)  # what it was done to: an e-mail, a ministry code, a reference
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


@event.listens_for(AdminAction, "before_update")
@event.listens_for(AdminAction, "before_delete")
def _refuse_rewriting_history(_mapper: Any, _connection: Any, target: AdminAction) -> None:
    raise RuntimeError(f"The administration audit is append-only; refusing to change entry {target.id}.")
