"""Step 4: the officers' queue (``list_queue``) and case page (``open_case``) on a large database.

Times are server-side: the service functions called with a session, as a request would, without HTTP or
templates. The baseline is the bare ``SELECT … WHERE id = ?`` of one case on the same database: what any page
costs at least. The schema is the migrated one (migration 0004 holds the queue order indexes), and some cases are
grouped as ``civicly worker`` groups similar reports, so the queue hides members behind their lead. Each page-50
plan is printed (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN ANALYZE``) from the exact statement
``list_queue`` sent, captured on the engine, with the cases indexes it names.
"""
from __future__ import annotations

import gc
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.casegen import fill, reference
from bench.databases import fresh_database
from bench.loadgen import percentile
from bench.report import Figure, StepResult, Target
from civicly.db import make_engine
from civicly.models import CaseGroup, CaseGroupMember, Role
from civicly.triage.casefile import open_case
from civicly.triage.permissions import Actor
from civicly.triage.queue import QueueFilters, QueuePage, list_queue

TARGET_P99_MS = 50.0
FILTERED = QueueFilters(status="open", urgency="high", language="fr")
QUEUE_INDEXES = ("ix_cases_queue_order", "ix_cases_triage_order")
GROUPED_PER_25 = 3  # 12 % of the cases with a ministry are in groups of similar reports ...
GROUP_SIZE = 4  # ... of four, the lead first


@dataclass(frozen=True)
class Scenario:
    name: str
    actor: Actor
    filters: QueueFilters
    page: int
    triage: bool = False


def run(backends: list[str], cases: int, repeats: int) -> StepResult:
    result = StepResult()
    for backend in backends:
        url = fresh_database(backend, "queue")
        engine = make_engine(url)
        start = time.perf_counter()
        fill(engine, cases)
        result.details[f"{backend}: grouped cases"] = group(engine)
        result.details[f"{backend}: fill seconds"] = round(time.perf_counter() - start, 1)
        measure(engine, backend, cases, repeats, result)
        engine.dispose()
    return result


def group(engine: Engine) -> int:
    """Group some cases of each ministry as ``civicly worker`` groups similar reports, then analyze; returns how
    many.

    Every queue page checks whether a case hides behind its group's lead, so the groups tables must not be empty.
    """
    with engine.connect() as connection:
        chosen = connection.execute(text(
            "SELECT id, department_id FROM cases WHERE department_id IS NOT NULL AND id % 25 < :share "
            "ORDER BY department_id, id"), {"share": GROUPED_PER_25}).all()
    by_ministry: dict[int, list[int]] = {}
    for case_id, department in chosen:
        by_ministry.setdefault(department, []).append(case_id)
    now = datetime.now(UTC)
    groups, members = [], []
    for department, ids in by_ministry.items():
        for start in range(0, len(ids) - GROUP_SIZE + 1, GROUP_SIZE):
            group_id = len(groups) + 1
            groups.append({"id": group_id, "department_id": department, "lead_case_id": ids[start], "created_at": now})
            members += [{"case_id": case_id, "group_id": group_id, "similarity": 0.9, "joined_at": now}
                        for case_id in ids[start:start + GROUP_SIZE]]
    with engine.begin() as connection:
        if groups:
            connection.execute(CaseGroup.__table__.insert(), groups)
            connection.execute(CaseGroupMember.__table__.insert(), members)
    _analyze(engine)
    return len(members)


def _analyze(engine: Engine) -> None:
    """ANALYZE, and on PostgreSQL VACUUM as autovacuum does after bulk inserts in production: it marks the pages
    all-visible, so index-only scans need not visit the table."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def _scenarios(engine: Engine) -> list[Scenario]:
    with engine.connect() as connection:
        busiest = list(connection.execute(text(
            "SELECT department_id FROM cases WHERE department_id IS NOT NULL "
            "GROUP BY department_id ORDER BY count(*) DESC LIMIT 3")).scalars())
    one = Actor(1, "officer@bench", Role.officer, frozenset(busiest[:1]))
    three = Actor(2, "officer3@bench", Role.officer, frozenset(busiest))
    admin = Actor(3, "admin@bench", Role.admin, frozenset())
    triage = Actor(4, "triage@bench", Role.triage, frozenset())
    scenarios = []
    for label, actor, manual in (("busiest ministry", one, False), ("3 ministries", three, False),
                                 ("admin, all", admin, False), ("manual triage", triage, True)):
        for filters, shown in ((QueueFilters(), "open"), (FILTERED, "open+high+fr")):
            for page in (1, 50):
                scenarios.append(Scenario(f"{label}, {shown}, page {page}", actor, filters, page, manual))
    return scenarios


def measure(engine: Engine, backend: str, cases: int, repeats: int, result: StepResult) -> None:
    # As a gunicorn worker does once the app is loaded (gunicorn.conf.py): what is alive now is never
    # scanned by the garbage collector again, so its full passes do not land inside a measured page.
    gc.collect()
    gc.freeze()
    scenarios = _scenarios(engine)
    baseline = _timed(engine, lambda s, i: s.execute(text("SELECT * FROM cases WHERE id = :id"),
                                                      {"id": 1 + (i * 7919) % cases}).all(), repeats * 4)
    worst = 0.0
    for scenario in scenarios:
        times = _timed(engine, lambda s, _i, scenario=scenario: _page(s, scenario), repeats)
        p50, p99 = percentile(times, 50), percentile(times, 99)
        worst = max(worst, p99)
        result.details.setdefault(backend, {})[scenario.name] = {"p50_ms": p50, "p99_ms": p99}
        print(f"{backend}: {scenario.name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms", flush=True)
        if scenario.page == 50:
            if scenario.filters == QueueFilters():
                result.figures.append(Figure("queue", f"{backend}: {scenario.name}, p99", p99, "ms",
                                             percentile(baseline, 99)))
            _explain(engine, scenario, backend, result)
    owner = scenarios[0].actor
    visible = _visible_references(engine, owner, repeats * 4)
    case_times = _timed(engine, lambda s, i: open_case(s, owner, visible[i % len(visible)], "fr"), len(visible))
    worst = max(worst, percentile(case_times, 99))
    print(f"{backend}: case page: p50 {percentile(case_times, 50):.1f} ms, p99 {percentile(case_times, 99):.1f} ms")
    result.figures += [
        Figure("queue", f"{backend}: case page p50", percentile(case_times, 50), "ms", percentile(baseline, 50)),
        Figure("queue", f"{backend}: case page p99", percentile(case_times, 99), "ms", percentile(baseline, 99)),
    ]
    result.targets.append(Target("queue", f"{backend}: worst p99 of {len(scenarios)} queue pages and the "
                                 f"case page, {cases:,} cases", worst, TARGET_P99_MS, "ms"))


def _page(session: Session, scenario: Scenario) -> QueuePage:
    return list_queue(session, scenario.actor, scenario.filters, page=scenario.page, triage=scenario.triage)


def _timed(engine: Engine, call: Callable[[Session, int], object], repeats: int) -> list[float]:
    """Sorted milliseconds of ``repeats`` calls, each in a session of its own as each request has."""
    times = []
    for i in range(-1, repeats):  # the first call warms the caches a running server has warm
        start = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            call(session, i)
        if i >= 0:
            times.append((time.perf_counter() - start) * 1000)
    return sorted(times)


def _visible_references(engine: Engine, actor: Actor, count: int) -> list[str]:
    department = next(iter(actor.department_ids))
    with engine.connect() as connection:
        ids = list(connection.execute(text("SELECT id FROM cases WHERE department_id = :d"),
                                      {"d": department}).scalars())
    return [reference(i) for i in random.Random(0).sample(ids, min(count, len(ids)))]


def _explain(engine: Engine, scenario: Scenario, label: str, result: StepResult) -> None:
    """Print and keep the plan of the exact statement list_queue sends for the page's ids, and the indexes it uses."""
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM cases" in statement and "ORDER BY" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            _page(session, scenario)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = statements[0]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL jit = off")  # as list_queue does
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    plan = "\n".join(str(row[-1]) for row in rows)
    indexes = sorted(set(re.findall(r"\bix_cases_\w+", plan)))
    result.details.setdefault("plans", {})[f"{label}: {scenario.name}"] = plan
    result.details.setdefault("plan indexes", {})[f"{label}: {scenario.name}"] = indexes
    if not set(indexes) & set(QUEUE_INDEXES):
        result.notes.append(f"{label}: {scenario.name}: the plan uses no queue order index")
    print(f"\n-- {label}: {scenario.name} (indexes: {', '.join(indexes) or 'none'})\n{plan}\n", flush=True)
