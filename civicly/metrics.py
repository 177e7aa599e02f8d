"""``/metrics`` in the Prometheus text format: request counts and latency, and figures read from the database at
each scrape (submissions, queue sizes, overdue cases, predictions by model version and confidence band, outbox).

Protected: with CIVICLY_METRICS_TOKEN set, only ``Authorization: Bearer <token>`` gets through; without it, only
requests from the machine itself (loopback, and not relayed by a proxy) do. Everyone else gets a 404.
Figures read from the database are the same whichever worker answers; request counters are per process unless
PROMETHEUS_MULTIPROC_DIR is set for gunicorn (see docs/operations.md).
"""
from __future__ import annotations

import hmac
import time
from collections.abc import Iterator
from ipaddress import ip_address

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import case as when
from sqlalchemy import func
from sqlmodel import Session, col, select

from civicly.db import get_engine
from civicly.models import Case, Department, OutboxMessage, Prediction
from civicly.models.cases import OPEN_STATUSES
from civicly.models.timestamps import utcnow
from civicly.triage import outbox

REGISTRY_KEY = "civicly.metrics"
CONFIDENCE_BANDS = ((0.5, "low"), (0.8, "medium"))  # below 0.5 low, below 0.8 medium, else high


class DatabaseFigures:
    """A collector that reads current figures from the database at each scrape."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self) -> Iterator:
        with self.app.app_context(), Session(get_engine()) as session:
            yield from self._submissions(session)
            yield from self._queues(session)
            yield from self._predictions(session)
            yield from self._outbox(session)

    def _submissions(self, session: Session):
        family = CounterMetricFamily("civicly_submissions", "Cases received, by channel.", labels=["channel"])
        for channel, count in session.exec(select(Case.channel, func.count()).group_by(Case.channel)):
            family.add_metric([channel], count)
        yield family

    def _queues(self, session: Session):
        codes = dict(session.exec(select(Department.id, Department.code)).all())
        open_cases = GaugeMetricFamily("civicly_queue_open_cases", "Open cases, by ministry and urgency.",
                                       labels=["ministry", "urgency"])
        overdue = GaugeMetricFamily("civicly_queue_overdue_cases", "Open cases past their deadline, by ministry.",
                                    labels=["ministry"])
        is_open = col(Case.status).in_([s.value for s in OPEN_STATUSES])
        for department_id, urgency, count in session.exec(
                select(Case.department_id, Case.urgency, func.count()).where(is_open)
                .group_by(Case.department_id, Case.urgency)):
            open_cases.add_metric([codes.get(department_id, "triage"), urgency or "none"], count)
        for department_id, count in session.exec(
                select(Case.department_id, func.count()).where(is_open, Case.deadline_at < utcnow())
                .group_by(Case.department_id)):
            overdue.add_metric([codes.get(department_id, "triage")], count)
        yield open_cases
        yield overdue

    def _predictions(self, session: Session):
        band = when(*((Prediction.confidence < limit, name) for limit, name in CONFIDENCE_BANDS), else_="high")
        family = CounterMetricFamily("civicly_predictions", "Model predictions, by model version and confidence band.",
                                     labels=["model_version", "confidence_band"])
        for version, name, count in session.exec(
                select(Prediction.model_version, band, func.count()).group_by(Prediction.model_version, band)):
            family.add_metric([version, name], count)
        yield family

    def _outbox(self, session: Session):
        family = GaugeMetricFamily("civicly_outbox_messages", "Citizens' e-mails, by state.", labels=["status"])
        for status, count in session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)):
            family.add_metric([status], count)
        yield family
        # The worker's own jobs: a growing count or age is a worker that is down or short of CPU (docs/scaling.md).
        waiting = GaugeMetricFamily("civicly_jobs_waiting", "Cases waiting for civicly worker, by job (routing with "
                                    "CIVICLY_ROUTING=worker, grouping).", labels=["job"])
        oldest = GaugeMetricFamily("civicly_jobs_oldest_seconds", "Age of the oldest case waiting for civicly "
                                   "worker, by job.", labels=["job"])
        found = dict.fromkeys((outbox.ROUTING, outbox.GROUPING), (0, None))
        found.update({kind: (count, first) for kind, count, first in session.exec(
            select(OutboxMessage.kind, func.count(), func.min(OutboxMessage.created_at))
            .where(col(OutboxMessage.kind).in_(list(found))).group_by(OutboxMessage.kind))})
        now = utcnow()
        for kind, (count, first) in found.items():
            waiting.add_metric([kind], count)
            oldest.add_metric([kind], (now - first).total_seconds() if first is not None else 0.0)
        yield waiting
        yield oldest


def init_app(app: Flask) -> None:
    registry = CollectorRegistry(auto_describe=False)
    requests = Counter("civicly_http_requests", "HTTP requests, by method, route and status.",
                       ["method", "endpoint", "status"], registry=registry)
    latency = Histogram("civicly_http_request_duration_seconds", "Time to answer a request, by route.",
                        ["method", "endpoint"], registry=registry)
    registry.register(DatabaseFigures(app))
    app.extensions[REGISTRY_KEY] = registry

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        endpoint = request.endpoint or "unknown"  # the route's name, never the raw path (references stay out)
        if started is not None and endpoint != "metrics":
            requests.labels(request.method, endpoint, str(response.status_code)).inc()
            latency.labels(request.method, endpoint).observe(time.perf_counter() - started)
        return response

    app.add_url_rule("/metrics", endpoint="metrics", view_func=_metrics)


def _allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    relayed = request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded")
    try:
        return not relayed and ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def _metrics() -> Response:
    if not _allowed():
        abort(404)
    registry = current_app.extensions[REGISTRY_KEY]
    if current_app.config.get("METRICS_MULTIPROC_DIR"):  # gunicorn: every worker's request counters, summed
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        registry.register(DatabaseFigures(current_app._get_current_object()))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
