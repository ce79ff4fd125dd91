"""Policies as `Coverage`: a family's cover under a product for one insurance period, found by
the insuree it covers (the OpenHIM coverage mediator, eligibility checks).

openIMIS policy status -> Coverage.status (openIMIS' FHIR module maps the same way):
idle (1, enrolled, not yet paid) -> draft; active (2) -> active; suspended (4) and expired (8)
-> cancelled, as neither covers care any more. The openIMIS status itself is kept in the
`coverage-policy-status` extension, so a client can tell suspended from expired."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from api_fhir_r4.identifiers import IG, identifiers
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.registers import code_reference, token
from core.registers.codes import PolicyStatus
from core.registers.models import InsureePolicy, Policy
from core.registers.queries import policies
from core.scoping import is_uuid, scope_queryset

STATUSES = {PolicyStatus.IDLE: "draft", PolicyStatus.ACTIVE: "active",
            PolicyStatus.SUSPENDED: "cancelled", PolicyStatus.EXPIRED: "cancelled"}
POLICY_STATUS_URL = f"{IG}/StructureDefinition/coverage-policy-status"
POLICY_STATUS_SYSTEM = f"{IG}/CodeSystem/policy-status"
CLASS_SYSTEM = "http://terminology.hl7.org/CodeSystem/coverage-class"


@register
class CoverageResource(FhirResource):
    type_name = "Coverage"
    read_rights = (("core", "gql_query_policies_perms"),)
    search_params = frozenset({"beneficiary", "patient", "status"})

    def rows(self, ctx: Context) -> QuerySet:
        rows = scope_queryset(ctx.user, policies()).select_related("tenant")
        for name in ("beneficiary", "patient"):
            if ctx.params.get(name):
                rows = rows.filter(pk__in=self._covering(ctx.params[name]))
        if ctx.params.get("status"):
            wanted = {code for code, status in STATUSES.items()
                      if status in ctx.params["status"].split(",")}
            rows = rows.filter(status__in=wanted)
        return rows.order_by("-start_date", "pk")

    @staticmethod
    def _covering(value: str) -> QuerySet:
        """The policies that cover one insuree (any member of the family, the head or not),
        named as a reference (`Patient/<id>`) or a bare id: a uuid or an insurance number."""
        key = token(value).rstrip("/").rsplit("/", 1)[-1]
        who = {"insuree__uuid": key} if is_uuid(key) else {"insuree__chf_id": key}
        return InsureePolicy.objects.filter(validity_to__isnull=True,
                                            insuree__validity_to__isnull=True,
                                            **who).values("policy_id")

    def render(self, row: Policy, ctx: Context) -> dict[str, Any]:
        head = row.family.head_insuree
        holder = code_reference("Patient", head, head.chf_id) if head is not None else \
            {"display": f"Family {row.family_id} (no head)"}
        return {
            "resourceType": "Coverage",
            "id": str(row.uuid),
            "identifier": identifiers(row),
            "status": STATUSES.get(row.status, "entered-in-error"),
            "policyHolder": holder,
            "beneficiary": holder,
            "payor": [{"type": "Organization", "display": row.tenant.name,
                       "identifier": {"value": row.tenant.code}}],
            "period": {"start": row.start_date.isoformat(),
                       "end": row.expiry_date.isoformat()},
            "class": [{"type": {"coding": [{"system": CLASS_SYSTEM, "code": "plan"}]},
                       "value": row.product.code, "name": row.product.name}],
            "extension": [
                {"url": POLICY_STATUS_URL, "valueCodeableConcept": {"coding": [{
                    "system": POLICY_STATUS_SYSTEM, "code": str(row.status),
                    "display": row.get_status_display()}]}},
            ],
        }
