"""Package service lines: a service that bundles items and services (openIMIS' service packages).

The web app sends each service line's parts (`serviceItemSet`, `serviceServiceSet`, by code, with
the quantity given as `qtyAsked`), reads them back on the claim page as `services { items {...}
services {...} }`, sends them back on update and in a review (`qtyAdjusted`). Documents here are
shaped as fe-claim 1.10 builds them (tests/api/spa_contract/fe-claim/).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openimis_claim.codes import ClaimStatus, ReviewStatus
from openimis_claim.models import Claim, ClaimServiceItem, ClaimServiceService
from tests.claim.test_mutations import claim_input, mutate
from tests.factories import make_item, make_service

pytestmark = pytest.mark.django_db

# The claim page's projection of service lines (fe-claim 1.10 fetchClaim), the parts that are
# the claim module's: MedicalServiceGQLType's packagetype/manualPrice are the register's.
CLAIM_PAGE = """
query ($uuid: String!) { claim(uuid: $uuid) {
  code claimed
  services { id service { id code name price } qtyProvided priceAsked
    items { item { id code name } qtyDisplayed priceAsked qtyProvided }
    services { service { id code name } qtyProvided qtyDisplayed priceAsked } }
  items { id item { code } qtyProvided priceAsked }
} }
"""


@pytest.fixture
def package(scene, tenant):
    """A delivery package: the scene's consultation bundles two syringes and a lab test."""
    return {"syringe": make_item(tenant, code="SYR", name="Syringe", price=Decimal("1.50")),
            "lab": make_service(tenant, code="LAB", name="Lab test", price=Decimal("4.00"))}


def package_line(scene, **overrides) -> dict:
    """A service line as the claim form sends a package picked from the service picker."""
    return {"serviceId": scene.service.pk, "qtyProvided": "1.00", "priceAsked": "7.00",
            "status": 1,
            "serviceItemSet": [{"subItemCode": "SYR", "qtyAsked": "2.00", "priceAsked": "1.50",
                                "qtyProvided": "2.00"}],
            "serviceServiceSet": [{"subServiceCode": "LAB", "qtyAsked": "1.00",
                                   "priceAsked": "4.00", "qtyProvided": "1.00"}],
            **overrides}


def claim_page(gql, user, uuid) -> dict:
    response = gql(CLAIM_PAGE, {"uuid": uuid}, user=user)
    assert response.errors == [], response.errors
    return response.data["claim"]


def test_create_claim_stores_the_package_parts_and_the_claim_page_shows_them(
        gql, scene, package, officer):
    result = mutate(gql, officer, "createClaim", **claim_input(
        scene, services=[package_line(scene)]))

    assert (result.status, result.error) == (2, None)
    seen = claim_page(gql, officer, result.log.uuids[0])
    (line,) = seen["services"]
    assert (line["service"]["code"], line["qtyProvided"], line["priceAsked"]) == (
        "CONS", "1.00", "7.00")
    assert line["items"] == [{"item": {"id": line["items"][0]["item"]["id"], "code": "SYR",
                                       "name": "Syringe"},
                              "qtyDisplayed": "2.00", "priceAsked": "1.50", "qtyProvided": "2.00"}]
    assert [(p["service"]["code"], p["qtyProvided"], p["qtyDisplayed"], p["priceAsked"])
            for p in line["services"]] == [("LAB", "1.00", "1.00", "4.00")]
    # The line's price is what is claimed (the app priced the package from its parts):
    # 10 x 2.50 for the item line, 1 x 7.00 for the package; the parts are not counted twice.
    assert seen["claimed"] == "32.00"


def test_simple_service_lines_carry_empty_part_lists(gql, scene, officer):
    """What the app sends for every service line that is not a package."""
    result = mutate(gql, officer, "createClaim", **claim_input(scene, services=[{
        "serviceId": scene.service.pk, "qtyProvided": "1.00", "priceAsked": "12.00", "status": 1,
        "serviceServiceSet": [], "serviceItemSet": []}]))

    assert (result.status, result.error) == (2, None)
    line = claim_page(gql, officer, result.log.uuids[0])["services"][0]
    assert (line["items"], line["services"]) == ([], [])


def test_a_part_named_twice_keeps_the_clerks_entry(gql, scene, package, officer):
    """The app sends a picked package's composition and then the parts stored on the line."""
    line = package_line(scene, serviceItemSet=[
        {"subItemCode": "SYR", "qtyAsked": "2.00", "priceAsked": "1.50", "qtyProvided": "2.00"},
        {"subItemCode": "SYR", "qtyAsked": "1.00", "priceAsked": "1.50", "qtyProvided": "2.00"}])
    result = mutate(gql, officer, "createClaim", **claim_input(scene, services=[line]))

    assert result.status == 2
    parts = claim_page(gql, officer, result.log.uuids[0])["services"][0]["items"]
    assert [(p["item"]["code"], p["qtyDisplayed"]) for p in parts] == [("SYR", "1.00")]


def test_update_claim_replaces_the_parts(gql, scene, package, officer):
    created = mutate(gql, officer, "createClaim", **claim_input(
        scene, services=[package_line(scene)]))
    claim = Claim.objects.get(uuid=created.log.uuids[0])
    line_id = claim.services.get().pk
    data = claim_input(scene, services=[package_line(
        scene, id=line_id, serviceServiceSet=[],
        serviceItemSet=[{"subItemCode": "SYR", "qtyAsked": "1.00", "priceAsked": "1.50",
                         "qtyProvided": "2.00"}])])

    result = mutate(gql, officer, "updateClaim", uuid=str(claim.uuid), **data)

    assert (result.status, result.error) == (2, None)
    line = claim_page(gql, officer, str(claim.uuid))["services"][0]
    assert line["id"] == str(line_id)
    assert [(p["item"]["code"], p["qtyDisplayed"]) for p in line["items"]] == [("SYR", "1.00")]
    assert line["services"] == []
    assert ClaimServiceService.objects.count() == 0


@pytest.mark.parametrize(("change", "expected"), [
    ({"serviceItemSet": [{"subItemCode": "NOPE", "qtyAsked": "1", "priceAsked": "1",
                          "qtyProvided": "1"}]},
     {"message": "service line 1 item part 1: no item NOPE", "detail": "service line 1 item part 1",
      "code": "not_found"}),
    ({"serviceServiceSet": [{"qtyAsked": "1", "priceAsked": "1", "qtyProvided": "1"}]},
     {"message": "service line 1 service part 1: a code is required",
      "detail": "service line 1 service part 1", "code": "required"}),
    ({"serviceItemSet": [{"subItemCode": "SYR", "qtyAsked": "-1", "priceAsked": "1",
                          "qtyProvided": "1"}]},
     {"message": "service line 1 item part 1 qtyAsked must be zero or more",
      "detail": "service line 1 item part 1 qtyAsked", "code": "invalid_number"}),
])
def test_bad_parts_are_refused_and_nothing_is_written(gql, scene, package, officer, change,
                                                      expected):
    result = mutate(gql, officer, "createClaim", **claim_input(
        scene, services=[package_line(scene, **change)]))

    assert (result.status, result.error) == (1, [expected])
    assert not Claim.objects.exists()
    assert not ClaimServiceItem.objects.exists()


def test_another_tenants_item_is_not_a_part(gql, scene, package, officer, other_tenant):
    make_item(other_tenant, code="OTHER", name="Other scheme's", price=Decimal("1"))
    result = mutate(gql, officer, "createClaim", **claim_input(scene, services=[package_line(
        scene, serviceItemSet=[{"subItemCode": "OTHER", "qtyAsked": "1", "priceAsked": "1",
                                "qtyProvided": "1"}])]))

    assert result.error[0]["message"] == "service line 1 item part 1: no item OTHER"


def test_an_item_line_has_no_parts(gql, scene, package, officer):
    result = mutate(gql, officer, "createClaim", **claim_input(scene, items=[{
        "itemId": scene.item.pk, "qtyProvided": "1", "priceAsked": "2.50",
        "serviceItemSet": [{"subItemCode": "SYR", "qtyAsked": "1", "priceAsked": "1",
                            "qtyProvided": "1"}]}]))

    assert result.error == [{"message": "item line 1: only a service line has package parts",
                             "detail": "item line 1", "code": "invalid_parts"}]


def test_restore_copies_the_parts(gql, scene, package, officer):
    created = mutate(gql, officer, "createClaim", **claim_input(
        scene, services=[package_line(scene)]))
    Claim.objects.filter(uuid=created.log.uuids[0]).update(status=ClaimStatus.REJECTED)

    result = mutate(gql, officer, "restoreClaim", uuid=created.log.uuids[0])

    assert result.status == 2
    copy = claim_page(gql, officer, result.log.uuids[0])
    assert [(p["item"]["code"], p["qtyDisplayed"]) for p in copy["services"][0]["items"]] == [
        ("SYR", "2.00")]
    assert [p["service"]["code"] for p in copy["services"][0]["services"]] == ["LAB"]


def test_review_records_the_officers_part_quantities(gql, scene, package, officer):
    created = mutate(gql, officer, "createClaim", **claim_input(
        scene, services=[package_line(scene)]))
    claim = Claim.objects.get(uuid=created.log.uuids[0])
    Claim.objects.filter(pk=claim.pk).update(status=ClaimStatus.CHECKED,
                                             review_status=ReviewStatus.SELECTED)
    line = claim.services.get()
    review = {"claimUuid": str(claim.uuid), "services": [{
        "id": line.pk, "serviceId": scene.service.pk, "status": 1,
        "serviceItemSet": [{"subItemCode": "SYR", "qtyAsked": "2.00", "priceAsked": "1.50",
                            "qtyProvided": "2.00", "qtyAdjusted": "1.00"}],
        "serviceServiceSet": [{"subServiceCode": "LAB", "qtyAsked": "1.00", "priceAsked": "4.00",
                               "qtyProvided": "1.00"}]}],
        "items": [{"id": claim.items.get().pk, "itemId": scene.item.pk, "status": 1,
                   "serviceServiceSet": [], "serviceItemSet": []}]}

    result = mutate(gql, officer, "saveClaimReview", **review)

    assert (result.status, result.error) == (2, None)
    assert ClaimServiceItem.objects.get().qty_approved == Decimal("1.00")
    assert ClaimServiceService.objects.get().qty_approved is None  # none given: left as it is


def test_claim_page_query_count_does_not_grow_with_package_parts(gql, scene, tenant, officer):
    def claim_with_parts(code, count):
        parts = [make_item(tenant, code=f"{code[0]}I{n}", name="Part", price=Decimal("1"))
                 for n in range(count)]
        subs = [make_service(tenant, code=f"{code[0]}S{n}", name="Part", price=Decimal("1"))
                for n in range(count)]
        lines = [package_line(scene, serviceItemSet=[
            {"subItemCode": p.code, "qtyAsked": "1", "priceAsked": "1", "qtyProvided": "1"}
            for p in parts], serviceServiceSet=[
            {"subServiceCode": s.code, "qtyAsked": "1", "priceAsked": "1", "qtyProvided": "1"}
            for s in subs]) for _ in range(count)]
        result = mutate(gql, officer, "createClaim", **claim_input(scene, code=code,
                                                                   services=lines))
        assert result.status == 2, result.error
        return result.log.uuids[0]

    counts = []
    for uuid in (claim_with_parts("SMALL", 1), claim_with_parts("BIG", 6)):
        with CaptureQueriesContext(connection) as measured:
            seen = claim_page(gql, officer, uuid)
        assert seen["services"][0]["items"]
        counts.append(len(measured))
    assert counts[0] == counts[1]


def test_create_claim_sql_does_not_grow_with_package_parts(gql, scene, package, tenant,
                                                          officer):
    """The parts are looked up by code once per kind and inserted once per kind."""
    items = [make_item(tenant, code=f"P{n}", name="Part", price=Decimal("1")) for n in range(8)]

    def create(code, count):
        line = package_line(scene, serviceItemSet=[
            {"subItemCode": p.code, "qtyAsked": "1", "priceAsked": "1", "qtyProvided": "1"}
            for p in items[:count]])
        with CaptureQueriesContext(connection) as measured:
            result = mutate(gql, officer, "createClaim", **claim_input(scene, code=code,
                                                                       services=[line, line]))
        assert result.status == 2, result.error
        return len(measured)

    create("WARM", 1)  # the first mutation also reads the module's configuration
    assert create("ONE", 1) == create("EIGHT", 8)
