"""Periodic jobs of the worker that one worker at a time may run, across hosts: a lease row per job."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class Job(SQLModel, table=True):
    """A job's lease (held by ``held_by`` until ``lease_until``) and when it last started, for "once a day" rules."""

    __tablename__ = "jobs"

    name: str = Field(primary_key=True, max_length=64)
    lease_until: datetime | None = Field(default=None)
    held_by: str | None = Field(default=None, max_length=64)
    last_run_at: datetime | None = Field(default=None)
