"""The claim form as a PDF report (`GET /api/claim/print/?uuid=`)."""

from __future__ import annotations

from typing import Any

from core.codes import RejectionReason
from core.scoping import scope_queryset
from openimis_claim.codes import ClaimStatus, LineStatus, ReviewStatus
from openimis_claim.services.common import is_uuid
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
    claim = scope_queryset(user, claim_detail()).filter(uuid=uuid).first() \
        if is_uuid(uuid) else None
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


def register() -> None:
    from reports.registry import Report, register_report

    register_report(Report(
        name="claim_print", description="Claim form: lines, prices at every stage, reasons",
        module="claim", rights_key="gql_query_claim_print_perms", data=claim_print_data,
        template="claim/claim_print.html",
        filename=lambda context: f"claim-{context['claim'].code}.pdf",
        sample=claim_print_sample))
