"""Claim administrators (`?resourceType=ca`, the default) and enrolment officers
(`?resourceType=eo`) as `Practitioner`, in the shape the Claims Android app syncs its claim
administrators from: it fails the whole sync when a qualification lacks its display or a claim
administrator lacks the extension naming their facility by code."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import IG, identifiers
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.registers import code_reference, telecom, token
from core.registers.models import Officer
from core.registers.queries import officers
from core.rights import rights_codes
from core.scoping import is_uuid, own_facility_only, scope_queryset
from openimis_claim.models import ClaimAdmin
from openimis_claim.services.queries import claim_admins

QUALIFICATION_SYSTEM = f"{IG}/CodeSystem/practitioner-qualification-type"
FACILITY_EXTENSION = f"{IG}/StructureDefinition/reference"
CLAIM_ADMINISTRATOR = "ca"
ENROLMENT_OFFICER = "eo"
QUALIFICATIONS = {ClaimAdmin: ("CA", "Claim Administrator"),
                  Officer: ("EO", "Enrolment Officer")}
OFFICER_RIGHTS = ("core", "gql_query_officers_perms")


@register
class PractitionerResource(FhirResource):
    type_name = "Practitioner"
    read_rights = (("claim", "gql_query_claim_admins_perms"),)
    search_params = frozenset({"code", "identifier", "resourceType"})

    def rows(self, ctx: Context) -> QuerySet:
        kind = (ctx.params.get("resourceType") or CLAIM_ADMINISTRATOR).lower()
        if kind == CLAIM_ADMINISTRATOR:
            rows = self._claim_admins(ctx.user)
        elif kind == ENROLMENT_OFFICER:
            rows = self._officers(ctx.user)
        else:
            raise FhirError(400, f"resourceType must be ca or eo, not {kind[:20]!r}",
                            expression="resourceType")
        code = ctx.params.get("code") or ctx.params.get("identifier")
        if code:
            code = token(code)
            rows = rows.filter(uuid=code) if is_uuid(code) else rows.filter(code=code)
        return rows.order_by("code", "pk")

    @staticmethod
    def _claim_admins(user) -> QuerySet[ClaimAdmin]:
        """A user of a facility (a claim administrator) sees only their facility's: the
        GraphQL picker, meant for scheme staff, does not narrow them."""
        return own_facility_only(user, scope_queryset(user, claim_admins()))

    @staticmethod
    def _officers(user) -> QuerySet[Officer]:
        if not user.has_rights(*rights_codes(*OFFICER_RIGHTS)):
            raise FhirError(403, "Unauthorized")
        return scope_queryset(user, officers())

    def find(self, ctx: Context, resource_id: str) -> Model:
        """A claim administrator by uuid or code; an officer by uuid (for a user who may see
        officers), since a read carries no `resourceType`."""
        found = self._claim_admins(ctx.user)
        row = found.filter(uuid=resource_id).first() if is_uuid(resource_id) else \
            found.filter(code=resource_id).first()
        if row is None and is_uuid(resource_id) and \
                ctx.user.has_rights(*rights_codes(*OFFICER_RIGHTS)):
            row = self._officers(ctx.user).filter(uuid=resource_id).first()
        if row is None:
            raise FhirError(404, f"Practitioner/{resource_id} is not found")
        return row

    def render(self, row: ClaimAdmin | Officer, ctx: Context) -> dict[str, Any]:
        code, display = QUALIFICATIONS[type(row)]
        resource: dict[str, Any] = {
            "resourceType": "Practitioner",
            "id": str(row.uuid),
            "identifier": identifiers(row, row.code),
            "name": [{"use": "usual", "family": row.last_name,
                      "given": row.other_names.split() if row.other_names else []}],
            "qualification": [{"code": {"coding": [{
                "system": QUALIFICATION_SYSTEM, "code": code, "display": display}]}}],
        }
        if row.dob is not None:
            resource["birthDate"] = row.dob.isoformat()
        contacts = telecom(row.phone, row.email, "work")
        if contacts:
            resource["telecom"] = contacts
        facility = getattr(row, "health_facility", None)
        if facility is not None:
            resource["extension"] = [{"url": FACILITY_EXTENSION, "valueReference": code_reference(
                "Organization", facility, facility.code)}]
        return resource
