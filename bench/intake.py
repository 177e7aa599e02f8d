"""Step 1 (and 5): citizen forms posted to gunicorn, Civicly against the minimal baseline app, on each database.

Each simulated citizen opens the form once (cookie and CSRF token), then posts real texts from the bundled data
with a fresh form token each time; a quarter carry contact details in the text so redaction has work to do.
``civicly worker`` runs beside Civicly's gunicorn, as in production: it groups each new case with similar reports
after the response (its e-mails go to a closed port and fail at once). The web workers' CPU time per request is
measured for both apps, a figure less moved than throughput by what else the machine runs; once the load stops, the
bench waits for the worker to group what was left and measures its CPU per case. After Civicly's run, the RSS of
its workers (which have loaded the active model by then) is step 5.
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
from pathlib import Path

from sqlalchemy import text as sql

from bench import baseline_app, loadgen
from bench.databases import fresh_database, work_dir
from bench.report import Figure, StepResult, Target
from bench.routing_model import SIGNING_KEY, sample_rows
from bench.servers import ROOT, cpu_seconds, free_port, gunicorn, stop
from civicly.db import make_engine

TARGET_RATIO = 0.5
TARGET_OPEN_P99_MS = 100.0
TARGET_WORKER_MIB = 300.0
WORKER_NICE = 10  # as docs/operations.md advises: citizens' requests first, grouping with what CPU is left
CONTACT = " You can reach me at awa.diop@example.org or +221 77 123 45 67."


@dataclass(frozen=True)
class LoadPlan:
    seconds: float = 15.0
    warmup_seconds: float = 3.0
    clients: int = 8
    drain_seconds: float = 60.0  # at most this long for civicly worker to group what waited when the load stopped


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
        unrouted = _measure_without_model(backend, forms, plan)
        worker_mib["civicly"] = max(worker_mib.get("civicly", 0.0), *rss)
        worker_mib["baseline"] = max(worker_mib.get("baseline", 0.0), *baseline["rss"])
        routed_everywhere &= routed > 0
        result.details[backend] = {"baseline": baseline, "civicly": civicly, "open_loop": open_run,
                                   "routed_share": routed, "civicly_without_model": unrouted}
        result.figures += [
            Figure("intake", f"{backend}: POST /submit throughput", civicly["rps"], "req/s", baseline["rps"]),
            Figure("intake", f"{backend}: web workers' CPU per request at peak", civicly["cpu_ms"], "ms",
                   baseline["cpu_ms"]),
            Figure("intake", f"{backend}: POST /submit throughput without a model (routing's ceiling if moved out)",
                   unrouted["rps"], "req/s", baseline["rps"]),
            Figure("intake", f"{backend}: civicly worker's CPU per case grouped after the load (e-mails included)",
                   civicly["worker_cpu_ms_per_case"], "ms"),
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
        if civicly["grouping_backlog"]:
            result.notes.append(
                f"{backend}: {civicly['grouping_backlog']} cases waited for grouping when the load stopped; civicly "
                f"worker grouped {civicly['grouping_backlog'] - civicly['grouping_left']} of them in "
                f"{civicly['drain_seconds']:.0f} s"
                + (f" ({civicly['grouping_left']} left)" if civicly["grouping_left"] else ""))
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


def _civicly_env(url: str, model_dir: Path) -> dict[str, str]:
    return {"CIVICLY_DATABASE_URL": url, "CIVICLY_MODEL_DIR": str(model_dir), "CIVICLY_ENV": "development",
            "CIVICLY_MODEL_SIGNING_KEY": SIGNING_KEY,
            "CIVICLY_SECRET_KEY": secrets.token_hex(32), "CIVICLY_RATELIMIT_ENABLED": "0",
            "CIVICLY_ALLOW_SQLITE_WORKERS": "1", "CIVICLY_DEFAULT_LOCALE": "en"}


def _measure_without_model(backend: str, forms: loadgen.FormMaker, plan: LoadPlan) -> dict:
    """Civicly with no model at all: every case stored unrouted for manual triage. What intake would cost if routing
    left the request for the worker, so the most that moving it could gain."""
    url = fresh_database(backend, "intake-unrouted")
    empty = work_dir() / "no-model"
    empty.mkdir(exist_ok=True)
    with gunicorn("wsgi:app", _civicly_env(url, empty), "/submit", log=work_dir() / "gunicorn-unrouted.log") as server:
        loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.warmup_seconds)
        return loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.seconds).summary()


def _measure_civicly(backend: str, model_dir: Path, forms: loadgen.FormMaker,
                     plan: LoadPlan) -> tuple[dict, dict, list[float], float]:
    url = fresh_database(backend, "intake-civicly")
    env = _civicly_env(url, model_dir)
    with gunicorn("wsgi:app", env, "/submit", log=work_dir() / "gunicorn-civicly.log") as server, \
            civicly_worker(env) as worker:
        loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.warmup_seconds)
        web_started = server.worker_cpu_seconds()
        peak = loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.seconds).summary()
        peak["cpu_ms"] = 1000 * (server.worker_cpu_seconds() - web_started) / max(1, peak["requests"])
        rate = max(1.0, peak["rps"] / 2)
        open_run = {**loadgen.open_loop(server.port, "/submit", forms, rate, plan.seconds).summary(), "rate": rate}
        rss = server.worker_rss_mb()
        peak.update(_drain(url, worker, plan.drain_seconds))
    return peak, open_run, rss, _routed_share(url)


def _drain(url: str, worker: subprocess.Popen, limit: float) -> dict:
    """Once the load stops: how many cases still waited for grouping, and the worker's time and CPU to group them."""
    backlog = _grouping_backlog(url)
    started, cpu = time.perf_counter(), cpu_seconds(worker.pid)
    left = backlog
    while left and time.perf_counter() - started < limit:
        time.sleep(0.5)
        left = _grouping_backlog(url)
    seconds, done = time.perf_counter() - started, backlog - left
    return {"grouping_backlog": backlog, "grouping_left": left, "drain_seconds": seconds,
            "worker_cpu_ms_per_case": 1000 * (cpu_seconds(worker.pid) - cpu) / done if done else float("nan")}


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


def _grouping_backlog(url: str) -> int:
    """Cases whose grouping with similar reports was still to do."""
    engine = make_engine(url)
    with engine.connect() as connection:
        waiting = connection.execute(sql("SELECT count(*) FROM outbox WHERE kind = 'grouping'")).scalar_one()
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
