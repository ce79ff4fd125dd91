"""Insurees as `Patient`, read by uuid or by insurance number (chf_id), which is what the
Android apps and the OpenHIM patient mediator name them by."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from api_fhir_r4.identifiers import identifier, identifiers
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.registers import code_reference, telecom, token
from core.registers.codes import Gender, InsureeStatus, MaritalStatus
from core.registers.models import Insuree
from core.scoping import is_uuid, scope_queryset

PASSPORT_CODE = "PPN"
GENDERS = {Gender.MALE: "male", Gender.FEMALE: "female", Gender.OTHER: "other"}
MARITAL_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus"
# openIMIS marital codes are HL7's (v3 MaritalStatus) but for single, which HL7 calls
# "never married" (S) too.
MARITAL = {MaritalStatus.MARRIED: ("M", "Married"), MaritalStatus.SINGLE: ("S", "Never Married"),
           MaritalStatus.DIVORCED: ("D", "Divorced"), MaritalStatus.WIDOWED: ("W", "Widowed")}


@register
class PatientResource(FhirResource):
    type_name = "Patient"
    read_rights = (("core", "gql_query_insurees_perms"),)
    search_params = frozenset({"identifier", "family", "given", "name"})

    def rows(self, ctx: Context) -> QuerySet:
        rows = scope_queryset(ctx.user, Insuree.objects.filter(validity_to__isnull=True))
        params = ctx.params
        if params.get("identifier"):
            key = token(params["identifier"])
            rows = rows.filter(uuid=key) if is_uuid(key) else rows.filter(chf_id=key)
        if params.get("family"):
            rows = rows.filter(last_name__icontains=params["family"])
        if params.get("given"):
            rows = rows.filter(other_names__icontains=params["given"])
        if params.get("name"):
            rows = rows.filter(Q(last_name__icontains=params["name"])
                               | Q(other_names__icontains=params["name"]))
        return rows.select_related("family__location", "current_village",
                                   "health_facility").order_by("chf_id", "pk")

    def find_by_code(self, rows: QuerySet, code: str) -> Model | None:
        return rows.filter(chf_id=code).first()

    def render(self, row: Insuree, ctx: Context) -> dict[str, Any]:
        idents = identifiers(row, row.chf_id)
        if row.passport:
            idents.append(identifier(PASSPORT_CODE, row.passport))
        resource: dict[str, Any] = {
            "resourceType": "Patient",
            "id": str(row.uuid),
            "identifier": idents,
            "active": row.status == InsureeStatus.ACTIVE,
            "name": [{"use": "usual", "family": row.last_name,
                      "given": row.other_names.split() if row.other_names else []}],
            "gender": GENDERS.get(row.gender_id, "unknown"),
            "birthDate": row.dob.isoformat(),
        }
        if row.status == InsureeStatus.DEAD:
            if row.status_date is not None:
                resource["deceasedDateTime"] = row.status_date.isoformat()
            else:
                resource["deceasedBoolean"] = True
        if row.marital in MARITAL:
            code, display = MARITAL[row.marital]
            resource["maritalStatus"] = {"coding": [{"system": MARITAL_SYSTEM, "code": code,
                                                     "display": display}]}
        contacts = telecom(row.phone, row.email, "home")
        if contacts:
            resource["telecom"] = contacts
        address = self._address(row)
        if address:
            resource["address"] = [address]
        if row.health_facility is not None:
            resource["generalPractitioner"] = [code_reference(
                "Organization", row.health_facility, row.health_facility.code)]
        return resource

    @staticmethod
    def _address(row: Insuree) -> dict[str, Any] | None:
        """Where the insuree lives now, else their family's home."""
        line = row.current_address or row.family.address
        village = row.current_village or row.family.location
        if not line and village is None:
            return None
        address: dict[str, Any] = {"use": "home", "type": "physical"}
        if line:
            address["line"] = [line]
        if village is not None:
            address["city"] = village.name
        return address
