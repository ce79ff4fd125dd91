"""Brute force stays expensive, but a stranger cannot lock a known user out of their account."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from graphql_jwt import decorators as jwt_decorators

from tests.conftest import post_graphql
from tests.core import throttle_processes

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-1"
LOCKED = "Too many failed login attempts; try again later."
BAD_CREDENTIALS = "Please enter valid credentials"
OWNER = "192.0.2.10"
STRANGER = "198.51.100.66"

LOGIN = """
mutation Login($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { token }
}
"""


def login(username: str, password: str = PASSWORD, address: str = OWNER, **headers):
    return post_graphql(Client(), LOGIN, {"username": username, "password": password},
                        headers={"REMOTE_ADDR": address, **headers})


def test_defaults():
    assert settings.LOGIN_MAX_FAILURES == 5
    assert settings.LOGIN_MAX_FAILURES_PER_ADDRESS == 50
    assert settings.LOGIN_MAX_FAILURES_PER_USERNAME == 100
    assert settings.LOGIN_LOCKOUT_SECONDS == 900
    assert settings.LOGIN_KNOWN_ADDRESS_DAYS == 30
    assert settings.TRUSTED_PROXY_COUNT == 0


def test_a_strangers_failures_do_not_lock_the_owner_out(make_user):
    make_user(username="admin")
    for _ in range(8):
        assert login("admin", "guess", STRANGER).error_messages in ([BAD_CREDENTIALS], [LOCKED])
    assert login("admin", "guess", STRANGER).error_messages == [LOCKED]

    r = login("admin", address=OWNER)

    assert r.errors == []
    assert r.data["tokenAuth"]["token"]


def test_the_guessing_address_is_throttled_even_with_the_right_password(make_user):
    make_user(username="admin")
    for _ in range(5):
        assert login("admin", "guess", STRANGER).error_messages == [BAD_CREDENTIALS]

    r = login("admin", address=STRANGER)

    assert r.status_code == 401
    assert r.errors[0]["message"] == LOCKED
    assert r.errors[0]["extensions"] == {"code": "LOGIN_LOCKED"}
    assert "JWT" not in r.response.cookies


def test_one_address_spraying_many_usernames_is_throttled(settings, make_user):
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    make_user(username="alice")
    for n in range(6):
        assert login(f"user{n}", "guess", STRANGER).error_messages == [BAD_CREDENTIALS]

    assert login("alice", address=STRANGER).error_messages == [LOCKED]
    assert login("alice", address=OWNER).errors == []


def test_many_addresses_slow_a_username_but_not_from_a_known_address(settings, make_user):
    settings.LOGIN_MAX_FAILURES_PER_USERNAME = 6
    make_user(username="admin")
    assert login("admin", address=OWNER).errors == []  # the owner's usual address
    for n in range(6):
        assert login("admin", "guess", f"203.0.113.{n}").error_messages == [BAD_CREDENTIALS]

    # A new address waits out the window; the owner's known address is not held up.
    assert login("admin", address="203.0.113.200").error_messages == [LOCKED]
    assert login("admin", address=OWNER).errors == []


def test_the_owners_success_clears_their_own_failures_only(make_user):
    make_user(username="alice")
    for _ in range(4):
        login("alice", "typo", OWNER)
    assert login("alice", address=OWNER).errors == []
    for _ in range(4):
        assert login("alice", "typo", OWNER).error_messages == [BAD_CREDENTIALS]

    assert login("alice", address=OWNER).errors == []


def test_forwarded_for_is_ignored_unless_behind_a_proxy(make_user):
    make_user(username="admin")
    for n in range(5):
        login("admin", "guess", STRANGER, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    assert login("admin", address=STRANGER,
                 HTTP_X_FORWARDED_FOR="10.0.0.99").error_messages == [LOCKED]


def test_behind_a_proxy_the_address_it_saw_counts(settings, make_user):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.1.1.1"
    make_user(username="admin")
    for _ in range(5):
        # A client-supplied first entry changes nothing: the proxy appends the real address.
        login("admin", "guess", proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{_}, {STRANGER}")

    assert login("admin", address=proxy,
                 HTTP_X_FORWARDED_FOR=STRANGER).error_messages == [LOCKED]
    assert login("admin", address=proxy, HTTP_X_FORWARDED_FOR=OWNER).errors == []


def test_ipv6_addresses_count_per_64_network(make_user):
    make_user(username="admin")
    for n in range(5):
        login("admin", "guess", f"2001:db8:1:2::{n + 1:x}")

    assert login("admin", address="2001:db8:1:2:ffff::1").error_messages == [LOCKED]
    assert login("admin", address="2001:db8:1:3::1").errors == []


def test_failures_are_counted_in_a_store_every_process_shares():
    """Without REDIS_URL the counters live in a database table (one per deployment), never in
    one process's memory."""
    backend = settings.CACHES[settings.LOGIN_THROTTLE_CACHE]["BACKEND"]
    assert backend == "core.throttle.DatabaseCounterCache"
    login("nobody", "guess", STRANGER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_login_throttle")
        assert cursor.fetchone()[0] >= 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_cannot_exceed_the_limit(make_user, monkeypatch):
    """Twelve wrong passwords sent at once from one address: at most five are checked."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        # Writers of a shared in-memory database fail at once instead of waiting; the store
        # itself is tested concurrently on a SQLite file below.
        pytest.skip("needs a database that takes concurrent writers")
    make_user(username="admin")
    attempts = 12
    checked = []
    barrier = threading.Barrier(attempts, timeout=2)
    real_authenticate = jwt_decorators.authenticate

    def slow_authenticate(**credentials):
        # Hold every attempt that got past the throttle until all twelve are in flight.
        checked.append(credentials["username"])
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return real_authenticate(**credentials)

    monkeypatch.setattr(jwt_decorators, "authenticate", slow_authenticate)

    def guess(n: int) -> list[str]:
        try:
            return login("admin", f"guess-{n}", STRANGER).error_messages
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        answers = list(pool.map(guess, range(attempts)))

    assert len(checked) == 5
    assert sorted(answers) == sorted([[BAD_CREDENTIALS]] * 5 + [[LOCKED]] * 7)


@pytest.fixture
def store_file(tmp_path) -> str:
    """A SQLite file holding the throttle's table, as core's migration creates it."""
    path = str(tmp_path / "throttle.sqlite3")
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE core_login_throttle (cache_key varchar(255) PRIMARY KEY, "
                   "value text NOT NULL, expires datetime NOT NULL)")
    return path


def in_processes(store_file: str, work, count: int) -> list:
    """`work` run once in each of `count` worker processes at the same time."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(count, initializer=throttle_processes.configure,
                      initargs=(store_file,)) as pool:
        return pool.map(work, range(count), chunksize=1)


def test_concurrent_increments_of_the_database_store_are_exact(store_file):
    results = in_processes(store_file, throttle_processes.increment, 10)

    assert sorted(results) == list(range(1, 11))


def test_concurrent_attempts_from_many_processes_stay_within_the_limit(store_file):
    results = in_processes(store_file, throttle_processes.attempt, 10)

    assert results.count(True) == throttle_processes.LIMIT
