"""Pre-authorization reports: the approval letter (`GET /api/approval/print/?uuid=`) and the
turnaround summary (decisions by priority against their deadlines)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from core.config import module_config
from core.scoping import is_uuid
from openimis_approval import stats
from openimis_approval.access import visible_requests
from openimis_approval.codes import GRANTED, TRANSITIONS, ApprovalStatus, Priority, RequestType

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
    facility, insuree, icd = request.health_facility, request.insuree, request.icd
    return {
        "request": {
            "number": request.number, "uuid": str(request.uuid),
            "authorization_number": request.authorization_number,
            "request_type": RequestType(request.request_type).label,
            "priority": Priority(request.priority).label,
            "insuree": {"chf_id": insuree.chf_id, "last_name": insuree.last_name,
                        "other_names": insuree.other_names, "dob": insuree.dob},
            "health_facility": {"code": facility.code, "name": facility.name},
            "icd": icd and {"code": icd.code, "name": icd.name},
            "service_start_date": request.service_start_date,
            "service_end_date": request.service_end_date,
            "submitted_at": request.submitted_at, "decided_at": request.decided_at,
            "effective_date": request.effective_date,
            "expiration_date": request.expiration_date,
            "denial_code": request.denial_code, "denial_reason": request.denial_reason,
            "appeal_level": request.appeal_level,
            "appeal_decision_reason": request.appeal_decision_reason,
        },
        "granted": granted, "status": request.status,
        "lines": lines, "approved_lines": [ln for ln in lines if ln["qty_approved"] != "0"],
        "approved_amount": request.approved_amount if granted else None,
        "appealable": appealable,
        "appeal_levels_left": max(0, max_levels - request.appeal_level) if appealable else 0,
        "max_appeal_levels": max_levels,
    }


SAMPLE_TEXT = ("The requested imaging is not supported by the clinical notes given; a smear "
               "result and the referral letter are needed for a decision. ") * 4


def approval_letter_sample() -> dict[str, Any]:
    """The shape of `approval_letter_data` for a large request (30 lines, long reasons), so that
    a template too slow for real letters is too slow here first."""
    lines = [{
        "kind": "Item" if n % 3 else "Service", "code": f"CODE{n:03d}",
        "name": f"Medical item or service number {n}", "qty_requested": "10",
        "qty_approved": "6" if n % 5 else "0", "price": Decimal("12.50"),
        "decision": "PARTIAL" if n % 5 else "DENIED", "x12_code": "A2",
        "reason": "Six suffice for the course of treatment",
    } for n in range(30)]
    return {
        "request": {
            "number": "PA-2025-000001", "uuid": "00000000-0000-4000-8000-000000000001",
            "authorization_number": "AUTH-2025-000001", "request_type": "Radiology",
            "priority": "Urgent",
            "insuree": {"chf_id": "070707070", "last_name": "Doe", "other_names": "Jane Mary",
                        "dob": date(1980, 5, 1)},
            "health_facility": {"code": "HF0001", "name": "District hospital"},
            "icd": {"code": "A01", "name": "Typhoid and paratyphoid fevers"},
            "service_start_date": date(2025, 3, 10), "service_end_date": date(2025, 3, 12),
            "submitted_at": datetime(2025, 3, 9, 8, 0, tzinfo=UTC),
            "decided_at": datetime(2025, 3, 9, 15, 30, tzinfo=UTC),
            "effective_date": date(2025, 3, 10), "expiration_date": date(2025, 4, 9),
            "denial_code": "N-DOC", "denial_reason": SAMPLE_TEXT, "appeal_level": 1,
            "appeal_decision_reason": SAMPLE_TEXT,
        },
        "granted": True, "status": "PARTIAL", "lines": lines,
        "approved_lines": [line for line in lines if line["qty_approved"] != "0"],
        "approved_amount": Decimal("1800.00"), "appealable": True, "appeal_levels_left": 1,
        "max_appeal_levels": 2,
    }


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
    """The shape of `turnaround_data`: one row per priority, as the real report has."""
    row = {"decided": 400, "within": 380, "late": 15, "no_deadline": 5, "within_percent": 95.0,
           "median_decision_hours": 20.5, "waiting_overdue": 3}
    return {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31),
            "rows": [{"priority": priority, **row, "due_hours": 72}
                     for priority in Priority.values],
            "total": {"decided": 1600, "within": 1520, "late": 60, "no_deadline": 20,
                      "within_percent": 95.0, "waiting_overdue": 12}}


def register() -> None:
    from reports.registry import Report, register_report

    register_report(Report(
        name="approval_letter",
        description="Approval letter: authorization, approved lines and validity, or the "
                    "denial and appeal rights",
        module="approval", rights_key="gql_query_approval_print_perms",
        data=approval_letter_data, template="approval/approval_letter.html",
        filename=lambda context: f"approval-{context['request']['number']}.pdf",
        sample=approval_letter_sample))
    register_report(Report(
        name="preauth_turnaround",
        description="Pre-authorization turnaround: decisions by priority against deadlines",
        module="approval", rights_key="gql_query_approval_dashboard_perms",
        data=turnaround_data, template="approval/preauth_turnaround.html",
        filename=lambda context: f"preauth-turnaround-{context['date_from']}-"
                                 f"{context['date_to']}.pdf",
        sample=turnaround_sample))
