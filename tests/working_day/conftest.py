"""Fixtures of the officer's working day: a ministry with a supervisor and two officers, and a case to hold."""
from __future__ import annotations

import pytest

from tests.conftest import ACTOR, file_case


@pytest.fixture
def team(make_user, seeded):
    """SANTE: a supervisor and two officers; EDUCATION: one officer; the demo service levels."""
    from civicly.triage.accounts import set_supervisor
    from civicly.triage.deadlines import seed_demo_levels

    people = {name: make_user(f"{name}@gov.sn", "officer", [code])
              for name, code in (("boss", "SANTE"), ("awa", "SANTE"), ("moussa", "SANTE"), ("ecole", "EDUCATION"))}
    set_supervisor(seeded, "boss@gov.sn", "SANTE", True, actor=ACTOR)
    seed_demo_levels(seeded)
    seeded.commit()
    return people


@pytest.fixture
def health_case(seeded, team):
    return file_case(seeded, language="fr")


def actor_of(session, email: str):
    from sqlmodel import select

    from civicly.models import User
    from civicly.triage.permissions import Actor

    return Actor.of(session, session.exec(select(User).where(User.email == email)).one())
