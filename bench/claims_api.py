"""Figures for the claims module: per-request time and SQL statements of the claim searcher, the
claim page and createClaim over the GraphQL endpoint, as the web app calls them (JWT header).

Run: .venv/bin/python bench/claims_api.py [--rounds 50] [--claims 300] [--insurees 1000]
[--lined-claims 5000]
(DATABASE_URL selects the database; a throwaway test database is created and dropped). The data
is the demo generator's: registers, then claims in every status moved by the real services.
Prints medians and 95th percentiles. Targets (issue 4): the searcher at 100 claims under 60 ms,
createClaim under 25 ms and at most 15 SQL statements; (issue 15) the searcher with lines at 100
claims in at most 8 statements and under 60 ms on PostgreSQL over 5,000 claims of 5 lines, at 10
claims under 15 ms.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from graphql_jwt.shortcuts import get_token  # noqa: E402

from bench.adjudication import enter_claims  # noqa: E402
from bench.harness import analyze, throwaway_database  # noqa: E402
from core.demo import DemoSize  # noqa: E402
from core.models import Role, RoleRight, Tenant, User  # noqa: E402
from core.registers.models import (  # noqa: E402
    Diagnosis,
    HealthFacility,
    Insuree,
    ItemsPricelistDetail,
    ServicesPricelistDetail,
)
from core.registers.seeding import seed_registers  # noqa: E402
from openimis_claim.demo import seed_claims  # noqa: E402
from openimis_claim.models import Claim, ClaimAdmin  # noqa: E402

TODAY = date(2026, 11, 1)
CLAIM_RIGHTS = (111001, 111002, 111004, 111005, 111006, 111007, 111008, 111009, 111010, 111011,
                111012, 111101, 101201)

# API.md "Claim queries": the searcher's full node selection, and the claim page.
SEARCHER_NODE = """uuid code jsonExt dateFrom dateTo dateClaimed dateProcessed feedbackStatus
  reviewStatus claimed approved valuated status restoreId preAuthorization attachmentsCount
  careType visitType healthFacility { id uuid code name }
  insuree { id uuid chfId lastName otherNames dob }"""
SEARCHER = f"""query ($first: Int) {{ claims(first: $first, orderBy: ["-dateClaimed"]) {{
  totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
  edges {{ node {{ {SEARCHER_NODE} }} }} }} }}"""
# Issue 15: what mobile apps, reports and integrations select: the claims with their lines.
SEARCHER_LINES = """query ($first: Int) { claims(first: $first, orderBy: ["-dateClaimed"]) {
  totalCount edges { node { uuid code dateClaimed status claimed approved
    healthFacility { code name } insuree { chfId lastName otherNames }
    items { qtyProvided priceAsked item { code } }
    services { qtyProvided priceAsked service { code } } } } } }"""
FACILITY = """{ id uuid code name level servicesPricelist { id uuid } itemsPricelist { id uuid }
  contractStartDate contractEndDate
  location { id uuid code name type parent { id uuid code name type } } }"""
DIAGNOSIS = "{ id code name }"
LINE = """id qtyProvided priceAsked qtyApproved priceApproved priceValuated priceAdjusted
  explanation justification rejectionReason status product { id uuid }"""
CLAIM = f"""query ($uuid: String!) {{ claim(uuid: $uuid) {{
  {SEARCHER_NODE}
  guaranteeId explanation adjustment patientCondition referralCode restore {{ uuid code }}
  healthFacility {FACILITY} referFrom {FACILITY} referTo {FACILITY}
  admin {{ id uuid code lastName otherNames healthFacility {FACILITY} }}
  icd {DIAGNOSIS} icd1 {DIAGNOSIS} icd2 {DIAGNOSIS} icd3 {DIAGNOSIS} icd4 {DIAGNOSIS}
  feedback {{ id careRendered paymentAsked drugPrescribed drugReceived asessment feedbackDate
              officerId }}
  items {{ {LINE} item {{ id code name price maximumAmount }} }}
  services {{ {LINE} service {{ id code name price maximumAmount }} }}
}} }}"""
# The web app's shell and the claim page's side queries (issue 8).
PROFILE = """{ user { id username rights email lastName otherNames phone
  iUser { id uuid language { code name } } claimAdmin { id code uuid }
  officer { id uuid code dob address location { id uuid code name parent { id uuid code name } } }
  healthFacility HF_FIELDS } }""".replace("HF_FIELDS", FACILITY)
DISTRICTS = "{ userDistricts { id uuid code name parent { id uuid code name } } }"
HISTORY = """query ($uuid: String!) { claimHistory(claimUuid: $uuid) { totalCount
  edges { node { uuid validityTo code jsonExt dateClaimed dateProcessed feedbackStatus
    reviewStatus claimed approved status restoreId attachmentsCount
    insuree { id uuid chfId lastName otherNames dob insureePolicies { edges { node {
      policy { id status effectiveDate expiryDate product { id name } } } } } } } } } }"""
PRICELISTS = """query ($services: Int, $items: Int) { pricelists(servicesPricelistId: $services,
  itemsPricelistId: $items) { services { id p } items { id p } } }"""
POLICIES = """query ($chfId: String!, $date: Date) { policiesByInsuree(chfId: $chfId,
  targetDate: $date) { totalCount edges { node { policyUuid productCode productName officerCode
  officerName enrollDate effectiveDate startDate expiryDate status policyValue balance ded
  dedInPatient dedOutPatient ceiling ceilingInPatient ceilingOutPatient } } } }"""
CREATE = """mutation ($cmid: String, $code: String) {
  createClaim(input: {clientMutationId: $cmid, clientMutationLabel: "Bench claim",
    code: $code, autogenerate: true, insureeId: %(insuree)d, adminId: %(admin)d,
    healthFacilityId: %(facility)d, icdId: %(icd)d, dateFrom: "2026-10-20",
    dateClaimed: "2026-10-21", visitType: "O", careType: "OPD",
    items: [{itemId: %(item1)d, qtyProvided: "12", priceAsked: "0.45"},
            {itemId: %(item2)d, qtyProvided: "10"}],
    services: [{serviceId: %(service)d, qtyProvided: "1"}]
  }) { clientMutationId internalId status error } }"""


WARM_UP = 5  # untimed calls first: a running server has its caches and prepared statements


def timed(rounds: int, call) -> tuple[float, float, int]:
    """Median and 95th percentile ms of `rounds` calls after the warm-up, and the statements of
    one more call, counted apart so that recording them does not slow the timed calls."""
    for i in range(rounds, rounds + WARM_UP):
        call(i)
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        call(rounds + WARM_UP)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], len(captured)


def post(client: Client, query: str, variables: dict, token: str) -> dict:
    response = client.post("/api/graphql", data=json.dumps({"query": query,
                                                            "variables": variables}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"JWT {token}")
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def created(data: dict) -> None:
    payload = data["createClaim"]
    assert payload["status"] == 2, payload["error"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--claims", type=int, default=300)
    parser.add_argument("--insurees", type=int, default=1000)
    parser.add_argument("--lined-claims", type=int, default=5000,
                        help="claims of 5 lines added for the searcher with lines")
    options = parser.parse_args()
    rounds = options.rounds

    with throwaway_database():
        tenant = Tenant.objects.create(code="B1", name="Bench")
        started = time.perf_counter()
        seed_registers(tenant, insurees=options.insurees, facilities=12, seed=42, today=TODAY)
        seeded = seed_claims(tenant, DemoSize(claims=options.claims, seed=42, today=TODAY))
        enter_claims(tenant, options.lined_claims, random.Random(7))  # noqa: S311 (bench data)
        analyze()
        # What seeding left in memory is not a server's: out of the collector's way, as a
        # server's start-up objects are (gc.freeze after loading the app, see config/gunicorn).
        gc.collect()
        gc.freeze()
        seeding = time.perf_counter() - started
        user = User.objects.create_user("bench", password="bench-pass-1", tenant=tenant)
        role = Role.objects.create(tenant=tenant, name="bench")
        RoleRight.objects.bulk_create(RoleRight(role=role, right_id=r) for r in CLAIM_RIGHTS)
        user.roles.add(role)
        client = Client()
        token = get_token(user)

        facility = HealthFacility.objects.get(tenant=tenant, code="HF001")
        items = list(ItemsPricelistDetail.objects.filter(
            pricelist=facility.items_pricelist, item__code__in=["0001", "0004"])
            .order_by("item__code").values_list("item_id", flat=True))
        ids = {
            "insuree": Insuree.objects.filter(tenant=tenant).order_by("chf_id").first().pk,
            "admin": ClaimAdmin.objects.filter(health_facility=facility).first().pk,
            "facility": facility.pk, "icd": Diagnosis.objects.get(code="B50").pk,
            "item1": items[0], "item2": items[1],
            "service": ServicesPricelistDetail.objects.get(
                pricelist=facility.services_pricelist, service__code="C001").service_id,
        }
        create = CREATE % ids
        detailed = [str(u) for u in Claim.objects.filter(tenant=tenant).annotate(
            lines=Count("items", distinct=True) + Count("services", distinct=True))
            .filter(lines__gte=3).order_by("code", "pk").values_list("uuid", flat=True)]
        total = Claim.objects.filter(tenant=tenant).count()
        insurees = list(Claim.objects.filter(tenant=tenant).order_by("code")
                        .values_list("insuree__chf_id", flat=True).distinct()[:50])
        rows = [
            (f"claims searcher first:10 of {total}",
             lambda i: post(client, SEARCHER, {"first": 10}, token)),
            (f"claims searcher first:100 of {total}",
             lambda i: post(client, SEARCHER, {"first": 100}, token)),
            (f"searcher with lines first:10 of {total}",
             lambda i: post(client, SEARCHER_LINES, {"first": 10}, token)),
            (f"searcher with lines first:100 of {total}",
             lambda i: post(client, SEARCHER_LINES, {"first": 100}, token)),
            ("claim(uuid) with items and services",
             lambda i: post(client, CLAIM, {"uuid": detailed[i % len(detailed)]}, token)),
            ("claimHistory(claimUuid)",
             lambda i: post(client, HISTORY, {"uuid": detailed[i % len(detailed)]}, token)),
            ("pricelists (a facility's two lists)",
             lambda i: post(client, PRICELISTS, {"services": facility.services_pricelist_id,
                                                 "items": facility.items_pricelist_id}, token)),
            ("policiesByInsuree(chfId, targetDate)",
             lambda i: post(client, POLICIES, {"chfId": insurees[i % len(insurees)],
                                               "date": "2026-10-01"}, token)),
            ("user (profile)", lambda i: post(client, PROFILE, {}, token)),
            ("userDistricts", lambda i: post(client, DISTRICTS, {}, token)),
            ("createClaim, 3 lines, code given",
             lambda i: created(post(client, create, {"cmid": f"bench-{i}",
                                                     "code": f"BENCH{i:05d}"}, token))),
            ("createClaim, 3 lines, code \"auto\"",
             lambda i: created(post(client, create, {"cmid": f"bench-auto-{i}",
                                                     "code": "auto"}, token))),
        ]
        print(f"database: {connection.vendor}, rounds: {rounds}; data: {options.insurees:,} "
              f"insurees, {seeded.counts.get('claims', 0):,} demo claims and "
              f"{options.lined_claims:,} claims of 5 lines "
              f"(seeded in {seeding:.1f} s)")
        print(f"{'operation':<42} {'median ms':>10} {'p95 ms':>8} {'SQL':>5}")
        for name, call in rows:
            median, p95, queries = timed(rounds, call)
            print(f"{name:<42} {median:>10.2f} {p95:>8.2f} {queries:>5}")


if __name__ == "__main__":
    main()
