"""Adjudication at volume: submit, then process, N entered claims of 5 lines each.

Run: .venv/bin/python bench/adjudication.py [--claims 10000] [--chunk 2000]
`DATABASE_URL` picks the database (SQLite by default); a throwaway test database is created and
dropped. Registers come from the seed generator (insurees with policies, price lists, products);
the claims are entered in bulk at the insurees' facilities, dated inside their active policies,
with 5 lines from the facility's price lists. Prints lines per second and SQL statements per
claim for each step, and the statements of one `submitClaims` of a single 5-line claim.
Target (issue 5): at least 2,000 lines/s end to end on PostgreSQL; at most 20 statements for
one claim.

`--workers 1,2` (PostgreSQL and RabbitMQ) runs the same batch again, in a fresh database seeded
alike, through the bulk mutations on that many Celery worker processes (core.bulk), for each
count given; it prints their speed and whether every claim, line, history count and ledger total
ends as the inline run left them.
"""

from __future__ import annotations

import argparse
import os
import random
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

from bench.harness import throwaway_database  # noqa: E402
from core.models import Tenant, User  # noqa: E402
from core.registers.codes import PolicyStatus  # noqa: E402
from core.registers.models import (  # noqa: E402
    Diagnosis,
    HealthFacility,
    InsureePolicy,
    ItemsPricelistDetail,
    ServicesPricelistDetail,
)
from core.registers.seeding import seed_registers  # noqa: E402
from openimis_claim.models import Claim, ClaimItem, ClaimService  # noqa: E402
from openimis_claim.services import process_claims, submit_claims  # noqa: E402

TODAY = date(2026, 11, 1)


def enter_claims(tenant: Tenant, count: int, rng: random.Random) -> list[str]:
    facilities = list(HealthFacility.objects.filter(tenant=tenant))
    items = {f.pk: list(ItemsPricelistDetail.objects.filter(pricelist=f.items_pricelist_id)
                        .select_related("item")) for f in facilities}
    services = {f.pk: list(ServicesPricelistDetail.objects.filter(
        pricelist=f.services_pricelist_id).select_related("service")) for f in facilities}
    covered = list(InsureePolicy.objects.filter(
        policy__tenant=tenant, policy__status=PolicyStatus.ACTIVE,
        effective_date__lte=TODAY, expiry_date__gte=TODAY).values_list(
        "insuree_id", "effective_date"))
    diagnoses = list(Diagnosis.objects.values_list("pk", flat=True)[:300])
    claims, lines = [], []
    for n in range(count):
        insuree_id, effective = rng.choice(covered)
        facility = rng.choice(facilities)
        on = effective + timedelta(days=rng.randint(0, max(0, (TODAY - effective).days)))
        claim = Claim(tenant=tenant, code=f"B{n:07d}", insuree_id=insuree_id,
                      health_facility=facility, icd_id=rng.choice(diagnoses), date_from=on,
                      date_claimed=on, care_type="OPD", claimed=Decimal("0"))
        claims.append(claim)
        picked = rng.sample(items[facility.pk], 3) + rng.sample(services[facility.pk], 2)
        lines.append(picked)
    Claim.objects.bulk_create(claims, batch_size=2000)
    rows_i, rows_s = [], []
    for claim, picked in zip(claims, lines, strict=True):
        for detail in picked:
            price = detail.price_overrule or (detail.item.price if hasattr(detail, "item_id")
                                              and isinstance(detail, ItemsPricelistDetail)
                                              else detail.service.price)
            if isinstance(detail, ItemsPricelistDetail):
                rows_i.append(ClaimItem(claim=claim, item_id=detail.item_id,
                                        qty_provided=Decimal(rng.randint(1, 3)),
                                        price_asked=price))
            else:
                rows_s.append(ClaimService(claim=claim, service_id=detail.service_id,
                                           qty_provided=Decimal("1"), price_asked=price))
    ClaimItem.objects.bulk_create(rows_i, batch_size=5000)
    ClaimService.objects.bulk_create(rows_s, batch_size=5000)
    return [str(c.uuid) for c in claims]


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run(step, user, uuids: list[str], chunk: int) -> tuple[float, int]:
    """Chunks of claims, each one transaction (as the command and tasks run them)."""
    counter = StatementCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        for start in range(0, len(uuids), chunk):
            with transaction.atomic():
                step(user, uuids[start:start + chunk])
    return time.perf_counter() - started, counter.count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--insurees", type=int, default=20_000)
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--workers", default="",
                        help="comma-separated worker counts to run the batch on (e.g. 1,2)")
    options = parser.parse_args()
    counts = [int(n) for n in options.workers.split(",") if n.strip()]
    inline_result = None
    with throwaway_database():
        tenant = Tenant.objects.create(code="BENCH", name="Bench")
        seed_registers(tenant, insurees=options.insurees, facilities=24, seed=1, today=TODAY)
        user = User.objects.create_user("bench", tenant=tenant, is_superuser=True)
        uuids = enter_claims(tenant, options.claims, random.Random(1))  # noqa: S311
        lines = ClaimItem.objects.count() + ClaimService.objects.count()
        single = uuids[-1:]
        uuids = uuids[:-1]
        submit_time, submit_sql = run(submit_claims, user, uuids, options.chunk)
        process_time, process_sql = run(process_claims, user, uuids, options.chunk)
        one = StatementCounter()
        with connection.execute_wrapper(one), transaction.atomic():
            submit_claims(user, single)
        statuses = dict(Claim.objects.values_list("status").annotate(
            n=django.db.models.Count("pk")).order_by("status"))
        if counts:
            inline_result = fingerprint(tenant, exclude=single)
    n = len(uuids)
    print(f"database: {connection.vendor}; {n:,} claims, {lines - 5:,} lines, "
          f"chunks of {options.chunk}")
    print(f"  submit : {submit_time:6.1f} s  {(lines - 5) / submit_time:8,.0f} lines/s  "
          f"{submit_sql / n:5.2f} SQL/claim")
    print(f"  process: {process_time:6.1f} s  {(lines - 5) / process_time:8,.0f} lines/s  "
          f"{process_sql / n:5.2f} SQL/claim")
    total = submit_time + process_time
    print(f"  end to end: {total:.1f} s, {(lines - 5) / total:,.0f} lines/s "
          f"(each line submitted and processed)")
    print(f"  one 5-line claim submitted alone: {one.count} SQL statements")
    print(f"  claims by status after: {statuses}")
    for workers in counts:
        with throwaway_database():
            seconds, result = on_workers(options, workers)
        same = "identical to the inline run" if result == inline_result else "DIFFERENT"
        print(f"  {workers} worker(s): submit and process {seconds:6.1f} s, "
              f"{(lines - 5) / seconds:,.0f} lines/s end to end; results {same}")


def fingerprint(tenant: Tenant, exclude: list[str] = ()) -> tuple:
    """Every claim's state, amounts, line verdicts and history count, and the ledger totals."""
    from django.db.models import Count, Sum

    from openimis_claim.models import ClaimDedRem, ClaimStatusHistory

    claims = Claim.objects.filter(tenant=tenant).exclude(uuid__in=exclude) \
        .prefetch_related("items", "services")
    history = dict(ClaimStatusHistory.objects.filter(claim__tenant=tenant)
                   .exclude(claim__uuid__in=exclude).values_list("claim__code")
                   .annotate(n=Count("pk")))
    state = sorted((claim.code, claim.status, claim.approved, claim.valuated,
                    claim.rejection_reason, history.get(claim.code, 0),
                    tuple(sorted((line.status, line.rejection_reason, line.qty_approved,
                                  line.price_approved, line.remunerated_amount)
                                 for line in [*claim.items.all(), *claim.services.all()])))
                   for claim in claims)
    ledger = ClaimDedRem.objects.filter(claim__tenant=tenant).exclude(
        claim__uuid__in=exclude).aggregate(rows=Count("pk"), paid=Sum("remunerated"),
                                           deducted=Sum("deducted"))
    return state, ledger


def on_workers(options, workers: int) -> tuple[float, tuple]:
    """The batch through the bulk mutations on `workers` worker processes: seconds, outcome."""
    import uuid as uuid_module

    from django.conf import settings
    from django.test import override_settings

    from bench.workers import BROKER, Worker, use_broker, wait_for
    from openimis_claim.gql.mutations import ProcessClaimsMutation, SubmitClaimsMutation

    tenant = Tenant.objects.create(code="BENCH", name="Bench")
    seed_registers(tenant, insurees=options.insurees, facilities=24, seed=1, today=TODAY)
    user = User.objects.create_user("bench", tenant=tenant, is_superuser=True)
    entered = enter_claims(tenant, options.claims, random.Random(1))  # noqa: S311
    uuids = entered[:-1]  # the inline run submits the last one alone
    queue = f"bench-{uuid_module.uuid4().hex[:8]}"
    use_broker(BROKER, task_always_eager=False, task_default_queue=queue)
    started = [Worker(queue, concurrency=1, settings_module=settings.SETTINGS_MODULE)
               for _ in range(workers)]
    try:
        with override_settings(CELERY_BROKER_URL=BROKER, CELERY_TASK_ALWAYS_EAGER=False,
                               CELERY_TASK_DEFAULT_QUEUE=queue, BULK_CHUNK_SIZE=options.chunk):
            began = time.perf_counter()
            for mutation in (SubmitClaimsMutation, ProcessClaimsMutation):
                log = wait_for(mutation.run(user, {"uuids": uuids}), seconds=3600)
                if log.progress_done != len(uuids):
                    raise SystemExit(f"{mutation.__name__}: {log.progress_done} of {len(uuids)}")
            seconds = time.perf_counter() - began
    finally:
        for worker in started:
            worker.stop()
    return seconds, fingerprint(tenant, exclude=entered[-1:])


if __name__ == "__main__":
    main()
