"""Figures for FHIR `POST Claim/` as the Claims Android app sends it: a claim of 2 lines (an
item and a service) created and submitted through createClaim + submitClaims, answered with its
ClaimResponse, per request; and a ClaimResponse page of 50.

Run: .venv/bin/python bench/fhir_claim.py [--rounds 50] [--claims 300] [--insurees 1000]
(DATABASE_URL selects the database; a throwaway test database is created and dropped). The data
is the demo generator's registers and claims (bench/claims_api.py's). Prints medians and 95th
percentiles after a warm-up, with the SQL statements of one more call counted apart. Target:
POST Claim/ median under 80 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from graphql_jwt.shortcuts import get_token  # noqa: E402

from bench.claims_api import TODAY, timed  # noqa: E402
from bench.harness import analyze, throwaway_database  # noqa: E402
from core.demo import DemoSize  # noqa: E402
from core.models import Role, RoleRight, Tenant, User  # noqa: E402
from core.registers.codes import PolicyStatus  # noqa: E402
from core.registers.models import (  # noqa: E402
    HealthFacility,
    InsureePolicy,
    ItemsPricelistDetail,
    ServicesPricelistDetail,
)
from core.registers.seeding import seed_registers  # noqa: E402
from openimis_claim.demo import seed_claims  # noqa: E402
from openimis_claim.models import ClaimAdmin  # noqa: E402
from tests.fhir.android_bodies import claim_body  # noqa: E402

RIGHTS = (111001, 111002, 111007)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--insurees", type=int, default=1000)
    options = parser.parse_args()

    with throwaway_database():
        tenant = Tenant.objects.create(code="B1", name="Bench")
        seed_registers(tenant, insurees=options.insurees, facilities=12, seed=42, today=TODAY)
        seed_claims(tenant, DemoSize(claims=options.claims, seed=42, today=TODAY))
        analyze()
        gc.collect()
        gc.freeze()  # as a server after start-up (config/gunicorn)
        user = User.objects.create_user("bench", password="bench-pass-1", tenant=tenant)
        role = Role.objects.create(tenant=tenant, name="bench")
        RoleRight.objects.bulk_create(RoleRight(role=role, right_id=r) for r in RIGHTS)
        user.roles.add(role)
        client = Client()
        header = {"HTTP_AUTHORIZATION": f"bearer {get_token(user)}"}

        facility = HealthFacility.objects.get(tenant=tenant, code="HF001")
        item = ItemsPricelistDetail.objects.filter(pricelist=facility.items_pricelist) \
            .select_related("item").order_by("item__code").first().item
        service = ServicesPricelistDetail.objects.filter(
            pricelist=facility.services_pricelist).select_related("service") \
            .order_by("service__code").first().service
        admin = ClaimAdmin.objects.filter(health_facility=facility).first()
        care = TODAY - timedelta(days=12)
        insurees = list(InsureePolicy.objects.filter(
            policy__tenant=tenant, policy__status=PolicyStatus.ACTIVE,
            effective_date__lte=care, expiry_date__gte=care)
            .values_list("insuree__chf_id", flat=True).distinct().order_by("insuree__chf_id"))

        def post(i: int) -> None:
            body = claim_body(code=f"FHIR{i:05d}", chf_id=insurees[i % len(insurees)],
                              hf=facility.code, admin=admin.code if admin else None,
                              items=((item.code, 2, float(item.price)),),
                              services=((service.code, 1, float(service.price)),),
                              start=care.isoformat(), end=care.isoformat(),
                              created=(care + timedelta(days=1)).isoformat())
            response = client.generic("POST", "/api/api_fhir_r4/Claim/",
                                      json.dumps(body),
                                      content_type="application/json", **header)
            assert response.status_code == 201, response.content[:500]

        def page(i: int) -> None:
            response = client.get("/api/api_fhir_r4/ClaimResponse/", {"_count": "50"}, **header)
            assert response.status_code == 200, response.content[:300]

        print(f"database: {connection.vendor}, rounds: {options.rounds}; "
              f"{options.insurees:,} insurees, {options.claims:,} demo claims")
        print(f"{'operation':<42} {'median ms':>10} {'p95 ms':>8} {'SQL':>5}")
        for name, run in (("POST Claim/ (2 lines, create+submit)", post),
                          ("GET ClaimResponse/ _count=50", page)):
            median, p95, queries = timed(options.rounds, run)
            print(f"{name:<42} {median:>10.2f} {p95:>8.2f} {queries:>5}")


if __name__ == "__main__":
    main()
