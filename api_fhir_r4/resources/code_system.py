"""The diagnosis catalogue as `CodeSystem/diagnosis`: the Claims Android app reads its
`concept[].code` and `display` in one request (no paging), the OpenHIM diagnosis mediator pages
`concept[]` itself. Other code systems are not served."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Max

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import IG
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.registers import fhir_datetime
from core.registers.queries import diagnoses

# The system the Claims app codes a claim's diagnoses with.
DIAGNOSIS_URL = f"{IG}/CodeSystem/diagnosis-ICD10-level1"
# `CodeSystem/<id>` ids naming the catalogue: ours, and openIMIS' resource id.
DIAGNOSIS_IDS = ("diagnosis", "diagnosis-ICD10-level1")


@dataclass(frozen=True)
class CodeSystemName:
    """What `find` returns: the one code system a read names (it has no row of its own)."""

    id: str


class CodeSystems:
    """The code systems a search lists, answering the two questions the paging asks of a
    queryset (`count()` and a slice)."""

    listed = (CodeSystemName(DIAGNOSIS_IDS[0]),)

    def count(self) -> int:
        return len(self.listed)

    def __getitem__(self, index: slice) -> tuple[CodeSystemName, ...]:
        return self.listed[index]


@register
class CodeSystemResource(FhirResource):
    type_name = "CodeSystem"
    read_rights = (("core", "gql_query_diagnoses_perms"),)
    global_catalogue = True

    def rows(self, ctx: Context) -> Any:
        return CodeSystems()

    def find(self, ctx: Context, resource_id: str) -> CodeSystemName:
        if resource_id not in DIAGNOSIS_IDS:
            raise FhirError(404, f"CodeSystem/{resource_id[:60]} is not found; "
                                 f"only CodeSystem/diagnosis is served")
        return CodeSystemName(DIAGNOSIS_IDS[0])

    def render(self, row: CodeSystemName, ctx: Context) -> dict[str, Any]:
        """Every valid diagnosis in one query of two columns: some 2,400 rows, which model
        instances would make several times slower to build."""
        valid = diagnoses()
        concepts = [{"code": code, "display": name}
                    for code, name in valid.order_by("code").values_list("code", "name")]
        changed = valid.aggregate(changed=Max("validity_from"))["changed"]
        resource: dict[str, Any] = {
            "resourceType": "CodeSystem",
            "id": row.id,
            "url": DIAGNOSIS_URL,
            "name": "DiagnosisICD10Level1CS",
            "title": "ICD 10 Level 1 diagnosis (Claim)",
            "description": "The diagnoses configured in openIMIS, which claims are coded with.",
            "status": "active",
            "content": "complete",
            "caseSensitive": True,
            "count": len(concepts),
            "concept": concepts,
        }
        if changed is not None:
            resource["date"] = fhir_datetime(changed)
        return resource
