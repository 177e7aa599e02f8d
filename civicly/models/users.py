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
    # A supervisor of this ministry assigns its cases to others, sees everyone's load, manages its reply templates
    # and receives its escalations (docs/working-day.md).
    supervisor: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.officer.value, max_length=16)
    active: bool = Field(default=True)
    failed_logins: int = Field(default=0)  # wrong passwords and second-factor codes since the last sign-in
    locked_until: datetime | None = Field(default=None)
    last_login_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    # The second factor (triage.second_factor): the TOTP secret, encrypted with a key derived from SECRET_KEY; the
    # last time step accepted, so that a code is used once; when it was set up. None: no second factor.
    totp_secret: str | None = Field(default=None, max_length=255)
    totp_last_step: int | None = Field(default=None)
    totp_enrolled_at: datetime | None = Field(default=None)


class RecoveryCode(SQLModel, table=True):
    """A single-use code for signing in without the authenticator app; only its sha256 is kept."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = Field(default=None)
