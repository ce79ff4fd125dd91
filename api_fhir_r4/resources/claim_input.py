"""A FHIR `Claim` as the Claims Android app posts it (contract §2.1, variants A/B with code
identifiers, C with `Type/<code>` references), read into the flat input of the claim module's
`createClaim`: every reference resolved among the caller's rows to the numeric ids that input
takes. Anything unusable is a 400 naming the element (`issue[0].details.text` is what the app
shows); what the claim module refuses is its business (422, from its own checks)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, QuerySet

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import CODE_ALIASES, Named, identifier_code, parse_reference
from core.registers.models import Diagnosis, HealthFacility, Insuree, MedicalItem, MedicalService
from core.scoping import scope_queryset
from openimis_claim.codes import VisitType
from openimis_claim.models import ClaimAdmin

MAX_DIAGNOSES = 5  # icd, icd1 .. icd4
MAX_LINES = 500
CATEGORIES = {"item": "items", "service": "services"}
SUPPORTING_INFO = ("guarantee", "explanation")


def bad(where: str, message: str) -> FhirError:
    return FhirError(400, f"{where}: {message}", expression=where)


def as_object(value: Any, where: str, required: bool = True) -> dict[str, Any] | None:
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise bad(where, "required" if value is None else "must be an object")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad(where, "must be an array")
    return value


def as_text(value: Any, where: str, required: bool = True, limit: int = 1000) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad(where, "required" if value is None else "must be a non-empty string")
    if len(value) > limit or "\x00" in value:
        raise bad(where, f"must be at most {limit} characters, without NUL")
    return value.strip()


def as_date(value: Any, where: str, required: bool = True) -> date | None:
    """A FHIR date, or the date of a dateTime (`created` may be either)."""
    if value is None and not required:
        return None
    text = as_text(value, where, limit=40)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise bad(where, f"must be a date (YYYY-MM-DD), not {text[:20]!r}") from None


def as_number(value: Any, where: str, required: bool = True) -> Decimal | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise bad(where, "required" if value is None else "must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise bad(where, "must be a number") from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise bad(where, "must be a finite number below 10^15")
    return number


def concept_code(concept: Any, where: str, required: bool = True) -> str | None:
    """`coding[0].code` of a CodeableConcept (any system), else its `text`."""
    concept = as_object(concept, where, required)
    if concept is None:
        return None
    for index, coding in enumerate(as_list(concept.get("coding"), f"{where}.coding")):
        coding = as_object(coding, f"{where}.coding[{index}]")
        if coding.get("code") is not None:
            return as_text(coding["code"], f"{where}.coding[{index}].code", limit=100)
    if concept.get("text") is not None:
        return as_text(concept["text"], f"{where}.text", limit=100)
    if required:
        raise bad(where, "needs coding[0].code")
    return None


def named_reference(value: Any, types: tuple[str, ...], where: str) -> Named:
    """`parse_reference`, and a key no row can have (too long, or with a NUL, which
    PostgreSQL refuses in a query) told as a 400 before any lookup."""
    named = parse_reference(value, types, where)
    key = named.uuid or named.code or ""
    if len(key) > 100 or "\x00" in key:
        raise bad(where, "names no row (too long, or with a NUL character)")
    return named


@dataclass
class Line:
    """One `item[]` entry: its kind ("items" / "services"), medical code or uuid, figures."""

    kind: str
    named: Named
    quantity: Decimal
    price: Decimal | None
    sequence: int
    where: str


@dataclass
class ClaimInput:
    """The body read, before its references are looked up."""

    code: str
    patient: Named
    provider: Named
    enterer: Named | None
    date_from: date
    date_to: date | None
    date_claimed: date | None
    visit_type: str
    diagnoses: list[tuple[str, str]]  # (code, element path), icd first
    lines: list[Line]
    guarantee: str | None = None
    explanation: str | None = None
    pre_auth_ref: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _claim_code(body: dict[str, Any]) -> str:
    """The identifier typed `Code` (or `MR`, ...); the app's oldest variant left the type empty,
    so a sole untyped identifier is taken too."""
    idents = as_list(body.get("identifier"), "Claim.identifier")
    untyped = []
    for index, ident in enumerate(idents):
        where = f"Claim.identifier[{index}]"
        ident = as_object(ident, where)
        if not isinstance(ident.get("type", {}), dict):
            raise bad(f"{where}.type", "must be an object")
        kind = identifier_code(ident)
        if kind in CODE_ALIASES:
            return as_text(ident.get("value"), f"{where}.value", limit=50)
        if kind is None and ident.get("value") is not None:
            untyped.append(as_text(ident.get("value"), f"{where}.value", limit=50))
    if len(untyped) == 1:
        return untyped[0]
    raise bad("Claim.identifier", "the claim code is required (an identifier typed Code)")


def _diagnoses(body: dict[str, Any]) -> list[tuple[str, str]]:
    entries = []
    for index, entry in enumerate(as_list(body.get("diagnosis"), "Claim.diagnosis")):
        where = f"Claim.diagnosis[{index}]"
        entry = as_object(entry, where)
        sequence = entry.get("sequence", index + 1)
        if isinstance(sequence, bool) or not isinstance(sequence, int):
            raise bad(f"{where}.sequence", "must be a whole number")
        if entry.get("diagnosisCodeableConcept") is not None:
            code = concept_code(entry["diagnosisCodeableConcept"],
                            f"{where}.diagnosisCodeableConcept")
        else:
            named = named_reference(entry.get("diagnosisReference"), ("Condition", "CodeSystem"),
                               f"{where}.diagnosisCodeableConcept")
            code = named.code or named.uuid
        entries.append((sequence, code, where))
    if not entries:
        raise bad("Claim.diagnosis", "at least the main diagnosis is required")
    if len(entries) > MAX_DIAGNOSES:
        raise bad("Claim.diagnosis", f"at most {MAX_DIAGNOSES} diagnoses (main and 4 more)")
    return [(code, where) for _sequence, code, where in sorted(entries, key=lambda e: e[0])]


def _line(entry: Any, index: int) -> Line:
    where = f"Claim.item[{index}]"
    entry = as_object(entry, where)
    category = concept_code(entry.get("category"), f"{where}.category")
    kind = CATEGORIES.get(category.lower())
    if kind is None:
        raise bad(f"{where}.category", f"must be item or service, not {category[:40]!r}")
    types = ("Medication",) if kind == "items" else ("ActivityDefinition",)
    extensions = as_list(entry.get("extension"), f"{where}.extension")
    if extensions:
        first = as_object(extensions[0], f"{where}.extension[0]")
        named = named_reference(first.get("valueReference"), types, f"{where}.extension[0]."
                                                                 f"valueReference")
    else:
        code = concept_code(entry.get("productOrService"), f"{where}.productOrService")
        named = Named(types[0], code=code)
    quantity = as_object(entry.get("quantity"), f"{where}.quantity")
    price = as_object(entry.get("unitPrice"), f"{where}.unitPrice", required=False)
    sequence = entry.get("sequence", index + 1)
    if isinstance(sequence, bool) or not isinstance(sequence, int) or not 0 < sequence < 2**31:
        raise bad(f"{where}.sequence", "must be a positive whole number")
    return Line(kind, named, as_number(quantity.get("value"), f"{where}.quantity.value"),
                as_number(price.get("value"), f"{where}.unitPrice.value", required=False)
                if price is not None else None, sequence, where)


def _supporting_info(body: dict[str, Any], read: ClaimInput) -> None:
    for index, entry in enumerate(as_list(body.get("supportingInfo"), "Claim.supportingInfo")):
        where = f"Claim.supportingInfo[{index}]"
        entry = as_object(entry, where)
        category = concept_code(entry.get("category"), f"{where}.category")
        if category not in SUPPORTING_INFO:
            raise bad(f"{where}.category", f"{category[:40]!r} is not taken here; give "
                                           f"{' or '.join(SUPPORTING_INFO)}")
        value = as_text(entry.get("valueString"), f"{where}.valueString", limit=5000)
        setattr(read, category, value)


def _insurance(body: dict[str, Any], read: ClaimInput) -> None:
    """`insurance[0].preAuthRef[0]` (a pre-authorization's reference) or else the app's
    guarantee number, sent as the `Coverage` reference's identifier."""
    insurance = as_list(body.get("insurance"), "Claim.insurance")
    if not insurance:
        return
    first = as_object(insurance[0], "Claim.insurance[0]")
    refs = as_list(first.get("preAuthRef"), "Claim.insurance[0].preAuthRef")
    if refs:
        read.pre_auth_ref = as_text(refs[0], "Claim.insurance[0].preAuthRef[0]", limit=50)
    if first.get("coverage") is not None:
        named = named_reference(first["coverage"], ("Coverage",), "Claim.insurance[0].coverage")
        read.extra["coverage"] = named.code or named.uuid


def read_claim(body: dict[str, Any]) -> ClaimInput:
    """The body's elements, checked for shape (not yet for existence)."""
    if body.get("resourceType") != "Claim":
        raise bad("Claim.resourceType", "must be Claim")
    period = as_object(body.get("billablePeriod"), "Claim.billablePeriod")
    enterer = body.get("enterer")
    lines = [_line(entry, index) for index, entry in
             enumerate(as_list(body.get("item"), "Claim.item"))]
    if not lines:
        raise bad("Claim.item", "at least one item or service is required")
    if len(lines) > MAX_LINES:
        raise bad("Claim.item", f"at most {MAX_LINES} lines")
    visit = concept_code(body.get("type"), "Claim.type", required=False) or VisitType.OTHER
    if visit not in VisitType.values:
        raise bad("Claim.type", f"the visit type must be E, R or O, not {visit[:20]!r}")
    read = ClaimInput(
        code=_claim_code(body),
        patient=named_reference(body.get("patient"), ("Patient",), "Claim.patient"),
        provider=named_reference(body.get("provider"), ("Organization",), "Claim.provider"),
        enterer=named_reference(enterer, ("Practitioner", "PractitionerRole"), "Claim.enterer")
        if enterer is not None else None,
        date_from=as_date(period.get("start"), "Claim.billablePeriod.start"),
        date_to=as_date(period.get("end"), "Claim.billablePeriod.end", required=False),
        date_claimed=as_date(body.get("created"), "Claim.created", required=False),
        visit_type=visit,
        diagnoses=_diagnoses(body),
        lines=lines,
    )
    _supporting_info(body, read)
    _insurance(body, read)
    return read


def _one(user, queryset: QuerySet, named: Named, code_field: str, where: str, what: str):
    rows = scope_queryset(user, queryset)
    row = rows.filter(uuid=named.uuid).first() if named.uuid else \
        rows.filter(**{code_field: named.code}).first()
    if row is None:
        raise bad(where, f"no {what} {named.uuid or named.code}")
    return row


def _medicals(user, model, lines: list[Line]) -> dict[str, Any]:
    """The items (or services) the lines name, by code and uuid, in one query."""
    codes = {line.named.code for line in lines if line.named.code}
    uuids = {line.named.uuid for line in lines if line.named.uuid}
    if not codes and not uuids:
        return {}
    rows = scope_queryset(user, model.objects.filter(validity_to__isnull=True).filter(
        Q(code__in=codes) | Q(uuid__in=uuids)))
    found = {}
    for row in rows:
        found[row.code] = found[str(row.uuid)] = row
    return found


def claim_data(user, read: ClaimInput) -> dict[str, Any]:
    """The createClaim input (`openimis_claim.gql.mutations.ClaimFields`) for the read body."""
    insuree = _one(user, Insuree.objects.filter(validity_to__isnull=True), read.patient,
                   "chf_id", "Claim.patient", "patient")
    facility = _one(user, HealthFacility.objects.filter(validity_to__isnull=True),
                    read.provider, "code", "Claim.provider", "health facility")
    admin = _one(user, ClaimAdmin.objects.filter(validity_to__isnull=True), read.enterer,
                 "code", "Claim.enterer", "claim administrator") if read.enterer else None
    codes = {code for code, _where in read.diagnoses}
    diagnoses = {row.code: row for row in Diagnosis.objects.filter(validity_to__isnull=True,
                                                                   code__in=codes)}
    for code, where in read.diagnoses:
        if code not in diagnoses:
            raise bad(where, f"unknown diagnosis code {code[:20]!r}")
    data: dict[str, Any] = {
        "code": read.code, "insuree_id": insuree.pk, "health_facility_id": facility.pk,
        "admin_id": admin.pk if admin else None, "date_from": read.date_from,
        "date_to": read.date_to, "date_claimed": read.date_claimed,
        "visit_type": read.visit_type, "explanation": read.explanation or "",
        "guarantee_id": read.pre_auth_ref or read.guarantee or read.extra.get("coverage") or "",
        "client_mutation_label": f"FHIR Claim {read.code}",
    }
    for index, (code, _where) in enumerate(read.diagnoses):
        data["icd_id" if index == 0 else f"icd{index}_id"] = diagnoses[code].pk
    if read.pre_auth_ref:
        data["json_ext"] = json.dumps({"fhir": {"preAuthRef": read.pre_auth_ref}})
    for kind, model, key in (("items", MedicalItem, "item"),
                             ("services", MedicalService, "service")):
        mine = [line for line in read.lines if line.kind == kind]
        medicals = _medicals(user, model, mine)
        data[kind] = []
        for line in mine:
            medical = medicals.get(line.named.code or line.named.uuid)
            if medical is None:
                raise bad(line.where, f"no {'medication' if key == 'item' else 'service'} "
                                      f"{line.named.code or line.named.uuid}")
            data[kind].append({f"{key}_id": medical.pk, "qty_provided": line.quantity,
                               "price_asked": line.price})
    return data


def sequences(read: ClaimInput) -> list[int]:
    """The request's sequence of each line in the order the claim keeps them: items, then
    services, each in the order given."""
    return [line.sequence for kind in ("items", "services") for line in read.lines
            if line.kind == kind]
