"""Running the Alembic migrations of ``civicly.migrations`` on a database URL (for ``civicly db`` and the tests)."""
from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    """The migrations as installed with the package (a wheel, or ``migrations/`` in an editable install)."""
    config = Config()
    config.set_main_option("script_location", str(files("civicly.migrations")))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> None:
    command.current(alembic_config(database_url), verbose=False)
