"""The health probes: live answers whenever the process does; ready asks the database, the cache
and the broker, each within a short timeout, and names what fails without its secrets."""

from __future__ import annotations

import threading
import time

import kombu
import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import OperationalError
from django.test import Client

from core import health

pytestmark = pytest.mark.django_db

LIVE = "/api/health/live"
READY = "/api/health/ready"
UNREACHABLE_BROKER = "amqp://guest:s3cret-pass@127.0.0.1:1//"


@pytest.fixture
def stuck():
    """An event a hanging check waits on; set at the end so its thread ends."""
    release = threading.Event()
    yield release
    release.set()
    for run in list(health._running.values()):
        run.done.wait(5)


def test_live_answers_ok_without_asking_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(LIVE)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_answers_ok_with_each_check_and_its_time(client):
    response = client.get(READY)

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "not configured"}
    assert set(body["ms"]) == {"database", "cache", "broker"}
    assert all(isinstance(ms, float) and ms >= 0 for ms in body["ms"].values())


def test_ready_needs_no_login_nor_csrf_token():
    response = Client(enforce_csrf_checks=True).get(READY)

    assert response.status_code == 200


def test_a_configured_broker_that_answers_is_ok(client, settings):
    settings.CELERY_BROKER_URL = "memory://"

    response = client.get(READY)

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_a_database_down_is_a_503_naming_the_database(client, monkeypatch):
    def refused() -> None:
        raise OperationalError('connection to "postgres://app:s3cret-pass@db:5432" refused')

    monkeypatch.setattr(health, "check_database", refused)

    response = client.get(READY)

    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "unavailable (OperationalError)", "cache": "ok",
                              "broker": "not configured"}
    assert b"s3cret" not in response.content


def test_an_unreachable_broker_is_a_503_naming_the_broker_within_3_seconds(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER
    started = time.monotonic()

    response = client.get(READY)

    assert time.monotonic() - started < 3
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["broker"] == "unavailable (OperationalError)"
    assert body["checks"]["database"] == "ok"
    assert b"s3cret" not in response.content
    assert b"127.0.0.1" not in response.content


def test_a_check_that_hangs_is_a_timeout_and_is_not_started_twice(
        client, settings, monkeypatch, stuck):
    settings.HEALTH_CHECK_TIMEOUT = 0.2
    calls = []

    def hanging() -> None:
        calls.append(1)
        stuck.wait(10)

    monkeypatch.setattr(health, "check_cache", hanging)
    started = time.monotonic()

    first = client.get(READY)
    second = client.get(READY)

    assert time.monotonic() - started < 2
    assert (first.status_code, second.status_code) == (503, 503)
    assert first.json()["checks"]["cache"] == "timed out after 0.2 s"
    assert second.json()["checks"]["cache"] == "timed out (an earlier check is still waiting)"
    assert len(calls) == 1


def test_the_cache_must_give_back_what_was_written(client, monkeypatch):
    # The check's thread has its own cache object: the backend's class is what they share.
    monkeypatch.setattr(LocMemCache, "get", lambda *args, **kwargs: None)

    response = client.get(READY)

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "unavailable (RuntimeError)"


def test_credentials_of_a_url_are_masked_in_logged_text():
    assert health.masked("amqp://guest:pw@rabbit:5672// and redis://:pw@r:6379/0") == (
        "amqp://***@rabbit:5672// and redis://***@r:6379/0")


def test_the_broker_check_answers_for_an_in_memory_broker():
    with kombu.Connection("memory://"):
        health.check_broker("memory://", 1)
