"""Pre-authorization reports: the approval letter (`GET /api/approval/print/?uuid=`) and the
turnaround summary (decisions by priority against their deadlines)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.config import module_config
from core.scoping import is_uuid
from openimis_approval import stats
from openimis_approval.codes import GRANTED, TRANSITIONS, ApprovalStatus
from openimis_approval.services import visible_requests

S = ApprovalStatus
DENIALS = (S.DENIED, S.APPEAL_DENIED)


def _quantity(value: Decimal | None) -> str:
    """10.00 -> "10", 2.50 -> "2.5"."""
    if value is None:
        return ""
    return f"{value.normalize():f}"


def approval_letter_data(user, params: dict[str, str]) -> dict[str, Any]:
    """The decision on one request: approved lines and validity, or the denial and the appeal
    rights (appeal levels left of `max_appeal_levels`). A request without a decision: 400."""
    from reports.registry import ReportNotFound, ReportParameterError

    uuid = params.get("uuid")
    if not uuid:
        raise ReportParameterError("uuid is required")
    request = None
    if is_uuid(uuid):
        request = visible_requests(user).select_related(
            "insuree", "health_facility", "icd", "decided_by").filter(uuid=uuid).first()
    if request is None:
        raise ReportNotFound(uuid)
    granted = request.status in GRANTED or (
        request.status in (S.EXPIRED, S.CANCELLED) and bool(request.authorization_number))
    if not granted and request.status not in DENIALS:
        raise ReportParameterError(f"Approval request {request.number} is {request.status}; "
                                   f"there is no decision to print")
    lines = []
    for line in request.lines.select_related("item", "service").order_by("pk"):
        medical = line.item or line.service
        lines.append({
            "kind": "Item" if line.item_id else "Service", "code": medical.code,
            "name": medical.name, "qty_requested": _quantity(line.qty_requested),
            "qty_approved": _quantity(line.qty_approved or Decimal("0")),
            "price": line.price_approved if line.price_approved is not None
            else line.price_requested,
            "decision": line.decision, "x12_code": line.x12_code, "reason": line.reason,
        })
    max_levels = int(module_config("approval")["max_appeal_levels"])
    appealable = S.APPEAL_SUBMITTED in TRANSITIONS[request.status]
    return {
        "request": request, "granted": granted, "status": request.status,
        "lines": lines, "approved_lines": [ln for ln in lines if ln["qty_approved"] != "0"],
        "approved_amount": request.approved_amount if granted else None,
        "appealable": appealable,
        "appeal_levels_left": max(0, max_levels - request.appeal_level) if appealable else 0,
        "max_appeal_levels": max_levels,
    }


def approval_letter_sample() -> dict[str, Any]:
    return {"request": {"number": "PA-2025-000001", "authorization_number": "AUTH-2025-000001"},
            "granted": True, "status": "APPROVED", "lines": [], "approved_lines": [],
            "approved_amount": "0.00", "appealable": False, "appeal_levels_left": 0,
            "max_appeal_levels": 2}


def turnaround_data(user, params: dict[str, str]) -> dict[str, Any]:
    from reports.params import period

    date_from, date_to = period(params)
    due_hours = module_config("approval")["decision_due_hours"]
    rows = [{**row, "due_hours": due_hours.get(row["priority"])}
            for row in stats.turnaround(visible_requests(user), date_from, date_to)]
    decided = sum(row["decided"] for row in rows)
    within = sum(row["within"] for row in rows)
    return {
        "date_from": date_from, "date_to": date_to, "rows": rows,
        "total": {"decided": decided, "within": within,
                  "late": sum(row["late"] for row in rows),
                  "no_deadline": sum(row["no_deadline"] for row in rows),
                  "within_percent": round(100 * within / decided, 1) if decided else None,
                  "waiting_overdue": sum(row["waiting_overdue"] for row in rows)},
    }


def turnaround_sample() -> dict[str, Any]:
    return {"date_from": "2025-01-01", "date_to": "2025-01-31", "rows": [],
            "total": {"decided": 0, "within": 0, "late": 0, "no_deadline": 0,
                      "within_percent": None, "waiting_overdue": 0}}


def register() -> None:
    from reports.registry import Report, register_report

    register_report(Report(
        name="approval_letter",
        description="Approval letter: authorization, approved lines and validity, or the "
                    "denial and appeal rights",
        module="approval", rights_key="gql_query_approval_print_perms",
        data=approval_letter_data, template="approval/approval_letter.html",
        filename=lambda context: f"approval-{context['request'].number}.pdf",
        sample=approval_letter_sample))
    register_report(Report(
        name="preauth_turnaround",
        description="Pre-authorization turnaround: decisions by priority against deadlines",
        module="approval", rights_key="gql_query_approval_dashboard_perms",
        data=turnaround_data, template="approval/preauth_turnaround.html",
        filename=lambda context: f"preauth-turnaround-{context['date_from']}-"
                                 f"{context['date_to']}.pdf",
        sample=turnaround_sample))
