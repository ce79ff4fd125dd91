"""Da Vinci PAS pre-authorization over the approval module: `POST Claim/$submit` and
`POST Claim/$inquire`, each with a Bundle whose first entry is a Claim, each answered with a
Bundle whose first entry is a ClaimResponse (`use: preauthorization`).

`$submit` maps the Claim to an approval request and runs the approval module's own create and
submit mutations (mutation log, validation, signals, its auto-approval rules), both or neither.
The answer says what the request is now: `outcome` queued / partial / complete, `preAuthRef`
the authorization number once granted, and per item the client's `itemSequence` with the X12
review action of the line's decision. The Claim's identifier names the request from then on:
`$inquire` with the patient and that identifier answers the same response as it is now, and a
second `$submit` with the same identifier answers it too instead of filing the request twice.

References (patient, provider, the item's Medication / ActivityDefinition) name rows by uuid or
code, as openIMIS' FHIR clients send them, or point at an entry of the Bundle whose
identifiers do (Da Vinci's Bundles carry the Patient and Organization as entries).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import (
    CODE_CODE,
    IG,
    UUID_CODE,
    Named,
    identifier,
    identifier_code,
    parse_reference,
)
from api_fhir_r4.models import PasRequest
from api_fhir_r4.resources.base import Context, add_operation
from core.codes import MutationStatus
from core.config import module_config
from core.gql.errors import MutationError
from core.registers.models import Diagnosis, HealthFacility, Insuree, MedicalItem, MedicalService
from core.scoping import is_uuid, scope_queryset
from openimis_approval.access import visible_requests
from openimis_approval.codes import (
    GRANTED,
    X12_CODES,
    X12_NAMES,
    ApprovalStatus,
    LineDecision,
    Priority,
    RequestType,
)
from openimis_approval.gql.mutations import (
    CreateApprovalRequestMutation,
    SubmitApprovalRequestsMutation,
)
from openimis_approval.models import DIAGNOSIS_FIELDS, ApprovalLine, ApprovalRequest

PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition"
REVIEW_ACTION_URL = f"{PAS}/extension-reviewAction"
REVIEW_ACTION_CODE_URL = f"{PAS}/extension-reviewActionCode"
X12_REVIEW_ACTION = "https://codesystem.x12.org/005010/306"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PROCESS_PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
S = ApprovalStatus

# X12 review actions of the line decisions: the approval module's own table (`x12Code`).
REVIEW_ACTIONS = {decision: (code, X12_NAMES[code]) for decision, code in X12_CODES.items()}
PENDED = REVIEW_ACTIONS[LineDecision.PENDED]

# FHIR `outcome` by approval status: still to decide, decided in part, decided.
QUEUED = frozenset({S.DRAFT, S.PENDING_SUBMISSION, S.SUBMITTED, S.UNDER_REVIEW,
                    S.INFO_REQUESTED, S.APPEAL_SUBMITTED})
PARTIAL = frozenset({S.PARTIALLY_APPROVED})

PRIORITIES = {"stat": Priority.STAT, "normal": Priority.ROUTINE, "deferred": Priority.ROUTINE,
              **{p.lower(): p for p in Priority.values}}
REQUEST_TYPES = {"pharmacy": RequestType.PHARMACY, **{t.lower(): t for t in RequestType.values}}
CLAIM_TYPES = {RequestType.PHARMACY: "pharmacy", RequestType.ADMISSION: "institutional"}

CREATE_RIGHTS = (("approval", "gql_mutation_create_approvals_perms"),
                 ("approval", "gql_mutation_submit_approvals_perms"))
INQUIRE_RIGHTS = (("approval", "gql_query_approvals_perms"),)


# --- Reading the Bundle ----------------------------------------------------------------------


class Submitted:
    """The Claim of a `$submit` / `$inquire` Bundle and the Bundle's other entries, by the
    names a reference may use for them (`fullUrl`, `Type/id`)."""

    def __init__(self, body: dict[str, Any]) -> None:
        if body.get("resourceType") != "Bundle":
            raise FhirError(400, "POST a Bundle whose first entry is a Claim",
                            expression="Bundle")
        entries = body.get("entry")
        if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
            raise FhirError(400, "The Bundle has no entries: its first must be the Claim",
                            expression="Bundle.entry")
        claim = entries[0].get("resource")
        if not isinstance(claim, dict) or claim.get("resourceType") != "Claim":
            raise FhirError(400, "The Bundle's first entry must be a Claim",
                            expression="Bundle.entry[0].resource")
        self.claim = claim
        self.entries: dict[str, dict[str, Any]] = {}
        for entry in entries[1:]:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"),
                                                                str):
                continue
            if isinstance(entry.get("fullUrl"), str):
                self.entries[entry["fullUrl"]] = resource
            if isinstance(resource.get("id"), str):
                self.entries[f"{resource['resourceType']}/{resource['id']}"] = resource

    def named(self, value: Any, expected: tuple[str, ...], where: str) -> Named:
        """What a reference names: an entry of the Bundle by its identifiers, or the
        reference itself (uuid or code)."""
        text = value.get("reference") if isinstance(value, dict) else None
        entry = self.entries.get(text) if isinstance(text, str) else None
        if entry is None:
            return parse_reference(value, expected, where)
        if entry["resourceType"] not in expected:
            raise FhirError(400, f"{where} must be {' or '.join(expected)}", expression=where)
        found = [ident for ident in _array(entry, "identifier", where)
                 if isinstance(ident, dict) and isinstance(ident.get("value"), str)
                 and ident["value"]]
        for ident in found:
            if identifier_code(ident) == UUID_CODE and is_uuid(ident["value"]):
                return Named(entry["resourceType"], uuid=ident["value"])
        if found:
            return Named(entry["resourceType"], code=found[0]["value"])
        raise FhirError(400, f"{where} points at an entry without an identifier",
                        expression=where)


def _array(holder: dict[str, Any], name: str, where: str) -> list[Any]:
    """An optional list element: [] when absent, FhirError 400 when not a list."""
    value = holder.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise FhirError(400, f"{where}.{name} must be a list", expression=f"{where}.{name}")
    return value


def _row(rows: QuerySet, named: Named, code_field: str, label: str, where: str):
    row = rows.filter(uuid=named.uuid).first() if named.uuid else \
        rows.filter(**{code_field: named.code}).first()
    if row is None:
        raise FhirError(422, f"{where}: no {label} {(named.uuid or named.code)[:60]!r}",
                        expression=where)
    return row


def _codes(concept: Any) -> list[str]:
    """The codes and text of a CodeableConcept, codes first."""
    if not isinstance(concept, dict):
        return []
    found = [coding["code"] for coding in _array(concept, "coding", "CodeableConcept")
             if isinstance(coding, dict) and isinstance(coding.get("code"), str)]
    if isinstance(concept.get("text"), str):
        found.append(concept["text"])
    return [code.strip() for code in found if code.strip()]


def _number(value: Any, where: str, default: Decimal | None = None) -> Decimal | None:
    """A Quantity or Money's value, positive and finite."""
    if value is None:
        return default
    raw = value.get("value") if isinstance(value, dict) else None
    if raw is None or isinstance(raw, bool):
        raise FhirError(400, f"{where}.value must be a number", expression=where)
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise FhirError(400, f"{where}.value must be a number", expression=where) from None
    if not number.is_finite() or number < 0 or number.adjusted() > 15:
        raise FhirError(400, f"{where}.value must be a positive amount", expression=where)
    return number


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise FhirError(400, f"{where} must be a date (YYYY-MM-DD)", expression=where) from None


def _dates(claim: dict[str, Any]) -> tuple[date | None, date | None]:
    """The care's first and last day: the billable period, else the items' service dates."""
    found: list[date] = []
    period = claim.get("billablePeriod")
    if isinstance(period, dict):
        found += [d for d in (_date(period.get("start"), "Claim.billablePeriod.start"),
                              _date(period.get("end"), "Claim.billablePeriod.end")) if d]
    if not found:
        for index, item in enumerate(_array(claim, "item", "Claim")):
            if not isinstance(item, dict):
                continue
            where = f"Claim.item[{index}]"
            served = item.get("servicedPeriod")
            found += [d for d in (
                _date(item.get("servicedDate"), f"{where}.servicedDate"),
                _date(served.get("start"), f"{where}.servicedPeriod.start")
                if isinstance(served, dict) else None,
                _date(served.get("end"), f"{where}.servicedPeriod.end")
                if isinstance(served, dict) else None) if d]
    return (min(found), max(found)) if found else (None, None)


def _request_identifier(claim: dict[str, Any]) -> tuple[str, str]:
    for ident in _array(claim, "identifier", "Claim"):
        if isinstance(ident, dict) and isinstance(ident.get("value"), str) and \
                ident["value"].strip():
            system = ident.get("system") if isinstance(ident.get("system"), str) else ""
            value = ident["value"].strip()
            if len(value) > 255 or len(system) > 255:
                raise FhirError(400, "Claim.identifier is longer than 255 characters",
                                expression="Claim.identifier")
            return system, value
    raise FhirError(400, "Claim.identifier is required: it names the request for $inquire",
                    expression="Claim.identifier")


def _category(item: dict[str, Any]) -> str | None:
    for code in _codes(item.get("category")):
        if code.lower() in ("item", "service"):
            return code.lower()
    return None


def _line(user, bundle: Submitted, item: Any, index: int) -> tuple[int, dict[str, Any]]:
    """(sequence, approval line input) of one Claim.item."""
    where = f"Claim.item[{index}]"
    if not isinstance(item, dict):
        raise FhirError(400, f"{where} must be an object", expression=where)
    sequence = item.get("sequence")
    if not isinstance(sequence, int) or isinstance(sequence, bool) or not 0 < sequence < 2**31:
        raise FhirError(400, f"{where}.sequence must be a positive integer",
                        expression=f"{where}.sequence")
    items = scope_queryset(user, MedicalItem.objects.filter(validity_to__isnull=True))
    services = scope_queryset(user, MedicalService.objects.filter(validity_to__isnull=True))
    category = _category(item)
    medical = None
    for extension in _array(item, "extension", where):
        if isinstance(extension, dict) and isinstance(extension.get("valueReference"), dict):
            named = bundle.named(extension["valueReference"], ("Medication",
                                                               "ActivityDefinition"),
                                 f"{where}.extension.valueReference")
            medical = _row(items if named.type_name == "Medication" else services, named,
                           "code", "medical item" if named.type_name == "Medication" else
                           "medical service", f"{where}.extension")
            break
    if medical is None:
        codes = _codes(item.get("productOrService"))
        if not codes:
            raise FhirError(400, f"{where} names no item or service: give productOrService "
                            f"or a Medication / ActivityDefinition extension",
                            expression=f"{where}.productOrService")
        pools = [items] if category == "item" else [services] if category == "service" \
            else [items, services]
        medical = next((row for pool in pools for code in codes
                        for row in [pool.filter(code=code[:6]).first()] if row is not None
                        and len(code) <= 6), None)
        if medical is None:
            raise FhirError(422, f"{where}: no medical {category or 'item or service'} "
                            f"{codes[0][:40]!r}", expression=f"{where}.productOrService")
    quantity = _number(item.get("quantity"), f"{where}.quantity", Decimal("1"))
    if quantity == 0:
        raise FhirError(400, f"{where}.quantity must be more than zero",
                        expression=f"{where}.quantity")
    price = _number(item.get("unitPrice"), f"{where}.unitPrice")
    key = "item_id" if isinstance(medical, MedicalItem) else "service_id"
    line = {key: medical.pk, "qty_requested": quantity}
    if price is not None:
        line["price_requested"] = price
    return sequence, line


def _approval_input(user, bundle: Submitted) -> tuple[dict[str, Any], list[int]]:
    """The create mutation's input, and the item sequences in the order of its lines."""
    claim = bundle.claim
    if claim.get("use") != "preauthorization":
        raise FhirError(400, "Claim.use must be preauthorization for $submit",
                        expression="Claim.use")
    insurees = scope_queryset(user, Insuree.objects.filter(validity_to__isnull=True))
    insuree = _row(insurees, bundle.named(claim.get("patient"), ("Patient",), "Claim.patient"),
                   "chf_id", "patient", "Claim.patient")
    if claim.get("provider") is None and user.health_facility_id is not None:
        facility_id = user.health_facility_id
    else:
        facilities = scope_queryset(user, HealthFacility.objects.filter(
            validity_to__isnull=True))
        facility_id = _row(facilities, bundle.named(claim.get("provider"), ("Organization",),
                                                    "Claim.provider"),
                           "code", "health facility", "Claim.provider").pk
    items = claim.get("item")
    if not isinstance(items, list) or not items:
        raise FhirError(400, "Claim.item is required: what is to be pre-authorized",
                        expression="Claim.item")
    if len(items) > 200:
        raise FhirError(400, "Claim.item has more than 200 items", expression="Claim.item")
    sequences, lines = [], []
    for index, item in enumerate(items):
        sequence, line = _line(user, bundle, item, index)
        if sequence in sequences:
            raise FhirError(400, f"Claim.item[{index}].sequence {sequence} is used twice",
                            expression=f"Claim.item[{index}].sequence")
        sequences.append(sequence)
        lines.append(line)
    start, end = _dates(claim)
    data: dict[str, Any] = {
        "insuree_id": insuree.pk, "health_facility_id": facility_id, "lines": lines,
        "service_start_date": start, "service_end_date": end,
        "client_mutation_label": "FHIR Claim/$submit",
    }
    priority = next((PRIORITIES[c.lower()] for c in _codes(claim.get("priority"))
                     if c.lower() in PRIORITIES), None)
    if priority:
        data["priority"] = priority
    request_type = next((REQUEST_TYPES[c.lower()] for c in _codes(claim.get("type"))
                         if c.lower() in REQUEST_TYPES), None)
    if request_type:
        data["request_type"] = request_type
    diagnoses = [d for d in _array(claim, "diagnosis", "Claim") if isinstance(d, dict)]
    diagnoses.sort(key=lambda d: d.get("sequence") if isinstance(d.get("sequence"), int)
                   and not isinstance(d.get("sequence"), bool) else 2**31)
    for key, found in zip(DIAGNOSIS_FIELDS, diagnoses, strict=False):
        codes = _codes(found.get("diagnosisCodeableConcept"))
        row = Diagnosis.objects.filter(code__in=[c[:8] for c in codes],
                                       validity_to__isnull=True).first() if codes else None
        if row is None:
            raise FhirError(422, f"Claim.diagnosis: no diagnosis {(codes or [''])[0][:20]!r}",
                            expression="Claim.diagnosis")
        data[key] = row.pk
    return data, sequences


def _succeeded(log) -> None:
    """The mutation's errors as the FHIR layer's 422, rolling back what ran before it."""
    if log.status != MutationStatus.SUCCESS:
        raise MutationError(errors=log.error or [{"message": "Refused"}])


# --- The operations --------------------------------------------------------------------------


@add_operation("Claim", "$submit", CREATE_RIGHTS)
def submit(ctx: Context, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Create and submit the approval request the Claim asks for, in one transaction."""
    bundle = Submitted(body)
    system, value = _request_identifier(bundle.claim)
    data, sequences = _approval_input(ctx.user, bundle)
    earlier = _earlier(ctx.user, system, value)
    if earlier is not None:
        if earlier.insuree_id != data["insuree_id"]:
            raise FhirError(409, f"Claim.identifier {value[:60]!r} names another patient's "
                            f"request", expression="Claim.identifier")
        return 200, response_bundle(earlier, ctx)
    with transaction.atomic():
        created = CreateApprovalRequestMutation.run(ctx.user, data)
        _succeeded(created)
        request_uuid = created.uuids[0]
        _succeeded(SubmitApprovalRequestsMutation.run(
            ctx.user, {"uuids": [request_uuid], "client_mutation_label": "FHIR Claim/$submit"}))
        request = ApprovalRequest.objects.get(uuid=request_uuid)
        PasRequest.objects.create(tenant_id=request.tenant_id, approval_uuid=request.uuid,
                                  identifier_system=system, identifier_value=value,
                                  sequences=sequences)
    return 200, response_bundle(request, ctx)


def _earlier(user, system: str, value: str) -> ApprovalRequest | None:
    """The request an earlier `$submit` with this identifier made, if the user's tenant has
    one (another facility's is refused: the identifier is taken)."""
    link = scope_queryset(user, PasRequest.objects.filter(
        identifier_system=system, identifier_value=value)).first()
    if link is None:
        return None
    request = visible_requests(user).filter(uuid=link.approval_uuid).first()
    if request is None:
        raise FhirError(409, f"Claim.identifier {value[:60]!r} is taken",
                        expression="Claim.identifier")
    return request


@add_operation("Claim", "$inquire", INQUIRE_RIGHTS)
def inquire(ctx: Context, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The current PAS response of the caller's request the Claim names by patient and
    identifier (the `$submit` identifier, or the request's number or authorization number),
    optionally with its provider."""
    bundle = Submitted(body)
    claim = bundle.claim
    system, value = _request_identifier(claim)
    patient = bundle.named(claim.get("patient"), ("Patient",), "Claim.patient")
    requests = visible_requests(ctx.user).filter(
        **({"insuree__uuid": patient.uuid} if patient.uuid else
           {"insuree__chf_id": patient.code}))
    if claim.get("provider") is not None:
        provider = bundle.named(claim["provider"], ("Organization",), "Claim.provider")
        requests = requests.filter(**({"health_facility__uuid": provider.uuid} if provider.uuid
                                      else {"health_facility__code": provider.code}))
    links = scope_queryset(ctx.user, PasRequest.objects.filter(identifier_value=value))
    if system:
        links = links.filter(identifier_system=system)
    found = requests.filter(uuid__in=links.values("approval_uuid")).first() or \
        requests.filter(number=value).first() or \
        requests.filter(authorization_number=value).order_by("-pk").first()
    if found is None:
        raise FhirError(404, f"No pre-authorization {value[:60]!r} of this patient is yours")
    return 200, response_bundle(found, ctx)


# --- The response ----------------------------------------------------------------------------


def _money(amount: Decimal) -> dict[str, Any]:
    return {"value": float(amount.quantize(Decimal("0.01"))),
            "currency": module_config("api_fhir_r4")["currency"]}


def _coded_reference(type_name: str, row, code: str, display: str | None = None) -> dict:
    ref: dict[str, Any] = {"reference": f"{type_name}/{row.uuid}", "type": type_name,
                           "identifier": identifier(CODE_CODE, code)}
    if display:
        ref["display"] = display
    return ref


def review_action(request: ApprovalRequest, line: ApprovalLine) -> tuple[str, str]:
    """The X12 review action of a line: its decision's, pended while undecided (cancelled
    with its request)."""
    if line.decision:
        return REVIEW_ACTIONS[line.decision]
    if request.status == S.CANCELLED:
        return REVIEW_ACTIONS[LineDecision.CANCELLED]
    return PENDED


def _item(request: ApprovalRequest, line: ApprovalLine, sequence: int) -> dict[str, Any]:
    code, display = review_action(request, line)
    action: dict[str, Any] = {"url": REVIEW_ACTION_URL, "extension": [
        {"url": REVIEW_ACTION_CODE_URL, "valueCodeableConcept": {"coding": [
            {"system": X12_REVIEW_ACTION, "code": code, "display": display}]}}]}
    granted = request.status in GRANTED and (line.qty_approved or 0) > 0
    if granted and request.authorization_number:
        action["extension"].append({"url": "number",
                                    "valueString": request.authorization_number})
    adjudication = [{
        "extension": [action],
        "category": {"coding": [{"system": ADJUDICATION, "code": "submitted",
                                 "display": "Submitted Amount"}]},
        "amount": _money(line.qty_requested * line.price_requested),
        "value": float(line.qty_requested),
    }]
    if line.qty_approved is not None:
        price = line.price_approved if line.price_approved is not None else \
            line.price_requested
        adjudication.append({
            "category": {"coding": [{"system": ADJUDICATION, "code": "eligible",
                                     "display": "Eligible Amount"}]},
            "amount": _money(line.qty_approved * price),
            "value": float(line.qty_approved),
        })
    medical = line.item or line.service
    return {"itemSequence": sequence,
            "extension": [{"url": f"{IG}/StructureDefinition/claim-item-reference",
                           "valueReference": _coded_reference(
                               "Medication" if line.item_id else "ActivityDefinition",
                               medical, medical.code, medical.name)}],
            "adjudication": adjudication}


def claim_response(request: ApprovalRequest, ctx: Context,
                   link: PasRequest | None = None) -> dict[str, Any]:
    """The PAS ClaimResponse of an approval request as it is now."""
    lines = list(request.lines.select_related("item", "service").order_by("pk"))
    sequences = list(link.sequences) if link is not None else []
    identifiers = [identifier(UUID_CODE, request.uuid), identifier(CODE_CODE, request.number)]
    if link is not None:
        own: dict[str, Any] = {"value": link.identifier_value}
        if link.identifier_system:
            own["system"] = link.identifier_system
        identifiers.insert(0, own)
    status = request.status
    resource: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": str(request.uuid),
        "identifier": identifiers,
        "status": "cancelled" if status == S.CANCELLED else "active",
        "type": {"coding": [{"system": CLAIM_TYPE,
                             "code": CLAIM_TYPES.get(request.request_type, "professional")}]},
        "use": "preauthorization",
        "patient": _coded_reference("Patient", request.insuree, request.insuree.chf_id),
        "created": (request.decided_at or request.submitted_at or request.created_at)
        .isoformat(),
        "insurer": {"type": "Organization", "display": request.tenant.name,
                    "identifier": identifier(CODE_CODE, request.tenant.code)},
        "requestor": _coded_reference("Organization", request.health_facility,
                                      request.health_facility.code,
                                      request.health_facility.name),
        "outcome": "queued" if status in QUEUED else "partial" if status in PARTIAL
        else "complete",
        "disposition": status,
        "item": [_item(request, line, sequences[index] if index < len(sequences)
                       else index + 1) for index, line in enumerate(lines)],
    }
    if link is not None:
        resource["request"] = {"type": "Claim", "identifier": identifiers[0]}
    if status in GRANTED and request.authorization_number:
        resource["preAuthRef"] = request.authorization_number
        if request.effective_date:
            period = {"start": request.effective_date.isoformat()}
            if request.expiration_date:
                period["end"] = request.expiration_date.isoformat()
            resource["preAuthPeriod"] = period
    if request.denial_reason:
        resource["processNote"] = [{"number": 1, "type": "display",
                                    "text": request.denial_reason}]
    return resource


def response_bundle(request: ApprovalRequest, ctx: Context) -> dict[str, Any]:
    """The PAS response: a collection Bundle whose first entry is the ClaimResponse."""
    link = PasRequest.objects.filter(approval_uuid=request.uuid).first()
    resource = claim_response(request, ctx, link)
    return {"resourceType": "Bundle", "type": "collection",
            "timestamp": timezone.now().isoformat(),
            "entry": [{"fullUrl": ctx.url("ClaimResponse", request.uuid),
                       "resource": resource}]}
