"""Step 1 (and 5): citizen forms posted to gunicorn, Civicly against the minimal baseline app, on each database.

Each simulated citizen opens the form once (cookie and CSRF token), then posts real texts from the bundled data
with a fresh form token each time; a quarter carry contact details in the text so redaction has work to do.
After Civicly's run, the RSS of its workers (which have loaded the active model by then) is step 5.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text as sql

from bench import baseline_app, loadgen
from bench.databases import fresh_database, work_dir
from bench.report import Figure, StepResult, Target
from bench.routing_model import sample_rows
from bench.servers import gunicorn
from civicly.db import make_engine

TARGET_RATIO = 0.5
TARGET_OPEN_P99_MS = 100.0
TARGET_WORKER_MIB = 300.0
CONTACT = " You can reach me at awa.diop@example.org or +221 77 123 45 67."


@dataclass(frozen=True)
class LoadPlan:
    seconds: float = 15.0
    warmup_seconds: float = 3.0
    clients: int = 8


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
        worker_mib["civicly"] = max(worker_mib.get("civicly", 0.0), *rss)
        worker_mib["baseline"] = max(worker_mib.get("baseline", 0.0), *baseline["rss"])
        routed_everywhere &= routed > 0
        result.details[backend] = {"baseline": baseline, "civicly": civicly, "open_loop": open_run,
                                   "routed_share": routed}
        result.figures += [
            Figure("intake", f"{backend}: POST /submit throughput", civicly["rps"], "req/s", baseline["rps"]),
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
        summary = loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.seconds).summary()
        summary["rss"] = server.worker_rss_mb()
    return summary


def _measure_civicly(backend: str, model_dir: Path, forms: loadgen.FormMaker,
                     plan: LoadPlan) -> tuple[dict, dict, list[float], float]:
    url = fresh_database(backend, "intake-civicly")
    env = {"CIVICLY_DATABASE_URL": url, "CIVICLY_MODEL_DIR": str(model_dir), "CIVICLY_ENV": "development",
           "CIVICLY_SECRET_KEY": secrets.token_hex(32), "CIVICLY_RATELIMIT_ENABLED": "0",
           "CIVICLY_ALLOW_SQLITE_WORKERS": "1", "CIVICLY_DEFAULT_LOCALE": "en"}
    with gunicorn("wsgi:app", env, "/submit", log=work_dir() / "gunicorn-civicly.log") as server:
        loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.warmup_seconds)
        peak = loadgen.closed_loop(server.port, "/submit", forms, plan.clients, plan.seconds).summary()
        rate = max(1.0, peak["rps"] / 2)
        open_run = {**loadgen.open_loop(server.port, "/submit", forms, rate, plan.seconds).summary(), "rate": rate}
        rss = server.worker_rss_mb()
    return peak, open_run, rss, _routed_share(url)


def _routed_share(url: str) -> float:
    """Share of stored cases that carry a prediction: 0 means the model never ran."""
    engine = make_engine(url)
    with engine.connect() as connection:
        cases = connection.execute(sql("SELECT count(*) FROM cases")).scalar_one()
        predictions = connection.execute(sql("SELECT count(DISTINCT case_id) FROM predictions")).scalar_one()
    engine.dispose()
    return predictions / cases if cases else 0.0
