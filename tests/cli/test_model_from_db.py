"""`civicly model train --from-db`: officers' reviewed decisions, read from the real database
through the service layer, become training rows of the next model version."""
from __future__ import annotations

import pytest

from civicly.cli.model import model
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from classifier import Registry
from tests.classifier.conftest import DATA, write_slice
from tests.conftest import file_case

REVIEWED = [
    ("SANTE", "The maternity ward of the district hospital has no midwife at night. Call me on +221 77 123 45 67."),
    ("SANTE", "Vaccines for children ran out at the health post last week and nurses send mothers away."),
    ("SANTE", "The clinic pharmacy has had no malaria tablets for a month and patients pay at private shops."),
    ("EDUCATION", "Our primary school has had no mathematics teacher since the start of term."),
    ("EDUCATION", "The secondary school exam results were never published and pupils cannot enrol."),
    ("EDUCATION", "Classrooms at the village school have no desks; pupils sit on the floor all day."),
]


@pytest.fixture
def reviewed(seeded, make_user) -> int:
    """Cases filed to the wrong ministry or left for triage, then corrected or confirmed by officers."""
    officers = {code: Actor.of(seeded, make_user(f"officer@{code.lower()}.gouv.sn", "officer", [code]))
                for code in ("SANTE", "EDUCATION")}
    triage = Actor.of(seeded, make_user("triage@gouv.sn", "triage", []))
    for department, text in REVIEWED:
        case = file_case(seeded, text, department="")
        decide(seeded, triage, case.reference, Decision("reassign", case.version, department_code=department,
                                                        reason="Routed by hand"))
        seeded.refresh(case)
        decide(seeded, officers[department], case.reference, Decision("confirm", case.version))
    file_case(seeded, "An unreviewed report about the road to the market.", department="TERRITOIRES")
    return len(REVIEWED)


def test_reviewed_cases_from_the_database_join_the_training_data(app, runner, reviewed, tmp_path):
    data = write_slice(DATA / "sib200_topics_ar.csv", tmp_path / "ar.csv", 25)

    result = runner.invoke(model, ["train", "--data", str(data), "--label-map", str(DATA / "label_maps" / "demo.csv"),
                                   "--from-db"])

    assert result.exit_code == 0, result.output
    assert f"added {reviewed} reviewed example(s) from the database" in result.output
    registry = Registry(app.config["MODEL_DIR"], app.config["MODEL_SIGNING_KEY"])
    version = registry.versions()[-1]
    card = registry.card(version)
    assert card["database_examples"] == reviewed
    assert card["rows"]["train"] + card["rows"]["held_out"] == 25 * 7 + reviewed
    trained = registry.load(version)[0]
    assert {"SANTE", "EDUCATION"} <= set(trained.classes_)
