"""Alembic migrations, installed as ``civicly.migrations`` so that ``civicly db`` finds them from any directory."""
