"""Claims as `ClaimResponse`: what the scheme decided on each line at each stage it reached, as
openIMIS' FHIR module answers it (the Claims Android app reads `total` and the `Code`
identifier of the answer to its `POST Claim/`; the OpenHIM mediator reads `entry`).

Status and amounts are the claim module's, never recomputed here: `total` lists the claim's own
`claimed`, `approved` and `valuated` per reached stage, and is absent for a rejected claim (the
app's variant A tells a rejection by the missing `total`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import IG, identifier, identifiers
from api_fhir_r4.resources.base import Context, FhirResource, register
from core.config import module_config
from core.registers.codes import RejectionReason
from core.scoping import is_uuid
from openimis_claim.codes import ClaimStatus, LineStatus, VisitType
from openimis_claim.models import Claim, ClaimItem, ClaimService
from openimis_claim.services.common import visible_claims

CLAIM_STATUS_SYSTEM = f"{IG}/CodeSystem/claim-status"
REJECTION_SYSTEM = f"{IG}/CodeSystem/claim-rejection-reasons"
VISIT_TYPE_SYSTEM = f"{IG}/CodeSystem/claim-visit-type"
ITEM_REFERENCE_URL = f"{IG}/StructureDefinition/claim-item-reference"
# openIMIS' display of the visit types (its claimMapping: "Referrals", sic).
VISIT_TYPE_DISPLAY = {VisitType.EMERGENCY: "Emergency", VisitType.REFERRAL: "Referrals",
                      VisitType.OTHER: "Other"}
# openIMIS' ClaimResponse outcome per claim status (claimResponseConverter).
OUTCOMES = {ClaimStatus.REJECTED: "complete", ClaimStatus.ENTERED: "queued",
            ClaimStatus.CHECKED: "partial", ClaimStatus.PROCESSED: "partial",
            ClaimStatus.VALUATED: "complete"}
# The stages a claim in a status has been through, in order.
STAGES = (ClaimStatus.ENTERED, ClaimStatus.CHECKED, ClaimStatus.PROCESSED, ClaimStatus.VALUATED)
CLAIM_READ_RIGHTS = (("claim", "gql_query_claims_perms"),)


def currency() -> str:
    return module_config("api_fhir_r4")["currency"]


def money(value: Decimal | None, unit: str) -> dict[str, Any]:
    return {"value": float(value or 0), "currency": unit}


def status_coding(status: int) -> dict[str, Any]:
    return {"coding": [{"system": CLAIM_STATUS_SYSTEM, "code": str(int(status)),
                        "display": ClaimStatus(status).label}]}


def reason_coding(reason: int) -> dict[str, Any]:
    try:
        display = RejectionReason(reason).label
    except ValueError:
        display = f"reason {reason}"
    return {"coding": [{"system": REJECTION_SYSTEM, "code": str(int(reason)),
                        "display": display}]}


def visit_type(claim: Claim) -> dict[str, Any]:
    code = claim.visit_type or VisitType.OTHER
    return {"coding": [{"system": VISIT_TYPE_SYSTEM, "code": code,
                        "display": VISIT_TYPE_DISPLAY.get(code, code)}]}


def row_reference(type_name: str, row, display: str | None = None) -> dict[str, Any]:
    """A reference as openIMIS' server builds them: type, uuid identifier, `Type/<uuid>`."""
    ref: dict[str, Any] = {"reference": f"{type_name}/{row.uuid}", "type": type_name,
                           "identifier": identifier("UUID", row.uuid)}
    if display:
        ref["display"] = display
    return ref


def claim_rows(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """Claims with what a page renders in a fixed number of statements: header rows joined,
    valid lines with their item or service (and paying policy) prefetched."""
    return queryset.select_related(
        "insuree", "health_facility", "admin", "icd", "icd_1", "icd_2", "icd_3", "icd_4",
    ).prefetch_related(
        Prefetch("items", ClaimItem.objects.filter(validity_to__isnull=True)
                 .select_related("item", "policy").order_by("pk"), to_attr="fhir_items"),
        Prefetch("services", ClaimService.objects.filter(validity_to__isnull=True)
                 .select_related("service", "policy").order_by("pk"), to_attr="fhir_services"),
    )


def lines_of(claim: Claim) -> list[tuple[str, ClaimItem | ClaimService]]:
    """("Medication" | "ActivityDefinition", line): items first, then services, as the Claims
    app numbers them."""
    items = getattr(claim, "fhir_items", None)
    services = getattr(claim, "fhir_services", None)
    if items is None:
        items = list(claim.items.filter(validity_to__isnull=True).select_related("item", "policy")
                     .order_by("pk"))
    if services is None:
        services = list(claim.services.filter(validity_to__isnull=True)
                        .select_related("service", "policy").order_by("pk"))
    return [*(("Medication", line) for line in items),
            *(("ActivityDefinition", line) for line in services)]


def medical_of(kind: str, line):
    return line.item if kind == "Medication" else line.service


def item_reference(kind: str, line) -> dict[str, Any]:
    medical = medical_of(kind, line)
    return {"url": ITEM_REFERENCE_URL, "valueReference": row_reference(kind, medical, medical.code)}


def _stage_figures(stage: int, line) -> tuple[Decimal, Decimal]:
    """(amount, quantity) of a line at a stage: asked at entry, then adjusted or approved; at
    valuation the line's valuated total (the claim module keeps `price_valuated` as a total)."""
    quantity = line.qty_provided if stage == ClaimStatus.ENTERED or line.qty_approved is None \
        else line.qty_approved
    if stage == ClaimStatus.ENTERED:
        return line.price_asked, quantity
    if stage == ClaimStatus.VALUATED and line.price_valuated is not None:
        return line.price_valuated, quantity
    for price in (line.price_approved, line.price_adjusted):
        if price is not None:
            return price, quantity
    return line.price_asked, quantity


def adjudications(claim: Claim, line, unit: str) -> list[dict[str, Any]]:
    """A rejected line: one adjudication, category rejected (1) with its reason. Otherwise one
    per stage the claim reached (2, 4, 8, 16), the reason "accepted"."""
    if line.status == LineStatus.REJECTED or claim.status == ClaimStatus.REJECTED:
        return [{"category": status_coding(ClaimStatus.REJECTED),
                 "reason": reason_coding(line.rejection_reason),
                 "amount": money(line.price_asked, unit), "value": float(line.qty_provided)}]
    found = []
    for stage in STAGES:
        if stage > claim.status:
            break
        amount, quantity = _stage_figures(stage, line)
        found.append({"category": status_coding(stage),
                      "reason": reason_coding(RejectionReason.ACCEPTED),
                      "amount": money(amount, unit), "value": float(quantity)})
    return found


def totals(claim: Claim, unit: str) -> list[dict[str, Any]]:
    """Per reached stage, the claim's own amount: claimed, then approved, then valuated."""
    if claim.status == ClaimStatus.REJECTED:
        return []
    amounts = {ClaimStatus.ENTERED: claim.claimed, ClaimStatus.CHECKED: claim.approved,
               ClaimStatus.PROCESSED: claim.approved, ClaimStatus.VALUATED: claim.valuated}
    return [{"category": status_coding(stage), "amount": money(amounts[stage], unit)}
            for stage in STAGES if stage <= claim.status]


def render_claim_response(claim: Claim, sequences: list[int] | None = None) -> dict[str, Any]:
    """The ClaimResponse of a claim; `sequences`: the request's `item.sequence` of each line
    (items then services), echoed as `itemSequence` (else 1..n)."""
    unit = currency()
    lines = lines_of(claim)
    sequences = sequences if sequences and len(sequences) == len(lines) else \
        list(range(1, len(lines) + 1))
    moment = claim.process_stamp or claim.submit_stamp or claim.validity_from
    resource: dict[str, Any] = {
        "resourceType": "ClaimResponse",
        "id": str(claim.uuid),
        "identifier": identifiers(claim, claim.code),
        "status": "active",
        "type": visit_type(claim),
        "use": "claim",
        "patient": row_reference("Patient", claim.insuree, claim.insuree.chf_id),
        "created": moment.isoformat(),
        "insurer": {"type": "Organization", "display": "openIMIS"},
        "requestor": row_reference("Organization", claim.health_facility,
                                   claim.health_facility.code),
        "request": row_reference("Claim", claim, claim.code),
        "outcome": OUTCOMES[ClaimStatus(claim.status)],
        "disposition": ClaimStatus(claim.status).label,
        "item": [{"itemSequence": sequence, "extension": [item_reference(kind, line)],
                  "adjudication": adjudications(claim, line, unit)}
                 for sequence, (kind, line) in zip(sequences, lines, strict=True)],
    }
    found = totals(claim, unit)
    if found:
        resource["total"] = found
    if claim.status == ClaimStatus.REJECTED:
        reason = claim.rejection_reason if claim.rejection_reason is not None else \
            RejectionReason.INVALID_CLAIM
        resource["error"] = [{"code": reason_coding(reason)}]
        resource["disposition"] = f"rejected: {reason_coding(reason)['coding'][0]['display']}"
    if not resource["item"]:
        del resource["item"]
    return resource


def find_claim(rows: QuerySet[Claim], key: str) -> Claim | None:
    """A claim by code among `rows` (a code is unique per facility: the newest of the user's)."""
    return rows.filter(code=key).order_by("-validity_from", "-pk").first()


def searched_claims(ctx: Context) -> QuerySet[Claim]:
    """The user's claims (tenant and facility scoping of the claim module) with the search
    parameters both Claim and ClaimResponse take."""
    rows = visible_claims(ctx.user)
    params = ctx.params
    if params.get("identifier"):
        value = params["identifier"].rsplit("|", 1)[-1]
        rows = rows.filter(Q(code=value) | Q(uuid=value)) if is_uuid(value) else \
            rows.filter(code=value)
    if params.get("patient"):
        value = params["patient"].rsplit("/", 1)[-1]
        rows = rows.filter(insuree__uuid=value) if is_uuid(value) else \
            rows.filter(insuree__chf_id=value)
    if params.get("refDate"):
        try:
            day = date.fromisoformat(params["refDate"][:10])
        except ValueError:
            raise FhirError(400, "refDate must be a date (YYYY-MM-DD)",
                            expression="refDate") from None
        rows = rows.filter(Q(date_from__lte=day) & (Q(date_to__gte=day) |
                                                    Q(date_to__isnull=True, date_from=day)))
    if params.get("_lastUpdated"):
        rows = rows.filter(**last_updated(params["_lastUpdated"]))
    return rows


PREFIXES = {"eq": "exact", "gt": "gt", "lt": "lt", "ge": "gte", "le": "lte", "sa": "gt",
            "eb": "lt"}


def last_updated(text: str) -> dict[str, Any]:
    """`_lastUpdated=[prefix]YYYY-MM-DD[THH:MM:SS]` on the claim's `validity_from` (the last
    change of a claim row), as openIMIS' filter reads it."""
    prefix, value = (text[:2], text[2:]) if text[:2] in PREFIXES else ("eq", text)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FhirError(400, "_lastUpdated must be [eq|gt|lt|ge|le]YYYY-MM-DD[THH:MM:SS]",
                        expression="_lastUpdated") from None
    if len(value) <= 10:
        lookup = "date" if prefix == "eq" else f"date__{PREFIXES[prefix]}"
        return {f"validity_from__{lookup}": moment.date()}
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return {f"validity_from__{PREFIXES[prefix]}": moment}


@register
class ClaimResponseResource(FhirResource):
    type_name = "ClaimResponse"
    read_rights = CLAIM_READ_RIGHTS
    search_params = frozenset({"identifier", "patient", "refDate", "_lastUpdated"})

    def rows(self, ctx: Context) -> QuerySet:
        return claim_rows(searched_claims(ctx)).order_by("-date_claimed", "-id")

    def find_by_code(self, rows: QuerySet, code: str):
        return find_claim(rows, code)

    def render(self, row: Claim, ctx: Context) -> dict[str, Any]:
        return render_claim_response(row)
