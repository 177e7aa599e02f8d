"""The intake baseline: the least a Flask app can do with the citizen form, under the same gunicorn settings.

It reads the same form fields and inserts one row with SQLAlchemy into the same database (through Civicly's
``make_engine``, so SQLite gets the same WAL pragmas), then redirects as Civicly does. No CSRF, validation,
redaction, classification or audit event: the ratio Civicly / baseline is the price of those.

``gunicorn bench.baseline_app:app`` with BENCH_DATABASE_URL set.
"""
from __future__ import annotations

import os

from flask import Flask, redirect, request
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert
from sqlalchemy.engine import Engine

from civicly.db import make_engine

FIELDS = ("text", "name", "email", "phone", "place", "language", "form_token")
metadata = MetaData()
submissions = Table(
    "bench_baseline_submissions", metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    *(Column(name, String(254)) for name in FIELDS[1:]),
)


def create_table(url: str) -> None:
    """Made once by the bench before the workers start, so two workers never race to create it."""
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()


def create_app(engine: Engine) -> Flask:
    app = Flask(__name__)

    @app.get("/submit")
    def form():
        return "<form method=post><textarea name=text></textarea></form>"

    @app.post("/submit")
    def submit():
        row = {name: request.form.get(name, "") for name in FIELDS}
        with engine.begin() as connection:
            new_id = connection.execute(insert(submissions).values(**row)).inserted_primary_key[0]
        return redirect(f"/track/{new_id}", code=303)

    return app


if os.environ.get("BENCH_DATABASE_URL"):
    app = create_app(make_engine(os.environ["BENCH_DATABASE_URL"]))
