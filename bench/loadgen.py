"""A small HTTP/1.1 load generator on asyncio, light enough to share 2 cores with the server it measures.

Closed loop (N clients posting back to back) finds the peak rate; open loop (requests started on a fixed
schedule, latency counted from the scheduled start) gives honest tail latency at a chosen rate.
"""
from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF_FIELD = re.compile(rb'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
SET_COOKIE = re.compile(rb"^set-cookie: *([^=]+)=([^;]*)", re.IGNORECASE | re.MULTILINE)

FormMaker = Callable[[int], dict[str, str]]


@dataclass
class Outcome:
    """Latencies (seconds) and status counts of one run."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 400)

    def summary(self) -> dict[str, float]:
        ms = sorted(x * 1000 for x in self.latencies) or [float("nan")]
        return {
            "requests": len(self.latencies),
            "ok": self.ok,
            "errors": self.errors + len(self.latencies) - self.ok,
            "rps": self.ok / self.seconds if self.seconds else 0.0,
            "p50_ms": percentile(ms, 50),
            "p99_ms": percentile(ms, 99),
            "mean_ms": statistics.fmean(ms),
        }


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


@dataclass
class FormSession:
    """What a citizen's browser holds after opening the form: the session cookie and its CSRF token."""

    cookie: str = ""
    csrf_token: str = ""


async def _exchange(host: str, port: int, request: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(request)
        await writer.drain()
        response = await reader.read()  # Connection: close, so the body ends at EOF
    finally:
        writer.close()
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return status, response


def _request(method: str, host: str, port: int, path: str, cookie: str = "", body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close", "Accept-Language: en"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def open_form(host: str, port: int, path: str) -> FormSession:
    """GET the form page once, as a browser does, keeping its cookie and CSRF token."""
    status, response = await _exchange(host, port, _request("GET", host, port, path))
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    head = response.split(b"\r\n\r\n", 1)[0]
    cookie = "; ".join(f"{k.decode()}={v.decode()}" for k, v in SET_COOKIE.findall(head))
    match = CSRF_FIELD.search(response)
    return FormSession(cookie=cookie, csrf_token=match.group(1).decode() if match else "")


async def _post(host: str, port: int, path: str, form: FormSession, fields: dict[str, str], outcome: Outcome,
                started: float) -> None:
    if form.csrf_token:
        fields = {**fields, "csrf_token": form.csrf_token}
    body = urlencode(fields).encode()
    try:
        status, _ = await _exchange(host, port, _request("POST", host, port, path, form.cookie, body))
    except OSError:
        outcome.errors += 1
        return
    outcome.latencies.append(time.perf_counter() - started)
    outcome.statuses[status] = outcome.statuses.get(status, 0) + 1


async def _closed(host: str, port: int, path: str, make_form: FormMaker, clients: int, seconds: float,
                  max_requests: int) -> Outcome:
    outcome = Outcome()
    sessions = [await open_form(host, port, path) for _ in range(clients)]
    counter = iter(range(max_requests))
    start = time.perf_counter()
    deadline = start + seconds

    async def client(form: FormSession) -> None:
        for i in counter:
            if time.perf_counter() >= deadline:
                return
            await _post(host, port, path, form, make_form(i), outcome, time.perf_counter())

    await asyncio.gather(*(client(s) for s in sessions))
    outcome.seconds = time.perf_counter() - start
    return outcome


async def _open(host: str, port: int, path: str, make_form: FormMaker, rate: float, seconds: float,
                max_in_flight: int) -> Outcome:
    outcome = Outcome()
    sessions = [await open_form(host, port, path) for _ in range(8)]
    total = int(rate * seconds)
    in_flight = asyncio.Semaphore(max_in_flight)
    tasks = []
    start = time.perf_counter()
    for i in range(total):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)

        async def one(i: int = i, scheduled: float = scheduled) -> None:
            async with in_flight:
                await _post(host, port, path, sessions[i % len(sessions)], make_form(i), outcome, scheduled)

        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    outcome.seconds = time.perf_counter() - start
    return outcome


def closed_loop(port: int, path: str, make_form: FormMaker, clients: int = 8, seconds: float = 10.0,
                max_requests: int = 20_000, host: str = "127.0.0.1") -> Outcome:
    """As many POSTs as ``clients`` concurrent senders get through in ``seconds`` (at most ``max_requests``)."""
    return asyncio.run(_closed(host, port, path, make_form, clients, seconds, max_requests))


def open_loop(port: int, path: str, make_form: FormMaker, rate: float, seconds: float = 10.0,
              max_in_flight: int = 256, host: str = "127.0.0.1") -> Outcome:
    """POSTs started at ``rate`` per second whatever the server does; latency includes time spent waiting."""
    return asyncio.run(_open(host, port, path, make_form, rate, seconds, max_in_flight))
