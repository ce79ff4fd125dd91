"""Gunicorn's configuration for the app servers: `gunicorn -c config/gunicorn.py config.wsgi`
(`make serve`). Every value comes from the environment (README, "Production run").

Sync workers by default: a request is Python work end to end (GraphQL execution, SQL results
turned into objects), so threads in one process would mostly wait for each other's GIL; more
processes use more cores. GUNICORN_THREADS > 1 switches to threaded workers, for deployments
where requests wait on slow clients or a remote database more than they compute.
"""

from __future__ import annotations

import gc
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# A worker silent this long is killed and replaced (the request it was serving fails).
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Each worker is replaced after about this many requests (0: never), the jitter spreading the
# restarts so the workers are not all replaced at once: a slow leak cannot grow without bound.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Managed with signals (HUP reload, TERM stop, TTIN/TTOU workers), as every version allows.
# Gunicorn 25's control socket defaults to one path per user, which a second server on the
# machine (the load bench, a second instance) would take over.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Django, the schema and the modules are imported once in the master and shared by the forked
# workers (copy-on-write): less memory per worker and faster (re)starts.
preload_app = True

# Objects created while the app loads stay alive for the life of the process. Collections are
# kept away from them during the import, so no freed holes scatter them over more pages.
gc.disable()


def when_ready(server) -> None:
    """The app is loaded and no worker forked yet. The URLs, and with them the GraphQL schema
    of every module, are loaded now too (Django would load them at each worker's first request).
    Then `gc.freeze()` moves every object alive into a generation CPython's collector never
    scans: the workers' collections neither spend time on the start-up objects nor write to
    their headers, which would copy the pages they share with the master into each worker."""
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports ROOT_URLCONF and the schema)
    # A connection opened while loading would be shared by every forked worker's socket.
    connections.close_all()
    gc.freeze()
    gc.enable()


def post_fork(server, worker) -> None:
    """Collections on in every worker, whatever state the master was in when it forked (a
    reload with HUP reads this file again, and its `gc.disable()`)."""
    gc.enable()
