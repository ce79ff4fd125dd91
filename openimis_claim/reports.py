"""The claim form as a PDF report (`GET /api/claim/print/?uuid=`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from core.codes import RejectionReason
from core.models import HealthFacility
from core.scoping import is_uuid, scope_queryset
from openimis_claim.codes import ClaimStatus, LineStatus, ReviewStatus
from openimis_claim.models import Claim
from openimis_claim.services.queries import claim_detail


def _reason(code: int) -> str:
    try:
        return RejectionReason(code).label
    except ValueError:
        return f"reason {code}"


def claim_print_data(user, params: dict[str, str]) -> dict[str, Any]:
    from reports.registry import ReportNotFound, ReportParameterError

    uuid = params.get("uuid")
    if not uuid:
        raise ReportParameterError("uuid is required")
    # Not `.first()`: its ORDER BY ... LIMIT 1 over claim_detail's two dozen joins costs
    # PostgreSQL ~175 ms of planning; the uuid is unique, so the plain query is enough.
    found = list(scope_queryset(user, claim_detail()).filter(uuid=uuid)) if is_uuid(uuid) \
        else []
    claim = found[0] if found else None
    if claim is None:
        raise ReportNotFound(uuid)
    lines = []
    for kind, line_list in (("Item", claim.items.all()), ("Service", claim.services.all())):
        for line in line_list:
            medical = line.item if kind == "Item" else line.service
            lines.append({
                "kind": kind, "code": medical.code, "name": medical.name,
                "qty_provided": line.qty_provided, "price_asked": line.price_asked,
                "price_adjusted": line.price_adjusted, "qty_approved": line.qty_approved,
                "price_approved": line.price_approved, "price_valuated": line.price_valuated,
                "passed": line.status == LineStatus.PASSED,
                "reason": "" if line.status == LineStatus.PASSED else _reason(
                    line.rejection_reason),
            })
    diagnoses = [d for d in (claim.icd, claim.icd_1, claim.icd_2, claim.icd_3, claim.icd_4) if d]
    return {
        "claim": claim, "lines": lines, "diagnoses": diagnoses,
        "status": ClaimStatus(claim.status).label,
        "review_status": ReviewStatus(claim.review_status).label,
        "feedback_status": ReviewStatus(claim.feedback_status).label,
    }


def claim_print_sample() -> dict[str, Any]:
    """What an override template is tried with before it is saved."""
    return {"claim": {"code": "C0000001", "claimed": "0.00"}, "lines": [], "diagnoses": [],
            "status": "entered", "review_status": "idle", "feedback_status": "idle"}


CENT = Decimal("0.01")
AMOUNTS = {"count": Count("pk"), "claimed": Sum("claimed"), "approved": Sum("approved"),
           "valuated": Sum("valuated")}


def _amounts(row: dict[str, Any]) -> dict[str, Any]:
    """Sums as two-decimal amounts (an empty sum is 0.00)."""
    return {**row, **{name: (row[name] or Decimal("0")).quantize(CENT)
                      for name in ("claimed", "approved", "valuated")}}


def claims_overview_data(user, params: dict[str, str]) -> dict[str, Any]:
    """Counts and claimed / approved / valuated sums by status and by facility of the claims
    claimed in the period (aggregate queries over the user's scoped claims)."""
    from reports.params import period
    from reports.registry import ReportParameterError

    date_from, date_to = period(params)
    claims = scope_queryset(user, Claim.objects.filter(
        validity_to__isnull=True, date_claimed__gte=date_from, date_claimed__lte=date_to))
    facility = None
    code = (params.get("healthFacilityCode") or "").strip()
    if code:
        facility = scope_queryset(user, HealthFacility.objects.filter(
            validity_to__isnull=True, code=code)).first()
        if facility is None:
            raise ReportParameterError(f"No health facility {code}")
        claims = claims.filter(health_facility=facility)
    by_status = {row["status"]: _amounts(row) for row in
                 claims.values("status").annotate(**AMOUNTS).order_by()}
    by_facility = [_amounts(row) for row in claims.values(
        "health_facility__code", "health_facility__name").annotate(**AMOUNTS).order_by(
        "health_facility__code")]
    return {
        "date_from": date_from, "date_to": date_to, "facility": facility,
        "by_status": [{**by_status[status.value], "status": status.label}
                      for status in ClaimStatus if status.value in by_status],
        "by_facility": [{**row, "code": row["health_facility__code"],
                         "name": row["health_facility__name"]} for row in by_facility],
        "total": _amounts(claims.aggregate(**AMOUNTS)),
    }


def claims_overview_sample() -> dict[str, Any]:
    zero = {"count": 0, "claimed": "0.00", "approved": "0.00", "valuated": "0.00"}
    return {"date_from": "2025-01-01", "date_to": "2025-01-31", "facility": None,
            "by_status": [{"status": "entered", **zero}],
            "by_facility": [{"code": "HF1", "name": "Facility", **zero}], "total": zero}


def register() -> None:
    from reports.registry import Report, register_report

    register_report(Report(
        name="claim_print", description="Claim form: lines, prices at every stage, reasons",
        module="claim", rights_key="gql_query_claim_print_perms", data=claim_print_data,
        template="claim/claim_print.html",
        filename=lambda context: f"claim-{context['claim'].code}.pdf",
        sample=claim_print_sample))
    register_report(Report(
        name="claims_overview",
        description="Claims of a period: counts and amounts by status and by facility",
        module="claim", rights_key="gql_query_claims_overview_perms", data=claims_overview_data,
        template="claim/claims_overview.html",
        filename=lambda context: f"claims-overview-{context['date_from']}-"
                                 f"{context['date_to']}.pdf",
        sample=claims_overview_sample))
