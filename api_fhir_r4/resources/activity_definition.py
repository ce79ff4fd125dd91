"""Medical services as `ActivityDefinition`, which the Claims Android app syncs page by page
into its catalogue: `title` is the name it shows, `date` it parses as `yyyy-MM-ddTHH:mm:ss`,
the first extension with a `valueMoney` the price, the identifier typed Code the code it
claims with."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from api_fhir_r4.identifiers import IG, identifiers
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.registers import (
    currency,
    fhir_datetime,
    frequency_timing,
    token,
    unit_price,
    usage_contexts,
)
from core.registers.models import MedicalService
from core.scoping import is_uuid, scope_queryset

PRICE_URL = f"{IG}/StructureDefinition/unit-price"
TYPE_SYSTEM = f"{IG}/CodeSystem/activity-definition-service-type"
CATEGORY_SYSTEM = f"{IG}/CodeSystem/activity-definition-service-category"
USAGE_CONTEXT_TYPE = "http://terminology.hl7.org/CodeSystem/usage-context-type"


@register
class ActivityDefinitionResource(FhirResource):
    type_name = "ActivityDefinition"
    read_rights = (("core", "gql_query_medical_services_perms"),)
    search_params = frozenset({"code", "identifier", "name"})

    def rows(self, ctx: Context) -> QuerySet:
        # Not core's `medical_services()`: it prefetches package contents we do not show.
        rows = scope_queryset(ctx.user, MedicalService.objects.filter(validity_to__isnull=True))
        for name in ("identifier", "code", "name"):
            if ctx.params.get(name):
                key = token(ctx.params[name])
                rows = rows.filter(uuid=key) if is_uuid(key) else rows.filter(code=key)
        return rows.order_by("code", "pk")

    def find_by_code(self, rows: QuerySet, code: str) -> Model | None:
        return rows.filter(code=code).first()

    def render_page(self, rows: list[MedicalService], ctx: Context) -> list[dict[str, Any]]:
        money_currency = currency()
        return [self._render(row, money_currency) for row in rows]

    def render(self, row: MedicalService, ctx: Context) -> dict[str, Any]:
        return self._render(row, currency())

    @staticmethod
    def _render(row: MedicalService, money_currency: str) -> dict[str, Any]:
        workflow = {"code": {"system": USAGE_CONTEXT_TYPE, "code": "workflow"},
                    "valueCodeableConcept": {"coding": [{
                        "system": CATEGORY_SYSTEM, "code": row.category,
                        "display": row.get_category_display()}]}}
        resource: dict[str, Any] = {
            "resourceType": "ActivityDefinition",
            "id": str(row.uuid),
            "identifier": identifiers(row, row.code),
            "name": row.code,
            "title": row.name,
            "status": "active",
            "date": fhir_datetime(row.validity_from),
            "topic": [{"coding": [{"system": TYPE_SYSTEM, "code": row.type,
                                   "display": row.get_type_display()}]}],
            "useContext": [*(context for _, context in usage_contexts(
                row.patient_category, row.care_type)), workflow],
            "extension": [unit_price(row.price, money_currency, PRICE_URL)],
        }
        timing = frequency_timing(row.frequency)
        if timing is not None:
            resource["timingTiming"] = timing
        return resource
