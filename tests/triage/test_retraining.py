"""The worker retrains the routing model by itself once enough officers' decisions arrived: on a real database
(SQLite and PostgreSQL), a real slice of the bundled data, signed versions in the app's registry."""
from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from civicly.models import AdminAction, Job, Label
from civicly.models.timestamps import utcnow
from civicly.triage import model_versions, retraining, worker
from civicly.triage.decisions import Decision, decide
from civicly.triage.permissions import Actor
from classifier import Registry
from tests.classifier.conftest import DATA, write_slice
from tests.conftest import file_case

REVIEWED = [
    ("SANTE", "The maternity ward of the district hospital has no midwife at night."),
    ("SANTE", "Vaccines for children ran out at the health post last week and nurses send mothers away."),
    ("SANTE", "The clinic pharmacy has had no malaria tablets for a month and patients pay at private shops."),
    ("EDUCATION", "Our primary school has had no mathematics teacher since the start of term."),
    ("EDUCATION", "The secondary school exam results were never published and pupils cannot enrol."),
    ("EDUCATION", "Classrooms at the village school have no desks; pupils sit on the floor all day."),
    # Held out by their hash (classifier.dataset.held_out_split), so the gate compares on officers' rows too.
    ("SANTE", "The health centre has had no doctor for two weeks and the sick are sent to town."),
    ("EDUCATION", "Teachers at the girls' school have not been paid for three months."),
]


BATCHES = itertools.count()  # distinct officers' e-mails


@pytest.fixture
def history(app, seeded, tmp_path):
    """An active model trained on a few rows of a bundled file; the worker retrains on more of it (the history the
    deployment has gathered since), so the new version clears the no-worse gate."""
    label_map = str(DATA / "label_maps" / "demo.csv")
    app.config.update(RETRAIN_LABEL_MAP=label_map)
    app.config["RETRAIN_DATA"] = [str(write_slice(DATA / "sib200_topics_ar.csv", tmp_path / "ar-few.csv", 6))]
    with app.app_context():
        first = model_versions.train(seeded, "admin@gouv.sn", retraining.plan(app.config))
    seeded.commit()
    app.config["RETRAIN_DATA"] = [str(write_slice(DATA / "sib200_topics_ar.csv", tmp_path / "ar.csv", 25))]
    return first.version


def review(session, make_user, cases: list[tuple[str, str]]) -> None:
    """Cases left for triage, routed by a triage officer then confirmed by the ministry's officer: two labels each,
    written by the real decision service and committed as requests would."""
    batch = next(BATCHES)
    triage = Actor.of(session, make_user(f"triage{batch}@gouv.sn", "triage", []))
    for department, text in cases:
        officer = Actor.of(session, make_user(f"officer{next(BATCHES)}@gouv.sn", "officer", [department]))
        case = file_case(session, text, department="")
        decide(session, triage, case.reference, Decision("reassign", case.version, department_code=department,
                                                         reason="Routed by hand"))
        session.refresh(case)
        decide(session, officer, case.reference, Decision("confirm", case.version))
        session.commit()


def audited(app, action: str) -> list[AdminAction]:
    with Session(app.extensions["civicly.engine"]) as fresh:
        return list(fresh.exec(select(AdminAction).where(AdminAction.action == action)
                               .order_by(AdminAction.id)))


def one_pass(app, session, lines: list[str] | None = None) -> None:
    with app.app_context():
        worker.run_once(session, app.config, lambda _message: None, "worker-a", batch=20,
                        echo=lambda message, err=False: (lines if lines is not None else []).append(message))


def registry(app) -> Registry:
    return Registry(app.config["MODEL_DIR"], app.config["MODEL_SIGNING_KEY"])


def test_enough_decisions_retrain_and_promote_by_itself_once_a_day(app, seeded, make_user, history):
    app.config["RETRAIN_AFTER_LABELS"] = 5
    review(seeded, make_user, REVIEWED)
    lines: list[str] = []

    one_pass(app, seeded, lines)

    models = registry(app)
    active = models.active_version()
    assert active != history and models.versions() == sorted([history, active]), lines[-1]
    card = models.card(active)
    assert card["database_examples"] == len(REVIEWED)  # the latest decision of each reviewed case
    assert card["metrics"]["per_file"]["database"]["rows"] >= 1  # the gate compared on officers' rows too
    assert {"SANTE", "EDUCATION"} <= set(models.load(active)[0].classes_)  # signed: it loads with the app's key
    trained = audited(app, "model.train")[-1]
    assert (trained.actor, trained.target, trained.details["from_db"]) == ("worker", active, True)
    promoted = audited(app, "model.promote")[-1]
    assert (promoted.actor, promoted.target, promoted.details["previous"]) == ("worker", active, history)
    assert lines[-1] == f"model {active} promoted"
    with Session(app.extensions["civicly.engine"]) as fresh:
        job = fresh.get(Job, retraining.JOB)
        assert job.lease_until is None and job.last_run_at is not None

    review(seeded, make_user, [("SANTE", "The ambulance of the district never comes to our village at night.")] * 3)
    one_pass(app, seeded)  # the same day: enough new labels again, but it already ran

    assert registry(app).versions() == sorted([history, active]) and len(audited(app, "model.train")) == 2


def test_below_the_threshold_nothing_happens(app, seeded, make_user, history):
    app.config["RETRAIN_AFTER_LABELS"] = 100
    review(seeded, make_user, REVIEWED)

    one_pass(app, seeded)

    assert registry(app).versions() == [history] and len(audited(app, "model.train")) == 1
    with Session(app.extensions["civicly.engine"]) as fresh:
        assert fresh.get(Job, retraining.JOB) is None


def test_zero_turns_retraining_off(app, seeded, make_user, history):
    app.config["RETRAIN_AFTER_LABELS"] = 0
    review(seeded, make_user, REVIEWED)
    with Session(app.extensions["civicly.engine"]) as fresh:
        assert fresh.exec(select(func.count()).select_from(Label)).one() == 2 * len(REVIEWED)

    one_pass(app, seeded)

    assert registry(app).versions() == [history]


def test_a_job_another_worker_holds_is_left_to_it(app, seeded, make_user, history):
    app.config["RETRAIN_AFTER_LABELS"] = 5
    review(seeded, make_user, REVIEWED)
    seeded.add(Job(name=retraining.JOB, held_by="worker-b", lease_until=utcnow() + timedelta(minutes=30)))
    seeded.commit()

    one_pass(app, seeded)

    assert registry(app).versions() == [history]
    with app.app_context():
        assert retraining.claim(seeded, app.config, "worker-a", now=utcnow() + timedelta(hours=3))  # lease ran out
