"""The demo: ministries, deadlines and holidays, and cases filed from the bundled real texts (data/*.csv) through
intake.submit with a few weeks of officers' decisions replayed, so the queue and the dashboard have something
true-looking to show."""
from __future__ import annotations

import csv
import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from civicly import areas
from civicly.errors import NotAllowed
from civicly.models import Case, Department, ReplyTemplate, Role
from civicly.models.cases import CaseStatus
from civicly.models.timestamps import utcnow
from civicly.triage import (
    accounts,
    admin_audit,
    deadlines,
    departments,
    groups,
    intake,
    publication,
    reply_templates,
    satisfaction,
)
from civicly.triage.decisions import Conflict, Decision, InvalidDecision, decide
from civicly.triage.permissions import Actor

DATA = Path(__file__).resolve().parent.parent.parent / "data"
CHANNEL = "demo"
HISTORY = timedelta(weeks=12)
SURGE_TEXT = "Street Condition: Pothole"
SURGE_REPORTS = 12
SOURCES = (  # file, share of the demo cases
    ("nyc311_requests_en.csv", 0.55),
    ("fr_questions_ecrites_an.csv", 0.2),
    ("cfpb_complaints_en.csv", 0.15),
    ("masakhanews_sw.csv", 0.05),
    ("sib200_topics_ar.csv", 0.05),
)
REPLIES = {
    "en": "Thank you: the service in charge has scheduled an intervention.",
    "fr": "Merci : le service compétent a programmé une intervention.",
    "sw": "Asante: idara husika imepanga kushughulikia suala hili.",
    "ar": "شكرا لكم: قامت المصلحة المختصة ببرمجة تدخل.",
}


# Shared reply templates in every language (triage/reply_templates.py): title, body.
DEMO_TEMPLATES = {
    "fr": (("Accusé de réception", "Bonjour, nous avons bien reçu votre demande {reference}. Elle est suivie par "
            "{ministry} et vous recevrez une réponse avant le {deadline}. Merci de votre confiance."),
           ("Intervention programmée", "Bonjour, concernant votre demande {reference} : {ministry} a programmé une "
            "intervention pour régler le problème. Nous vous informerons dès qu'elle sera terminée.")),
    "en": (("Acknowledgement", "Hello, we received your request {reference}. {ministry} is handling it and will "
            "answer before {deadline}. Thank you for your trust."),
           ("Intervention scheduled", "Hello, about your request {reference}: {ministry} has scheduled an "
            "intervention to fix the problem. We will let you know once it is done.")),
    "ar": (("إشعار بالاستلام", "مرحبا، توصلنا بطلبكم رقم {reference}. تتابعه {ministry} وسنجيبكم قبل {deadline}. "
            "شكرا على ثقتكم."),
           ("برمجة تدخل", "مرحبا، بخصوص طلبكم رقم {reference}: قامت {ministry} ببرمجة تدخل لمعالجة المشكل. "
            "سنخبركم فور الانتهاء منه.")),
    "sw": (("Uthibitisho wa kupokea", "Habari, tumepokea ombi lako {reference}. {ministry} inalishughulikia na "
            "itakujibu kabla ya {deadline}. Asante kwa imani yako."),
           ("Kazi imepangwa", "Habari, kuhusu ombi lako {reference}: {ministry} imepanga kazi ya kutatua tatizo "
            "hili. Tutakujulisha itakapokamilika.")),
}
DEMO_SUPERVISOR = "supervisor.sante@demo.civicly.example"
DEMO_SUPERVISED = "SANTE"


@dataclass(frozen=True)
class DemoText:
    text: str
    language: str
    department: str  # ministry code from data/label_maps/demo.csv, or ""
    place: str


@dataclass(frozen=True)
class Seeded:
    """What ``seed`` added; ``cases`` is None when demo cases were already there."""

    ministries_added: int
    ministries_present: int
    service_levels: int
    holidays: int
    cases: int | None
    templates: int = 0
    supervisor_password: str | None = None  # set when the demo supervisor was created now: shown once


def seed(session: Session, cases: int, route: intake.Router, today: date | None = None,
         country: str = areas.DEFAULT_COUNTRY) -> Seeded:
    """The demo ministries, service levels and last, this and next year's holidays, and ``cases`` demo cases in
    ``country``'s areas, grouped as the worker groups them (none if some were already filed); shared reply templates
    in every language and a supervisor of the health ministry. Safe to run twice; flushes only."""
    added, present = departments.seed_from_file(session)
    levels = deadlines.seed_demo_levels(session)
    year = (today or date.today()).year
    holidays = sum(deadlines.seed_demo_holidays(session, y) for y in (year - 1, year, year + 1))
    filed: int | None = 0
    if cases and demo_present(session):
        filed = None
    elif cases:
        filed = file_demo_cases(session, cases, route, country=country)
        groups.attach_all_pending(session, "seed-demo")
    return Seeded(added, present, levels, holidays, filed, seed_templates(session), seed_supervisor(session))


def seed_templates(session: Session) -> int:
    """The shared demo reply templates in every language, those not there yet (by language and title)."""
    present = set(session.exec(select(ReplyTemplate.language, ReplyTemplate.title)).all())
    added = 0
    for language, templates in DEMO_TEMPLATES.items():
        for title, body in templates:
            if (language, title) not in present:
                reply_templates.add(session, "*", language, title, body, actor=admin_audit.cli_actor())
                added += 1
    return added


def seed_supervisor(session: Session) -> str | None:
    """A supervisor of the demo health ministry, who receives its escalation digests; returns the random password
    when the account is created now (None when it exists or the ministry is missing)."""
    if departments.department_by_code(session, DEMO_SUPERVISED) is None:
        return None
    try:
        accounts.get_user(session, DEMO_SUPERVISOR)
        return None
    except accounts.AccountError:
        pass
    password = secrets.token_urlsafe(15)
    accounts.create_user(session, DEMO_SUPERVISOR, password, Role.officer, [DEMO_SUPERVISED],
                         actor=admin_audit.cli_actor())
    accounts.set_supervisor(session, DEMO_SUPERVISOR, DEMO_SUPERVISED, True, actor=admin_audit.cli_actor())
    return password


def demo_present(session: Session) -> bool:
    return session.exec(select(Case.id).where(Case.channel == CHANNEL)).first() is not None


def _label_map() -> dict[str, str]:
    with open(DATA / "label_maps" / "demo.csv", newline="", encoding="utf-8") as handle:
        return {row["from"]: row["to"] for row in csv.DictReader(handle)}


def _texts(path: Path, mapping: dict[str, str]) -> list[DemoText]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [DemoText(row["text"][:intake.TEXT_MAX], row["language"], mapping.get(row["department"], ""),
                     (row.get("borough") or "").title() if row.get("borough") not in (None, "", "Unspecified") else "")
            for row in rows if len(row["text"]) >= intake.TEXT_MIN]


def file_demo_cases(session: Session, count: int, route: intake.Router, seed: int = 7,
                    now: datetime | None = None, country: str = areas.DEFAULT_COUNTRY) -> int:
    """File ``count`` demo cases received over the last 12 weeks (a surge of potholes among the last ones) in
    ``country``'s areas, then replay officers' decisions on most of the older ones. Returns how many were filed."""
    rng = random.Random(seed)
    places = _demo_areas(country, random.Random(seed + 1))  # its own draws: the cases stay those of ``seed``
    now = now or utcnow()
    mapping = _label_map()
    active = {d.code for d in session.exec(select(Department).where(Department.active == True))}  # noqa: E712
    pool = {name: _texts(DATA / name, mapping) for name, _share in SOURCES}
    surge = min(SURGE_REPORTS, count // 4)
    picks = rng.choices([name for name, _ in SOURCES], weights=[share for _, share in SOURCES], k=count - surge)
    filed: list[tuple[Case, str]] = []  # with the ministry the source data gives it
    for i, name in enumerate(sorted(picks, key=lambda _n: rng.random())):
        item = rng.choice(pool[name])
        received = now - HISTORY * (rng.random() ** 1.3) - timedelta(hours=1)
        filed.append((_file(session, item, received, route, chosen=rng.random() < 0.5 and item.department in active,
                            email=f"demo{i}@example.org" if rng.random() < 0.1 else "", consent=i % 3 == 0,
                            area_code=next(places), country=country), item.department))
    pothole = DemoText(SURGE_TEXT, "en", "TERRITOIRES", "Brooklyn")
    surge_area = next(places)
    for j in range(surge):
        filed.append((_file(session, pothole, now - timedelta(minutes=20 * (surge - j)), route, chosen=True, email="",
                            consent=False, area_code=surge_area, country=country), pothole.department))
    _replay_decisions(session, filed, rng, now, active)
    return len(filed)


def _demo_areas(country: str, rng: random.Random) -> Iterator[str]:
    """Areas for demo cases, endlessly: three of them busier than the rest, so the dashboard has a shape."""
    codes = [area.code for area in areas.areas(country, "en")] or [""]
    weights = [4 if i < 3 else 1 for i in range(len(codes))]
    while True:
        yield rng.choices(codes, weights=weights)[0]


def _file(session: Session, item: DemoText, received: datetime, route: intake.Router, chosen: bool, email: str,
          consent: bool, area_code: str = "", country: str = areas.DEFAULT_COUNTRY) -> Case:
    data = intake.SubmissionInput(text=item.text, language=item.language, place=item.place, channel=CHANNEL,
                                  department_code=item.department if chosen else "", email=email, received_at=received,
                                  publish_consent=consent, area_code=area_code)
    return intake.submit(session, data, route, country=country)


def _replay_decisions(session: Session, cases: list[tuple[Case, str]], rng: random.Random, now: datetime,
                      active: set[str]) -> None:
    """Officers route, confirm or correct, answer and close most cases older than two days, each at a plausible time."""
    codes = {d.id: d.code for d in session.exec(select(Department))}
    # A triage officer of every ministry: may route unrouted cases and act on all the others.
    officer = Actor(0, "demo.officer@civicly.example", Role.triage, frozenset(codes))
    # Publication is for a ministry's officers or admins: an admin approves half of the consented reports.
    moderator = Actor(0, "demo.admin@civicly.example", Role.admin, frozenset(codes))
    for case, truth in sorted(cases, key=lambda pair: pair[0].created_at):
        age = now - case.created_at
        if age < timedelta(days=2) or rng.random() < 0.25:
            continue
        moment = case.created_at + min(age / 3, timedelta(hours=rng.uniform(2, 96)))
        try:
            case = _route_or_confirm(session, officer, case, codes, truth if truth in active else "", moment)
            if case.publish_consent and case.id % 2 == 0 and not case.needs_triage:
                publication.approve(session, moderator, case.reference, case.text_redacted)
            moment += timedelta(hours=rng.uniform(1, 72))
            if moment < now and rng.random() < 0.8:
                case = decide(session, officer, case.reference, Decision(
                    "reply", case.version, message=REPLIES.get(case.language or "fr", REPLIES["fr"])), at=moment)
            moment += timedelta(days=rng.uniform(0.5, 25))
            if moment < now and rng.random() < 0.75:
                final = CaseStatus.resolved if rng.random() < 0.9 else CaseStatus.rejected
                decide(session, officer, case.reference, Decision("status", case.version, status=final.value),
                       at=moment)
                if rng.random() < 0.4:  # some citizens say whether their concern was answered
                    answered = rng.random() < (0.8 if final == CaseStatus.resolved else 0.2)
                    satisfaction.answer(session, case.reference, answered, now=moment)
        except (Conflict, InvalidDecision, NotAllowed):
            continue  # refused before writing anything: the case keeps the decisions it already has


def _route_or_confirm(session: Session, officer: Actor, case: Case, codes: dict[int, str], truth: str,
                      moment: datetime) -> Case:
    """Confirm a right routing; send a wrong or missing one to the ministry the source data names."""
    if truth and codes.get(case.department_id) != truth:
        return decide(session, officer, case.reference, Decision("reassign", case.version, department_code=truth,
                                                                 reason="Routed by hand"), at=moment)
    return decide(session, officer, case.reference, Decision("confirm", case.version), at=moment)
