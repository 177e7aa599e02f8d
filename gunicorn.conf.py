"""Gunicorn settings for Civicly: ``gunicorn -c gunicorn.conf.py wsgi:app`` (docs/production.md explains each).

Environment: ``WEB_CONCURRENCY`` worker processes (default 2 x cores + 1), ``GUNICORN_THREADS`` threads each
(default 2), ``PORT`` (default 8000) on 127.0.0.1 behind a reverse proxy; in a container pass
``--bind 0.0.0.0:$PORT``. The application reads its own ``CIVICLY_*`` settings.
"""
import multiprocessing
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"  # threads keep health probes and slow clients from blocking a whole worker
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30  # a worker that stops answering its master this long is killed and replaced
graceful_timeout = 30  # on restart or shutdown, requests in flight get this long to finish
keepalive = 5
max_requests = 2000  # recycle each worker now and then, at different moments, against slow leaks
max_requests_jitter = 200

# The application writes the access log itself: one JSON line per request with its X-Request-ID
# (civicly/logging_setup.py). Gunicorn's own access log is off; if you turn it on (--access-logfile -),
# this format carries the same request id and no client address.
accesslog = None
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
errorlog = "-"
loglevel = "info"
# Gunicorn's control socket has one default path per user, which two instances on a host would share;
# manage the server with signals instead (HUP reloads workers, TERM stops gracefully).
control_socket_disable = True


def on_starting(server) -> None:
    """Refuse to start with settings unsafe for production (the rules are civicly.config.check_settings)."""
    from civicly import create_app
    from civicly.config import ConfigError, check_settings

    problems = check_settings(create_app().config, server.cfg.workers)
    if problems:
        raise ConfigError("refusing to start with unsafe settings:\n  - " + "\n  - ".join(problems))


def post_worker_init(worker) -> None:
    """Load the routing model and the language identifier before the first citizen waits for them,
    then exempt everything loaded so far from garbage collection: its full passes would otherwise
    rescan the application and the model and stall a request now and then."""
    import gc

    from civicly.classify import warm_up

    warm_up(worker.wsgi)
    gc.collect()
    gc.freeze()
