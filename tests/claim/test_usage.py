"""Claims tell eligibility what earlier care used (quantities, last provision, visits, paid)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.registers.codes import RejectionReason, ServiceCategory
from core.registers.eligibility import check_eligibility
from openimis_claim.codes import ClaimStatus, LineStatus
from openimis_claim.models import Claim, ClaimItem, ClaimService
from openimis_claim.services import submit_claims
from openimis_claim.usage import claim_category
from tests.factories import make_claim_scene

pytestmark = pytest.mark.django_db


def earlier_claim(scene, *, code, on, status=ClaimStatus.CHECKED, items=Decimal("6"),
                  line_status=LineStatus.PASSED, paid=None):
    claim = Claim.objects.create(
        tenant=scene.facility.tenant, code=code, insuree=scene.insuree,
        health_facility=scene.facility, date_from=on, date_claimed=on, icd=scene.diagnosis,
        status=status, care_type="OPD")
    ClaimItem.objects.create(claim=claim, item=scene.item, qty_provided=items,
                             price_asked=Decimal("2.50"), status=line_status,
                             policy=scene.policy, remunerated_amount=paid)
    ClaimService.objects.create(claim=claim, service=scene.service, qty_provided=1,
                                price_asked=Decimal("10"), status=line_status,
                                policy=scene.policy)
    return claim


def eligibility(scene, on, **kwargs):
    return check_eligibility(tenant_id=scene.facility.tenant_id, chf_id=scene.insuree.chf_id,
                             on_date=on, health_facility=scene.facility, **kwargs)


@pytest.fixture
def scene(tenant):
    scene = make_claim_scene(tenant)
    line = scene.product.items.get()
    line.limit_no_adult = Decimal("10")
    line.save()
    return scene


def test_quantities_of_earlier_checked_claims_count_against_the_limit(scene):
    earlier_claim(scene, code="A1", on=date(2025, 2, 1))

    result = eligibility(scene, date(2025, 3, 1), item_code="AMOX", quantity=Decimal("8"))

    assert result.quantity_used == Decimal("6")
    assert result.quantity_left == Decimal("4")
    assert result.covered_quantity == Decimal("4")


def test_entered_rejected_and_deleted_claims_and_rejected_lines_do_not_count(scene):
    earlier_claim(scene, code="E1", on=date(2025, 2, 1), status=ClaimStatus.ENTERED)
    earlier_claim(scene, code="R1", on=date(2025, 2, 1), status=ClaimStatus.REJECTED)
    earlier_claim(scene, code="L1", on=date(2025, 2, 1), line_status=LineStatus.REJECTED)
    deleted = earlier_claim(scene, code="D1", on=date(2025, 2, 1))
    Claim.objects.filter(pk=deleted.pk).update(validity_to="2025-02-02T00:00:00Z")

    result = eligibility(scene, date(2025, 3, 1), item_code="AMOX")

    assert result.quantity_used == Decimal("0")


def test_the_claim_being_checked_does_not_count_itself(scene):
    claim = earlier_claim(scene, code="SELF", on=date(2025, 3, 1))

    result = eligibility(scene, date(2025, 3, 1), item_code="AMOX", exclude=claim)

    assert result.quantity_used == Decimal("0")


def test_the_last_provision_drives_the_frequency(scene):
    scene.item.frequency = 30
    scene.item.save()
    earlier_claim(scene, code="F1", on=date(2025, 2, 20))

    too_soon = eligibility(scene, date(2025, 3, 1), item_code="AMOX")
    later = eligibility(scene, date(2025, 3, 25), item_code="AMOX")

    assert too_soon.reasons == [RejectionReason.FREQUENCY]
    assert too_soon.next_eligible_date == date(2025, 3, 22)
    assert later.covered is True


def test_earlier_consultations_count_against_the_products_maximum(scene):
    scene.product.max_no_consultations = 2
    scene.product.save()
    earlier_claim(scene, code="C1", on=date(2025, 1, 10))
    earlier_claim(scene, code="C2", on=date(2025, 2, 10))

    result = eligibility(scene, date(2025, 3, 1), service_code="CONS")

    assert result.visits_used == 2
    assert result.reasons == [RejectionReason.MAX_CONSULTATIONS]


def test_what_was_paid_counts_against_the_policy_ceiling(scene):
    scene.product.max_policy = Decimal("50.00")
    scene.product.save()
    earlier_claim(scene, code="P1", on=date(2025, 2, 1), status=ClaimStatus.VALUATED,
                  paid=Decimal("45.00"))

    result = eligibility(scene, date(2025, 3, 1), item_code="AMOX", quantity=Decimal("4"))

    assert result.ceiling_left == Decimal("5.00")
    assert result.covered_amount == Decimal("5.00")


@pytest.mark.parametrize(("categories", "date_to", "expected"), [
    ({"C", "S"}, None, ServiceCategory.SURGERY),
    ({"C", "A"}, None, ServiceCategory.ANTENATAL),
    ({"C"}, date(2025, 3, 3), ServiceCategory.HOSPITALIZATION),
    ({"O"}, None, ServiceCategory.OTHER),
    (set(), None, ServiceCategory.VISIT),
])
def test_claim_category_by_priority(categories, date_to, expected):
    assert claim_category(categories, date(2025, 3, 1), date_to) == expected


def test_a_batch_counts_its_own_earlier_claims(scene, make_user):
    first = earlier_claim(scene, code="B1", on=date(2025, 3, 1), status=ClaimStatus.ENTERED,
                          items=Decimal("6"))
    second = earlier_claim(scene, code="B2", on=date(2025, 3, 2), status=ClaimStatus.ENTERED,
                           items=Decimal("8"))
    user = make_user(superuser=True)

    outcome = submit_claims(user, [str(first.uuid), str(second.uuid)])

    assert outcome.errors == []
    assert ClaimItem.objects.get(claim=first).qty_approved is None
    assert ClaimItem.objects.get(claim=second).qty_approved == Decimal("4")
    assert Claim.objects.get(pk=second.pk).approved == Decimal("20.00")  # 4 x 2.50 + 10.00


def test_a_batch_writes_few_statements_whatever_its_size(scene, make_user,
                                                          django_assert_max_num_queries):
    user = make_user(superuser=True)
    small = [str(earlier_claim(scene, code=f"S{n}", on=date(2025, 3, 1),
                               status=ClaimStatus.ENTERED, items=Decimal("1")).uuid)
             for n in range(2)]
    large = [str(earlier_claim(scene, code=f"L{n}", on=date(2025, 3, 1),
                               status=ClaimStatus.ENTERED, items=Decimal("1")).uuid)
             for n in range(20)]
    with CaptureQueriesContext(connection) as measured:
        submit_claims(user, small)
    with django_assert_max_num_queries(len(measured)):
        submit_claims(user, large)
