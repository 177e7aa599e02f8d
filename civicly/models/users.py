"""Civil servants' accounts and the ministries each one works for."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class Role(StrEnum):
    officer = "officer"  # works the cases of their own ministries
    triage = "triage"  # routes the manual triage queue across ministries
    admin = "admin"  # users, ministries, models; reads everything


class UserDepartment(SQLModel, table=True):
    __tablename__ = "user_departments"

    user_id: int = Field(foreign_key="users.id", primary_key=True)
    department_id: int = Field(foreign_key="departments.id", primary_key=True)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.officer.value, max_length=16)
    active: bool = Field(default=True)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None)
    last_login_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
