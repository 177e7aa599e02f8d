"""A real OpenID provider (oidc-provider under node, tests/sso/provider) started once per run, an app that trusts
it, and a scripted browser that signs in there."""
from __future__ import annotations

import json
import os
import re
import secrets
import select
import shutil
import socket
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from civicly.auth import sso

PROVIDER_DIR = Path(__file__).parent / "provider"
CLIENT_ID = "civicly-test"
CLIENT_SECRET = secrets.token_hex(24)
CIVICLY_URL = "http://localhost"  # the Flask test client's own address
REDIRECT_URI = f"{CIVICLY_URL}/officer/sso/callback"
# The provider's accounts (id -> claims). Civicly knows officer's and gone's addresses (tests create them).
ACCOUNTS = {
    "officer": {"email": "  Aminata.Diallo@Sante.gov.SN ", "email_verified": True},
    "unverified": {"email": "aminata.diallo@sante.gov.sn", "email_verified": False},
    "stranger": {"email": "stranger@example.org", "email_verified": True},
    "gone": {"email": "gone@sante.gov.sn", "email_verified": True},
}
# The port a live Civicly serves on for the Chromium test; registered at the provider as a second redirect URI.
with socket.socket() as _free:
    _free.bind(("127.0.0.1", 0))
    LIVE_PORT = _free.getsockname()[1]
LIVE_URL = f"http://127.0.0.1:{LIVE_PORT}"
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')
CANCEL_LINK = re.compile(r'<a href="([^"]+/abort)"')


@pytest.fixture(scope="session")
def openid_provider(tmp_path_factory) -> str:
    """The provider's issuer URL. Skipped without node, except in CI (env CI), where a missing provider fails."""
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules").is_dir():
        why = "single sign-on tests need node and `npm ci` in tests/sso/provider (`make sso-provider`)"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    folder = tmp_path_factory.mktemp("openid-provider")
    settings = folder / "settings.json"
    settings.write_text(json.dumps({
        "port": 0,
        "client": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                   "redirect_uris": [REDIRECT_URI, f"{LIVE_URL}/officer/sso/callback"]},
        "accounts": ACCOUNTS,
    }))
    with (folder / "stderr.log").open("w") as stderr:
        process = subprocess.Popen([node, "provider.js", str(settings)], cwd=PROVIDER_DIR, stdout=subprocess.PIPE,
                                   stderr=stderr, text=True)
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("issuer "):
            pytest.fail(f"the OpenID provider did not start: {(folder / 'stderr.log').read_text()[-2000:]}")
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def sso_settings(issuer: str, public_url: str = CIVICLY_URL) -> dict:
    """The settings that make an app trust the local provider."""
    return {"PUBLIC_URL": public_url, "OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_LABEL": "Ministry ID"}


@pytest.fixture
def app(app, openid_provider):
    """The shared test app (tests/conftest.py), trusting the local provider for single sign-on."""
    app.config.update(sso_settings(openid_provider))
    sso.init_app(app)
    return app


class ProviderBrowser:
    """What an officer's browser does at the provider: follow its redirects, fill in its sign-in form, until it
    sends the browser back to Civicly. Civicly's side runs in the Flask test client, which keeps Civicly's cookies."""

    def __init__(self, issuer: str):
        self.issuer = issuer
        self.http = requests.Session()  # the provider's cookies

    def sign_in(self, authorize_url: str, account: str) -> str:
        """The callback URL the provider sends the browser back to after ``account`` signs in."""
        page = self._page(authorize_url)
        action = urljoin(page.url, FORM_ACTION.search(page.text).group(1))
        answer = self.http.post(action, data={"prompt": "login", "login": account, "password": "any"},
                                allow_redirects=False)
        return self._back_to_civicly(answer, action)

    def cancel(self, authorize_url: str) -> str:
        """The callback URL after the officer presses Cancel on the provider's sign-in page."""
        page = self._page(authorize_url)
        link = urljoin(page.url, CANCEL_LINK.search(page.text).group(1))
        return self._back_to_civicly(self.http.get(link, allow_redirects=False), link)

    def _page(self, url: str) -> requests.Response:
        """The provider page that ``url`` leads to (its sign-in form)."""
        response = self.http.get(url)
        assert response.status_code == 200 and response.url.startswith(self.issuer), response.text[:500]
        return response

    def _back_to_civicly(self, response: requests.Response, url: str) -> str:
        """Follow the provider's redirects to the Civicly address where they end."""
        while response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(CIVICLY_URL):
                return url
            response = self.http.get(url, allow_redirects=False)
        raise AssertionError(f"the provider kept the browser: {response.status_code} {response.text[:500]}")


@pytest.fixture
def provider_browser(openid_provider) -> ProviderBrowser:
    return ProviderBrowser(openid_provider)
