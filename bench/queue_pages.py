"""Step 4: the officers' queue (``list_queue``) and case page (``open_case``) on a large database.

Times are server-side: the service functions called with a session, as a request would, without HTTP or
templates. The baseline is the bare ``SELECT … WHERE id = ?`` of one case on the same database: what any page
costs at least. Each plan is printed (SQLite ``EXPLAIN QUERY PLAN``, PostgreSQL ``EXPLAIN ANALYZE``) from the
exact statement ``list_queue`` sent, captured on the engine.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.casegen import fill, reference
from bench.databases import fresh_database
from bench.loadgen import percentile
from bench.report import Figure, StepResult, Target
from civicly.db import make_engine
from civicly.models import Role
from civicly.triage.casefile import open_case
from civicly.triage.permissions import Actor
from civicly.triage.queue import QueueFilters, list_queue

TARGET_P99_MS = 50.0
FILTERED = QueueFilters(status="open", urgency="high", language="fr")
# Proposed in docs/performance.md and tried on the bench database only, after the measurements with the schema as
# migrated: the queue's whole order in one index, so each (ministry, status) range is read in order from it alone.
_ORDER_COLUMNS = "department_id, status, urgency_rank DESC, urgency_score DESC, deadline_at{nulls}, created_at, id"
CANDIDATE_INDEXES: dict[str, list[str]] = {
    "sqlite": [f"CREATE INDEX ix_cases_queue_order ON cases ({_ORDER_COLUMNS.format(nulls='')})"],
    "postgresql": [f"CREATE INDEX ix_cases_queue_order ON cases ({_ORDER_COLUMNS.format(nulls=' NULLS LAST')})"],
}


@dataclass(frozen=True)
class Scenario:
    name: str
    actor: Actor
    filters: QueueFilters
    page: int


def run(backends: list[str], cases: int, repeats: int) -> StepResult:
    result = StepResult()
    for backend in backends:
        url = fresh_database(backend, "queue")
        engine = make_engine(url)
        start = time.perf_counter()
        fill(engine, cases)
        result.details[f"{backend}: fill seconds"] = round(time.perf_counter() - start, 1)
        _measure(engine, backend, cases, repeats, result, "")
        if CANDIDATE_INDEXES.get(backend):
            with engine.begin() as connection:
                for ddl in CANDIDATE_INDEXES[backend]:
                    connection.execute(text(ddl))
                connection.execute(text("ANALYZE"))
            _measure(engine, backend, cases, repeats, result, " + candidate index")
        engine.dispose()
    return result


def _scenarios(engine: Engine) -> list[Scenario]:
    with engine.connect() as connection:
        busiest = list(connection.execute(text(
            "SELECT department_id FROM cases WHERE department_id IS NOT NULL "
            "GROUP BY department_id ORDER BY count(*) DESC LIMIT 3")).scalars())
    one = Actor(1, "officer@bench", Role.officer, frozenset(busiest[:1]))
    three = Actor(2, "officer3@bench", Role.officer, frozenset(busiest))
    admin = Actor(3, "admin@bench", Role.admin, frozenset())
    scenarios = []
    for label, actor in (("busiest ministry", one), ("3 ministries", three), ("admin, all", admin)):
        for filters, shown in ((QueueFilters(), "open"), (FILTERED, "open+high+fr")):
            for page in (1, 50):
                scenarios.append(Scenario(f"{label}, {shown}, page {page}", actor, filters, page))
    return scenarios


def _measure(engine: Engine, backend: str, cases: int, repeats: int, result: StepResult, suffix: str) -> None:
    scenarios = _scenarios(engine)
    label = f"{backend}{suffix}"
    baseline = _timed(engine, lambda s, i: s.execute(text("SELECT * FROM cases WHERE id = :id"),
                                                      {"id": 1 + (i * 7919) % cases}).all(), repeats * 4)
    worst = 0.0
    for scenario in scenarios:
        times = _timed(engine, lambda s, _i: list_queue(s, scenario.actor, scenario.filters, page=scenario.page),
                       repeats)
        worst = max(worst, percentile(times, 99))
        result.details.setdefault(label, {})[scenario.name] = {"p50_ms": percentile(times, 50),
                                                               "p99_ms": percentile(times, 99)}
        if scenario.page == 50 and scenario.filters == QueueFilters():
            result.figures.append(Figure("queue", f"{label}: {scenario.name}, p99", percentile(times, 99), "ms",
                                         percentile(baseline, 99)))
            if scenario.actor.role == Role.officer:
                _explain(engine, scenario, label, result)
    owner = scenarios[0].actor
    visible = _visible_references(engine, owner, repeats * 4)
    case_times = _timed(engine, lambda s, i: open_case(s, owner, visible[i % len(visible)], "fr"), len(visible))
    worst = max(worst, percentile(case_times, 99))
    result.figures += [
        Figure("queue", f"{label}: case page p50", percentile(case_times, 50), "ms", percentile(baseline, 50)),
        Figure("queue", f"{label}: case page p99", percentile(case_times, 99), "ms", percentile(baseline, 99)),
    ]
    result.targets.append(Target("queue", f"{label}: worst p99 of {len(scenarios)} queue pages and the "
                                 f"case page, {cases:,} cases", worst, TARGET_P99_MS, "ms"))


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
        ids = list(connection.execute(text("SELECT id FROM cases WHERE department_id = :d"), {"d": department}).scalars())
    return [reference(i) for i in random.Random(0).sample(ids, min(count, len(ids)))]


def _explain(engine: Engine, scenario: Scenario, label: str, result: StepResult) -> None:
    """Print and keep the plan of the exact statement list_queue sends for the cases."""
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM cases" in statement and "ORDER BY" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            list_queue(session, scenario.actor, scenario.filters, page=scenario.page)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = statements[0]
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    plan = "\n".join(str(row[-1]) for row in rows)
    result.details.setdefault("plans", {})[f"{label}: {scenario.name}"] = plan
    print(f"\n-- {label}: {scenario.name}\n{plan}")
