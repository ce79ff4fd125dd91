"""Health facilities as `Organization` (type `prov`), as openIMIS' FHIR module shows them:
identifiers (UUID, Code), name, level and care type, district, address and contacts."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from api_fhir_r4.identifiers import IG, identifiers
from api_fhir_r4.resources.base import Context, FhirResource, register
from core.registers.models import HealthFacility
from core.scoping import scope_queryset

LEVEL_SYSTEM = f"{IG}/CodeSystem/organization-hf-level"
CARE_TYPE_SYSTEM = f"{IG}/CodeSystem/organization-hf-care-type"


@register
class OrganizationResource(FhirResource):
    type_name = "Organization"
    read_rights = (("core", "gql_query_health_facilities_perms"),)
    search_params = frozenset({"code", "name", "type"})

    def rows(self, ctx: Context) -> QuerySet:
        rows = scope_queryset(ctx.user, HealthFacility.objects.filter(validity_to__isnull=True))
        if ctx.params.get("code"):
            rows = rows.filter(code=ctx.params["code"])
        if ctx.params.get("name"):
            rows = rows.filter(name__icontains=ctx.params["name"])
        if ctx.params.get("type") not in (None, "", "prov"):
            rows = rows.none()  # only providers (health facilities) are organisations here
        return rows.select_related("location").order_by("code", "pk")

    def find_by_code(self, rows: QuerySet, code: str):
        return rows.filter(code=code).first()

    def render(self, row: HealthFacility, ctx: Context) -> dict[str, Any]:
        resource: dict[str, Any] = {
            "resourceType": "Organization",
            "id": str(row.uuid),
            "identifier": identifiers(row, row.code),
            "active": True,
            "type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                            "organization-type", "code": "prov",
                                  "display": "Healthcare Provider"}]}],
            "name": row.name,
            "extension": [
                {"url": f"{IG}/StructureDefinition/organization-hf-level",
                 "valueCodeableConcept": {"coding": [{
                     "system": LEVEL_SYSTEM, "code": row.level,
                     "display": row.get_level_display()}]}},
                {"url": f"{IG}/StructureDefinition/organization-hf-care-type",
                 "valueCodeableConcept": {"coding": [{
                     "system": CARE_TYPE_SYSTEM, "code": row.care_type,
                     "display": row.get_care_type_display()}]}},
            ],
        }
        telecom = [{"system": system, "value": value} for system, value in
                   (("phone", row.phone), ("email", row.email)) if value]
        if telecom:
            resource["telecom"] = telecom
        address: dict[str, Any] = {}
        if row.address:
            address["line"] = [row.address]
        if row.location is not None:
            address["district"] = row.location.name
        if address:
            resource["address"] = [{"type": "physical", "use": "work", **address}]
        return resource
