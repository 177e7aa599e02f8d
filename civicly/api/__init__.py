"""The Open311 GeoReport v2 API: services are ministries, service requests are cases. Keys, not cookies."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import PathConverter

from civicly.extensions import csrf

PREFIX = "/open311/v2"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)


class MergeSlashes:
    """Serve ``/open311/v2//requests.xml`` as ``/open311/v2/requests.xml``.

    Some clients join their base URL and the path with a doubled slash, and do not follow a redirect for a POST.
    """

    def __init__(self, wsgi_app: Callable[..., Any], prefix: str):
        self.wsgi_app, self.prefix = wsgi_app, prefix

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            merged = re.sub("/{2,}", "/", path)
            if merged.startswith(self.prefix + "/"):
                environ["PATH_INFO"] = merged
        return self.wsgi_app(environ, start_response)


class AnyPath(PathConverter):
    """Like ``path``, but also across line breaks (``%0A``), so no path under the prefix escapes the API's errors."""

    regex = "(?s:[^/].*?)"


@bp.record_once
def _install(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["anypath"] = AnyPath
    state.app.wsgi_app = MergeSlashes(state.app.wsgi_app, PREFIX)  # type: ignore[method-assign]


from civicly.api import views  # noqa: E402,F401
