"""What earlier claims used of a policy, answered to core's eligibility check through the
`core.eligibility.coverage_usage` signal (core never imports claims).

Counted: passed lines of valid claims that were at least checked, in the policy's period,
other than the claim being checked.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.db.models.functions import Coalesce

from core.codes import SERVICE_CATEGORY_PRIORITY, ServiceCategory
from core.eligibility import CoverageUsage
from openimis_claim.codes import ClaimCareType, ClaimStatus, LineStatus
from openimis_claim.models import Claim, ClaimItem, ClaimService

COUNTED_STATUSES = (ClaimStatus.CHECKED, ClaimStatus.PROCESSED, ClaimStatus.VALUATED)
ZERO = Decimal("0")


def claim_category(service_categories: set[str], date_from, date_to) -> str:
    """ADJUDICATION.md: the highest-priority service category (S > D > A > H > C > O > V);
    a stay over several days is a hospitalization; no service: a visit."""
    if date_to is not None and date_to != date_from:
        service_categories = service_categories | {ServiceCategory.HOSPITALIZATION}
    for category in SERVICE_CATEGORY_PRIORITY:
        if category in service_categories:
            return category
    return ServiceCategory.VISIT


def _period_claims(policy, exclude):
    claims = Claim.objects.filter(
        validity_to__isnull=True, status__in=COUNTED_STATUSES,
        date_from__gte=policy.effective_date or policy.start_date,
        date_from__lte=policy.expiry_date,
    )
    if isinstance(exclude, Claim):
        claims = claims.exclude(pk=exclude.pk)
    return claims


def coverage_usage(sender, *, policy, insuree, item=None, service=None, on_date=None,
                   exclude=None, **kwargs) -> CoverageUsage:
    usage = CoverageUsage()
    claims = _period_claims(policy, exclude)
    mine = claims.filter(insuree=insuree)

    line_model, key, medical = (ClaimItem, "item", item) if item else \
        (ClaimService, "service", service)
    if medical is not None:
        lines = line_model.objects.filter(claim__in=mine, status=LineStatus.PASSED,
                                          validity_to__isnull=True, **{key: medical})
        totals = lines.aggregate(
            quantity=Sum(Coalesce("qty_approved", "qty_provided")),
            last=Max("claim__date_from", filter=Q(claim__date_from__lte=on_date)
                     if on_date else Q()),
        )
        usage.quantity_used = totals["quantity"] or ZERO
        usage.last_provided = totals["last"]

    categories: dict[int, set[str]] = defaultdict(set)
    for claim_id, category in ClaimService.objects.filter(
            claim__in=mine, status=LineStatus.PASSED, validity_to__isnull=True
    ).values_list("claim_id", "service__category"):
        categories[claim_id].add(category)
    for claim_id, date_from, date_to in mine.values_list("pk", "date_from", "date_to"):
        category = claim_category(categories[claim_id], date_from, date_to)
        usage.visits[category] = usage.visits.get(category, 0) + 1

    paid = defaultdict(lambda: ZERO)
    for model in (ClaimItem, ClaimService):
        for insuree_id, care_type, amount in model.objects.filter(
                claim__in=claims, policy=policy, status=LineStatus.PASSED,
                remunerated_amount__isnull=False, validity_to__isnull=True,
        ).values_list("claim__insuree_id", "claim__care_type", "remunerated_amount"):
            scope = "ip" if care_type == ClaimCareType.IN_PATIENT else "op"
            paid["policy"] += amount
            paid[f"policy_{scope}"] += amount
            if insuree_id == insuree.pk:
                paid["insuree"] += amount
                paid[f"insuree_{scope}"] += amount
    usage.remunerated = dict(paid)
    return usage
