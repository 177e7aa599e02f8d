"""Step 1 (and 5): citizen forms posted to gunicorn, Civicly against the minimal baseline app, on each database.

Each simulated citizen opens the form once (cookie and CSRF token), then posts real texts from the bundled data
with a fresh form token each time; a quarter carry contact details in the text so redaction has work to do.
Civicly runs with routing in the worker (CIVICLY_ROUTING=worker), ``civicly worker`` beside its gunicorn as in
production: it redacts, routes and groups each new case after the response (its e-mails go to a closed port and fail
at once). The bench measures the peak, waits for the worker to catch up and measures its CPU per case, then runs an
open loop at half the peak and gives the delay from each submission to its routing. The same forms then go to
Civicly with routing in the request (CIVICLY_ROUTING=request), for comparison. The web workers' CPU time per request
is measured for both apps, a figure less moved than throughput by what else the machine runs. After Civicly's run,
the RSS of its workers (which have loaded the active model by then) is step 5.
"""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text as sql
from sqlmodel import Session, col, select

from bench import baseline_app, loadgen
from bench.databases import fresh_database, work_dir
from bench.report import Figure, StepResult, Target
from bench.routing_model import SIGNING_KEY, sample_rows
from bench.servers import ROOT, cpu_seconds, free_port, gunicorn, stop
from civicly.db import make_engine
from civicly.models import Case, Event
from civicly.models.timestamps import utcnow

TARGET_RATIO = 0.5
TARGET_OPEN_P99_MS = 100.0
TARGET_WORKER_MIB = 300.0
SURGE_RATE = 50.0  # submissions a second: docs/scaling.md's national surge, a rate the worker can keep up with here
WORKER_NICE = 19  # as docs/operations.md advises: citizens' requests first, routing and grouping with the CPU left
CONTACT = " You can reach me at awa.diop@example.org or +221 77 123 45 67."


@dataclass(frozen=True)
class LoadPlan:
    seconds: float = 15.0
    warmup_seconds: float = 3.0
    clients: int = 8
    drain_seconds: float = 300.0  # at most this long for civicly worker to route and group what waited


def citizen_forms(count: int = 2_000) -> loadgen.FormMaker:
    texts = [row["text"][:4_000] for row in sample_rows(count, seed=2) if len(row["text"]) >= 10]

    def form(i: int) -> dict[str, str]:
        fields = {"text": texts[i % len(texts)], "place": "Kaolack", "language": "", "form_token": uuid.uuid4().hex,
                  "name": "", "email": "", "phone": "", "website": ""}
        if i % 4 == 0:
            fields.update(text=fields["text"] + CONTACT, name="Awa Diop", email="awa.diop@example.org")
        return fields

    return form


def run(backends: list[str], model_dir: Path, plan: LoadPlan) -> StepResult:
    result = StepResult()
    forms = citizen_forms()
    worker_mib: dict[str, float] = {}
    routed_everywhere = True
    for backend in backends:
        baseline = _measure_baseline(backend, forms, plan)
        civicly, open_run, rss, routed = _measure_civicly(backend, model_dir, forms, plan)
        in_request = _measure_routing_in_request(backend, model_dir, forms, plan)
        worker_mib["civicly"] = max(worker_mib.get("civicly", 0.0), *rss)
        worker_mib["baseline"] = max(worker_mib.get("baseline", 0.0), *baseline["rss"])
        routed_everywhere &= routed > 0
        result.details[backend] = {"baseline": baseline, "civicly": civicly, "open_loop": open_run,
                                   "routed_share": routed, "civicly_routing_in_request": in_request}
        result.figures += [
            Figure("intake", f"{backend}: POST /submit throughput", civicly["rps"], "req/s", baseline["rps"]),
            Figure("intake", f"{backend}: web workers' CPU per request at peak", civicly["cpu_ms"], "ms",
                   baseline["cpu_ms"]),
            Figure("intake", f"{backend}: POST /submit throughput, routing in the request (CIVICLY_ROUTING=request)",
                   in_request["rps"], "req/s", baseline["rps"]),
            Figure("intake", f"{backend}: civicly worker's CPU per case routed and grouped after the load (e-mails "
                   "included)", civicly["worker_cpu_ms_per_case"], "ms"),
            Figure("intake", f"{backend}: routing delay p50, open loop at {open_run['rate']:.0f} req/s",
                   open_run["routing_delay_p50_s"] * 1000, "ms"),
            Figure("intake", f"{backend}: routing delay p99, open loop at {open_run['rate']:.0f} req/s",
                   open_run["routing_delay_p99_s"] * 1000, "ms"),
            Figure("intake", f"{backend}: routing delay p99 of the peak's cases (their backlog routed after the load)",
                   civicly["routing_delay_p99_s"] * 1000, "ms"),
            Figure("intake", f"{backend}: routing delay p50, open loop at {SURGE_RATE:.0f} req/s",
                   open_run["steady"]["routing_delay_p50_s"] * 1000, "ms"),
            Figure("intake", f"{backend}: routing delay p99, open loop at {SURGE_RATE:.0f} req/s",
                   open_run["steady"]["routing_delay_p99_s"] * 1000, "ms"),
            Figure("intake", f"{backend}: p99, open loop at {SURGE_RATE:.0f} req/s", open_run["steady"]["p99_ms"],
                   "ms"),
            Figure("intake", f"{backend}: p50 at peak ({plan.clients} clients)", civicly["p50_ms"], "ms",
                   baseline["p50_ms"]),
            Figure("intake", f"{backend}: p99 at peak ({plan.clients} clients)", civicly["p99_ms"], "ms",
                   baseline["p99_ms"]),
            Figure("intake", f"{backend}: p99 open loop at {open_run['rate']:.0f} req/s", open_run["p99_ms"], "ms"),
        ]
        result.targets += [
            Target("intake", f"{backend}: throughput vs baseline", civicly["rps"] / baseline["rps"], TARGET_RATIO,
                   "×", at_least=True),
            Target("intake", f"{backend}: p99 at half of peak", open_run["p99_ms"], TARGET_OPEN_P99_MS, "ms"),
        ]
        if civicly["backlog"]:
            result.notes.append(
                f"{backend}: {civicly['backlog']} routing and grouping jobs waited when the load stopped; civicly "
                f"worker did {civicly['backlog'] - civicly['left']} of them in {civicly['drain_seconds']:.0f} s"
                + (f" ({civicly['left']} left)" if civicly["left"] else ""))
        if routed == 0:
            result.notes.append(f"{backend}: no case was classified (no active model in {model_dir}): "
                                "the figures leave out classification")
    result.figures.append(Figure("memory", "gunicorn worker RSS after the run", worker_mib["civicly"], "MiB",
                                 worker_mib["baseline"]))
    result.targets.append(Target("memory", "worker RSS with the active model",
                                 worker_mib["civicly"] if routed_everywhere else None, TARGET_WORKER_MIB, "MiB"))
    return result


def _measure_baseline(backend: str, forms: loadgen.FormMaker, plan: LoadPlan) -> dict:
    url = fresh_database(backend, "intake-baseline")
    baseline_app.create_table(url)
    with gunicorn("bench.baseline_app:app", {"BENCH_DATABASE_URL": url}, "/submit",
                  log=work_dir() / "gunicorn-baseline.log") as server:
        loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.warmup_seconds)
        cpu = server.worker_cpu_seconds()
        summary = loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.seconds).summary()
        summary["cpu_ms"] = 1000 * (server.worker_cpu_seconds() - cpu) / max(1, summary["requests"])
        summary["rss"] = server.worker_rss_mb()
    return summary


def _civicly_env(url: str, model_dir: Path, routing: str = "worker") -> dict[str, str]:
    return {"CIVICLY_DATABASE_URL": url, "CIVICLY_MODEL_DIR": str(model_dir), "CIVICLY_ENV": "development",
            "CIVICLY_MODEL_SIGNING_KEY": SIGNING_KEY, "CIVICLY_ROUTING": routing,
            "CIVICLY_SECRET_KEY": secrets.token_hex(32), "CIVICLY_RATELIMIT_ENABLED": "0",
            "CIVICLY_ALLOW_SQLITE_WORKERS": "1", "CIVICLY_DEFAULT_LOCALE": "en"}


def _measure_routing_in_request(backend: str, model_dir: Path, forms: loadgen.FormMaker, plan: LoadPlan) -> dict:
    """The same forms with routing in the request (CIVICLY_ROUTING=request, the one-host default), closed loop only:
    what the worker's routing gains."""
    url = fresh_database(backend, "intake-in-request")
    with gunicorn("wsgi:app", _civicly_env(url, model_dir, "request"), "/submit",
                  log=work_dir() / "gunicorn-in-request.log") as server:
        loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.warmup_seconds)
        return loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.seconds).summary()


def _measure_civicly(backend: str, model_dir: Path, forms: loadgen.FormMaker,
                     plan: LoadPlan) -> tuple[dict, dict, list[float], float]:
    """Routing in the worker (CIVICLY_ROUTING=worker): the peak, the worker's catching up once it stops, then an
    open loop at half the peak with the delay from each submission to its routing."""
    url = fresh_database(backend, "intake-civicly")
    env = _civicly_env(url, model_dir)
    with gunicorn("wsgi:app", env, "/submit", log=work_dir() / "gunicorn-civicly.log") as server, \
            civicly_worker(env) as worker:
        loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.warmup_seconds)
        web_started = server.worker_cpu_seconds()
        peak_started = utcnow()
        peak = loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.seconds).summary()
        peak["cpu_ms"] = 1000 * (server.worker_cpu_seconds() - web_started) / max(1, peak["requests"])
        peak.update(_drain(url, worker, plan.drain_seconds))
        peak.update(_routing_delays(url, peak_started))
        rate = max(1.0, peak["rps"] / 2)
        open_started = utcnow()
        open_run = {**loadgen.open_loop(server.port, "/submit", forms, rate, plan.seconds).summary(), "rate": rate}
        _drain(url, worker, plan.drain_seconds)
        open_run.update(_routing_delays(url, open_started))
        steady_started = utcnow()
        steady = loadgen.open_loop(server.port, "/submit", forms, SURGE_RATE, plan.seconds).summary()
        _drain(url, worker, plan.drain_seconds)
        open_run["steady"] = {**steady, **_routing_delays(url, steady_started)}
        rss = server.worker_rss_mb()
    return peak, open_run, rss, _routed_share(url)


def _drain(url: str, worker: subprocess.Popen, limit: float) -> dict:
    """Once the load stops: how many routing and grouping jobs still waited, and the worker's time and CPU per case
    to do them."""
    backlog = _backlog(url)
    started, cpu = time.perf_counter(), cpu_seconds(worker.pid)
    left = backlog
    while left and time.perf_counter() - started < limit:
        time.sleep(0.5)
        left = _backlog(url)
    seconds, done = time.perf_counter() - started, backlog - left
    return {"backlog": backlog, "left": left, "drain_seconds": seconds,
            "worker_cpu_ms_per_case": 1000 * (cpu_seconds(worker.pid) - cpu) / done if done else float("nan")}


def _routing_delays(url: str, since: datetime) -> dict:
    """p50 and p99 seconds from each case's reception (from ``since`` on) to its routing by the worker."""
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.exec(select(Case.created_at, Event.created_at).join(Event, Event.case_id == Case.id)
                            .where(Case.created_at >= since, col(Event.kind).in_(("routed", "triage")))).all()
    engine.dispose()
    delays = sorted((routed - received).total_seconds() for received, routed in rows)
    return {"routed_cases": len(delays), "routing_delay_p50_s": loadgen.percentile(delays, 50),
            "routing_delay_p99_s": loadgen.percentile(delays, 99)}


@contextmanager
def civicly_worker(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """``civicly worker`` (grouping of new cases, e-mails) beside the web workers, at a lower CPU priority, stopped with
    SIGTERM at the end."""
    command = [str(Path(sys.executable).with_name("civicly")), "worker", "--interval", "0.5"]
    log = open(work_dir() / "civicly-worker.log", "ab")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log, preexec_fn=lambda: os.nice(WORKER_NICE),
                               env={**os.environ, **env, "CIVICLY_SMTP_HOST": "127.0.0.1",
                                    "CIVICLY_SMTP_PORT": str(free_port())})
    try:
        yield process
    finally:
        stop(process)
        log.close()


def _backlog(url: str) -> int:
    """Routing and grouping jobs still to do."""
    engine = make_engine(url)
    with engine.connect() as connection:
        waiting = connection.execute(sql("SELECT count(*) FROM outbox WHERE kind IN ('routing', 'grouping')")
                                     ).scalar_one()
    engine.dispose()
    return waiting


def _routed_share(url: str) -> float:
    """Share of stored cases that carry a prediction: 0 means the model never ran."""
    engine = make_engine(url)
    with engine.connect() as connection:
        cases = connection.execute(sql("SELECT count(*) FROM cases")).scalar_one()
        predictions = connection.execute(sql("SELECT count(DISTINCT case_id) FROM predictions")).scalar_one()
    engine.dispose()
    return predictions / cases if cases else 0.0
