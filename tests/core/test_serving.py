"""Serving as `make serve` does: gunicorn's configuration from the environment, the start-up
objects frozen before the workers fork, and WhiteNoise answering the admin's static files with
hashed names and long cache lifetimes."""

from __future__ import annotations

import gc
import os
import runpy
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.conftest import settings_in_subprocess

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.py"
GUNICORN_VARIABLES = ("BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
                      "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER")


def test_whitenoise_serves_static_files_before_any_other_middleware_runs():
    """Only the request id (every log line's) and the security headers come first."""
    assert django_settings.MIDDLEWARE[:3] == [
        "core.logs.RequestContextMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


@pytest.mark.parametrize(("debug", "backend"), [
    ("0", "whitenoise.storage.CompressedManifestStaticFilesStorage"),
    ("1", "django.contrib.staticfiles.storage.StaticFilesStorage"),
])
def test_static_file_names_carry_their_hash_without_debug(debug, backend):
    value = settings_in_subprocess("s.STORAGES['staticfiles']['BACKEND']", DEBUG=debug,
                                   SECRET_KEY=secrets.token_urlsafe(50))

    assert value == backend


def test_persistent_connections_are_checked_before_a_request_reuses_them():
    assert settings_in_subprocess(
        "(s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    ) == "(0, True)"


@pytest.fixture
def gunicorn_config(monkeypatch):
    """gunicorn_config(**env) -> the file's settings read under that environment. Reading it
    turns collections off until `when_ready`, as in gunicorn's master: they are turned back on
    (and anything frozen unfrozen) afterwards, for the rest of the test run."""
    def load(**env: str) -> dict:
        for name in GUNICORN_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(GUNICORN_CONFIG))

    yield load
    gc.unfreeze()
    gc.enable()


def test_gunicorn_defaults_are_two_sync_workers_per_core_plus_one(gunicorn_config):
    config = gunicorn_config()

    assert config["bind"] == "127.0.0.1:8000"
    assert config["workers"] == 2 * os.cpu_count() + 1
    assert (config["worker_class"], config["threads"]) == ("sync", 1)
    assert (config["preload_app"], config["accesslog"], config["errorlog"]) == (True, "-", "-")
    assert (config["max_requests"], config["max_requests_jitter"]) == (2000, 200)


def test_gunicorn_takes_its_sizes_from_the_environment(gunicorn_config):
    config = gunicorn_config(BIND="0.0.0.0:9000", WEB_CONCURRENCY="3", GUNICORN_THREADS="4",
                             GUNICORN_TIMEOUT="60", GUNICORN_MAX_REQUESTS="0",
                             GUNICORN_MAX_REQUESTS_JITTER="0")

    assert (config["bind"], config["workers"], config["threads"], config["timeout"]) == (
        "0.0.0.0:9000", 3, 4, 60)
    assert config["worker_class"] == "gthread"
    assert (config["max_requests"], config["max_requests_jitter"]) == (0, 0)


def test_when_ready_freezes_the_loaded_app_and_turns_collections_back_on(gunicorn_config):
    config = gunicorn_config()
    assert not gc.isenabled()

    config["when_ready"](server=None)

    assert gc.isenabled()
    assert gc.get_freeze_count() > 10_000  # Django, the schema and the modules


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    return urllib.request.urlopen(request, timeout=5)


@pytest.fixture
def served(tmp_path):
    """collectstatic, then gunicorn with the project's configuration and one worker, as
    `make serve` runs them (DEBUG off); the base URL while it runs."""
    port = free_port()
    env = {**{k: v for k, v in os.environ.items()
              if k not in ("DJANGO_SETTINGS_MODULE", "OPENIMIS_MODULES", *GUNICORN_VARIABLES)},
           "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
           "STATIC_ROOT": str(tmp_path / "static"), "BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "1"}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT,
                   env=env, capture_output=True, timeout=120, check=True)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", str(GUNICORN_CONFIG),
         "config.wsgi"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"{base}/admin/login/")
                break
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_served_admin_pages_load_hashed_static_files_cached_for_ever(served):
    page = get(f"{served}/admin/login/").read().decode()
    stylesheet = next(part.split('"')[0] for part in page.split('href="/static/')[1:]
                      if part.startswith("admin/css/base."))

    answer = get(f"{served}/static/{stylesheet}", **{"Accept-Encoding": "gzip"})

    assert stylesheet.count(".") == 2  # admin/css/base.<hash>.css
    assert answer.status == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "immutable" in answer.headers["Cache-Control"]
