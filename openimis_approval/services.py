"""Pre-authorization workflow: plain functions taking the acting user and validated data.

Every move goes through `move()`, which asks the one transition table, bumps the version, writes
the history row and sends `approval_status_changed`; a request is locked while it moves, so of two
reviewers deciding at once exactly one decision stands."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Max, prefetch_related_objects
from django.utils import timezone

from core.bounds import check_bounds, decimal_problem, significant_digits
from core.config import module_config
from core.gql.errors import MutationError, error_entry
from core.gql.mutations import MutationOutcome
from core.models import Tenant
from core.registers.coverage_data import CoverageData, load_coverage
from core.registers.eligibility import check_eligibility, load_usage, pays_on
from core.registers.models import Diagnosis, HealthFacility, Insuree, MedicalItem, MedicalService
from core.scoping import referenced_row, scope_queryset
from openimis_approval.access import locked_request
from openimis_approval.codes import (
    TRANSITIONS,
    ApprovalStatus,
    Decision,
    InfoRequestExpiry,
    LineDecision,
    Priority,
    RequestType,
)
from openimis_approval.models import (
    DIAGNOSIS_FIELDS,
    ApprovalLine,
    ApprovalRequest,
    ApprovalStatusHistory,
    overdue_condition,
)
from openimis_approval.records import follow_ups_due
from openimis_approval.signals import approval_status_changed

S = ApprovalStatus
DECIDABLE = (S.SUBMITTED, S.UNDER_REVIEW)


class MoveRefused(Exception):
    def __init__(self, request: ApprovalRequest, to: str) -> None:
        super().__init__(f"Approval request {request.number} is {request.status}; it cannot "
                         f"move to {to}")
        self.entry = error_entry(str(self), code="illegal_transition",
                                 detail={"status": request.status, "to": to})


def move(request: ApprovalRequest, to: str, user, reason: str = "") -> None:
    """The one way a request changes status."""
    if to not in TRANSITIONS[request.status]:
        raise MoveRefused(request, to)
    before = request.status
    request.status = to
    request.version += 1
    ApprovalStatusHistory.objects.create(request=request, from_status=before, to_status=to,
                                         reason=reason, user=user)
    approval_status_changed.send(sender=ApprovalRequest, request=request, user=user,
                                 from_status=before, to_status=to, reason=reason)


def _move_one(request: ApprovalRequest, to: str, user, reason: str = "") -> None:
    try:
        move(request, to, user, reason)
    except MoveRefused as exc:
        raise MutationError(errors=[exc.entry]) from None


def for_each_request(user, uuids: list[str], step) -> MutationOutcome:
    """Bulk moves: each request on its own; errors reported per request number (or uuid)."""
    uuids = [u for u in dict.fromkeys(uuids or []) if u]
    if not uuids:
        raise MutationError("No approval requests given", code="no_requests")
    done, errors = [], []
    for request_uuid in uuids:
        try:
            request = locked_request(user, request_uuid)
        except MutationError as exc:
            errors.append({"title": request_uuid, "list": exc.errors})
            continue
        try:
            with transaction.atomic():
                step(request)
                request.save()
            done.append(str(request.uuid))
        except MoveRefused as exc:
            errors.append({"title": request.number, "list": [exc.entry]})
        except MutationError as exc:
            errors.append({"title": request.number, "list": exc.errors})
    return MutationOutcome(uuids=done, errors=errors)


# --- Entry ----------------------------------------------------------------------------------


def _number(tenant: Tenant, year: int) -> str:
    """PA-<year>-<six digits>, one above the tenant's highest of the year (tenant row locked)."""
    Tenant.objects.select_for_update().filter(pk=tenant.pk).first()
    prefix = f"PA-{year}-"
    top = ApprovalRequest.objects.filter(tenant=tenant, number__startswith=prefix).aggregate(
        top=Max("number"))["top"]
    return f"{prefix}{(int(top[len(prefix):]) if top else 0) + 1:06d}"


def _amount(value, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise MutationError(f"{label} must be a number", code="invalid_number",
                            detail=label) from None
    if not number.is_finite() or number < 0:
        raise MutationError(f"{label} must be zero or more", code="invalid_number",
                            detail=label)
    return number


def _replace_lines(user, request: ApprovalRequest, rows: list[dict] | None) -> None:
    if rows is None:
        return
    if not rows:
        raise MutationError("A request needs at least one item or service", code="no_lines")
    request.lines.all().delete()
    for index, row in enumerate(rows, start=1):
        label = f"line {index}"
        item = referenced_row(user, MedicalItem.objects.filter(validity_to__isnull=True),
                       row.get("item_id"), f"{label} item", required=False)
        service = referenced_row(user, MedicalService.objects.filter(validity_to__isnull=True),
                          row.get("service_id"), f"{label} service", required=False)
        if (item is None) == (service is None):
            raise MutationError(f"{label}: give an itemId or a serviceId", code="invalid_line",
                                detail=label)
        medical = item or service
        quantity = _amount(row.get("qty_requested") or 1, f"{label} qtyRequested")
        price = row.get("price_requested")
        if price in (None, ""):
            day = request.service_start_date or timezone.localdate()
            data = load_coverage(request.tenant_id, chf_ids=(),
                                 item_codes=[medical.code] if item else (),
                                 service_codes=[medical.code] if service else (),
                                 facilities=[request.health_facility])
            price = data.facility_price(request.health_facility, medical, day) or medical.price
        line = ApprovalLine(request=request, item=item, service=service, qty_requested=quantity,
                            price_requested=_amount(price, f"{label} priceRequested"))
        check_bounds(line, label=label)
        line.save()
    check_request_total(request)


def check_request_total(request: ApprovalRequest) -> None:
    """The request's requested and approved amounts (sums over its lines, read on every list)
    must fit a money column as each line's price does, or reading them would fail."""
    lines = list(request.lines.all())
    price = ApprovalLine._meta.get_field("price_requested")
    totals = {
        "requested amount": sum((ln.qty_requested * ln.price_requested for ln in lines),
                                Decimal("0")),
        "approved amount": sum(((ln.qty_approved or 0) * (ln.price_approved or
                                                          ln.price_requested) for ln in lines),
                               Decimal("0")),
    }
    for name, total in totals.items():
        problem = decimal_problem(total, price.max_digits, price.decimal_places,
                                  significant_digits(ApprovalLine))
        if problem:
            raise MutationError(f"The request's {name} {problem}", code="out_of_range",
                                detail="lines")


def _fields(user, request: ApprovalRequest, data: dict[str, Any]) -> None:
    diagnoses = Diagnosis.objects.filter(validity_to__isnull=True)
    if "insuree_id" in data or request.insuree_id is None:
        request.insuree = referenced_row(user, Insuree.objects.filter(validity_to__isnull=True),
                                  data.get("insuree_id"), "insuree")
    if "health_facility_id" in data or request.health_facility_id is None:
        facility = referenced_row(user, HealthFacility.objects.filter(validity_to__isnull=True),
                           data.get("health_facility_id"), "health facility")
        if user.health_facility_id not in (None, facility.pk):
            raise MutationError("A facility's user asks for its own facility only",
                                code="other_facility", detail="healthFacilityId")
        request.health_facility = facility
    for name, field in DIAGNOSIS_FIELDS.items():
        if name in data:
            label = "main diagnosis" if field == "icd" else f"secondary diagnosis {field[-1]}"
            setattr(request, field, referenced_row(user, diagnoses, data[name], label,
                                                   required=False))
    for name, choices in (("request_type", RequestType), ("priority", Priority)):
        if data.get(name):
            if data[name] not in choices.values:
                raise MutationError(f"{name} must be one of {', '.join(choices.values)}",
                                    code="invalid_choice", detail=name)
            setattr(request, name, data[name])
    for name in ("service_description", "clinical_justification", "medical_necessity"):
        if data.get(name) is not None:
            setattr(request, name, data[name])
    for name in ("service_start_date", "service_end_date"):
        if name in data:
            setattr(request, name, data[name])
    if request.service_start_date and request.service_end_date and \
            request.service_end_date < request.service_start_date:
        raise MutationError("serviceEndDate is before serviceStartDate", code="invalid_dates",
                            detail="serviceEndDate")


def create_request(user, data: dict[str, Any]) -> MutationOutcome:
    from openimis_approval import records

    request = ApprovalRequest(requesting_provider=user)
    template = records.template_for(user, data["template_id"]) if data.get("template_id") \
        else None
    _fields(user, request, data)
    template_lines = records.apply_template(template, request, data) if template else []
    link_order(user, request, data.get("order_type"), data.get("order_id"))
    request.tenant_id = request.health_facility.tenant_id
    request.number = _number(request.health_facility.tenant,
                             (request.service_start_date or timezone.localdate()).year)
    request.save()
    _replace_lines(user, request, data.get("lines") or template_lines)
    assign_policy(request)
    request.save(update_fields=["policy"])
    ApprovalStatusHistory.objects.create(request=request, to_status=request.status, user=user,
                                         reason="created")
    return MutationOutcome(uuids=[str(request.uuid)], autogenerated_code=request.number)


def update_request(user, data: dict[str, Any]) -> MutationOutcome:
    request = locked_request(user, data.get("uuid"))
    if request.status not in (S.DRAFT, S.PENDING_SUBMISSION):
        raise MutationError(f"Approval request {request.number} is {request.status}; only a "
                            f"draft can be updated", code="illegal_transition",
                            detail={"status": request.status})
    _fields(user, request, data)
    _replace_lines(user, request, data.get("lines"))
    assign_policy(request)
    request.save()
    return MutationOutcome(uuids=[str(request.uuid)])


# --- Moves ----------------------------------------------------------------------------------


def due_at(priority: str, start):
    hours = module_config("approval")["decision_due_hours"].get(priority, 168)
    return start + timedelta(hours=int(hours))


def submit_requests(user, uuids: list[str]) -> MutationOutcome:
    def submit(request: ApprovalRequest) -> None:
        if not request.lines.exists():
            raise MutationError(f"{request.number} has no lines to approve", code="no_lines")
        assign_policy(request)
        move(request, S.SUBMITTED, user, "submitted")
        request.submitted_at = timezone.now()
        request.due_at = due_at(request.priority, request.submitted_at)
        auto_approve(user, request)

    return for_each_request(user, uuids, submit)


def hold_for_documents(user, uuids: list[str], reason: str | None = None) -> MutationOutcome:
    """A clerk parks a draft that waits for documents (DRAFT -> PENDING_SUBMISSION), so the
    scheme's lists tell a request about to come from one still being written; the reason says
    what it waits for."""
    reason = (reason or "").strip() or "waiting for documents"
    return for_each_request(user, uuids, lambda request: move(
        request, S.PENDING_SUBMISSION, user, reason))


def reopen_drafts(user, uuids: list[str]) -> MutationOutcome:
    """A request parked for documents goes back to being written (PENDING_SUBMISSION -> DRAFT)."""
    return for_each_request(user, uuids, lambda request: move(
        request, S.DRAFT, user, "back to draft"))


def start_review(user, uuids: list[str]) -> MutationOutcome:
    return for_each_request(user, uuids,
                            lambda request: move(request, S.UNDER_REVIEW, user, "review started"))


def request_info(user, request_uuid: str, message: str) -> MutationOutcome:
    request = locked_request(user, request_uuid)
    if not (message or "").strip():
        raise MutationError("Say what information is needed", code="required", detail="message")
    _move_one(request, S.INFO_REQUESTED, user, message)
    request.info_due_at = timezone.now() + timedelta(
        days=int(module_config("approval")["info_response_days"]))
    request.save()
    return MutationOutcome(uuids=[str(request.uuid)])


def supply_info(user, request_uuid: str, message: str, lines=None) -> MutationOutcome:
    request = locked_request(user, request_uuid)
    if request.status != S.INFO_REQUESTED:
        raise MutationError(f"Approval request {request.number} is {request.status}; no "
                            f"information was requested", code="illegal_transition",
                            detail={"status": request.status})
    _replace_lines(user, request, lines)
    _move_one(request, S.UNDER_REVIEW, user, message or "information supplied")
    request.info_due_at = None
    request.save()
    return MutationOutcome(uuids=[str(request.uuid)])


def _decided_lines(request: ApprovalRequest, decision: str, rows: list[dict] | None) -> bool:
    """Apply the line decisions; True when anything is approved."""
    given = {str(row.get("id")): row for row in rows or []}
    approved_any = False
    for line in request.lines.all():
        row = given.get(str(line.pk)) or given.get(str(line.uuid)) or {}
        if decision == Decision.DENY:
            line.qty_approved, line.decision = Decimal("0"), LineDecision.DENIED
        else:
            quantity = row.get("qty_approved")
            quantity = line.qty_requested if quantity in (None, "") else \
                _amount(quantity, f"line {line.pk} qtyApproved")
            if quantity > line.qty_requested:
                raise MutationError(f"line {line.pk}: more approved than requested",
                                    code="invalid_number", detail=str(line.pk))
            price = row.get("price_approved")
            line.qty_approved = quantity
            line.price_approved = line.price_requested if price in (None, "") else \
                _amount(price, f"line {line.pk} priceApproved")
            line.decision = row.get("decision") or (
                LineDecision.APPROVED if quantity == line.qty_requested else
                LineDecision.DENIED if quantity == 0 else LineDecision.PARTIAL)
            if line.decision not in LineDecision.values:
                raise MutationError(f"line {line.pk}: unknown decision {line.decision}",
                                    code="invalid_choice", detail=str(line.pk))
            approved_any = approved_any or quantity > 0
        line.reason = row.get("reason") or line.reason
        check_bounds(line, label=f"line {line.pk}")
        line.save()
    check_request_total(request)
    return approved_any


def _validity(request: ApprovalRequest, data: dict[str, Any]) -> None:
    effective = data.get("effective_date") or request.service_start_date or \
        timezone.localdate()
    try:
        expiration = data.get("expiration_date") or effective + timedelta(
            days=int(module_config("approval")["default_validity_days"]))
    except OverflowError:  # an effective date at the end of the calendar
        raise MutationError("effectiveDate leaves no room for the default validity: give an "
                            "expirationDate", code="invalid_dates",
                            detail="effectiveDate") from None
    if expiration < effective:
        raise MutationError("expirationDate is before effectiveDate", code="invalid_dates",
                            detail="expirationDate")
    request.effective_date, request.expiration_date = effective, expiration
    request.authorization_number = data.get("authorization_number") or \
        request.authorization_number or f"AUTH-{request.number[3:]}"


def decide_request(user, data: dict[str, Any]) -> MutationOutcome:
    """Approve, partially approve (per line) or deny; a denial needs a reason and a code."""
    request = locked_request(user, data.get("uuid"))
    decision = data.get("decision")
    if decision not in Decision.values:
        raise MutationError("decision must be APPROVE, PARTIAL or DENY", code="invalid_choice",
                            detail="decision")
    if request.status not in DECIDABLE:
        raise MutationError(errors=[MoveRefused(request, _target(decision)).entry])
    if decision == Decision.DENY:
        if not (data.get("denial_reason") or "").strip() or not data.get("denial_code"):
            raise MutationError("A denial needs a denialReason and a denialCode",
                                code="required", detail="denialReason")
        request.denial_reason, request.denial_code = data["denial_reason"], data["denial_code"]
        _decided_lines(request, decision, None)
    else:
        if not _decided_lines(request, decision, data.get("lines")):
            raise MutationError("Nothing approved: deny the request instead",
                                code="nothing_approved")
        _validity(request, data)
    target = _target(decision)
    if decision == Decision.APPROVE and any(
            line.decision != LineDecision.APPROVED for line in request.lines.all()):
        target = S.PARTIALLY_APPROVED
    if request.status == S.SUBMITTED and target == S.DENIED:
        move(request, S.UNDER_REVIEW, user, "taken for decision")
    _move_one(request, target, user, data.get("denial_reason") or decision.lower())
    request.decided_at, request.decided_by = timezone.now(), user
    request.save()
    return MutationOutcome(uuids=[str(request.uuid)],
                           autogenerated_code=request.authorization_number or None)


def _target(decision: str) -> str:
    return {Decision.APPROVE: S.APPROVED, Decision.PARTIAL: S.PARTIALLY_APPROVED,
            Decision.DENY: S.DENIED}[decision]


def submit_appeal(user, request_uuid: str, reason: str) -> MutationOutcome:
    request = locked_request(user, request_uuid)
    if not (reason or "").strip():
        raise MutationError("An appeal needs a reason", code="required", detail="reason")
    if request.appeal_level >= int(module_config("approval")["max_appeal_levels"]):
        raise MutationError(f"{request.number} has used its {request.appeal_level} appeal "
                            f"levels", code="no_appeal_left")
    _move_one(request, S.APPEAL_SUBMITTED, user, reason)
    request.appeal_level += 1
    request.appeal_reason = reason
    request.save()
    return MutationOutcome(uuids=[str(request.uuid)])


def decide_appeal(user, data: dict[str, Any]) -> MutationOutcome:
    request = locked_request(user, data.get("uuid"))
    decision = data.get("decision")
    if decision not in (Decision.APPROVE, Decision.DENY):
        raise MutationError("decision must be APPROVE or DENY", code="invalid_choice",
                            detail="decision")
    if not (data.get("reason") or "").strip():
        raise MutationError("An appeal decision needs a reason", code="required",
                            detail="reason")
    target = S.APPEAL_APPROVED if decision == Decision.APPROVE else S.APPEAL_DENIED
    if request.status != S.APPEAL_SUBMITTED:
        raise MutationError(errors=[MoveRefused(request, target).entry])
    if decision == Decision.APPROVE:
        if not _decided_lines(request, Decision.APPROVE, data.get("lines")):
            raise MutationError("Nothing approved: deny the appeal instead",
                                code="nothing_approved")
        _validity(request, data)
    _move_one(request, target, user, data["reason"])
    request.appeal_decision_reason = data["reason"]
    request.decided_at, request.decided_by = timezone.now(), user
    request.save()
    return MutationOutcome(uuids=[str(request.uuid)],
                           autogenerated_code=request.authorization_number or None)


def cancel_requests(user, uuids: list[str], reason: str) -> MutationOutcome:
    if not (reason or "").strip():
        raise MutationError("A cancellation needs a reason", code="required", detail="reason")
    return for_each_request(user, uuids, lambda request: move(request, S.CANCELLED, user, reason))


def expire_approvals(user, on: date | None = None) -> int:
    """Granted approvals past their expiration date become EXPIRED (command and periodic job)."""
    on = on or timezone.localdate()
    expired = 0
    for request in ApprovalRequest.objects.select_for_update().filter(
            validity_to__isnull=True, expiration_date__lt=on,
            status__in=[s for s in TRANSITIONS if S.EXPIRED in TRANSITIONS[s]]):
        move(request, S.EXPIRED, user, f"expired on {request.expiration_date}")
        request.save()
        expired += 1
    return expired


def expire_info_requests(user, now: datetime | None = None) -> int:
    """Information requests past their deadline (`info_due_at`) are settled as the module
    setting `info_request_expiry` says: "deny" denies every line with the configured code and
    reason (INFO_REQUESTED -> DENIED, open to appeal), "flag" puts the request back before a
    reviewer (-> UNDER_REVIEW) to decide without the information. Only the requests the
    user reaches (a platform user reaches every tenant). Each request leaves
    INFO_REQUESTED, so a second run finds nothing (command and hourly job)."""
    config = module_config("approval")
    outcome = config["info_request_expiry"]
    if outcome not in InfoRequestExpiry.values:
        raise ImproperlyConfigured(
            f"approval setting info_request_expiry is {outcome!r}; it must be one of "
            f"{', '.join(InfoRequestExpiry.values)}")
    now = now or timezone.now()
    settled = 0
    for request in scope_queryset(user, ApprovalRequest.objects.filter(
            validity_to__isnull=True, status=S.INFO_REQUESTED, info_due_at__lt=now,
    )).select_for_update().order_by("pk"):
        late = f"information not supplied by {request.info_due_at:%Y-%m-%d %H:%M}"
        if outcome == InfoRequestExpiry.DENY:
            request.denial_code = config["info_expiry_denial_code"]
            request.denial_reason = config["info_expiry_denial_reason"]
            _decided_lines(request, Decision.DENY, None)
            move(request, S.DENIED, user, f"{late}: {request.denial_reason}")
            request.decided_at, request.decided_by = now, user
        else:
            move(request, S.UNDER_REVIEW, user, f"{late}: flagged for review")
        request.info_due_at = None
        request.save()
        settled += 1
    return settled


# --- Orders, evaluation, deadlines -----------------------------------------------------------


def link_order(user, request: ApprovalRequest, key: str | None, order_id: str | None) -> None:
    """Point the request at an order of a registered order type, of the user's tenant."""
    from django.contrib.contenttypes.models import ContentType

    from openimis_approval.order_types import order_type

    if not key:
        return
    described = order_type(key)
    if described is None:
        raise MutationError(f"Unknown order type {key}", code="invalid_order", detail="orderType")
    order = described.model.objects.filter(pk=order_id).first() if order_id else None
    if order is None or (getattr(order, "tenant_path", None) and
                         not scope_queryset(user, described.model.objects.filter(
                             pk=order.pk)).exists()):
        raise MutationError(f"No {described.label.lower()} {order_id}", code="not_found",
                            detail="orderId")
    request.order_type = ContentType.objects.get_for_model(described.model)
    request.order_id = str(order.pk)
    if not request.request_type or request.request_type == RequestType.OTHER:
        request.request_type = described.request_type


def evaluate(request: ApprovalRequest) -> dict[str, Any]:
    """Each condition met or failed for the request's lines on its service start date, with
    the estimated covered amount and patient share (core's eligibility, as claims use it)."""
    return evaluate_many([request])[request.pk]


def evaluate_many(requests: list[ApprovalRequest]) -> dict[int, dict[str, Any]]:
    """`evaluate` for several requests (a page of a list) in a fixed number of queries: their
    lines, insurees and facilities in one go, the registers once per tenant."""
    prefetch_related_objects(requests, "insuree", "health_facility")
    lines: dict[int, list[ApprovalLine]] = defaultdict(list)
    for line in ApprovalLine.objects.filter(request__in=requests).select_related(
            "item", "service").order_by("pk"):
        lines[line.request_id].append(line)
    by_tenant: dict[int, list[ApprovalRequest]] = defaultdict(list)
    for request in requests:
        by_tenant[request.tenant_id].append(request)
    results = {}
    for tenant_id, group in by_tenant.items():
        group_lines = [line for request in group for line in lines[request.pk]]
        data = load_coverage(tenant_id, chf_ids={r.insuree.chf_id for r in group},
                             item_codes={ln.item.code for ln in group_lines if ln.item_id},
                             service_codes={ln.service.code for ln in group_lines
                                            if ln.service_id},
                             facilities={r.health_facility for r in group})
        data.usage = load_usage({r.insuree_id for r in group})  # earlier care, in one go
        for request in group:
            results[request.pk] = _evaluation(request, lines[request.pk], data)
    return results


def _evaluation(request: ApprovalRequest, lines: list[ApprovalLine],
                data: CoverageData) -> dict[str, Any]:
    on = request.service_start_date or timezone.localdate()
    met, failed = set(), set()
    covered = share = Decimal("0")
    paying = []
    for line in lines:
        verdict = check_eligibility(
            tenant_id=request.tenant_id, chf_id=request.insuree.chf_id, on_date=on,
            item_code=line.item.code if line.item_id else None,
            service_code=line.service.code if line.service_id else None,
            price=line.price_requested, quantity=line.qty_requested,
            health_facility=request.health_facility, data=data)
        for condition in verdict.conditions:
            (met if condition.met else failed).add(
                condition.name if condition.met else f"{condition.name}: {condition.detail}")
        covered += verdict.covered_amount
        share += verdict.patient_share
        paying.append(verdict.policy)
    diagnosis = _diagnosis_problem(request)
    if diagnosis:
        failed.add(f"diagnosis: {diagnosis}")
    else:
        met.add("diagnosis")
    failed_names = {text.split(":")[0] for text in failed}
    return {"conditions_met": sorted(met - failed_names), "conditions_failed": sorted(failed),
            "covered_amount": covered.quantize(Decimal("0.01")),
            "patient_share": share.quantize(Decimal("0.01")),
            "evaluated_at": timezone.now(), "passed": not failed,
            "policy": next((policy for policy in paying if policy is not None), None) or
            _covering_policy(request, data, on)}


def _covering_policy(request: ApprovalRequest, data: CoverageData, on: date):
    """The insuree's newest policy paying for care on `on` (core's rule), when no line of the
    request has a paying policy (its product does not cover them): the request still belongs
    to the policy it would be paid under, and the evaluation says why not."""
    insuree = data.insurees.get(request.insuree.chf_id)
    links = [link for link in data.insuree_policies.get(insuree.pk, []) if pays_on(link, on)] \
        if insuree else []
    return max(links, key=lambda link: (link.policy.start_date, link.pk)).policy if links \
        else None


def assign_policy(request: ApprovalRequest) -> None:
    """Set the request's policy: the one paying its lines on the service start date (core's
    eligibility, as for a claim of that day), else the insuree's newest policy covering that
    date, else none. Done at entry and again at submit, as a renewal may come in between."""
    request.policy = evaluate(request)["policy"]


def _diagnosis_problem(request: ApprovalRequest) -> str:
    """What is wrong with the request's diagnoses for a reviewer: none given as the main one,
    or one given twice (a slot filled by mistake hides the diagnosis meant there)."""
    given = [pk for pk in request.diagnosis_ids if pk is not None]
    if request.icd_id is None:
        return "no main diagnosis given" if not given else "secondary diagnoses without a main one"
    if len(set(given)) < len(given):
        return "a diagnosis is given twice"
    return ""


def evaluate_request(user, request_uuid: str) -> MutationOutcome:
    request = locked_request(user, request_uuid)
    return MutationOutcome(uuids=[str(request.uuid)], json_ext=_evaluation_json(evaluate(request)))


def _evaluation_json(result: dict[str, Any]) -> dict[str, Any]:
    result = {key: value for key, value in result.items() if key != "policy"}
    return {**result, "covered_amount": str(result["covered_amount"]),
            "patient_share": str(result["patient_share"]),
            "evaluated_at": result["evaluated_at"].isoformat()}


def auto_approve(user, request: ApprovalRequest) -> bool:
    """On submit: a request of a configured priority that passes every condition is approved
    at once (DESIGN: SUBMITTED -> APPROVED by automatic evaluation)."""
    if request.priority not in module_config("approval")["auto_approve_priorities"]:
        return False
    if not evaluate(request)["passed"]:
        return False
    _decided_lines(request, Decision.APPROVE, None)
    _validity(request, {})
    move(request, S.APPROVED, user, "approved by automatic evaluation")
    request.decided_at = timezone.now()
    return True


def extend_deadline(user, request_uuid: str, days: int, reason: str) -> MutationOutcome:
    """Once per request, by at most `max_extension_days`, with a reason."""
    request = locked_request(user, request_uuid)
    limit = int(module_config("approval")["max_extension_days"])
    if not (reason or "").strip():
        raise MutationError("An extension needs a reason", code="required", detail="reason")
    if not 1 <= int(days) <= limit:
        raise MutationError(f"days must be 1 to {limit}", code="invalid_number", detail="days")
    if request.extensions >= 1:
        raise MutationError(f"The deadline of {request.number} was extended already",
                            code="already_extended")
    if request.due_at is None or request.status not in (S.SUBMITTED, S.UNDER_REVIEW,
                                                        S.INFO_REQUESTED):
        raise MutationError(f"Approval request {request.number} is {request.status}; there is "
                            f"no decision deadline to extend", code="illegal_transition",
                            detail={"status": request.status})
    request.extended_due_at = request.due_at + timedelta(days=int(days))
    request.extensions += 1
    ApprovalStatusHistory.objects.create(request=request, from_status=request.status,
                                         to_status=request.status, user=user,
                                         reason=f"deadline extended by {days} days: {reason}")
    request.save()
    return MutationOutcome(uuids=[str(request.uuid)])


@dataclass(frozen=True)
class TenantDeadlines:
    tenant: str  # code
    overdue_decisions: int
    follow_ups_due: int


def deadlines_passed(user, now: datetime | None = None) -> list[TenantDeadlines]:
    """Per tenant the user reaches: requests waiting for a decision past their deadline, and
    follow-ups due (dated today or earlier, nothing logged since). The module keeps no flag for
    either: the requests list (`overdue`), `approvalFollowUpsDue`, the dashboard and the admin
    compute them from the deadline and the log whenever they are shown, so nothing is written
    here; the hourly job reports the counts, and running it again changes nothing."""
    now = now or timezone.now()
    requests = scope_queryset(user, ApprovalRequest.objects.filter(validity_to__isnull=True))
    overdue = dict(requests.filter(overdue_condition(now)).values_list("tenant__code")
                   .annotate(n=Count("pk")).order_by())
    follow_ups = dict(follow_ups_due(user, timezone.localdate(now))
                      .values_list("request__tenant__code").annotate(n=Count("pk")).order_by())
    return [TenantDeadlines(code, overdue.get(code, 0), follow_ups.get(code, 0))
            for code in sorted(overdue.keys() | follow_ups.keys())]
