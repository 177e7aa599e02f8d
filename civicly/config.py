"""Settings, read once from ``CIVICLY_*`` environment variables with safe local defaults.

Code reads ``current_app.config``; only this module looks at the environment.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TRUE_WORDS = {"1", "true", "yes", "on"}
MIN_SECRET_KEY_LENGTH = 32
PRODUCTION_COOKIE_NAME = "__Host-session"
SECOND_FACTOR_POLICIES = ("admins", "all")
# The bundled files and label map the demo model is trained on (Makefile, ``demo``): the worker's default history.
BUNDLED_DATA = Path(__file__).resolve().parent.parent / "data"


class ConfigError(RuntimeError):
    """A setting is missing or unsafe for the chosen environment."""


def _flag(value: str | None, default: bool = False) -> bool:
    return default if value is None else value.strip().lower() in TRUE_WORDS


def _instance_secret_key(instance_path: Path, name: str = "secret_key") -> str:
    """Development only: a key generated once and kept in ``instance/`` (never in the repository)."""
    key_file = instance_path / name
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _second_factor_policy(value: str) -> str:
    """Who must have a second factor: ``admins`` (the default; admins always do) or ``all`` staff."""
    policy = value.strip().lower()
    if policy not in SECOND_FACTOR_POLICIES:
        raise ConfigError(f"CIVICLY_REQUIRE_2FA must be one of {', '.join(SECOND_FACTOR_POLICIES)}, not {value!r}.")
    return policy


def _retrain_data(value: str | None) -> list[str]:
    """CIVICLY_RETRAIN_DATA: data files separated by the system's path separator (":" on Linux), default the bundled
    files."""
    if value and value.strip():
        return [part.strip() for part in value.split(os.pathsep) if part.strip()]
    return [str(path) for path in sorted(BUNDLED_DATA.glob("*.csv"))]


def load_settings(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment."""
    env = os.environ if environ is None else environ
    mode = env.get("CIVICLY_ENV", "development").strip().lower()
    production = mode == "production"
    secret_key = env.get("CIVICLY_SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("CIVICLY_SECRET_KEY must be set when CIVICLY_ENV=production.")
        secret_key = _instance_secret_key(instance_path)
    # Outside the model folder: whoever can write a model must not also hold what signs it. Production must give it
    # (check_settings); an empty key loads no model, so intake goes on with manual triage.
    model_signing_key = env.get("CIVICLY_MODEL_SIGNING_KEY") or (
        "" if production else _instance_secret_key(instance_path, "model_signing_key"))
    database_url = env.get("CIVICLY_DATABASE_URL") or f"sqlite:///{instance_path / 'civicly.sqlite3'}"
    redis_url = env.get("CIVICLY_REDIS_URL")
    public_url = env.get("CIVICLY_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    https = production or public_url.startswith("https://")
    return {
        "ENV_NAME": mode,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        # Optional: a streaming replica of the primary, read by the dashboard, exports and Open311 GET.
        "DATABASE_REPLICA_URL": env.get("CIVICLY_DATABASE_REPLICA_URL") or None,
        "MODEL_DIR": env.get("CIVICLY_MODEL_DIR") or str(instance_path / "models"),
        "MODEL_SIGNING_KEY": model_signing_key,
        # How often a web or worker process asks the database whether another host promoted or rolled back a model.
        "MODEL_CHECK_SECONDS": float(env.get("CIVICLY_MODEL_CHECK_SECONDS", "1")),
        # The worker retrains after this many new officers' decisions, at most once a day (0: never by itself).
        "RETRAIN_AFTER_LABELS": int(env.get("CIVICLY_RETRAIN_AFTER_LABELS", "200")),
        "RETRAIN_DATA": _retrain_data(env.get("CIVICLY_RETRAIN_DATA")),
        "RETRAIN_LABEL_MAP": env.get("CIVICLY_RETRAIN_LABEL_MAP", str(BUNDLED_DATA / "label_maps" / "demo.csv")),
        "DEFAULT_LOCALE": env.get("CIVICLY_DEFAULT_LOCALE", "fr"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis down: each worker counts in memory meanwhile instead of refusing citizens; give up on it quickly.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2} if redis_url else {},
        "RATELIMIT_ENABLED": _flag(env.get("CIVICLY_RATELIMIT_ENABLED"), True),
        "PROXY_FIX": int(env.get("CIVICLY_PROXY_FIX", "0")),
        "ALLOW_SQLITE_WORKERS": _flag(env.get("CIVICLY_ALLOW_SQLITE_WORKERS")),
        "SUBMIT_RATE_LIMIT": env.get("CIVICLY_SUBMIT_RATE_LIMIT", "10 per minute;100 per hour"),
        # Per address: a ministry's 200 officers behind one public address sign in at 8 a.m.; wrong passwords are
        # throttled per account (triage.accounts), so this only stops one machine hammering the sign-in pages.
        "LOGIN_RATE_LIMIT": env.get("CIVICLY_LOGIN_RATE_LIMIT", "300 per minute;3000 per hour"),
        "REQUIRE_2FA": _second_factor_policy(env.get("CIVICLY_REQUIRE_2FA", "admins")),
        "TRACK_RATE_LIMIT": env.get("CIVICLY_TRACK_RATE_LIMIT", "60 per minute"),
        "API_WRITE_RATE_LIMIT": env.get("CIVICLY_API_WRITE_RATE_LIMIT", "60 per minute;1000 per hour"),
        "API_READ_RATE_LIMIT": env.get("CIVICLY_API_READ_RATE_LIMIT", "120 per minute;3000 per hour"),
        "API_CONTACT": env.get("CIVICLY_API_CONTACT", ""),
        "API_KEY_SERVICE": env.get("CIVICLY_API_KEY_SERVICE", "Ask the administrators of this Civicly for a key."),
        "OPEN311_JURISDICTION": env.get("CIVICLY_OPEN311_JURISDICTION", "civicly"),
        "RETENTION_DAYS": int(env.get("CIVICLY_RETENTION_DAYS", "365")),
        # How long after closure the tracking page asks "Is it solved?"; a "No" with a reason reopens the case.
        "REOPEN_DAYS": int(env.get("CIVICLY_REOPEN_DAYS", "30")),
        "MAX_CONTENT_LENGTH": int(env.get("CIVICLY_MAX_CONTENT_LENGTH", str(1024 * 1024))),
        # The form and Open311 POST: three photos of at most 5 MB (triage/photos.py) and the text.
        "UPLOAD_MAX_CONTENT_LENGTH": int(env.get("CIVICLY_UPLOAD_MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
        # The cookie holds the signed-in session's random id (its row in user_sessions decides) and the CSRF secret.
        # __Host-: the browser accepts it only over HTTPS, for the whole site, from this host alone (no Domain).
        "SESSION_COOKIE_NAME": PRODUCTION_COOKIE_NAME if production else "session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_PATH": "/",
        "SESSION_IDLE_MINUTES": int(env.get("CIVICLY_SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(env.get("CIVICLY_SESSION_MAX_HOURS", "12")),
        "WTF_CSRF_TIME_LIMIT": None,
        "PUBLIC_URL": public_url,
        "SMTP_HOST": env.get("CIVICLY_SMTP_HOST", "localhost"),
        "SMTP_PORT": int(env.get("CIVICLY_SMTP_PORT", "25")),
        "SMTP_USERNAME": env.get("CIVICLY_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("CIVICLY_SMTP_PASSWORD", ""),
        "SMTP_SECURITY": env.get("CIVICLY_SMTP_SECURITY", "none").strip().lower(),  # none | starttls | tls
        "SMTP_FROM": env.get("CIVICLY_SMTP_FROM", "Civicly <no-reply@localhost>"),
        "SMTP_TIMEOUT": float(env.get("CIVICLY_SMTP_TIMEOUT", "30")),
        "OUTBOX_MAX_ATTEMPTS": int(env.get("CIVICLY_OUTBOX_MAX_ATTEMPTS", "8")),
        "METRICS_TOKEN": env.get("CIVICLY_METRICS_TOKEN", ""),
        "METRICS_MULTIPROC_DIR": env.get("PROMETHEUS_MULTIPROC_DIR", ""),  # prometheus_client's own variable
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Single sign-on (civicly/auth/sso.py, docs/production.md): off while the issuer is empty.
        "OIDC_ISSUER": env.get("CIVICLY_OIDC_ISSUER", "").strip().rstrip("/"),
        "OIDC_CLIENT_ID": env.get("CIVICLY_OIDC_CLIENT_ID", ""),
        "OIDC_CLIENT_SECRET": env.get("CIVICLY_OIDC_CLIENT_SECRET", ""),
        "OIDC_LABEL": env.get("CIVICLY_OIDC_LABEL", "").strip(),
        **_channel_settings(env),
        **_storage_settings(env, instance_path),
        "COUNTRY": _country(env.get("CIVICLY_COUNTRY", "SN")),
        "ROUTING": _routing(env.get("CIVICLY_ROUTING", "request")),
    }


def _channel_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """SMS, USSD and WhatsApp (docs/channels.md): each callback is off (404) until its secret is set, and outgoing
    SMS wait in the outbox until CIVICLY_SMS_PROVIDER and its credentials are."""
    return {
        "CHANNEL_TOKEN": env.get("CIVICLY_CHANNEL_TOKEN", ""),  # Africa's Talking callbacks carry it as ?token=
        "CHANNEL_RATE_LIMIT": env.get("CIVICLY_CHANNEL_RATE_LIMIT", "20 per minute;200 per hour"),  # per phone
        "SMS_MERGE_MINUTES": float(env.get("CIVICLY_SMS_MERGE_MINUTES", "3")),  # parts of a long SMS: one case
        "SMS_PROVIDER": env.get("CIVICLY_SMS_PROVIDER", "").strip().lower(),  # africastalking | twilio | empty
        "SMS_SENDER_ID": env.get("CIVICLY_SMS_SENDER_ID", ""),
        "AFRICASTALKING_USERNAME": env.get("CIVICLY_AFRICASTALKING_USERNAME", ""),
        "AFRICASTALKING_API_KEY": env.get("CIVICLY_AFRICASTALKING_API_KEY", ""),
        "AFRICASTALKING_API_URL": env.get("CIVICLY_AFRICASTALKING_API_URL",
                                          "https://api.africastalking.com").rstrip("/"),
        "TWILIO_ACCOUNT_SID": env.get("CIVICLY_TWILIO_ACCOUNT_SID", ""),
        "TWILIO_AUTH_TOKEN": env.get("CIVICLY_TWILIO_AUTH_TOKEN", ""),  # checks callbacks' signatures, and sends
        "TWILIO_API_URL": env.get("CIVICLY_TWILIO_API_URL", "https://api.twilio.com").rstrip("/"),
        "TWILIO_WHATSAPP_FROM": env.get("CIVICLY_TWILIO_WHATSAPP_FROM", ""),  # the WhatsApp sender, +number
        "SMS_TIMEOUT": float(env.get("CIVICLY_SMS_TIMEOUT", "30")),
    }


def _country(value: str) -> str:
    """ISO 3166-1 alpha-2 (default SN): whose first-level areas (regions, counties) the form offers (areas.py)."""
    import pycountry

    code = value.strip().upper() or "SN"
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ConfigError(f"CIVICLY_COUNTRY must be an ISO 3166-1 two-letter code (SN, KE, MA, ML …), not {value!r}.")
    return code


ROUTING_MODES = ("request", "worker")


def _routing(value: str) -> str:
    """Where the web form's and Open311's submissions are routed: in the request (the citizen sees the ministry at
    once; one host) or by ``civicly worker`` after a bare insert (intake takes about twice the surge on the
    same cores; docs/scaling.md)."""
    mode = value.strip().lower() or "request"
    if mode not in ROUTING_MODES:
        raise ConfigError(f"CIVICLY_ROUTING must be request or worker, not {value!r}.")
    return mode


def _storage_settings(env: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Uploaded photos (civicly/storage.py): a folder under the instance folder by default, or an S3-compatible
    bucket (CIVICLY_STORAGE=s3) that several hosts share; docs/photos-and-places.md."""
    backend = env.get("CIVICLY_STORAGE", "local").strip().lower()
    if backend not in ("local", "s3"):
        raise ConfigError(f"CIVICLY_STORAGE must be local or s3, not {backend!r}.")
    if backend == "s3" and not env.get("CIVICLY_S3_BUCKET"):
        raise ConfigError("CIVICLY_STORAGE=s3 needs CIVICLY_S3_BUCKET.")
    return {
        "STORAGE": backend,
        "STORAGE_DIR": env.get("CIVICLY_STORAGE_DIR") or str(instance_path / "uploads"),
        "S3_BUCKET": env.get("CIVICLY_S3_BUCKET", ""),
        "S3_ENDPOINT_URL": env.get("CIVICLY_S3_ENDPOINT_URL", ""),
        "S3_REGION": env.get("CIVICLY_S3_REGION", ""),
        "S3_ACCESS_KEY_ID": env.get("CIVICLY_S3_ACCESS_KEY_ID", ""),
        "S3_SECRET_ACCESS_KEY": env.get("CIVICLY_S3_SECRET_ACCESS_KEY", ""),
        "S3_PREFIX": env.get("CIVICLY_S3_PREFIX", "civicly/"),
    }


def check_settings(config: Mapping[str, Any], workers: int) -> list[str]:
    """What makes ``config`` unsafe to serve in production with ``workers`` processes; empty when nothing does.

    Development keeps its convenient defaults; gunicorn.conf.py and ``civicly check`` refuse these in production.
    """
    if config.get("ENV_NAME") != "production":
        return []
    problems = []
    secret_key = config.get("SECRET_KEY") or ""
    if len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(f"CIVICLY_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters "
                        "(python3 -c 'import secrets; print(secrets.token_hex(32))').")
    signing_key = config.get("MODEL_SIGNING_KEY") or ""
    if len(signing_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(f"CIVICLY_MODEL_SIGNING_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters, kept "
                        "outside the model folder; models are refused without it (see docs/models.md).")
    elif signing_key == secret_key:
        problems.append("CIVICLY_MODEL_SIGNING_KEY must differ from CIVICLY_SECRET_KEY.")
    if config.get("DEBUG"):
        problems.append("Debug mode is on: unset FLASK_DEBUG (it shows code and data to anyone who triggers an error).")
    sqlite = str(config.get("DATABASE_URL", "")).startswith("sqlite")
    if sqlite and workers > 1 and not config.get("ALLOW_SQLITE_WORKERS"):
        problems.append(f"SQLite with {workers} workers: use PostgreSQL (CIVICLY_DATABASE_URL), run one worker "
                        "(WEB_CONCURRENCY=1), or accept SQLite's limits with CIVICLY_ALLOW_SQLITE_WORKERS=1 "
                        "(see docs/production.md).")
    problems.extend(_sso_problems(config))
    problems.extend(_channel_problems(config))
    return problems


def _channel_problems(config: Mapping[str, Any]) -> list[str]:
    """SMS half configured, or a callback secret anyone could guess (docs/channels.md)."""
    problems = []
    provider = config.get("SMS_PROVIDER") or ""
    if provider not in ("", "africastalking", "twilio"):
        problems.append(f"CIVICLY_SMS_PROVIDER must be africastalking, twilio or empty, not {provider!r}.")
    if provider == "africastalking" and not (config.get("AFRICASTALKING_USERNAME")
                                             and config.get("AFRICASTALKING_API_KEY")):
        problems.append("CIVICLY_SMS_PROVIDER=africastalking needs CIVICLY_AFRICASTALKING_USERNAME and "
                        "CIVICLY_AFRICASTALKING_API_KEY; until then SMS wait in the outbox.")
    if provider == "twilio" and not (config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN")
                                     and (config.get("SMS_SENDER_ID") or config.get("TWILIO_WHATSAPP_FROM"))):
        problems.append("CIVICLY_SMS_PROVIDER=twilio needs CIVICLY_TWILIO_ACCOUNT_SID, CIVICLY_TWILIO_AUTH_TOKEN and "
                        "CIVICLY_SMS_SENDER_ID (or CIVICLY_TWILIO_WHATSAPP_FROM); until then SMS wait in the outbox.")
    token = config.get("CHANNEL_TOKEN") or ""
    if token and len(token) < MIN_SECRET_KEY_LENGTH:
        problems.append(f"CIVICLY_CHANNEL_TOKEN must be at least {MIN_SECRET_KEY_LENGTH} random characters: it is "
                        "all that keeps others from posting to the Africa's Talking callbacks.")
    if config.get("TWILIO_AUTH_TOKEN") and not str(config.get("PUBLIC_URL", "")).startswith("https://"):
        problems.append("Twilio callbacks need CIVICLY_PUBLIC_URL to be the https:// address Twilio calls: "
                        "signatures are checked against it.")
    return problems


def _sso_problems(config: Mapping[str, Any]) -> list[str]:
    """Single sign-on half configured, or over plain http where tokens and codes would travel in clear."""
    issuer = config.get("OIDC_ISSUER") or ""
    if not issuer:
        return []
    problems = []
    if not (config.get("OIDC_CLIENT_ID") and config.get("OIDC_CLIENT_SECRET")):
        problems.append("CIVICLY_OIDC_ISSUER is set: set CIVICLY_OIDC_CLIENT_ID and CIVICLY_OIDC_CLIENT_SECRET too "
                        "(what the ministry's provider gave when Civicly was registered there).")
    if not issuer.startswith("https://"):
        problems.append("CIVICLY_OIDC_ISSUER must be an https:// address in production.")
    if not str(config.get("PUBLIC_URL", "")).startswith("https://"):
        problems.append("Single sign-on needs CIVICLY_PUBLIC_URL to be the https:// address officers use: the "
                        "provider sends them back to CIVICLY_PUBLIC_URL/officer/sso/callback.")
    return problems
