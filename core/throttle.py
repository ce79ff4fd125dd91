"""Login throttling: brute force stays expensive, and a stranger cannot lock a known user out.

Three counters per window of `LOGIN_LOCKOUT_SECONDS` (fixed, from the first attempt counted):

- per (username, client address), `LOGIN_MAX_FAILURES`: the guesser's own address is stopped;
  the owner at another address is not affected;
- per client address, `LOGIN_MAX_FAILURES_PER_ADDRESS`: one address spraying many usernames;
- per username, `LOGIN_MAX_FAILURES_PER_USERNAME`: many addresses guessing one account. This one
  can hold up a user only at an address they never logged in from: an address a user logged in
  from in the last `LOGIN_KNOWN_ADDRESS_DAYS` is "known" for that user and skips the address and
  username counters (the pair counter still applies).

An attempt takes its place in every counter *before* the password is checked (an atomic
increment) and gives it back when refused or successful, so counters hold failures plus
attempts in flight: N concurrent guesses cannot get more than the limit checked.

The counters live in the `LOGIN_THROTTLE_CACHE` cache, shared by every worker of a deployment:
Redis when `REDIS_URL` is set, otherwise a database table (`DatabaseCounterCache`).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import pickle
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.http import HttpRequest
from django.utils.timezone import now as tz_now

# Concurrent increments retry their compare-and-set; each retry means another one succeeded.
CAS_ATTEMPTS = 100


class DatabaseCounterCache(DatabaseCache):
    """Django's database cache with an `incr` that stays exact under concurrent workers.

    Django's `incr` reads, adds and writes back (two workers can both write n+1) and resets the
    expiry; here the write is a compare-and-set on the stored value that keeps the expiry. Every
    statement runs on its own (no read-then-write transaction), so SQLite's busy timeout makes
    concurrent workers wait instead of failing. The statements are valid on PostgreSQL and
    SQLite (3.24+) alike."""

    def _quoted(self, connection) -> tuple[str, str, str, str]:
        quote_name = connection.ops.quote_name
        return (quote_name(self._table), quote_name("cache_key"), quote_name("value"),
                quote_name("expires"))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        """One statement (insert, or replace an expired row): Django's select-then-insert in a
        transaction fails silently when SQLite workers contend, leaving no counter at all."""
        key = self.make_and_validate_key(key, version=version)
        connection = connections[router.db_for_write(self.cache_model_class)]
        table, cache_key, value_column, expires = self._quoted(connection)
        timeout = self.get_backend_timeout(timeout)
        expiry = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        upsert = (
            f"INSERT INTO {table} ({cache_key}, {value_column}, {expires}) "  # noqa: S608
            f"VALUES (%s, %s, %s) ON CONFLICT ({cache_key}) DO UPDATE "
            f"SET {value_column} = excluded.{value_column}, {expires} = excluded.{expires} "
            f"WHERE {table}.{expires} <= %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(upsert, [
                key, encoded,
                connection.ops.adapt_datetimefield_value(expiry.replace(microsecond=0)), now,
            ])
            return cursor.rowcount == 1

    def incr(self, key, delta: int = 1, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        connection = connections[router.db_for_write(self.cache_model_class)]
        table, cache_key, value, expires = self._quoted(connection)
        # Identifiers are quoted names from settings; values are parameters.
        select = f"SELECT {value} FROM {table} WHERE {cache_key} = %s AND {expires} > %s"  # noqa: S608
        compare_and_set = (
            f"UPDATE {table} SET {value} = %s "  # noqa: S608
            f"WHERE {cache_key} = %s AND {value} = %s AND {expires} > %s"
        )
        for _attempt in range(CAS_ATTEMPTS):
            now = connection.ops.adapt_datetimefield_value(tz_now().replace(microsecond=0))
            with connection.cursor() as cursor:
                cursor.execute(select, [key, now])
                row = cursor.fetchone()
                if row is None:
                    raise ValueError(f"Key '{key}' not found")
                # Pickled as Django's database cache writes this table (only the app writes it).
                new_value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301
                encoded = base64.b64encode(pickle.dumps(new_value, self.pickle_protocol))
                cursor.execute(compare_and_set, [encoded.decode("latin1"), key, row[0], now])
                if cursor.rowcount == 1:
                    return new_value
        raise RuntimeError(f"Could not increment '{key}': too much contention")


def _address_key(address: str) -> str:
    """One client: an IPv4 address, or an IPv6 /64 (what one subscriber usually holds)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_ip(request: HttpRequest) -> str:
    """The client's address as sent: REMOTE_ADDR, or with `TRUSTED_PROXY_COUNT` proxies in
    front, the address the outermost of them saw (counted from the right of X-Forwarded-For,
    since entries on the left are whatever the client sent). Not checked: it may be no address."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        hops = [
            hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if hop.strip()
        ]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return address.strip()


def client_address(request: HttpRequest) -> str:
    """The client as the throttle counts it (`client_ip`, an IPv6 client by its /64)."""
    return _address_key(client_ip(request))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:40]


class LoginThrottle:
    """The throttle of one login attempt: `acquire()` before checking the password, then
    `succeeded()` when it was right (a failure keeps its place in the counters)."""

    def __init__(self, username: str, address: str) -> None:
        self.username = (username or "").strip().lower()
        self.address = address
        self.cache = caches[settings.LOGIN_THROTTLE_CACHE]
        self.pair_key = f"login:pair:{_digest(self.username, address)}"
        self.address_key = f"login:address:{_digest(address)}"
        self.username_key = f"login:username:{_digest(self.username)}"
        self.known_key = f"login:known:{_digest(self.username, address)}"
        self._taken: list[str] = []

    def _limits(self) -> list[tuple[str, int]]:
        limits = [(self.pair_key, settings.LOGIN_MAX_FAILURES)]
        if self.cache.get(self.known_key) is None:
            limits += [
                (self.address_key, settings.LOGIN_MAX_FAILURES_PER_ADDRESS),
                (self.username_key, settings.LOGIN_MAX_FAILURES_PER_USERNAME),
            ]
        return limits

    def _take(self, key: str) -> int:
        window = settings.LOGIN_LOCKOUT_SECONDS
        self.cache.add(key, 0, window)
        try:
            return self.cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            self.cache.add(key, 0, window)
            return self.cache.incr(key)

    def _give_back(self, key: str) -> None:
        try:
            self.cache.decr(key)
        except ValueError:  # the window ended meanwhile
            pass

    def acquire(self) -> bool:
        """Take this attempt's place in each counter; False (nothing taken) when one is full."""
        taken: list[str] = []
        for key, limit in self._limits():
            taken.append(key)
            if self._take(key) > limit:
                for held in taken:
                    self._give_back(held)
                return False
        self._taken = taken
        return True

    def succeeded(self) -> None:
        """The right password: this user's failures from this address are forgotten, the
        attempt is given back to the other counters, and the address becomes known."""
        self.cache.delete(self.pair_key)
        for key in self._taken:
            if key != self.pair_key:
                self._give_back(key)
        self._taken = []
        self.cache.set(self.known_key, 1, settings.LOGIN_KNOWN_ADDRESS_DAYS * 24 * 3600)
