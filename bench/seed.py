"""Rows per second of the register generator: `seed_registers` for one tenant.

Run: .venv/bin/python bench/seed.py [--insurees 100000] [--seed 42]
`DATABASE_URL` picks the database (SQLite by default); a throwaway test database is created and
dropped. Target (issue 3): 100,000 insurees with families and policies in under 60 s on
PostgreSQL on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from bench.harness import throwaway_database  # noqa: E402
from core.models import Tenant  # noqa: E402
from core.registers.seeding import seed_registers  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--insurees", type=int, default=100_000)
    parser.add_argument("--facilities", type=int, default=60)
    parser.add_argument("--seed", type=int, default=42)
    options = parser.parse_args()

    with throwaway_database():
        tenant = Tenant.objects.create(code="BENCH", name="Bench scheme")
        started = time.perf_counter()
        result = seed_registers(tenant, insurees=options.insurees,
                                facilities=options.facilities, seed=options.seed,
                                today=date(2026, 11, 1))
        elapsed = time.perf_counter() - started
    print(f"database: {connection.vendor}; seed {options.seed}")
    for name, count in result.counts.items():
        print(f"  {name:<20} {count:>9,}")
    print(f"{options.insurees:,} insurees, {result.total:,} rows in {elapsed:.1f} s: "
          f"{result.total / elapsed:,.0f} rows/s, {options.insurees / elapsed:,.0f} insurees/s")


if __name__ == "__main__":
    main()
