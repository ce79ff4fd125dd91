"""Entering claims: create, update while entered, delete (soft), restore a rejected claim."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, Max, OuterRef, Subquery
from django.utils import timezone

from core.bounds import check_bounds
from core.db import unique_violation_as
from core.gql.errors import MutationError
from core.gql.mutations import MutationOutcome
from core.registers.coverage_data import pricelist_details
from core.registers.models import Diagnosis, HealthFacility, Insuree, MedicalItem, MedicalService
from core.scoping import parse_pk, referenced_row, scope_queryset
from openimis_claim import signals
from openimis_claim.codes import (
    STATUS_MOVES,
    ClaimCareType,
    ClaimStatus,
    PatientCondition,
    ReviewStatus,
    VisitType,
)
from openimis_claim.models import (
    CODE_PER_FACILITY,
    Claim,
    ClaimAdmin,
    ClaimItem,
    ClaimService,
    ClaimServiceItem,
    ClaimServiceService,
)
from openimis_claim.services.common import (
    ClaimError,
    claim_for_change,
    for_each_claim,
    recompute_amounts,
    require_status,
    visible_claims,
)

AUTO_CODE = "auto"
MAX_CODE_LENGTH = Claim._meta.get_field("code").max_length


def _decimal(value: Any, name: str, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise MutationError(f"{name} is required", code="required", detail=name)
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise MutationError(f"{name} must be a number, got {value!r}", code="invalid_number",
                            detail=name) from None
    if not number.is_finite() or number < 0:
        raise MutationError(f"{name} must be zero or more", code="invalid_number", detail=name)
    return number


def _choice(value: Any, choices, label: str, default: str = "") -> str:
    if value in (None, ""):
        return default
    if value not in choices.values:
        raise MutationError(f"{label} must be one of {', '.join(choices.values)}",
                            code="invalid_choice", detail=label)
    return value


def _claim_fields(user, data: dict[str, Any], facility: HealthFacility) -> dict[str, Any]:
    diagnoses = Diagnosis.objects.filter(validity_to__isnull=True)
    fields = {
        "insuree": referenced_row(user, Insuree.objects.filter(validity_to__isnull=True),
                           data.get("insuree_id"), "insuree"),
        "admin": referenced_row(user, ClaimAdmin.objects.filter(health_facility=facility),
                         data.get("admin_id"), "claim administrator", required=False),
        "icd": referenced_row(user, diagnoses, data.get("icd_id"), "main diagnosis"),
        "refer_from": referenced_row(user, HealthFacility.objects.all(), data.get("refer_from_id"),
                              "referring facility", required=False),
        "refer_to": referenced_row(user, HealthFacility.objects.all(), data.get("refer_to_id"),
                            "facility referred to", required=False),
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
        "date_claimed": data.get("date_claimed") or timezone.localdate(),
        "visit_type": _choice(data.get("visit_type"), VisitType, "visitType", VisitType.OTHER),
        "care_type": _choice(data.get("care_type"), ClaimCareType, "careType"),
        "patient_condition": _choice(data.get("patient_condition"), PatientCondition,
                                     "patientCondition"),
        "guarantee_id": data.get("guarantee_id") or "",
        "explanation": data.get("explanation") or "",
        "adjustment": data.get("adjustment") or "",
        "referral_code": data.get("referral_code") or "",
        "pre_authorization": bool(data.get("pre_authorization")),
        "json_ext": data.get("json_ext"),
    }
    for n in range(1, 5):
        fields[f"icd_{n}"] = referenced_row(user, diagnoses, data.get(f"icd{n}_id"),
                                     f"secondary diagnosis {n}", required=False)
    if fields["date_from"] is None:
        raise MutationError("dateFrom is required", code="required", detail="dateFrom")
    if fields["date_to"] is not None and fields["date_to"] < fields["date_from"]:
        raise MutationError("dateTo is before dateFrom", code="invalid_dates", detail="dateTo")
    if fields["date_claimed"] < fields["date_from"]:
        raise MutationError("dateClaimed is before dateFrom", code="invalid_dates",
                            detail="dateClaimed")
    return fields


def _medicals(user, model, key: str, rows: list[dict], claim: Claim) -> dict[int, Any]:
    """The items (or services) the lines name, of the user's tenant, in one query; each with
    `listed_price`, the facility's own price on the date of care (None: the register's)."""
    ids = {parse_pk(row.get(f"{key}_id")) for row in rows} - {None}
    if not ids:
        return {}
    queryset = model.objects.filter(validity_to__isnull=True, pk__in=ids)
    details = pricelist_details(claim.health_facility, model is MedicalItem, claim.date_from)
    if details is not None:
        queryset = queryset.annotate(listed_price=Subquery(
            details.filter(**{key: OuterRef("pk")}).values("price_overrule")[:1]))
    return {row.pk: row for row in scope_queryset(user, queryset)}


# A package line's parts: (input list, code key, register, sub-line model, its foreign key).
SUB_LINE_KINDS = (
    ("service_item_set", "sub_item_code", MedicalItem, ClaimServiceItem, "item"),
    ("service_service_set", "sub_service_code", MedicalService, ClaimServiceService, "service"),
)


def _sub_line_registers(user, rows: list[dict]) -> dict[str, dict[str, Any]]:
    """The items and services the package parts of `rows` name by code, of the user's tenant:
    one query per kind for the whole claim."""
    found = {}
    for set_key, code_key, model, _sub_model, _fk in SUB_LINE_KINDS:
        codes = {str(part.get(code_key) or "") for row in rows for part in row.get(set_key) or []}
        codes.discard("")
        found[set_key] = {} if not codes else {
            entry.code: entry for entry in scope_queryset(user, model.objects.filter(
                validity_to__isnull=True, code__in=codes))}
    return found


def _sub_lines(row: dict, registers: dict[str, dict[str, Any]], label: str) -> list:
    """The parts of one package service line, checked, not saved. A part named twice keeps its
    last entry: the app sends a package's composition followed by the parts stored on the claim,
    which carry what the clerk entered."""
    parts: dict[tuple[str, str], Any] = {}
    for set_key, code_key, _model, sub_model, fk in SUB_LINE_KINDS:
        for index, part in enumerate(row.get(set_key) or [], start=1):
            part_label = f"{label} {fk} part {index}"
            code = str(part.get(code_key) or "")
            if not code:
                raise MutationError(f"{part_label}: a code is required",
                                    code="required", detail=part_label)
            entry = registers[set_key].get(code)
            if entry is None:
                raise MutationError(f"{part_label}: no {fk} {code}", code="not_found",
                                    detail=part_label)
            provided = _decimal(part.get("qty_provided"), f"{part_label} qtyProvided",
                                required=False)
            sub_line = sub_model(**{fk: entry}, qty_provided=provided or 0,
                                 qty_displayed=_decimal(part.get("qty_asked"),
                                                        f"{part_label} qtyAsked",
                                                        required=False),
                                 price_asked=_decimal(part.get("price_asked"),
                                                      f"{part_label} priceAsked",
                                                      required=False) or 0)
            check_bounds(sub_line, label=part_label)
            parts[(fk, code)] = sub_line
    return list(parts.values())


def _lines(user, claim: Claim, rows: list[dict] | None, model, line_model, key: str,
           existing: dict[int, Any]) -> list:
    """The claim's lines of one kind as given, checked and priced, not saved yet (a line keeps
    its id when the client sends it back: `existing` are the claim's current lines by id)."""
    rows = rows or []
    medicals = _medicals(user, model, key, rows, claim)
    registers = _sub_line_registers(user, rows) if key == "service" else {}
    lines = []
    for index, row in enumerate(rows, start=1):
        label = f"{key} line {index}"
        medical_id = row.get(f"{key}_id")
        if medical_id in (None, ""):
            raise MutationError(f"{label} is required", code="required", detail=label)
        medical = medicals.get(parse_pk(medical_id))
        if medical is None:
            raise MutationError(f"No {label} {medical_id}", code="not_found", detail=label)
        quantity = _decimal(row.get("qty_provided"), f"{label} qtyProvided")
        if quantity == 0:
            raise MutationError(f"{label} qtyProvided must be more than zero",
                                code="invalid_number", detail=label)
        price = _decimal(row.get("price_asked"), f"{label} priceAsked", required=False)
        if price is None:
            listed = getattr(medical, "listed_price", None)
            price = listed if listed is not None else medical.price
        line_id = row.get("id")
        line = existing.get(parse_pk(line_id))
        if line_id and line is None:
            raise MutationError(f"No {label} {line_id} on this claim", code="not_found",
                                detail=label)
        line = line or line_model(claim=claim)
        setattr(line, key, medical)
        line.qty_provided, line.price_asked = quantity, price
        line.explanation = row.get("explanation") or ""
        line.justification = row.get("justification") or ""
        check_bounds(line, label=label)
        if key == "service":
            line.parts = _sub_lines(row, registers, label)
        elif any(row.get(set_key) for set_key, *_rest in SUB_LINE_KINDS):
            raise MutationError(f"{label}: only a service line has package parts",
                                code="invalid_parts", detail=label)
        lines.append(line)
    return lines


def _save_parts(lines: list, *, replace: bool) -> None:
    """Write the package parts of saved service lines (in one insert per kind); with `replace`,
    the lines' earlier parts go first."""
    if replace:
        for _set, _code, _model, sub_model, _fk in SUB_LINE_KINDS:
            sub_model.objects.filter(claim_service__in=lines).delete()
    for _set, _code, _model, sub_model, _fk in SUB_LINE_KINDS:
        parts = []
        for line in lines:
            for part in getattr(line, "parts", []):
                if isinstance(part, sub_model):
                    part.claim_service = line
                    parts.append(part)
        sub_model.objects.bulk_create(parts)


def _replace_lines(user, claim: Claim, rows: list[dict] | None, model, line_model,
                   key: str) -> None:
    """Replace the claim's lines of one kind by those given."""
    existing = {line.pk: line for line in getattr(claim, f"{key}s").all()}
    lines = _lines(user, claim, rows, model, line_model, key, existing)
    for line in lines:
        line.save()
    line_model.objects.filter(claim=claim).exclude(pk__in=[ln.pk for ln in lines]).delete()
    if key == "service":
        _save_parts(lines, replace=True)


def _next_code(facility: HealthFacility, locked: bool = False) -> str:
    """C + seven digits, one above the facility's highest generated code. The facility row is
    locked (here, unless the caller `locked` it), so two clerks saving at once get consecutive
    numbers."""
    if not locked:
        HealthFacility.objects.select_for_update().filter(pk=facility.pk).first()
    top = Claim.objects.filter(health_facility=facility, code__regex=r"^C[0-9]{7}$").aggregate(
        top=Max("code"))["top"]
    return f"C{(int(top[1:]) if top else 0) + 1:07d}"


def _generates_code(data: dict[str, Any]) -> bool:
    code = (data.get("code") or "").strip()
    return (code.lower() == AUTO_CODE and bool(data.get("autogenerate", True))) or \
        (not code and bool(data.get("autogenerate")))


def _claim_code(data: dict[str, Any], facility: HealthFacility, current: Claim | None, *,
                taken: bool | None = None, locked: bool = False) -> tuple[str, bool]:
    """The claim's code and whether it was generated; `taken`: whether the code given is in use
    at the facility, when the caller knows it already."""
    code = (data.get("code") or "").strip()
    if _generates_code(data):
        return _next_code(facility, locked), True
    if not code:
        raise MutationError("code is required", code="required", detail="code")
    if len(code) > MAX_CODE_LENGTH or not re.fullmatch(r"[\w\-/.]+", code):
        raise MutationError(f"Claim code {code!r} is not valid", code="invalid_code",
                            detail="code")
    if taken is None:
        same = Claim.objects.filter(health_facility=facility, code=code, validity_to__isnull=True)
        taken = same.exclude(pk=current.pk).exists() if current is not None else same.exists()
    if taken:
        raise _duplicate_code(code, facility)
    return code, False


def _duplicate_code(code: str, facility: HealthFacility) -> MutationError:
    return MutationError(f"Claim code {code} already exists at {facility.code}",
                         code="duplicate_code", detail="code")


def _saving_code(claim: Claim):
    """Around the write of a claim's code: a request that passed the pre-check while another
    saved the same code (two clerks, or one double-click) gets the pre-check's error from the
    unique constraint, not an internal error."""
    code, facility = claim.code, claim.health_facility  # read now: no query after the failure
    return unique_violation_as(CODE_PER_FACILITY, lambda: _duplicate_code(code, facility))


def _facility(user, data: dict[str, Any], *, code: str = "", lock: bool = False) -> \
        HealthFacility:
    """The facility claimed at, read once for a new claim: with `code`, the row also says
    whether a valid claim there has that code (`code_taken`); with `lock`, it is locked for
    numbering."""
    facilities = HealthFacility.objects.filter(validity_to__isnull=True)
    if code:
        facilities = facilities.annotate(code_taken=Exists(Claim.objects.filter(
            health_facility=OuterRef("pk"), code=code, validity_to__isnull=True)))
    if lock:
        facilities = facilities.select_for_update()
    facility = referenced_row(user, facilities, data.get("health_facility_id"), "health facility")
    if user.health_facility_id is not None and facility.pk != user.health_facility_id:
        raise MutationError("A claim administrator claims for their own facility only",
                            code="other_facility", detail="healthFacilityId")
    return facility


def create_claim(user, data: dict[str, Any]) -> MutationOutcome:
    generate = _generates_code(data)
    facility = _facility(user, data, code="" if generate else (data.get("code") or "").strip(),
                         lock=generate)
    code, generated = _claim_code(data, facility, None, locked=generate,
                                  taken=getattr(facility, "code_taken", None))
    restore = None
    if data.get("restore"):
        restore = visible_claims(user).filter(uuid=data["restore"],
                                              status=ClaimStatus.REJECTED).first()
        if restore is None:
            raise MutationError(f"No rejected claim {data['restore']} to restore",
                                code="not_found", detail="restore")
    claim = Claim(tenant_id=facility.tenant_id, health_facility=facility, code=code,
                  audit_user=user, restore=restore, **_claim_fields(user, data, facility))
    items = _lines(user, claim, data.get("items"), MedicalItem, ClaimItem, "item", {})
    services = _lines(user, claim, data.get("services"), MedicalService, ClaimService,
                      "service", {})
    if not (data.get("items") or data.get("services")):
        raise MutationError("A claim needs at least one item or service", code="no_lines")
    # Checked and priced before anything is written: one insert each for the claim (with its
    # amounts) and its lines.
    recompute_amounts(claim, [*items, *services])
    with _saving_code(claim):
        claim.save()
    ClaimItem.objects.bulk_create(items)
    ClaimService.objects.bulk_create(services)
    _save_parts(services, replace=False)
    signals.claim_created.send(sender=Claim, claim=claim, user=user)
    return MutationOutcome(uuids=[str(claim.uuid)],
                           autogenerated_code=claim.code if generated else None)


def update_claim(user, data: dict[str, Any]) -> MutationOutcome:
    claim = claim_for_change(user, data.get("uuid"))
    try:
        require_status(claim, STATUS_MOVES["update"], "updating")
    except ClaimError as exc:
        raise MutationError(errors=[exc.entry]) from None
    facility = _facility(user, {**data, "health_facility_id": data.get("health_facility_id")
                                or claim.health_facility_id})
    code, generated = _claim_code({**data, "code": data.get("code") or claim.code}, facility,
                                  claim)
    for name, value in _claim_fields(user, data, facility).items():
        setattr(claim, name, value)
    claim.health_facility, claim.code, claim.audit_user = facility, code, user
    with _saving_code(claim):
        claim.save()
    _replace_lines(user, claim, data.get("items"), MedicalItem, ClaimItem, "item")
    _replace_lines(user, claim, data.get("services"), MedicalService, ClaimService, "service")
    if not (claim.items.exists() or claim.services.exists()):
        raise MutationError("A claim needs at least one item or service", code="no_lines")
    recompute_amounts(claim)
    claim.save()
    signals.claim_updated.send(sender=Claim, claim=claim, user=user)
    return MutationOutcome(uuids=[str(claim.uuid)],
                           autogenerated_code=claim.code if generated else None)


def delete_claims(user, uuids: list[str]) -> MutationOutcome:
    def delete(claim: Claim) -> None:
        require_status(claim, STATUS_MOVES["delete"], "deleting")
        claim.validity_to = timezone.now()
        claim.audit_user = user
        claim.save(update_fields=["validity_to", "audit_user"])
        signals.claim_deleted.send(sender=Claim, claim=claim, user=user)

    done, errors = for_each_claim(user, uuids, delete)
    return MutationOutcome(uuids=[str(c.uuid) for c in done], errors=errors)


def restore_claim(user, claim_uuid: str) -> MutationOutcome:
    """A rejected claim comes back as a new entered claim (pointing to the original), with the
    same lines, so the facility can correct and submit it again."""
    original = claim_for_change(user, claim_uuid)
    try:
        require_status(original, STATUS_MOVES["restore"], "restoring")
    except ClaimError as exc:
        raise MutationError(errors=[exc.entry]) from None
    attempt = original.restored_by.count() + 1
    copy = Claim.objects.select_related("health_facility").get(pk=original.pk)
    copy.pk = None
    copy.uuid = uuid.uuid4()  # None would be saved as NULL: the field default runs only on init
    copy.code = f"{original.code}-R{attempt}"[-MAX_CODE_LENGTH:]
    copy.restore = original
    copy.status = ClaimStatus.ENTERED
    copy.review_status = copy.feedback_status = ReviewStatus.IDLE
    copy.approved = copy.valuated = copy.remunerated = None
    copy.rejection_reason = None
    copy.date_processed = copy.submit_stamp = copy.process_stamp = None
    copy.validity_from = timezone.now()
    copy.audit_user = user
    with _saving_code(copy):
        copy.save()
    for model, key in ((ClaimItem, "item"), (ClaimService, "service")):
        originals = list(model.objects.filter(claim=original, validity_to__isnull=True)
                         .prefetch_related(*(("sub_items", "sub_services") if key == "service"
                                             else ())))
        copies = [model(claim=copy, qty_provided=line.qty_provided, price_asked=line.price_asked,
                        explanation=line.explanation, justification=line.justification,
                        **{f"{key}_id": getattr(line, f"{key}_id")}) for line in originals]
        if key == "service":  # the package parts come along, as the clerk entered them
            for line, line_copy in zip(originals, copies, strict=True):
                line_copy.parts = [
                    type(part)(**{f"{fk}_id": getattr(part, f"{fk}_id")},
                               qty_provided=part.qty_provided, qty_displayed=part.qty_displayed,
                               price_asked=part.price_asked)
                    for part, fk in [*((p, "item") for p in line.sub_items.all()),
                                     *((p, "service") for p in line.sub_services.all())]]
        model.objects.bulk_create(copies)
        if key == "service":
            _save_parts(copies, replace=False)
    recompute_amounts(copy)
    copy.save()
    signals.claim_restored.send(sender=Claim, claim=copy, user=user, original=original)
    return MutationOutcome(uuids=[str(copy.uuid)], autogenerated_code=copy.code)
