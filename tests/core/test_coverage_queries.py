"""The claim page's coverage queries: `policiesByInsuree` (an insuree's policies with what is left
and used of their deductibles and ceilings, `core.registers.eligibility.policy_coverage`) and
`pricelists` (a facility's prices by price-list id, `core.registers.queries.pricelist_prices`)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.registers.codes import PolicyStatus
from core.registers.coverage_data import ITEM
from core.registers.eligibility import coverage_usage_loader, policy_coverage
from core.registers.models import Diagnosis, ItemsPricelistDetail, Officer
from core.registers.queries import ListedPrice, pricelist_prices
from openimis_claim.codes import ClaimCareType, ClaimStatus, LineStatus
from openimis_claim.services import process_claims, submit_claims
from openimis_claim.usage import load_claim_usage
from tests.factories import (
    add_product_service,
    make_claim,
    make_facility,
    make_family_with_insurees,
    make_item,
    make_policy,
    make_pricelist_detail,
    make_product,
    make_service,
)

pytestmark = pytest.mark.django_db

SEARCH_POLICIES = 101201
CLAIMS_LOADER = "openimis-claim-coverage-usage-loader"

POLICY_NODE = """
policyUuid productCode productName officerCode officerName enrollDate effectiveDate startDate
expiryDate status policyValue balance ded dedInPatient dedOutPatient ceiling ceilingInPatient
ceilingOutPatient deducted deductedInPatient deductedOutPatient remunerated remuneratedInPatient
remuneratedOutPatient
"""

# As the web app sends it (no `first`), plus the used amounts.
POLICIES_BY_INSUREE = f"""
query ($chfId: String!, $targetDate: Date) {{
  policiesByInsuree(chfId: $chfId, targetDate: $targetDate) {{
    totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ node {{ {POLICY_NODE} }} }}
  }}
}}
"""

PRICELISTS = """
query ($services: Int, $items: Int) {
  pricelists(servicesPricelistId: $services, itemsPricelistId: $items) {
    services { id p } items { id p }
  }
}
"""


def nodes(response) -> list[dict]:
    assert response.errors == [], response.errors
    return [edge["node"] for edge in response.data["policiesByInsuree"]["edges"]]


@pytest.fixture
def clerk(make_user):
    return make_user([SEARCH_POLICIES])


@pytest.fixture
def covered(tenant, make_user):
    """An insuree whose 2025 policy (officer OF1) has a general deductible of 10 and an
    in-patient one of 20, a general ceiling of 100 and an out-patient one of 50; one processed
    out-patient claim of 3 consultations at 10 took the deductible (10) and was paid 20."""
    consultation = make_service(tenant, price=Decimal("10.00"), category="C")
    facility = make_facility(tenant, services=[consultation])
    family, (insuree,) = make_family_with_insurees(tenant, head={"chf_id": "070707070"})
    product = make_product(tenant, code="LIMITS", name="With limits",
                           ded_policy=Decimal("10.00"), ded_ip_policy=Decimal("20.00"),
                           max_policy=Decimal("100.00"), max_op_policy=Decimal("50.00"))
    add_product_service(product, consultation)
    officer = Officer.objects.create(tenant=tenant, code="OF1", last_name="Mwita",
                                     other_names="Amina")
    policy = make_policy(family, product, officer=officer, value=Decimal("4000.00"))
    claim = make_claim(tenant, insuree=insuree, health_facility=facility,
                       icd=Diagnosis.objects.get(code="B50"),
                       services=[(consultation, 3, "10.00")], care_type=ClaimCareType.OUT_PATIENT)
    operator = make_user(superuser=True, username="operator")
    for step in (submit_claims, process_claims):
        assert step(operator, [str(claim.uuid)]).errors == []
    return family, insuree, policy, consultation


# ---------------------------------------------------------------------------------------------
# policiesByInsuree
# ---------------------------------------------------------------------------------------------


def test_a_policy_shows_what_is_left_and_used_of_its_deductibles_and_ceilings(gql, clerk,
                                                                              covered):
    _family, insuree, policy, _service = covered

    response = gql(POLICIES_BY_INSUREE, {"chfId": insuree.chf_id, "targetDate": "2025-06-01"},
                   user=clerk)

    assert nodes(response) == [{
        "policyUuid": str(policy.uuid), "productCode": "LIMITS", "productName": "With limits",
        "officerCode": "OF1", "officerName": "Mwita Amina", "enrollDate": "2025-01-01",
        "effectiveDate": "2025-01-01", "startDate": "2025-01-01", "expiryDate": "2025-12-31",
        "status": PolicyStatus.ACTIVE, "policyValue": "4000.00", "balance": "0.00",
        # Left: the general deductible is used up; in-patient care has its own (20); out-patient
        # care falls back on the general one. Ceilings: 100 - 20 paid; out-patient 50 - 20.
        "ded": "0.00", "dedInPatient": "20.00", "dedOutPatient": "0.00",
        "ceiling": "80.00", "ceilingInPatient": "80.00", "ceilingOutPatient": "30.00",
        "deducted": "10.00", "deductedInPatient": "0.00", "deductedOutPatient": "10.00",
        "remunerated": "20.00", "remuneratedInPatient": "0.00", "remuneratedOutPatient": "20.00",
    }]
    connection_ = response.data["policiesByInsuree"]
    assert connection_["totalCount"] == 1
    assert (connection_["pageInfo"]["hasNextPage"], connection_["pageInfo"]["hasPreviousPage"]) \
        == (False, False)


def test_per_treatment_amounts_are_whole_for_a_new_claim(gql, tenant, clerk):
    """A deductible or ceiling per claim starts whole whatever earlier claims used; the tightest
    ceiling and the largest deductible left win, as eligibility counts them."""
    family, _members = make_family_with_insurees(tenant, head={"chf_id": "080808080"})
    product = make_product(tenant, code="PERCLAIM", ded_op_treatment=Decimal("1.00"),
                           max_treatment=Decimal("300.00"), max_policy=Decimal("200.00"))
    make_policy(family, product)

    (node,) = nodes(gql(POLICIES_BY_INSUREE, {"chfId": "080808080", "targetDate": "2025-06-01"},
                        user=clerk))

    assert (node["ded"], node["dedInPatient"], node["dedOutPatient"]) == (None, None, "1.00")
    assert (node["ceiling"], node["ceilingInPatient"], node["ceilingOutPatient"]) == \
        ("200.00", "200.00", "200.00")


@pytest.mark.parametrize(("first", "message"), [
    (-1, "`first` must not be negative."),
    (101, "Requesting 101 records on the `policiesByInsuree` connection exceeds the `first` "
          "limit of 100 records."),
])
def test_a_page_out_of_bounds_is_refused_with_a_message(gql, clerk, covered, first, message):
    _family, insuree, _policy, _service = covered
    query = "query ($chfId: String!, $first: Int) { policiesByInsuree(chfId: $chfId, " \
            "first: $first) { totalCount } }"
    response = gql(query, {"chfId": insuree.chf_id, "first": first}, user=clerk)
    assert response.data["policiesByInsuree"] is None
    assert response.error_messages == [message]


def test_a_target_date_outside_the_policy_lists_nothing(gql, clerk, covered):
    _family, insuree, _policy, _service = covered

    response = gql(POLICIES_BY_INSUREE, {"chfId": insuree.chf_id, "targetDate": "2026-01-01"},
                   user=clerk)

    assert nodes(response) == []
    assert response.data["policiesByInsuree"]["totalCount"] == 0


def test_without_a_target_date_every_policy_is_listed_newest_first(gql, clerk, covered):
    family, insuree, policy, _service = covered
    renewal = make_policy(family, make_product(family.tenant, code="PLAIN"),
                          start=date(2026, 1, 1), status=PolicyStatus.IDLE,
                          effective_date=None, value=Decimal("300.00"))

    listed = nodes(gql(POLICIES_BY_INSUREE, {"chfId": insuree.chf_id}, user=clerk))
    on_renewal = nodes(gql(POLICIES_BY_INSUREE, {"chfId": insuree.chf_id,
                                                 "targetDate": "2026-03-01"}, user=clerk))

    assert [node["policyUuid"] for node in listed] == [str(renewal.uuid), str(policy.uuid)]
    # An idle policy still owes its value; a product without limits has none to show.
    assert {key: listed[0][key] for key in ("status", "balance", "ded", "dedInPatient",
                                            "ceiling", "ceilingOutPatient", "deducted",
                                            "officerCode", "effectiveDate")} == {
        "status": PolicyStatus.IDLE, "balance": "300.00", "ded": None, "dedInPatient": None,
        "ceiling": None, "ceilingOutPatient": None, "deducted": "0.00", "officerCode": None,
        "effectiveDate": None}
    assert [node["policyUuid"] for node in on_renewal] == [str(renewal.uuid)]


def test_an_unknown_insurance_number_lists_nothing(gql, clerk, covered):
    response = gql(POLICIES_BY_INSUREE, {"chfId": "999999999"}, user=clerk)

    assert nodes(response) == []


def test_an_insuree_of_another_tenant_lists_nothing(gql, make_user, other_tenant, covered):
    _family, insuree, _policy, _service = covered
    stranger = make_user([SEARCH_POLICIES], tenant=other_tenant, username="stranger")

    response = gql(POLICIES_BY_INSUREE, {"chfId": insuree.chf_id}, user=stranger)

    assert nodes(response) == []


def test_policies_by_insuree_needs_the_policy_search_right(gql, make_user, covered):
    _family, insuree, _policy, _service = covered

    response = gql(POLICIES_BY_INSUREE, {"chfId": insuree.chf_id}, user=make_user([101101]))

    assert [error["extensions"]["code"] for error in response.errors] == ["FORBIDDEN"]
    assert response.data == {"policiesByInsuree": None}


def insuree_with_policies(tenant, count: int, chf_id: str):
    """An insuree with `count` yearly policies (officer and limits), each used by a valuated
    claim that the deductible took 5 of and the policy paid 5 of."""
    service = make_service(tenant, price=Decimal("10.00"))
    facility = make_facility(tenant, services=[service])
    family, (insuree,) = make_family_with_insurees(tenant, head={"chf_id": chf_id})
    officer = Officer.objects.create(tenant=tenant, code=chf_id[-4:], last_name="Officer",
                                     other_names="Enrolment")
    for year in range(2014, 2014 + count):
        product = make_product(tenant, ded_policy=Decimal("5.00"), max_policy=Decimal("50.00"))
        policy = make_policy(family, product, start=date(year, 1, 1), officer=officer)
        make_claim(tenant, insuree=insuree, health_facility=facility,
                   icd=Diagnosis.objects.get(code="B50"), status=ClaimStatus.VALUATED,
                   services=[(service, {"status": LineStatus.PASSED, "policy": policy,
                                        "deductible_amount": Decimal("5.00"),
                                        "remunerated_amount": Decimal("5.00")})],
                   date_from=date(year, 3, 1), date_claimed=date(year, 3, 2))
    return insuree


def test_policies_by_insuree_query_count_does_not_grow_with_the_policies(
        gql, clerk, tenant, django_assert_max_num_queries):
    one = insuree_with_policies(tenant, 1, "100000001")
    twelve = insuree_with_policies(tenant, 12, "100000002")
    gql(POLICIES_BY_INSUREE, {"chfId": one.chf_id}, user=clerk)  # warm the configuration cache

    with CaptureQueriesContext(connection) as measured:
        assert len(nodes(gql(POLICIES_BY_INSUREE, {"chfId": one.chf_id}, user=clerk))) == 1
    # The user, their rights, the insuree's policies (products and officers joined), then the
    # family's claims, their items and their services.
    assert len(measured) <= 6, [query["sql"] for query in measured]

    with django_assert_max_num_queries(len(measured)):
        listed = nodes(gql(POLICIES_BY_INSUREE, {"chfId": twelve.chf_id}, user=clerk))
    assert len(listed) == 12
    assert {(node["ded"], node["ceiling"], node["remunerated"]) for node in listed} == {
        ("0.00", "45.00", "5.00")}


def test_policy_coverage_answers_without_graphql(tenant, covered):
    _family, insuree, policy, _service = covered

    (summary,) = policy_coverage(tenant.pk, insuree.chf_id, date(2025, 12, 31))

    assert summary.policy == policy
    assert (summary.ded, summary.ded_in_patient, summary.ceiling_out_patient) == (
        Decimal("0.00"), Decimal("20.00"), Decimal("30.00"))
    assert (summary.deducted_out_patient, summary.remunerated) == (
        Decimal("10.00"), Decimal("20.00"))
    assert policy_coverage(tenant.pk, insuree.chf_id, date(2024, 12, 31)) == []


def test_policy_coverage_counts_nothing_used_without_a_module_recording_care(tenant, covered):
    _family, insuree, _policy, _service = covered
    coverage_usage_loader.disconnect(dispatch_uid=CLAIMS_LOADER)
    try:
        (summary,) = policy_coverage(tenant.pk, insuree.chf_id)
    finally:
        coverage_usage_loader.connect(load_claim_usage, dispatch_uid=CLAIMS_LOADER)

    assert (summary.ded, summary.ceiling, summary.remunerated) == (
        Decimal("10.00"), Decimal("100.00"), Decimal("0.00"))


# ---------------------------------------------------------------------------------------------
# pricelists
# ---------------------------------------------------------------------------------------------


def test_a_price_list_gives_its_own_price_else_the_register_price(gql, make_user, tenant):
    own, register = make_item(tenant, price=Decimal("2.00")), make_item(tenant,
                                                                        price=Decimal("3.00"))
    service = make_service(tenant, price=Decimal("10.00"))
    facility = make_facility(tenant, items=[(own, Decimal("2.50")), register],
                             services=[(service, Decimal("12.00"))])

    response = gql(PRICELISTS, {"services": facility.services_pricelist_id,
                                "items": facility.items_pricelist_id}, user=make_user())

    assert response.errors == []
    assert response.data == {"pricelists": {
        "services": [{"id": service.pk, "p": "12.00"}],
        "items": [{"id": own.pk, "p": "2.50"}, {"id": register.pk, "p": "3.00"}],
    }}


def test_only_entries_valid_today_are_listed(gql, make_user, tenant):
    ended, current, later = (make_item(tenant) for _ in range(3))
    facility = make_facility(tenant, items=[current])
    today = date.today()
    make_pricelist_detail(facility.items_pricelist, ended, Decimal("1.00"),
                          valid_to=today - timedelta(days=1))
    make_pricelist_detail(facility.items_pricelist, later, Decimal("1.00"),
                          valid_from=today + timedelta(days=1))

    response = gql(PRICELISTS, {"items": facility.items_pricelist_id}, user=make_user())

    assert response.errors == []
    assert response.data == {"pricelists": {
        "services": [], "items": [{"id": current.pk, "p": "100.00"}]}}


def test_a_price_list_of_another_tenant_or_none_lists_nothing(gql, make_user, tenant,
                                                              other_tenant):
    theirs = make_facility(other_tenant, items=[make_item(other_tenant)],
                           services=[make_service(other_tenant)])

    response = gql(PRICELISTS, {"services": theirs.services_pricelist_id,
                                "items": 987654}, user=make_user())

    assert response.errors == []
    assert response.data == {"pricelists": {"services": [], "items": []}}


def test_pricelists_are_refused_to_anonymous_callers(gql, tenant):
    facility = make_facility(tenant, items=[make_item(tenant)])

    response = gql(PRICELISTS, {"items": facility.items_pricelist_id})

    assert [error["extensions"]["code"] for error in response.errors] == ["UNAUTHENTICATED"]
    assert response.data == {"pricelists": None}


def test_pricelists_query_count_does_not_grow_with_the_list(gql, make_user, tenant,
                                                           django_assert_max_num_queries):
    small, large = make_facility(tenant, items=[]), make_facility(tenant, items=[])
    for facility, size in ((small, 10), (large, 100)):
        ItemsPricelistDetail.objects.bulk_create(
            ItemsPricelistDetail(pricelist=facility.items_pricelist, item=make_item(tenant))
            for _ in range(size))
    user = make_user()
    gql(PRICELISTS, {"items": small.items_pricelist_id}, user=user)  # warm the configuration

    with CaptureQueriesContext(connection) as measured:
        response = gql(PRICELISTS, {"items": small.items_pricelist_id}, user=user)
    assert len(response.data["pricelists"]["items"]) == 10
    # The user, their rights, the price list.
    assert len(measured) <= 3, [query["sql"] for query in measured]

    with django_assert_max_num_queries(len(measured)):
        response = gql(PRICELISTS, {"items": large.items_pricelist_id}, user=user)
    assert len(response.data["pricelists"]["items"]) == 100


def test_pricelist_prices_answers_without_graphql(make_user, tenant):
    item = make_item(tenant, price=Decimal("4.00"))
    facility = make_facility(tenant, items=[(item, Decimal("3.25"))])

    prices = pricelist_prices(make_user(), ITEM, facility.items_pricelist_id, date.today())

    assert prices == [ListedPrice(item.pk, Decimal("3.25"))]
    assert pricelist_prices(make_user(), ITEM, None, date.today()) == []
