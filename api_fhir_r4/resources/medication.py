"""Medical items as `Medication`, which the Claims Android app syncs page by page into its
catalogue: `code.text` is the name it shows, the first extension with a `valueMoney` the price
(value and currency both required), the identifier typed Code the code it claims with."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from api_fhir_r4.identifiers import IG, identifiers
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.registers import (
    currency,
    frequency_timing,
    token,
    unit_price,
    usage_contexts,
)
from core.registers.models import MedicalItem
from core.registers.queries import medical_items
from core.scoping import is_uuid, scope_queryset

# openIMIS' own URL for the item price (a CodeSystem path, unlike ActivityDefinition's).
PRICE_URL = f"{IG}/CodeSystem/unit-price"
TYPE_URL = f"{IG}/StructureDefinition/medication-type"
TYPE_SYSTEM = f"{IG}/CodeSystem/medication-item-type"
FREQUENCY_URL = f"{IG}/StructureDefinition/medication-frequency"
USAGE_URL = f"{IG}/StructureDefinition/medication-usage-context"


@register
class MedicationResource(FhirResource):
    type_name = "Medication"
    read_rights = (("core", "gql_query_medical_items_perms"),)
    search_params = frozenset({"code", "identifier"})

    def rows(self, ctx: Context) -> QuerySet:
        rows = scope_queryset(ctx.user, medical_items(ctx.user))
        for name in ("identifier", "code"):
            if ctx.params.get(name):
                key = token(ctx.params[name])
                rows = rows.filter(uuid=key) if is_uuid(key) else rows.filter(code=key)
        return rows.order_by("code", "pk")

    def find_by_code(self, rows: QuerySet, code: str) -> Model | None:
        return rows.filter(code=code).first()

    def render_page(self, rows: list[MedicalItem], ctx: Context) -> list[dict[str, Any]]:
        money_currency = currency()
        return [self._render(row, money_currency) for row in rows]

    def render(self, row: MedicalItem, ctx: Context) -> dict[str, Any]:
        return self._render(row, currency())

    @staticmethod
    def _render(row: MedicalItem, money_currency: str) -> dict[str, Any]:
        extensions = [
            unit_price(row.price, money_currency, PRICE_URL),
            {"url": TYPE_URL, "valueCodeableConcept": {"coding": [{
                "system": TYPE_SYSTEM, "code": row.type, "display": row.get_type_display()}]}},
        ]
        timing = frequency_timing(row.frequency)
        if timing is not None:
            extensions.append({"url": FREQUENCY_URL, "valueTiming": timing})
        usage = usage_contexts(row.patient_category, row.care_type)
        if usage:
            extensions.append({"url": USAGE_URL, "extension": [
                {"url": name, "valueUsageContext": context} for name, context in usage]})
        resource: dict[str, Any] = {
            "resourceType": "Medication",
            "id": str(row.uuid),
            "identifier": identifiers(row, row.code),
            "status": "active",
            "code": {"text": row.name},
            "extension": extensions,
        }
        if row.package:
            resource["form"] = {"text": row.package}
        if row.quantity is not None:
            resource["amount"] = {"numerator": {"value": float(row.quantity)}}
        return resource
