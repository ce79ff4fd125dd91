"""The period's valuation: relative-priced lines paid from the product's pool, once."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.registers.codes import PriceOrigin
from core.registers.models import Diagnosis
from openimis_claim.codes import ClaimStatus
from openimis_claim.models import BatchRun, Claim, ClaimService, RelativePool
from openimis_claim.services import process_claims, submit_claims
from tests.factories import make_claim, make_claim_scene, make_location_chain

pytestmark = pytest.mark.django_db

VALUATE = """
mutation ($year: Int, $month: Int, $location: String, $cmid: String) {
  valuateClaims(input: {clientMutationId: $cmid, year: $year, month: $month,
                        locationUuid: $location}) { status error } }
"""
BY_BATCH = """
query ($id: ID) { claims(batchRun_Id: $id, orderBy: "code") {
  totalCount edges { node { code status valuated } } } }
"""


@pytest.fixture
def scene(tenant, make_user):
    scene = make_claim_scene(tenant)
    line = scene.product.services.get()
    line.price_origin = PriceOrigin.RELATIVE
    line.save()
    scene.user = make_user([111001, 111101], username="valuer")
    scene.operator = make_user(superuser=True, username="operator")
    return scene


def processed_claim(scene, code, consultations=1, processed_on=date(2025, 3, 20)):
    claim = make_claim(scene.facility.tenant, insuree=scene.insuree,
                       health_facility=scene.facility, icd=Diagnosis.objects.get(code="B50"),
                       items=[(scene.item, 2, "2.50")],
                       services=[(scene.service, consultations, "10.00")], code=code)
    submit_claims(scene.operator, [str(claim.uuid)])
    process_claims(scene.operator, [str(claim.uuid)])
    Claim.objects.filter(pk=claim.pk).update(date_processed=processed_on)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PROCESSED
    return claim


def test_relative_lines_are_paid_from_the_pool(gql, tenant, scene):
    first = processed_claim(scene, "V1")
    second = processed_claim(scene, "V2", consultations=3)
    RelativePool.objects.create(tenant=tenant, product=scene.product, year=2025, month=3,
                                amount=Decimal("20.00"))

    response = gql(VALUATE, {"year": 2025, "month": 3}, user=scene.user)

    assert response.data["valuateClaims"]["status"] == 2
    run = BatchRun.objects.get()
    assert run.totals[str(scene.product.pk)] == {
        "pool": "20.00", "relativeTotal": "40.00", "index": "0.500000", "lines": 2}
    assert [ln.price_valuated for ln in ClaimService.objects.order_by("claim__code")] == [
        Decimal("5.00"), Decimal("15.00")]
    listed = gql(BY_BATCH, {"id": run.pk}, user=scene.user).data["claims"]
    assert listed["totalCount"] == 2
    assert [e["node"] for e in listed["edges"]] == [
        {"code": "V1", "status": 16, "valuated": "9.00"},   # 80% of 5.00 items + 5.00
        {"code": "V2", "status": 16, "valuated": "19.00"},
    ]
    assert (run.claims_count, run.valuated_total) == (2, Decimal("28.00"))
    assert {first.pk, second.pk} == set(run.claims.values_list("pk", flat=True))


def test_a_pool_larger_than_the_claims_pays_what_was_approved(tenant, scene):
    processed_claim(scene, "V1")
    RelativePool.objects.create(tenant=tenant, product=scene.product, year=2025, month=3,
                                amount=Decimal("1000.00"))

    call_command("run_batch", "--tenant", tenant.code, "--year", "2025", "--month", "3",
                 "--user", "operator", stdout=StringIO())

    assert ClaimService.objects.get().price_valuated == Decimal("10.00")
    assert BatchRun.objects.get().totals[str(scene.product.pk)]["index"] == "1.000000"


def test_without_a_pool_the_lines_are_paid_what_was_approved(gql, scene):
    processed_claim(scene, "V1")

    gql(VALUATE, {"year": 2025, "month": 3}, user=scene.user)

    assert ClaimService.objects.get().price_valuated == Decimal("10.00")
    assert BatchRun.objects.get().totals[str(scene.product.pk)]["pool"] is None


def test_a_closed_period_is_not_run_again(gql, tenant, scene):
    processed_claim(scene, "V1")
    first = gql(VALUATE, {"year": 2025, "month": 3}, user=scene.user)
    assert first.data["valuateClaims"]["status"] == 2, first.data
    processed_claim(scene, "V2")

    again = gql(VALUATE, {"year": 2025, "month": 3}, user=scene.user)

    assert again.data["valuateClaims"]["status"] == 1
    assert json.loads(again.data["valuateClaims"]["error"])[0]["code"] == "period_closed"
    assert Claim.objects.get(code="V2").status == ClaimStatus.PROCESSED
    with pytest.raises(CommandError, match="already valuated"):
        call_command("run_batch", "--tenant", tenant.code, "--year", "2025", "--month", "3",
                     "--user", "operator", stdout=StringIO())


def test_claims_of_another_month_or_district_wait(gql, tenant, scene):
    chain = make_location_chain(tenant)
    scene.facility.location = chain.district
    scene.facility.save()
    processed_claim(scene, "MARCH")
    processed_claim(scene, "APRIL", processed_on=date(2025, 4, 2))
    other_district = make_location_chain(tenant).district

    elsewhere = gql(VALUATE, {"year": 2025, "month": 3, "location": str(other_district.uuid)},
                    user=scene.user)
    here = gql(VALUATE, {"year": 2025, "month": 3, "location": str(chain.district.uuid)},
               user=scene.user)

    assert elsewhere.data["valuateClaims"]["status"] == 2
    assert here.data["valuateClaims"]["status"] == 2
    statuses = dict(Claim.objects.values_list("code", "status"))
    assert statuses == {"MARCH": ClaimStatus.VALUATED, "APRIL": ClaimStatus.PROCESSED}
    assert BatchRun.objects.count() == 2


def test_a_batch_run_needs_the_valuation_right(gql, scene, make_user):
    clerk = make_user([111001], username="clerk-v")
    processed_claim(scene, "V1")

    response = gql(VALUATE, {"year": 2025, "month": 3}, user=clerk)

    assert response.error_messages == ["Unauthorized"]
    assert not BatchRun.objects.exists()
