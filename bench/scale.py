"""Step: a national case table. 1,000,000 cases on PostgreSQL, filled in SQL (``INSERT … SELECT generate_series``),
then the queue pages and manual triage (p99 < 50 ms each, as step 4 measures them), the admins' dashboard over its
default twelve weeks, and the open-data export of every case, each of those two in a process of its own so that its
wall time and peak memory are its own.

Each case gets its prediction and its two intake events; a resolved or rejected case has an officer's public reply and
its closing status change, so the dashboard and the export read the answers they read in life.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench import queue_pages
from bench.casegen import TEXT_CHARS
from bench.child_process import run_measured
from bench.databases import fresh_database, postgres_available, work_dir
from bench.report import Figure, StepResult, Target
from bench.routing_model import sample_rows
from civicly.db import make_engine
from civicly.references import ALPHABET, PREFIX

TARGET_DASHBOARD_S = 10.0
TARGET_EXPORT_MIB = 500.0  # streamed: memory must not grow with the number of cases
TEXTS = 500

# The reference of case n, as bench.casegen.reference computes it, so the case page is measured on real references.
REFERENCE = "'" + PREFIX + "-' || " + " || ".join(
    f"substr('{ALPHABET}', ((((s.g::bigint * {0x9E3779B1}) % {32 ** 8}) >> {5 * i}) % 32)::int + 1, 1)"
    + (" || '-'" if i == 4 else "") for i in range(7, -1, -1))

CASES = f"""
INSERT INTO cases (id, reference, text, text_redacted, place, language, channel, status, department_id,
                   needs_triage, urgency, urgency_rank, urgency_score, urgency_source, version, created_at, updated_at,
                   deadline_at, attributes, publish_consent)
SELECT s.g, {REFERENCE}, t.body, t.body, 'Kaolack', (ARRAY['fr', 'en', 'ar', 'sw'])[1 + s.g % 4], 'web',
       CASE WHEN s.r1 < 0.30 THEN 'new' WHEN s.r1 < 0.45 THEN 'acknowledged' WHEN s.r1 < 0.60 THEN 'in_progress'
            WHEN s.r1 < 0.90 THEN 'resolved' WHEN s.r1 < 0.95 THEN 'rejected' ELSE 'duplicate' END,
       CASE WHEN s.r2 < 0.05 THEN NULL ELSE 1 + floor(:ministries * power(s.r3, 1.8))::int END,
       s.r2 < 0.05,
       CASE WHEN s.r4 < 0.1 THEN NULL WHEN s.r4 < 0.5 THEN 'low' WHEN s.r4 < 0.9 THEN 'medium' ELSE 'high' END,
       CASE WHEN s.r4 < 0.1 THEN 0 WHEN s.r4 < 0.5 THEN 1 WHEN s.r4 < 0.9 THEN 2 ELSE 3 END,
       CASE WHEN s.r4 < 0.1 THEN 0 ELSE s.r5 END,
       CASE WHEN s.r4 < 0.1 THEN NULL ELSE 'model' END,
       1, s.received, s.received,
       CASE WHEN s.r5 < 0.7 THEN s.received + (1 + floor(s.r6 * 30)) * interval '1 day' END,
       '{{}}', false
FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
             now() - random() * interval '365 days' AS received
      FROM generate_series(1, :cases) AS g) AS s
JOIN bench_texts AS t ON t.n = s.g % :texts
"""
PREDICTIONS = """
INSERT INTO predictions (case_id, model_version, department_code, confidence, auto_routed, top3, reasons, urgency,
                         urgency_score, urgency_reasons, language, created_at)
SELECT c.id, 'bench', d.code, 0.8, NOT c.needs_triage, '[]', '[]', c.urgency, c.urgency_score, '[]', c.language,
       c.created_at
FROM cases AS c LEFT JOIN departments AS d ON d.id = c.department_id
"""
EVENTS = """
INSERT INTO events (case_id, kind, actor, public, before, after, created_at)
SELECT id, 'submitted', 'citizen:web', true, '{}'::json, '{"channel": "web"}'::json, created_at FROM cases
UNION ALL
SELECT id, CASE WHEN needs_triage THEN 'triage' ELSE 'routed' END, 'model:bench', NOT needs_triage, '{}', '{}',
       created_at FROM cases
UNION ALL
SELECT id, 'reply', 'officer@bench.gouv', true, '{}', '{}', created_at + interval '1 day' FROM cases
WHERE status IN ('resolved', 'rejected')
UNION ALL
SELECT id, 'status', 'officer@bench.gouv', true, '{}', json_build_object('status', status), created_at
       + interval '2 days' FROM cases WHERE status IN ('resolved', 'rejected')
"""


def fill(engine: Engine, cases: int) -> None:
    """``cases`` cases with their predictions and events, in four statements."""
    texts = [row["text"][:TEXT_CHARS] for row in sample_rows(TEXTS, seed=0)]
    with engine.begin() as connection:
        ministries = connection.execute(text("SELECT count(*) FROM departments")).scalar_one()
        connection.execute(text("CREATE TEMPORARY TABLE bench_texts (n int PRIMARY KEY, body text) ON COMMIT DROP"))
        connection.execute(text("INSERT INTO bench_texts VALUES (:n, :body)"),
                           [{"n": n, "body": body} for n, body in enumerate(texts)])
        connection.execute(text("SELECT setseed(0)"))
        connection.execute(text(CASES), {"cases": cases, "texts": len(texts), "ministries": ministries})
        connection.execute(text(PREDICTIONS))
        connection.execute(text(EVENTS))
        for table in ("cases", "predictions", "events"):
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"))


def run(cases: int, repeats: int) -> StepResult:
    result = StepResult()
    if not postgres_available():
        result.notes.append("skipped: PostgreSQL is not reachable")
        return result
    url = fresh_database("postgresql", "scale")
    engine = make_engine(url)
    started = time.perf_counter()
    fill(engine, cases)
    result.details["fill seconds"] = round(time.perf_counter() - started, 1)
    result.details["grouped cases"] = queue_pages.group(engine)
    print(f"filled {cases:,} cases in {result.details['fill seconds']} s", flush=True)
    queue_pages.measure(engine, f"postgresql, {cases:,} cases", cases, repeats, result)
    engine.dispose()
    _measure_dashboard(url, cases, result)
    _measure_export(url, cases, result)
    return result


def _measure_dashboard(url: str, cases: int, result: StepResult) -> None:
    measured = run_measured([sys.executable, "-m", "bench.scale", "dashboard"], env={"CIVICLY_DATABASE_URL": url},
                            timeout=600)
    found = re.search(r"dashboard seconds=([\d.]+) cases=(\d+)", measured.output_tail)
    if measured.returncode != 0 or found is None:
        result.notes.append(f"dashboard at {cases:,} cases failed: {measured.stopped or measured.output_tail[-500:]}")
        return
    seconds = float(found.group(1))
    label = f"postgresql, {cases:,} cases: admins' dashboard, 12 weeks ({int(found.group(2)):,} cases)"
    result.figures += [Figure("scale", f"{label}: time", seconds * 1000, "ms"),
                       Figure("scale", f"{label}: process peak memory", measured.peak_mib, "MiB")]
    result.targets.append(Target("scale", f"{label}: time", seconds, TARGET_DASHBOARD_S, "s"))


def _measure_export(url: str, cases: int, result: StepResult) -> None:
    out = work_dir() / "open-data.csv"
    command = [str(Path(sys.executable).with_name("civicly")), "export", "open-data", "--output", str(out)]
    measured = run_measured(command, env={"CIVICLY_DATABASE_URL": url}, timeout=1800)
    if measured.returncode != 0:
        result.notes.append(f"open-data export at {cases:,} cases failed: "
                            f"{measured.stopped or measured.output_tail[-500:]}")
        return
    label = f"postgresql, {cases:,} cases: open-data export of every case (`civicly export open-data`)"
    result.figures += [Figure("scale", f"{label}: time", measured.seconds, "s"),
                       Figure("scale", f"{label}: process peak memory", measured.peak_mib, "MiB")]
    result.targets.append(Target("scale", f"{label}: peak memory", measured.peak_mib, TARGET_EXPORT_MIB, "MiB"))
    out.unlink(missing_ok=True)


def dashboard() -> None:
    """The admins' dashboard as its page builds it (default period, every ministry), timed inside this process."""
    from civicly import create_app
    from civicly.db import get_read_session
    from civicly.triage import dashboard as board

    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        built = board.build(get_read_session(), board.Scope(None), board.Period.last_weeks(12))
        print(f"dashboard seconds={time.perf_counter() - started:.3f} cases={built.total_cases}", flush=True)


if __name__ == "__main__" and sys.argv[1:] == ["dashboard"]:
    dashboard()
