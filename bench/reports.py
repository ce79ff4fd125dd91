"""Figures for the reports module: median time of the claim print of a 10-line claim
(`GET /api/claim/print/?uuid=`) and of the claims overview PDF over 1,000 claims
(`GET /api/report/claims_overview/pdf/`), through the endpoints with a JWT header.

Run: .venv/bin/python bench/reports.py [--rounds 20] [--claims 1000] [--facilities 12]
(DATABASE_URL selects the database; a throwaway test database is created and dropped).
Prints medians, 95th percentiles and SQL statements per request. Targets (issue 7): the claim
print under 300 ms, the overview for 1,000 claims under 2 s.

Most of a small PDF's time is font subsetting: WeasyPrint uses the HarfBuzz-Subset system library
when it finds it (Debian/Ubuntu: libharfbuzz-subset0), else fontTools, some 200-250 ms slower per
PDF; the first line printed says which one ran.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from graphql_jwt.shortcuts import get_token  # noqa: E402
from weasyprint.text.ffi import harfbuzz_subset  # noqa: E402

from bench.harness import throwaway_database  # noqa: E402
from core.models import Role, RoleRight, Tenant, User  # noqa: E402
from openimis_claim.codes import ClaimStatus  # noqa: E402
from openimis_claim.models import Claim  # noqa: E402
from openimis_claim.services import submit_claims  # noqa: E402
from tests.factories import (  # noqa: E402
    make_claim,
    make_claim_scene,
    make_facility,
    make_item,
    make_pricelist_detail,
    make_service,
)

TARGETS_MS = {"claim print": 300, "claims overview": 2000}


def timed(rounds: int, call) -> tuple[float, float, int]:
    call(-1)  # warm-up: fonts and templates load on the first render
    samples, queries = [], 0
    for i in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call(i)
            samples.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)], queries


def pdf(client: Client, url: str, token: str) -> None:
    response = client.get(url, HTTP_AUTHORIZATION=f"JWT {token}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"


def ten_line_claim(tenant: Tenant, scene, user: User) -> Claim:
    """Seven items and three services on the facility's price lists, submitted (checked)."""
    items = [scene.item]
    for n in range(6):
        item = make_item(tenant, name=f"Bench item {n}", price=Decimal("1.25") * (n + 1))
        make_pricelist_detail(scene.facility.items_pricelist, item)
        items.append(item)
    services = [scene.service]
    for n in range(2):
        service = make_service(tenant, name=f"Bench service {n}", price=Decimal("15.00"))
        make_pricelist_detail(scene.facility.services_pricelist, service)
        services.append(service)
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=scene.diagnosis, code="BENCH-PRINT",
                       items=[(item, 2, str(item.price)) for item in items],
                       services=[(service, 1, str(service.price)) for service in services])
    with transaction.atomic():  # as the mutation runs it (rows locked)
        submit_claims(user, [str(claim.uuid)])
    return claim


def many_claims(tenant: Tenant, scene, count: int, facilities: int) -> None:
    """`count` claims over `facilities` facilities, claimed across 2025, in every status."""
    rng = random.Random(42)  # noqa: S311 - repeatable bench data
    places = [scene.facility] + [make_facility(tenant) for _ in range(facilities - 1)]
    statuses = list(ClaimStatus)
    rows = []
    for n in range(count):
        status = rng.choice(statuses)
        claimed = Decimal(rng.randint(500, 50000)) / 100
        approved = None if status in (ClaimStatus.ENTERED,) else \
            Decimal("0") if status == ClaimStatus.REJECTED else claimed * Decimal("0.9")
        rows.append(Claim(
            tenant=tenant, code=f"BULK{n:05d}", insuree=scene.insuree,
            health_facility=places[n % len(places)], icd=scene.diagnosis,
            date_from=date(2025, 1, 1) + timedelta(days=n % 360),
            date_claimed=date(2025, 1, 2) + timedelta(days=n % 360), status=status,
            claimed=claimed, approved=approved and approved.quantize(Decimal("0.01")),
            valuated=approved if status == ClaimStatus.VALUATED else None))
    Claim.objects.bulk_create(rows, batch_size=500)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--facilities", type=int, default=12)
    options = parser.parse_args()

    with throwaway_database():
        tenant = Tenant.objects.create(code="B1", name="Bench")
        scene = make_claim_scene(tenant)
        user = User.objects.create_user("bench", password="bench-pass-1", tenant=tenant)
        role = Role.objects.create(tenant=tenant, name="bench")
        RoleRight.objects.bulk_create(RoleRight(role=role, right_id=r)
                                      for r in (111001, 111006, 111007))
        user.roles.add(role)
        claim = ten_line_claim(tenant, scene, user)
        lines = claim.items.count() + claim.services.count()
        many_claims(tenant, scene, options.claims, options.facilities)
        in_period = Claim.objects.filter(tenant=tenant, date_claimed__year=2025).count()
        client, token = Client(), get_token(user)
        rows = [
            (f"claim print, {lines} lines", "claim print",
             lambda i: pdf(client, f"/api/claim/print/?uuid={claim.uuid}", token)),
            (f"claims overview, {in_period:,} claims", "claims overview",
             lambda i: pdf(client, "/api/report/claims_overview/pdf/?dateFrom=2025-01-01"
                                   "&dateTo=2025-12-31", token)),
        ]
        print(f"database: {connection.vendor}, rounds: {options.rounds}; "
              f"{options.facilities} facilities; fonts subset by "
              f"{'HarfBuzz-Subset' if harfbuzz_subset is not None else 'fontTools'}")
        print(f"{'report':<34} {'median ms':>10} {'p95 ms':>8} {'SQL':>5} {'target ms':>10}")
        for name, key, call in rows:
            median, p95, queries = timed(options.rounds, call)
            verdict = "ok" if median < TARGETS_MS[key] else "OVER"
            print(f"{name:<34} {median:>10.1f} {p95:>8.1f} {queries:>5} "
                  f"{TARGETS_MS[key]:>10} {verdict}")


if __name__ == "__main__":
    main()
