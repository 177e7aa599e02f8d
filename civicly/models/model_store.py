"""The routing model every host serves: the active pointer and the signed versions, in the database all hosts share.

Each host keeps a verified copy of a version in its own model folder (CIVICLY_MODEL_DIR), so the database is read
once per version, and the pointer, a single row, is the one thing checked often."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from civicly.models.timestamps import utcnow


class ActiveModel(SQLModel, table=True):
    """Which version routes, and the versions active before it (newest last: what rollback goes back through).

    ``changes`` grows by one at every promotion or rollback: a host compares it with the one it loaded."""

    __tablename__ = "active_model"

    name: str = Field(primary_key=True, max_length=32)  # "routing": one pointer per kind of model
    version: str = Field(max_length=64)
    history: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    changes: int = Field(default=1)
    changed_at: datetime = Field(default_factory=utcnow)
    changed_by: str = Field(max_length=254)  # who: an officer's e-mail, "cli:<user>", "worker"


class ModelArtifact(SQLModel, table=True):
    """A saved version as the registry wrote it: card, artifact and signature, byte for byte, so that a host that
    copies it checks the same checksum and signature as the host that trained it."""

    __tablename__ = "model_artifacts"

    version: str = Field(primary_key=True, max_length=64)
    card: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    artifact: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    signature: str = Field(max_length=200)
    artifact_sha256: str = Field(max_length=64)
    published_at: datetime = Field(default_factory=utcnow)
