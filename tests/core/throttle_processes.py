"""Worker processes for the throttle's concurrency tests: each one is a separate Django process
(as a deployment's workers are) sharing one SQLite file as the throttle's store."""

from __future__ import annotations

import django
from django.conf import settings

LIMIT = 5


def configure(database: str) -> None:
    settings.configure(
        USE_TZ=True,
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": database,
                               "OPTIONS": {"timeout": 30}}},
        CACHES={"login_throttle": {"BACKEND": "core.throttle.DatabaseCounterCache",
                                   "LOCATION": "core_login_throttle"}},
        LOGIN_THROTTLE_CACHE="login_throttle",
        LOGIN_MAX_FAILURES=LIMIT,
        LOGIN_MAX_FAILURES_PER_ADDRESS=50,
        LOGIN_MAX_FAILURES_PER_USERNAME=100,
        LOGIN_LOCKOUT_SECONDS=900,
        LOGIN_KNOWN_ADDRESS_DAYS=30,
    )
    django.setup()


def increment(_n: int) -> int:
    from django.core.cache import caches

    store = caches["login_throttle"]
    store.add("counter", 0, 900)
    return store.incr("counter")


def attempt(_n: int) -> bool:
    from core.throttle import LoginThrottle

    return LoginThrottle("admin", "198.51.100.66").acquire()
