"""What a command committed, read back through a session opened after it ran."""
import pytest
from sqlmodel import Session


@pytest.fixture
def committed(app):
    """``committed(statement)``: the rows a new session finds, so only what a command committed counts."""

    def _read(statement):
        with Session(app.extensions["civicly.engine"]) as fresh:
            return fresh.exec(statement).all()

    return _read
