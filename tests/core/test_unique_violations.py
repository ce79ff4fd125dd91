"""Which unique rule a failed write broke, as both databases report it; and a mutation that
breaks one past its service's checks answers a named conflict, not an internal error."""

import json

import pytest
from django.db import IntegrityError, transaction

from core.db import UniqueViolation, unique_violation
from core.models import Tenant
from core.registers.models import Diagnosis
from openimis_approval.models import ApprovalRequest
from openimis_claim.models import Claim
from tests.approval.test_workflow import ALL_APPROVAL_RIGHTS, CREATE
from tests.claim.test_mutations import make_claim
from tests.factories import make_claim_scene

pytestmark = pytest.mark.django_db


def broken(write) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    return caught.value


def test_a_declared_constraint_is_named_with_its_fields(tenant):
    scene = make_claim_scene(tenant)
    claim = make_claim(scene, "U-1")

    exc = broken(lambda: make_claim(scene, "U-1"))

    assert unique_violation(exc) == UniqueViolation(
        model=Claim, fields=("health_facility", "code"), constraint="claim_code_per_facility")
    assert Claim.objects.get(code="U-1") == claim


def test_a_unique_field_is_named_without_a_constraint(tenant):
    exc = broken(lambda: Tenant.objects.create(code=tenant.code, name="Twin"))

    assert unique_violation(exc) == UniqueViolation(model=Tenant, fields=("code",),
                                                    constraint=None)


def test_other_integrity_errors_are_not_unique_violations(tenant):
    exc = broken(lambda: ApprovalRequest.objects.create(tenant=tenant, number="PA-1",
                                                        insuree_id=None,
                                                        health_facility_id=None))

    assert unique_violation(exc) is None


def test_a_mutation_breaking_a_unique_rule_answers_a_named_conflict(gql, tenant, make_user,
                                                                     monkeypatch):
    scene = make_claim_scene(tenant)
    user = make_user(ALL_APPROVAL_RIGHTS, username="pa-officer")
    ApprovalRequest.objects.create(tenant=tenant, number="PA-2025-000001",
                                   insuree=scene.insuree, health_facility=scene.facility)
    # The number another request took while this one was being entered.
    monkeypatch.setattr("openimis_approval.services._number",
                        lambda tenant, year: "PA-2025-000001")

    response = gql(CREATE, {"insuree": scene.insuree.pk, "facility": scene.facility.pk,
                            "item": scene.item.pk, "service": scene.service.pk,
                            "icd": Diagnosis.objects.get(code="B50").pk}, user=user)

    result = response.data["createApprovalRequest"]
    assert result["status"] == 1
    assert json.loads(result["error"]) == [{
        "message": "Another approval request with the same number was saved first; reload "
                   "and try again", "detail": "number", "code": "duplicate"}]
    assert ApprovalRequest.objects.count() == 1
