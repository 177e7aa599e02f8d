"""An officer signs in through the local OpenID provider in a real Chromium, with Civicly's real headers (its CSP
allows form submissions to itself only, hence a link for the button)."""
import shutil
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlmodel import Session
from werkzeug.serving import make_server

from civicly import create_app
from civicly.models import Role
from civicly.triage.accounts import create_user
from civicly.triage.departments import seed_from_file
from tests.browser.test_accessibility import WCAG_21_AA
from tests.conftest import ACTOR, PASSWORD
from tests.sso.conftest import LIVE_PORT, LIVE_URL, sso_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def live_sso_server(tmp_path, sqlite_template, openid_provider):
    database = tmp_path / "civicly.sqlite3"
    shutil.copy(sqlite_template, database)
    app = create_app({"SECRET_KEY": "browser-test", "DATABASE_URL": f"sqlite:///{database}",
                      "MODEL_DIR": str(tmp_path / "models"), "RATELIMIT_ENABLED": False, "DEFAULT_LOCALE": "en",
                      **sso_settings(openid_provider, public_url=LIVE_URL)})
    with Session(app.extensions["civicly.engine"]) as session:
        seed_from_file(session)
        create_user(session, "aminata.diallo@sante.gov.sn", PASSWORD, Role.officer, ["SANTE"], actor=ACTOR)
        session.commit()
    server = make_server("127.0.0.1", LIVE_PORT, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LIVE_URL
    server.shutdown()
    thread.join(timeout=5)
    app.extensions["civicly.engine"].dispose()


def test_officer_signs_in_through_the_provider_in_chromium(browser, live_sso_server):
    context = browser.new_context(base_url=live_sso_server, locale="en-GB")
    page = context.new_page()
    page.goto("/officer/login?next=/officer/queue")
    accessibility = Axe().run(page, options=WCAG_21_AA)
    assert accessibility.violations_count == 0, accessibility.generate_report()
    page.get_by_role("link", name="Sign in with Ministry ID").click()
    page.locator("input[name=login]").fill("officer")  # the provider's own sign-in page
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{live_sso_server}/officer/queue")
    assert "aminata.diallo@sante.gov.sn" in page.locator("body").inner_text()
    context.close()
