"""Settings, all from the environment so one build runs as demo, test and production.

Every variable is documented in README.md ("Configuration"). Nothing secret has a usable default:
with DEBUG off, start-up refuses a missing or well-known SECRET_KEY.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)

# Keys that ship in code or docs anywhere: never acceptable outside DEBUG.
DEV_SECRET_KEY = "django-insecure-openimis-claims-development-only"
WELL_KNOWN_SECRET_KEYS = frozenset({DEV_SECRET_KEY, "changeme", "secret", "django-insecure", ""})
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and (SECRET_KEY in WELL_KNOWN_SECRET_KEYS or SECRET_KEY.startswith("django-insecure")
                  or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off "
        "(for local development set DEBUG=1)."
    )
if not SECRET_KEY:
    SECRET_KEY = DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The modules this deployment serves. `core` always loads; the env variable narrows the list.
ALL_OPENIMIS_MODULES = ["core", "openimis_claim", "openimis_approval", "hospital_orders", "reports",
                        "api_fhir_r4"]
OPENIMIS_MODULES = ["core"] + [
    m for m in env_list("OPENIMIS_MODULES", ALL_OPENIMIS_MODULES) if m != "core"
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "graphene_django",
    "django_filters",
    "graphql_jwt.refresh_token",
    *OPENIMIS_MODULES,
]

MIDDLEWARE = [
    # First: the request id every log line of the request carries, echoed as X-Request-ID.
    "core.logs.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's) straight from the app servers, before any other middleware
    # spends time on them: no separate file server to deploy.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.auth.JunkHeaderMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.auth.JWTAuthenticationMiddleware",
    # Where the user is known: the user and tenant join the log context.
    "core.logs.RequestUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        # A persistent connection the server closed meanwhile (restart, failover, idle timeout)
        # is replaced before a request uses it, instead of failing that request.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, and a statement prepared once it has run
    # DB_PREPARE_THRESHOLD times on a connection: requests send the same few statements again
    # and again, and planning one cost about as much as running it. Takes effect with
    # persistent connections (DB_CONN_MAX_AGE). Behind a transaction-mode pooler that cannot
    # keep prepared statements, DB_PREPARE_THRESHOLD=off.
    _threshold = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=env_bool("DB_SERVER_SIDE_BINDING", True),
        prepare_threshold=None if _threshold in ("", "off", "none") else int(_threshold),
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared cache: module configuration lives here, so production points it at Redis (REDIS_URL)
# and every worker sees the same state. The login throttle has its own cache (LOGIN_THROTTLE_CACHE)
# that every worker shares even without Redis: a table of the database (core.throttle).
LOGIN_THROTTLE_CACHE = "login_throttle"
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        },
        LOGIN_THROTTLE_CACHE: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "throttle",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        LOGIN_THROTTLE_CACHE: {
            "BACKEND": "core.throttle.DatabaseCounterCache",
            "LOCATION": "core_login_throttle",  # created by core's migrations
            # Expired rows are culled; live counters must not be, however many there are.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        },
    }

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "core.auth.JSONWebTokenBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
# Without DEBUG, `collectstatic` writes compressed copies and names carrying a hash of the content,
# so WhiteNoise can let browsers cache them for ever. tests/settings.py keeps the plain storage:
# the tests render admin pages without running collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage" if DEBUG
                    else "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Security headers and cookies -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# One switch for every cookie the web app depends on (JWT, CSRF, session): Secure unless DEBUG.
COOKIES_SECURE = env_bool("JWT_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = COOKIES_SECURE
CSRF_COOKIE_SECURE = COOKIES_SECURE
SESSION_COOKIE_HTTPONLY = True
# TLS is terminated by the reverse proxy in front of the app servers; it redirects and sets HSTS.
# SECURE_SSL_REDIRECT and SECURE_HSTS_SECONDS are therefore off by default (README, "Deployment").
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes and Prometheus ask the app servers directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/health/", r"^metrics$"]
SILENCED_SYSTEM_CHECKS = env_list(
    "SILENCED_SYSTEM_CHECKS",
    ["security.W004", "security.W008"] if not SECURE_SSL_REDIRECT else [],
)

# --- JWT (django-graphql-jwt) -------------------------------------------------------------------
JWT_COOKIE_NAME = os.environ.get("JWT_COOKIE_NAME", "JWT")
JWT_REFRESH_TOKEN_COOKIE_NAME = os.environ.get("JWT_REFRESH_TOKEN_COOKIE_NAME", "JWT-refresh-token")
GRAPHQL_JWT = {
    # The library's default is not to check expiry; an expired token must be refused.
    "JWT_VERIFY_EXPIRATION": True,
    "JWT_EXPIRATION_DELTA": timedelta(minutes=env_int("JWT_EXPIRATION_MINUTES", 30)),
    "JWT_LONG_RUNNING_REFRESH_TOKEN": True,
    "JWT_REFRESH_EXPIRATION_DELTA": timedelta(days=env_int("JWT_REFRESH_EXPIRATION_DAYS", 7)),
    "JWT_AUTH_HEADER_PREFIX": "JWT",
    "JWT_COOKIE_NAME": JWT_COOKIE_NAME,
    "JWT_REFRESH_TOKEN_COOKIE_NAME": JWT_REFRESH_TOKEN_COOKIE_NAME,
    "JWT_COOKIE_SECURE": COOKIES_SECURE,
    "JWT_COOKIE_SAMESITE": os.environ.get("JWT_COOKIE_SAMESITE", "Lax"),
    # The CSRF secret is rotated at login only (core.auth.ObtainToken), as Django's own login
    # does. The web app reads its CSRF token once, after login, and refreshes the JWT every two
    # minutes and on each page load: rotating on refresh would break every later save.
    "JWT_CSRF_ROTATION": False,
    # Hashed refresh tokens, a password stamp in access tokens, no refresh for disabled users
    # (core.tokens).
    "JWT_REFRESH_TOKEN_MODEL": "core.RefreshToken",
    "JWT_GET_REFRESH_TOKEN_HANDLER": "core.tokens.get_refresh_token",
    "JWT_PAYLOAD_HANDLER": "core.tokens.jwt_payload",
    # The user and their rights in one statement, for every authenticated request.
    "JWT_GET_USER_BY_NATURAL_KEY_HANDLER": "core.tokens.user_by_natural_key",
}

# Login throttle (core.throttle), per window of LOGIN_LOCKOUT_SECONDS: failures per (username,
# client address), per client address, and per username from addresses the user never logged
# in from (LOGIN_KNOWN_ADDRESS_DAYS).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 50)
LOGIN_MAX_FAILURES_PER_USERNAME = env_int("LOGIN_MAX_FAILURES_PER_USERNAME", 100)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 900)
LOGIN_KNOWN_ADDRESS_DAYS = env_int("LOGIN_KNOWN_ADDRESS_DAYS", 30)
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For;
# 0 (the default) trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- GraphQL ------------------------------------------------------------------------------------
GRAPHENE = {
    "SCHEMA": "config.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": env_int("GRAPHQL_MAX_PAGE_SIZE", 100),
    "ATOMIC_MUTATIONS": False,  # each OpenIMISMutation opens its own transaction
    # Codes stay plain numbers and strings, as the web app sends and reads them.
    "DJANGO_CHOICE_FIELD_ENUM_CONVERT": False,
}
GRAPHQL_MAX_DEPTH = env_int("GRAPHQL_MAX_DEPTH", 15)
GRAPHQL_MAX_ALIASES = env_int("GRAPHQL_MAX_ALIASES", 30)
GRAPHQL_MAX_QUERY_BYTES = env_int("GRAPHQL_MAX_QUERY_BYTES", 100_000)
# Rows per piece of a bulk mutation run by the workers (core.bulk); a family's claims are never
# cut, so a piece may hold a few more.
BULK_CHUNK_SIZE = env_int("BULK_CHUNK_SIZE", 200)
# Parsed and validated documents kept by their text (core.views.DocumentCache).
GRAPHQL_DOCUMENT_CACHE = env_int("GRAPHQL_DOCUMENT_CACHE", 500)
# Input bounds (core.gql.inputs): entries of a list argument, JSON sent inside a string.
GRAPHQL_MAX_LIST_SIZE = env_int("GRAPHQL_MAX_LIST_SIZE", 1_000)
JSON_INPUT_MAX_BYTES = env_int("JSON_INPUT_MAX_BYTES", 100_000)
JSON_INPUT_MAX_DEPTH = env_int("JSON_INPUT_MAX_DEPTH", 20)

# Claim attachments on disk (empty: stored in the database). Module config may override it.
CLAIM_ATTACHMENTS_ROOT = os.environ.get("CLAIM_ATTACHMENTS_ROOT", "")

# --- Health, metrics and logs (core.health, core.metrics, core.logs) ---------------------------
# Seconds the readiness probe waits for the database, the cache and the broker (together).
HEALTH_CHECK_TIMEOUT = float(os.environ.get("HEALTH_CHECK_TIMEOUT", "").strip() or 2)
# Who may read /metrics: clients in these networks, or a request with `Authorization: Bearer
# <METRICS_TOKEN>` (unset: no token accepted). Anyone else gets a 404.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"])
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS: {_network!r} is not a network (e.g. 10.0.0.0/8)"
        ) from None
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()

# One JSON object per line (for log shippers) or plain text (for a terminal); every line of a
# request carries its request id, user and tenant.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")

# --- Background and scheduled work (Celery, config/celery.py) ----------------------------------
# Without a broker, tasks run in the calling process as they are sent: `make demo` and the tests
# need no RabbitMQ or Redis, and a task's error reaches the caller.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
if CELERY_BROKER_URL is None:
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = (os.environ.get("CELERY_RESULT_BACKEND") or os.environ.get("REDIS_URL")
                         or None)
# A task is acknowledged once it has run, and given back when its worker dies: every task must
# therefore be idempotent (it may run twice). One message reserved per worker process at a time,
# so a long task does not hold back others that another process could start.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CONCURRENCY = env_int("CELERY_WORKER_CONCURRENCY", 0) or None  # None: one per core
CELERY_TASK_DEFAULT_QUEUE = "openimis"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A web request that sends a task to an unreachable broker fails in seconds, not minutes; a worker
# started before its broker keeps retrying.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 3)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = os.environ.get(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule"))

# The user scheduled jobs act as (recorded in history), by username; a platform user (no tenant)
# reaches every tenant. Jobs refuse to run without it (core.tasks.scheduled_task_user).
SCHEDULED_TASK_USER = os.environ.get("SCHEDULED_TASK_USER", "").strip()
# Every periodic job, in one place: (task, module that provides it, when). Each is idempotent and
# has a management command twin (README, "Production run"). Times are in TIME_ZONE.
SCHEDULED_JOBS = {
    "prune-refresh-tokens": ("core.prune_refresh_tokens", "core", crontab(hour=3, minute=30)),
    "expire-approvals": ("openimis_approval.expire_approvals", "openimis_approval",
                         crontab(hour=0, minute=10)),
    "approval-deadlines": ("openimis_approval.report_deadlines", "openimis_approval",
                           crontab(minute=5)),
    "approval-info-requests": ("openimis_approval.expire_info_requests", "openimis_approval",
                               crontab(minute=15)),
    "prune-report-outputs": ("reports.prune_report_outputs", "reports", crontab(minute=20)),
    "fhir-deliver-pending": ("api_fhir_r4.deliver_pending", "api_fhir_r4",
                             crontab(minute="*/5")),
}
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": when}
    for name, (task, module, when) in SCHEDULED_JOBS.items() if module in OPENIMIS_MODULES
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "core.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s "
                           "[%(request_id)s %(user)s %(tenant)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT,
                             "filters": ["request_context"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
