"""`POST CoverageEligibilityRequest/` -> `CoverageEligibilityResponse`: is the insuree covered
for these items and services today (or on `servicedDate`), by which policy, and what is left.

The answers are core's: `check_eligibility` per item or service (the same check claims are
adjudicated with; one `load_coverage` for the whole request) and `policy_coverage` for what is
left of each policy's deductibles and ceilings (the claim page's policy panel,
`policiesByInsuree`). Nothing is decided here, only laid out: one `insurance` entry per active
policy, with a `benefit` summary item (deductibles and ceilings: allowed = left, used = used) and
each item or service asked (covered by that policy, or `excluded` with the reasons)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from api_fhir_r4.errors import FhirError
from api_fhir_r4.identifiers import IG
from api_fhir_r4.resources.base import Context, FhirResource, register
from api_fhir_r4.resources.claim_input import (
    as_date,
    as_list,
    as_object,
    bad,
    concept_code,
    named_reference,
)
from api_fhir_r4.resources.claim_response import currency, money, reason_coding, row_reference
from core.registers.codes import PolicyStatus, RejectionReason
from core.registers.coverage_data import load_coverage
from core.registers.eligibility import (
    Eligibility,
    PolicyCoverage,
    check_eligibility,
    policy_coverage,
)
from core.registers.models import HealthFacility, Insuree
from core.scoping import scope_queryset

CATEGORY_SYSTEM = f"{IG}/CodeSystem/coverage-item-category"
BENEFIT_SYSTEM = f"{IG}/CodeSystem/coverage-item-benefit-type"
MAX_ITEMS = 100
# PolicyCoverage fields: (benefit type code, left field, used field).
SUMMARY = (
    ("deductible", "ded", "deducted"),
    ("deductible_in_patient", "ded_in_patient", "deducted_in_patient"),
    ("deductible_out_patient", "ded_out_patient", "deducted_out_patient"),
    ("ceiling", "ceiling", "remunerated"),
    ("ceiling_in_patient", "ceiling_in_patient", "remunerated_in_patient"),
    ("ceiling_out_patient", "ceiling_out_patient", "remunerated_out_patient"),
)


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _count(value: Decimal) -> dict[str, Any]:
    """A quantity as `unsignedInt` when whole (the usual case), else as text."""
    return {"UnsignedInt": int(value)} if value == value.to_integral_value() and value >= 0 \
        else {"String": str(value)}


def _benefit(code: str, allowed: dict[str, Any], used: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    entry = {"type": _concept(BENEFIT_SYSTEM, code)}
    entry.update({f"allowed{kind}": value for kind, value in allowed.items()})
    entry.update({f"used{kind}": value for kind, value in (used or {}).items()})
    return entry


def _summary(policy: PolicyCoverage, unit: str) -> dict[str, Any] | None:
    benefits = [_benefit(code, {"Money": money(getattr(policy, left), unit)},
                         {"Money": money(getattr(policy, used), unit)})
                for code, left, used in SUMMARY if getattr(policy, left) is not None]
    if not benefits:
        return None
    return {"category": _concept(CATEGORY_SYSTEM, "benefit"), "benefit": benefits}


def _item(kind: str, code: str, verdict: Eligibility, policy_id: int, unit: str
          ) -> dict[str, Any]:
    entry: dict[str, Any] = {"category": _concept(CATEGORY_SYSTEM, kind),
                             "productOrService": {"text": code}}
    paid_here = verdict.covered and verdict.policy is not None and \
        verdict.policy.pk == policy_id
    entry["excluded"] = not paid_here
    if not paid_here:
        reasons = verdict.reasons if not verdict.covered else []
        entry["description"] = "; ".join(RejectionReason(r).label for r in reasons) or \
            "paid by another policy of the insuree"
        return entry
    benefits = [_benefit("covered_amount", {"Money": money(verdict.covered_amount, unit)}),
                _benefit("patient_share", {"Money": money(verdict.patient_share, unit)})]
    if verdict.quantity_left is not None:
        benefits.append(_benefit(f"{kind}_left", _count(verdict.quantity_left),
                                 _count(verdict.quantity_used)))
    if verdict.visits_limit is not None:
        benefits.append(_benefit("visits_left", _count(Decimal(max(
            0, verdict.visits_limit - verdict.visits_used))), _count(Decimal(
                verdict.visits_used))))
    if verdict.next_eligible_date is not None:
        benefits.append(_benefit("min_date", {"String": verdict.next_eligible_date.isoformat()}))
    if verdict.deductible_left is not None:
        benefits.append(_benefit("deductible_left", {"Money": money(verdict.deductible_left,
                                                                    unit)}))
    if verdict.ceiling_left is not None:
        benefits.append(_benefit("ceiling_left", {"Money": money(verdict.ceiling_left, unit)}))
    entry["benefit"] = benefits
    return entry


@register
class CoverageEligibilityRequestResource(FhirResource):
    """Asked, not stored: GET answers 405."""

    type_name = "CoverageEligibilityRequest"
    searchable = False
    write_rights = (("core", "gql_query_eligibility_perms"),)

    def rows(self, ctx: Context) -> QuerySet:
        raise FhirError(405, "CoverageEligibilityRequest takes POST; the answer is a "
                             "CoverageEligibilityResponse")

    def create(self, ctx: Context, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("resourceType") != "CoverageEligibilityRequest":
            raise bad("CoverageEligibilityRequest.resourceType",
                      "must be CoverageEligibilityRequest")
        user = ctx.user
        if user.tenant_id is None:
            raise FhirError(422, "Eligibility is answered within a tenant; this user has none")
        named = named_reference(body.get("patient"), ("Patient",), "patient")
        insurees = scope_queryset(user, Insuree.objects.filter(validity_to__isnull=True))
        insuree = insurees.filter(uuid=named.uuid).first() if named.uuid else \
            insurees.filter(chf_id=named.code).first()
        if insuree is None:
            raise FhirError(404, f"patient: no insuree {(named.uuid or named.code)[:40]}")
        on_date = as_date(body.get("servicedDate"), "servicedDate", required=False) or \
            timezone.localdate()
        facility = self._facility(user, body.get("provider"))
        asked = self._asked(body)
        data = load_coverage(user.tenant_id, chf_ids=[insuree.chf_id],
                             item_codes={c for k, c in asked if k == "item"},
                             service_codes={c for k, c in asked if k == "service"},
                             facilities=[facility] if facility else [])
        verdicts = [(kind, code, check_eligibility(
            tenant_id=user.tenant_id, chf_id=insuree.chf_id, on_date=on_date,
            item_code=code if kind == "item" else None,
            service_code=code if kind == "service" else None,
            health_facility=facility, data=data)) for kind, code in asked]
        policies = [p for p in policy_coverage(user.tenant_id, insuree.chf_id, on_date)
                    if p.policy.status == PolicyStatus.ACTIVE]
        return 200, self._response(body, insuree, on_date, policies, verdicts)

    @staticmethod
    def _facility(user, provider: Any) -> HealthFacility | None:
        if provider is None:
            return None
        named = named_reference(provider, ("Organization",), "provider")
        rows = scope_queryset(user, HealthFacility.objects.filter(validity_to__isnull=True))
        facility = rows.filter(uuid=named.uuid).first() if named.uuid else \
            rows.filter(code=named.code).first()
        if facility is None:
            raise bad("provider", f"no health facility {(named.uuid or named.code)[:40]}")
        return facility

    @staticmethod
    def _asked(body: dict[str, Any]) -> list[tuple[str, str]]:
        asked = []
        entries = as_list(body.get("item"), "item")
        if len(entries) > MAX_ITEMS:
            raise bad("item", f"at most {MAX_ITEMS} items")
        for index, entry in enumerate(entries):
            where = f"item[{index}]"
            entry = as_object(entry, where)
            kind = (concept_code(entry.get("category"), f"{where}.category") or "").lower()
            if kind not in ("item", "service"):
                raise bad(f"{where}.category", "must be item or service")
            code = concept_code(entry.get("productOrService"), f"{where}.productOrService")
            asked.append((kind, code[:50]))
        return asked

    @staticmethod
    def _response(body: dict[str, Any], insuree: Insuree, on_date: date,
                  policies: list[PolicyCoverage], verdicts: list) -> dict[str, Any]:
        unit = currency()
        insurance = []
        for policy in policies:
            items = [summary] if (summary := _summary(policy, unit)) else []
            items += [_item(kind, code, verdict, policy.policy.pk, unit)
                      for kind, code, verdict in verdicts]
            entry: dict[str, Any] = {
                "coverage": row_reference("Coverage", policy.policy,
                                          policy.policy.product.code),
                "inforce": True,
                "benefitPeriod": {"start": (policy.insuree_policy.effective_date or
                                            policy.policy.start_date).isoformat(),
                                  "end": policy.insuree_policy.expiry_date.isoformat()},
            }
            if items:
                entry["item"] = items
            insurance.append(entry)
        request: dict[str, Any] = {"type": "CoverageEligibilityRequest",
                                   "display": "the request answered"}
        idents = body.get("identifier")
        if isinstance(idents, list) and idents and isinstance(idents[0], dict) and \
                isinstance(idents[0].get("value"), str) and len(idents[0]["value"]) <= 200:
            request["identifier"] = {"value": idents[0]["value"]}
        resource: dict[str, Any] = {
            "resourceType": "CoverageEligibilityResponse",
            "status": "active",
            "purpose": ["benefits"],
            "patient": row_reference("Patient", insuree, insuree.chf_id),
            "servicedDate": on_date.isoformat(),
            "created": timezone.now().isoformat(),
            "request": request,
            "outcome": "complete",
            "insurer": {"type": "Organization", "display": "openIMIS"},
        }
        if insurance:
            resource["insurance"] = insurance
        else:
            resource["error"] = [{"code": reason_coding(RejectionReason.NO_COVERAGE)}]
        return resource
