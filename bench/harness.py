"""What every benchmark shares: a throwaway test database on the configured server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment


@contextmanager
def throwaway_database() -> Iterator[None]:
    """Create the test database of `DATABASE_URL` (migrated), and drop it afterwards."""
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def analyze() -> None:
    """Tables as autovacuum keeps them on a live PostgreSQL, after bulk seeding: planner
    statistics (without them the planner takes freshly loaded tables for empty ones and picks
    nested loops that cost ten times the query) and the visibility map (index-only scans), and
    the seeding's dirty pages written out, so that no checkpoint lands in the timings."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
