"""The claim form as a PDF report (`GET /api/claim/print/?uuid=`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from core.registers.codes import RejectionReason
from core.registers.models import HealthFacility
from core.scoping import is_uuid, scope_queryset
from openimis_claim.codes import ClaimStatus, LineStatus, ReviewStatus, VisitType
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
    diagnoses = [{"code": d.code, "name": d.name}
                 for d in (claim.icd, claim.icd_1, claim.icd_2, claim.icd_3, claim.icd_4) if d]
    facility, insuree = claim.health_facility, claim.insuree
    return {
        "claim": {
            "code": claim.code, "uuid": str(claim.uuid),
            "health_facility": {"code": facility.code, "name": facility.name},
            "insuree": {"chf_id": insuree.chf_id, "last_name": insuree.last_name,
                        "other_names": insuree.other_names, "dob": insuree.dob},
            "date_from": claim.date_from, "date_to": claim.date_to,
            "date_claimed": claim.date_claimed, "date_processed": claim.date_processed,
            "visit_type": VisitType(claim.visit_type).label, "care_type": claim.care_type,
            "guarantee_id": claim.guarantee_id, "explanation": claim.explanation,
            "adjustment": claim.adjustment, "claimed": claim.claimed,
            "approved": claim.approved, "valuated": claim.valuated,
        },
        "lines": lines, "diagnoses": diagnoses,
        "status": ClaimStatus(claim.status).label,
        "review_status": ReviewStatus(claim.review_status).label,
        "feedback_status": ReviewStatus(claim.feedback_status).label,
    }


SAMPLE_TEXT = ("Referred after three days of fever; rapid test positive, first-line treatment "
               "given and the patient asked to come back for review. ") * 4


def claim_print_sample() -> dict[str, Any]:
    """What an override template is tried with before it is saved: the shape of
    `claim_print_data` at the size of a large claim (40 lines, five diagnoses, a long
    explanation), so that a template too slow for real claims is too slow here first."""
    lines = [{
        "kind": "Item" if n % 4 else "Service", "code": f"CODE{n:03d}",
        "name": f"Medical item or service number {n}", "qty_provided": Decimal("2.00"),
        "price_asked": Decimal("12.50"), "price_adjusted": None, "qty_approved": Decimal("2.00"),
        "price_approved": Decimal("12.50"), "price_valuated": Decimal("11.25"),
        "passed": n % 7 != 0, "reason": "" if n % 7 else "not in the facility's price list",
    } for n in range(40)]
    return {
        "claim": {
            "code": "C0000001", "uuid": "00000000-0000-4000-8000-000000000001",
            "health_facility": {"code": "HF0001", "name": "District hospital"},
            "insuree": {"chf_id": "070707070", "last_name": "Doe", "other_names": "Jane Mary",
                        "dob": date(1980, 5, 1)},
            "date_from": date(2025, 3, 1), "date_to": date(2025, 3, 4),
            "date_claimed": date(2025, 3, 5), "date_processed": None,
            "visit_type": "emergency", "care_type": "IPD", "guarantee_id": "G-000001",
            "explanation": SAMPLE_TEXT, "adjustment": "", "claimed": Decimal("500.00"),
            "approved": Decimal("437.50"), "valuated": Decimal("393.75"),
        },
        "lines": lines,
        "diagnoses": [{"code": f"A0{n}", "name": f"Diagnosis number {n}"} for n in range(5)],
        "status": "checked", "review_status": "idle", "feedback_status": "idle",
    }


CENT = Decimal("0.01")
AMOUNTS = {"count": Count("pk"), "claimed": Sum("claimed"), "approved": Sum("approved"),
           "valuated": Sum("valuated")}


def _amounts(row: dict[str, Any]) -> dict[str, Any]:
    """The count, and the sums as two-decimal amounts (an empty sum is 0.00)."""
    return {"count": row["count"], **{name: (row[name] or Decimal("0")).quantize(CENT)
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
    by_facility = claims.values("health_facility__code", "health_facility__name").annotate(
        **AMOUNTS).order_by("health_facility__code")
    return {
        "date_from": date_from, "date_to": date_to,
        "facility": facility and {"code": facility.code, "name": facility.name},
        "by_status": [{"status": status.label, **by_status[status.value]}
                      for status in ClaimStatus if status.value in by_status],
        "by_facility": [{"code": row["health_facility__code"],
                         "name": row["health_facility__name"], **_amounts(row)}
                        for row in by_facility],
        "total": _amounts(claims.aggregate(**AMOUNTS)),
    }


def claims_overview_sample() -> dict[str, Any]:
    """The shape of `claims_overview_data` for a large scheme: every status, 150 facilities."""
    amounts = {"count": 120, "claimed": Decimal("15000.00"), "approved": Decimal("13500.00"),
               "valuated": Decimal("12000.00")}
    return {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31),
            "facility": {"code": "HF0001", "name": "District hospital"},
            "by_status": [{"status": status.label, **amounts} for status in ClaimStatus],
            "by_facility": [{"code": f"HF{n:04d}", "name": f"Health centre number {n}",
                             **amounts} for n in range(150)],
            "total": amounts}


def register() -> None:
    from reports.registry import Report, register_report

    register_report(Report(
        name="claim_print", description="Claim form: lines, prices at every stage, reasons",
        module="claim", rights_key="gql_query_claim_print_perms", data=claim_print_data,
        template="claim/claim_print.html",
        filename=lambda context: f"claim-{context['claim']['code']}.pdf",
        sample=claim_print_sample))
    register_report(Report(
        name="claims_overview",
        description="Claims of a period: counts and amounts by status and by facility",
        module="claim", rights_key="gql_query_claims_overview_perms", data=claims_overview_data,
        template="claim/claims_overview.html",
        filename=lambda context: f"claims-overview-{context['date_from']}-"
                                 f"{context['date_to']}.pdf",
        sample=claims_overview_sample))
