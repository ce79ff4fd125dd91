"""Liveness and readiness: may this process take traffic?

Readiness asks each dependency the app cannot answer without: the database (`SELECT 1`), the
default cache (a key written and read back) and, when Celery is configured
(`CELERY_BROKER_URL`), the broker. The checks run at once, each in a daemon thread, and the
probe answers within `HEALTH_CHECK_TIMEOUT` seconds: a database or Redis that stopped answering
(packets dropped, no refusal) would otherwise hold the probe, and the worker, until the
operating system gives up.
A check still stuck from an earlier probe is not started again: the probe answers at once that it
is still waiting, so a dead dependency never piles up threads.

What a failed check says is its kind ("unavailable (OperationalError)", "timed out after 2 s"),
never the exception's text, which can hold host names or a URL with its password; the full
reason goes to the log.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import kombu
from django.conf import settings
from django.core.cache import cache
from django.db import connections

logger = logging.getLogger(__name__)

OK = "ok"
NOT_CONFIGURED = "not configured"
CACHE_KEY = "openimis:health"

# `scheme://user:password@host` -> `scheme://***@host`, for anything written to the log.
_URL_CREDENTIALS = re.compile(r"(\w+://)[^@/\s]+@")


def masked(text: str) -> str:
    """Text with the credentials of any URL in it replaced."""
    return _URL_CREDENTIALS.sub(r"\1***@", text)


def broker_url() -> str | None:
    """The Celery broker this deployment uses, or None when it runs without one."""
    return getattr(settings, "CELERY_BROKER_URL", None) or None


def check_database() -> None:
    """`SELECT 1` on a connection of its own (this thread's), closed afterwards: a probe proves
    that a new connection can be made, and leaves none behind."""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def check_cache() -> None:
    """A value written to the default cache and read back."""
    value = uuid.uuid4().hex
    cache.set(CACHE_KEY, value, timeout=30)
    if cache.get(CACHE_KEY) != value:
        raise RuntimeError("the cache did not return the value just written")


def check_broker(url: str, timeout: float) -> None:
    """A connection to the broker, one retry, no pause between the two attempts."""
    with kombu.Connection(url, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)


@dataclass(frozen=True)
class CheckResult:
    name: str
    outcome: str  # "ok", "not configured", or why it failed
    ms: float

    @property
    def ok(self) -> bool:
        return self.outcome in (OK, NOT_CONFIGURED)


@dataclass
class _Run:
    started: float = field(default_factory=time.perf_counter)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


# The run of each check still in its thread, by check name (see the module docstring).
_running: dict[str, _Run] = {}
_running_lock = threading.Lock()


def _start(name: str, check: Callable[[], None]) -> _Run | None:
    """The check started in a daemon thread, or None when its previous run has not ended."""
    with _running_lock:
        stuck = _running.get(name)
        if stuck is not None and not stuck.done.is_set():
            return None
        run = _running[name] = _Run()

    def target() -> None:
        try:
            check()
        except BaseException as exc:  # reported by the probe, never raised in a bare thread
            run.error = exc
        finally:
            run.done.set()

    threading.Thread(target=target, name=f"health-{name}", daemon=True).start()
    return run


def _result(name: str, run: _Run | None, deadline: float, timeout: float) -> CheckResult:
    if run is None:
        logger.warning("Readiness: %s has not answered an earlier check yet", name)
        return CheckResult(name, "timed out (an earlier check is still waiting)", 0.0)
    finished = run.done.wait(max(0.0, deadline - time.perf_counter()))
    ms = round((time.perf_counter() - run.started) * 1000, 1)
    if not finished:
        logger.warning("Readiness: %s did not answer within %s s", name, timeout)
        return CheckResult(name, f"timed out after {timeout:g} s", ms)
    if run.error is not None:
        logger.warning("Readiness: %s failed: %s: %s", name, type(run.error).__name__,
                       masked(str(run.error)))
        return CheckResult(name, f"unavailable ({type(run.error).__name__})", ms)
    return CheckResult(name, OK, ms)


def run_checks(checks: dict[str, Callable[[], None] | None], timeout: float) -> list[CheckResult]:
    """Every check at once, each in a daemon thread; all answered within `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    runs = {name: _start(name, check) for name, check in checks.items() if check is not None}
    return [
        _result(name, runs[name], deadline, timeout) if check is not None
        else CheckResult(name, NOT_CONFIGURED, 0.0)
        for name, check in checks.items()
    ]


def dependency_checks() -> dict[str, Callable[[], None] | None]:
    """The checks of this deployment, by name; None for a dependency it is not configured with."""
    timeout = settings.HEALTH_CHECK_TIMEOUT
    url = broker_url()
    return {
        "database": check_database,
        "cache": check_cache,
        "broker": (lambda: check_broker(url, timeout)) if url else None,
    }


@dataclass(frozen=True)
class Readiness:
    results: list[CheckResult]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def as_json(self) -> dict:
        return {
            "status": OK if self.ok else "unavailable",
            "checks": {result.name: result.outcome for result in self.results},
            "ms": {result.name: result.ms for result in self.results},
        }


def readiness() -> Readiness:
    """Every configured dependency checked, all within `HEALTH_CHECK_TIMEOUT` seconds."""
    return Readiness(run_checks(dependency_checks(), settings.HEALTH_CHECK_TIMEOUT))
