"""A live Civicly on 127.0.0.1 and a real headless Chromium (Debian's, driven by Playwright)."""
from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from civicly import create_app


@pytest.fixture
def live_app(tmp_path, sqlite_template):
    database = tmp_path / "civicly.sqlite3"
    shutil.copy(sqlite_template, database)
    app = create_app({
        "SECRET_KEY": "browser-test", "DATABASE_URL": f"sqlite:///{database}",
        "MODEL_DIR": str(tmp_path / "models"), "RATELIMIT_ENABLED": False, "DEFAULT_LOCALE": "en",
        "STORAGE_DIR": str(tmp_path / "uploads"),
    })
    with app.app_context():
        from civicly.db import unit_of_work
        from civicly.triage.departments import seed_from_file

        with unit_of_work() as session:
            seed_from_file(session)
    return app


@pytest.fixture
def live_server(live_app):
    """Serve the app from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="en-GB", base_url=live_server)
    page = context.new_page()
    yield page
    context.close()
