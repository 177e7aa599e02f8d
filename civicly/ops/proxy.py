"""Trusting the reverse proxy's ``X-Forwarded-*`` headers, only when told how many proxies are in front.

Without this, behind a proxy every citizen has the proxy's address (one shared rate limit) and
HTTPS requests look like HTTP (no HSTS, insecure redirects).
"""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_app(app: Flask) -> None:
    hops = app.config["PROXY_FIX"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
