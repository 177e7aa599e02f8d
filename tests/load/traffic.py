"""Citizens in threads: fetch the form (CSRF token, cookie, form token), post a real submission, count outcomes.

A submission answered by anything but a 303 is sent again with the same form token, as a citizen would
after an error page or a dropped connection, until it is acknowledged or ``attempts`` run out.
"""
from __future__ import annotations

import html
import os
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import requests

CSRF_FIELD = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')
FORM_TOKEN_FIELD = re.compile(r'name="form_token"(?: type="hidden")? value="([^"]*)"')
TIMEOUT = 10
COOKIE = "__Host-session"  # the session cookie's name in production (civicly.config), which the load server runs
SECONDS = float(os.environ.get("CIVICLY_LOAD_SECONDS", "15"))  # per run; CI keeps the default
CLIENTS = int(os.environ.get("CIVICLY_LOAD_CLIENTS", "16"))


@dataclass
class Tally:
    """What the clients saw; shared by all threads, so every update holds the lock."""

    statuses: Counter = field(default_factory=Counter)
    acknowledged: set[str] = field(default_factory=set)
    unavailable_unclear: int = 0  # a 503 without the citizen's text, form token or Retry-After
    connection_errors: int = 0
    given_up: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.connection_errors

    @property
    def server_errors(self) -> int:
        """5xx other than the database-outage 503 that keeps the citizen's text."""
        return (sum(n for status, n in self.statuses.items() if status >= 500 and status != 503)
                + self.unavailable_unclear)

    def figures(self, stored: int) -> str:
        return (f"requests={self.requests} acknowledged={len(self.acknowledged)} stored={stored} "
                f"errors(5xx)={self.server_errors} unavailable(503, text kept)={self.statuses[503]} "
                f"connection_errors={self.connection_errors} given_up={self.given_up} "
                f"statuses={dict(sorted(self.statuses.items()))}")


@dataclass
class Citizen:
    base_url: str
    run_id: str
    number: int
    tally: Tally
    attempts: int = 20

    def _record(self, status: int) -> None:
        with self.tally.lock:
            self.tally.statuses[status] += 1

    def _fetch_form(self, http: requests.Session) -> tuple[str, str, str]:
        page = http.get(f"{self.base_url}/submit", timeout=TIMEOUT)
        self._record(page.status_code)
        page.raise_for_status()
        cookie = page.cookies.get(COOKIE) or http.cookies.get(COOKIE, "")
        return CSRF_FIELD.search(page.text).group(1), FORM_TOKEN_FIELD.search(page.text).group(1), cookie

    def submit_one(self, http: requests.Session, serial: int) -> None:
        """One submission, sent again after failures with the same form token; the csrf token comes from the last
        page."""
        text = f"{self.run_id} citizen {self.number} message {serial}: the street lamps on avenue {serial} are out."
        csrf, form_token, cookie = None, None, ""
        for _attempt in range(self.attempts):
            try:
                if csrf is None:
                    csrf, fresh_token, cookie = self._fetch_form(http)
                    form_token = form_token or fresh_token
                response = http.post(
                    f"{self.base_url}/submit", timeout=TIMEOUT, allow_redirects=False,
                    cookies={COOKIE: cookie},  # sent by hand: production marks the cookie Secure, this is plain HTTP
                    data={"csrf_token": csrf, "form_token": form_token, "text": text, "place": "Thiès",
                          "language": "en", "name": "", "email": "", "phone": "", "website": ""},
                )
            except requests.RequestException:
                with self.tally.lock:
                    self.tally.connection_errors += 1
                csrf = None
                time.sleep(0.2)
                continue
            self._record(response.status_code)
            if response.status_code == 303:
                with self.tally.lock:
                    self.tally.acknowledged.add(form_token)
                return
            if response.status_code == 503:
                clear = (html.escape(text, quote=False) in response.text and form_token in response.text
                         and response.headers.get("Retry-After"))
                if not clear:
                    with self.tally.lock:
                        self.tally.unavailable_unclear += 1
                found = CSRF_FIELD.search(response.text)
                csrf = found.group(1) if found else None  # the page that kept the text is the form to send again
                time.sleep(0.5)
                continue
            csrf = None
            time.sleep(0.2)
        with self.tally.lock:
            self.tally.given_up += 1

    def run(self, deadline: float) -> None:
        with requests.Session() as http:
            serial = 0
            while time.monotonic() < deadline:
                serial += 1
                self.submit_one(http, serial)


def run_load(base_url: str, clients: int, seconds: float, during=None) -> tuple[str, Tally]:
    """Run ``clients`` citizens for ``seconds``; ``during(elapsed_fraction)`` is called from the main thread meanwhile.

    Returns the run id (in every submitted text) and the tally.
    """
    run_id = f"load-{uuid.uuid4().hex[:12]}"
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=Citizen(base_url, run_id, n, tally).run, args=(deadline,), daemon=True)
               for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        if during is not None:
            during((time.monotonic() - started) / seconds)
        time.sleep(0.1)
    return run_id, tally
