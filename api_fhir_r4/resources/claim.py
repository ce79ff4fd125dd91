"""`Claim`: the Claims Android app posts a claim (answered with its `ClaimResponse`, 201), the
OpenHIM mediators read claims (`GET Claim?=`, HTTP Basic).

A posted claim goes through the claim module's own mutations, `createClaim` then
`submitClaims`, exactly as the web app's GraphQL calls would: the same rights, tenant and
facility rules, validate/before/after signals and mutation log entries (two: one per mutation).
Both run in one transaction: a claim refused at creation, or whose submission is refused, leaves
no claim behind; a submission that rejects the claim is a decision, answered 201 with the
rejection in the ClaimResponse (no `total`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from api_fhir_r4.identifiers import IG, identifiers
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.claim_input import claim_data, read_claim, sequences
from api_fhir_r4.resources.claim_response import (
    CLAIM_READ_RIGHTS,
    claim_rows,
    currency,
    find_claim,
    item_reference,
    lines_of,
    medical_of,
    money,
    render_claim_response,
    row_reference,
    searched_claims,
    visit_type,
)
from core.codes import MutationStatus
from core.gql.errors import MutationError, error_entry
from core.models import MutationLog
from openimis_claim.gql.mutations import CreateClaimMutation, SubmitClaimsMutation
from openimis_claim.models import Claim

DIAGNOSIS_SYSTEM = f"{IG}/CodeSystem/diagnosis-ICD10-level1"
SUPPORTING_INFO_SYSTEM = f"{IG}/CodeSystem/claim-supporting-info-category"
PRIORITY = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority",
                        "code": "normal"}]}
UNDONE = "Undone: the claim's submission was refused, so the claim was not kept"


class _SubmitRefused(Exception):
    """Raised inside the transaction to undo the created claim; carries both logs."""

    def __init__(self, created: MutationLog, submitted: MutationLog) -> None:
        super().__init__("submit refused")
        self.created, self.submitted = created, submitted


def enter_and_submit(user, data: dict[str, Any]) -> Claim:
    """createClaim then submitClaims, all or nothing, each with its mutation log; the claim as
    the submission left it (MutationError with the module's errors when refused)."""
    try:
        with transaction.atomic():
            created = CreateClaimMutation.run(user, data)
            if created.status == MutationStatus.ERROR:
                # Nothing of the claim was written (the mutation rolled itself back); its log
                # with the errors is kept, as for a refused GraphQL call.
                refused = created.error
            else:
                refused = None
                # In the request even with a broker: the Android app reads the outcome (its
                # `total`) from this answer, and one claim takes milliseconds.
                submitted = SubmitClaimsMutation.run(user, {
                    "uuids": list(created.uuids),
                    "client_mutation_label": data.get("client_mutation_label")}, inline=True)
                if submitted.status == MutationStatus.ERROR:
                    raise _SubmitRefused(created, submitted)
    except _SubmitRefused as undone:
        _keep_logs(undone)
        raise MutationError(errors=undone.submitted.error) from None
    if refused is not None:
        raise MutationError(errors=refused)
    return claim_rows(Claim.objects.filter(uuid=created.uuids[0])).get()


def _keep_logs(undone: _SubmitRefused) -> None:
    """The two logs, rolled back with the claim, written again: what was asked and why it was
    not kept stays on record (the create log says it was undone)."""
    created, submitted = undone.created, undone.submitted
    created.status = MutationStatus.ERROR
    created.error = [error_entry(UNDONE, code="undone"), *(submitted.error or [])]
    created.uuids = []
    for log in (created, submitted):
        log.pk = None
        log._state.adding = True
        log.save(force_insert=True)


@register
class ClaimResource(FhirResource):
    type_name = "Claim"
    read_rights = CLAIM_READ_RIGHTS
    write_rights = (("claim", "gql_mutation_create_claims_perms"),
                    ("claim", "gql_mutation_submit_claims_perms"))
    search_params = frozenset({"identifier", "patient", "refDate", "_lastUpdated"})

    def rows(self, ctx: Context) -> QuerySet:
        return claim_rows(searched_claims(ctx)).order_by("-date_claimed", "-id")

    def find_by_code(self, rows: QuerySet, code: str):
        return find_claim(rows, code)

    def create(self, ctx: Context, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        read = read_claim(body)
        claim = enter_and_submit(ctx.user, claim_data(ctx.user, read))
        return 201, render_claim_response(claim, sequences(read))

    def render(self, row: Claim, ctx: Context) -> dict[str, Any]:
        unit = currency()
        diagnoses = [row.icd, row.icd_1, row.icd_2, row.icd_3, row.icd_4]
        resource: dict[str, Any] = {
            "resourceType": "Claim",
            "id": str(row.uuid),
            "identifier": identifiers(row, row.code),
            "status": "active",
            "type": visit_type(row),
            "use": "claim",
            "patient": row_reference("Patient", row.insuree, row.insuree.chf_id),
            "billablePeriod": {"start": row.date_from.isoformat(),
                               "end": (row.date_to or row.date_from).isoformat()},
            "created": row.date_claimed.isoformat(),
            "provider": row_reference("Organization", row.health_facility,
                                      row.health_facility.code),
            "priority": PRIORITY,
            "diagnosis": [{"sequence": n, "diagnosisCodeableConcept": {"coding": [{
                "system": DIAGNOSIS_SYSTEM, "code": d.code, "display": d.name}]}}
                for n, d in enumerate((d for d in diagnoses if d is not None), start=1)],
            "insurance": [self._insurance(row)],
            "total": money(row.claimed, unit),
        }
        if row.admin is not None:
            resource["enterer"] = row_reference("Practitioner", row.admin, row.admin.code)
        info = [(code, value) for code, value in (("guarantee", row.guarantee_id),
                                                  ("explanation", row.explanation)) if value]
        if info:
            resource["supportingInfo"] = [
                {"sequence": n, "category": {"coding": [{"system": SUPPORTING_INFO_SYSTEM,
                                                          "code": code}]},
                 "valueString": value} for n, (code, value) in enumerate(info, start=1)]
        items = []
        for n, (kind, line) in enumerate(lines_of(row), start=1):
            medical = medical_of(kind, line)
            items.append({
                "sequence": n,
                "category": {"text": "item" if kind == "Medication" else "service"},
                "productOrService": {"text": medical.code},
                "extension": [item_reference(kind, line)],
                "quantity": {"value": float(line.qty_provided)},
                "unitPrice": money(line.price_asked, unit),
            })
        if items:
            resource["item"] = items
        return resource

    @staticmethod
    def _insurance(row: Claim) -> dict[str, Any]:
        """The policy that paid the claim's first paid line, else what the facility gave
        (the pre-authorization or guarantee), else none known (FHIR wants one entry)."""
        policy = next((line.policy for _kind, line in lines_of(row) if line.policy_id), None)
        entry: dict[str, Any] = {"sequence": 1, "focal": True}
        if policy is not None:
            entry["coverage"] = row_reference("Coverage", policy)
        else:
            entry["coverage"] = {"type": "Coverage", "display": "no policy decided yet"}
        fhir = row.json_ext.get("fhir") if isinstance(row.json_ext, dict) else None
        pre_auth = fhir.get("preAuthRef") if isinstance(fhir, dict) else None
        if pre_auth:
            entry["preAuthRef"] = [pre_auth]
        return entry
