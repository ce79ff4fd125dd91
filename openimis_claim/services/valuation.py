"""The period's valuation (batch run): relative-priced lines are paid from the product's pool.

For a tenant, a month and optionally a region or district: every processed claim of that month
(by date processed) is taken; per product, the index is the month's pool over what its
relative-priced lines approved (capped at 1: never more than approved; 1 when the product has no
pool for the month); each such line is valued at its approved amount times the index, and claims
whose lines are all valued become valuated. The run is stored with its totals and closes the
period: running it again is refused.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from core.db import insert_rows, update_rows
from core.gql.errors import MutationError
from core.gql.mutations import MutationOutcome
from core.models import Tenant
from core.registers.models import Location
from openimis_claim import signals
from openimis_claim.codes import ClaimStatus, LineStatus
from openimis_claim.models import (
    BatchRun,
    Claim,
    ClaimItem,
    ClaimService,
    ClaimStatusHistory,
    RelativePool,
)
from openimis_claim.services.common import (
    recompute_amounts,
    record_change,
    require_scheme_side,
    track_versions,
    write_versions,
)

ONE = Decimal("1")
CENT = Decimal("0.01")
INDEX_PLACES = Decimal("0.000001")


def run_valuation(user, tenant: Tenant, year: int, month: int,
                  location: Location | None = None) -> BatchRun:
    if not 1 <= month <= 12:
        raise MutationError("month must be 1 to 12", code="invalid_period", detail="month")
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()  # one run at a time
    closed = BatchRun.objects.filter(tenant=tenant, location=location, run_year=year,
                                     run_month=month).first()
    if closed is not None:
        raise MutationError(
            f"{year}-{month:02d} is already valuated (batch run of "
            f"{closed.run_date:%Y-%m-%d}); a closed period is not run again",
            code="period_closed", detail={"batchRunId": closed.pk})
    claims = Claim.objects.filter(tenant=tenant, status=ClaimStatus.PROCESSED,
                                  validity_to__isnull=True, date_processed__year=year,
                                  date_processed__month=month)
    if location is not None:
        claims = claims.filter(Q(health_facility__location=location)
                               | Q(health_facility__location__parent=location))
    claims = list(claims.select_related("insuree"))
    track_versions(claims)
    lines_of: dict[int, list] = defaultdict(list)
    for model, related in ((ClaimItem, "item"), (ClaimService, "service")):
        for line in model.objects.filter(claim__in=claims, status=LineStatus.PASSED,
                                         validity_to__isnull=True).select_related(related):
            lines_of[line.claim_id].append(line)
    relative = [line for lines in lines_of.values() for line in lines
                if line.price_valuated is None]
    by_product: dict[int | None, list] = defaultdict(list)
    for line in relative:
        by_product[line.product_id].append(line)
    pools = {pool.product_id: pool.amount for pool in RelativePool.objects.filter(
        tenant=tenant, year=year, month=month, product_id__in=[p for p in by_product if p])}
    totals = {}
    for product_id, lines in by_product.items():
        approved = sum((line.approved_amount() for line in lines), Decimal("0"))
        pool = pools.get(product_id)
        index = ONE if pool is None or approved == 0 else min(ONE, pool / approved)
        index = index.quantize(INDEX_PLACES)
        for line in lines:
            line.price_valuated = line.remunerated_amount = (
                line.approved_amount() * index).quantize(CENT, rounding=ROUND_HALF_UP)
        totals[str(product_id)] = {
            "pool": str(pool) if pool is not None else None,
            "relativeTotal": str(approved.quantize(CENT)),
            "index": str(index), "lines": len(lines),
        }
    run = BatchRun.objects.create(tenant=tenant, location=location, run_year=year,
                                  run_month=month, audit_user=user, totals=totals)
    for model in (ClaimItem, ClaimService):
        update_rows(model, [ln for ln in relative if isinstance(ln, model)],
                    ("price_valuated", "remunerated_amount"))
    history, valued = [], []
    for claim in claims:
        lines = lines_of[claim.pk]
        if any(line.price_valuated is None for line in lines):
            continue
        record_change(claim, "status", ClaimStatus.VALUATED, user, f"batch run {run.pk}",
                      history)
        claim.batch_run = run
        recompute_amounts(claim, lines)
        valued.append(claim)
    update_rows(Claim, valued, ("status", "batch_run", "valuated", "remunerated", "approved",
                                "claimed"))
    insert_rows(ClaimStatusHistory, history)
    write_versions(valued, user)
    run.claims_count = len(valued)
    run.valuated_total = sum((claim.valuated or Decimal("0") for claim in valued),
                             Decimal("0"))
    run.run_date = timezone.now()
    run.save(update_fields=["claims_count", "valuated_total", "run_date"])
    for claim in valued:
        signals.claim_valuated.send(sender=Claim, claim=claim, user=user)
    return run


def valuate_period(user, data: dict) -> MutationOutcome:
    """`valuateClaims(year, month, locationUuid)`: the user's tenant's batch run."""
    from core.scoping import scope_queryset

    require_scheme_side(user, "run a period's valuation")
    if user.tenant_id is None:
        raise MutationError("A batch run belongs to a tenant; this user has none",
                            code="no_tenant")
    location = None
    if data.get("location_uuid"):
        location = scope_queryset(user, Location.objects.filter(
            uuid=data["location_uuid"])).first()
        if location is None:
            raise MutationError(f"No location {data['location_uuid']}", code="not_found",
                                detail="locationUuid")
    run = run_valuation(user, user.tenant, int(data["year"]), int(data["month"]), location)
    return MutationOutcome(uuids=[str(c) for c in run.claims.values_list("uuid", flat=True)],
                           autogenerated_code=str(run.pk),
                           json_ext={"batchRunId": run.pk, "claims": run.claims_count,
                                     "valuated": str(run.valuated_total)})
