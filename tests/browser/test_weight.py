"""The citizen form is light enough for an old phone on a slow, paid connection: everything it loads on a first
visit (HTML, CSS, scripts, fonts, images) weighs at most 50 KB before compression, all from our own host."""
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

BUDGET = 50 * 1024


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_first_load_of_the_form_fits_the_budget_without_third_parties(browser, live_server, locale):
    context = browser.new_context(locale=locale, base_url=live_server)  # a new context: nothing cached
    page = context.new_page()
    loaded = []
    page.on("requestfinished", lambda request: loaded.append(request))
    page.goto("/submit", wait_until="networkidle")

    sizes = {request.url: len(request.response().body()) for request in loaded}
    hosts = {urlsplit(url).netloc for url in sizes}
    assert hosts == {urlsplit(live_server).netloc}, f"third-party hosts: {hosts}"
    assert not [r.url for r in loaded if r.resource_type == "font"], "no web font may be required"
    total = sum(sizes.values())
    assert total <= BUDGET, f"{total} bytes > {BUDGET}: {sizes}"
    assert {r.resource_type for r in loaded} >= {"document", "stylesheet", "script"}
    context.close()
