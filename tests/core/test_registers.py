"""Register reads: the pickers and lists the web app calls, their fields, tenant scoping, rights,
and query counts that do not grow with the page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.registers.codes import CareType, FacilityLevel, Gender, LocationType, ServiceCategory
from tests.factories import (
    make_facility,
    make_family_with_insurees,
    make_item,
    make_location,
    make_location_chain,
    make_policy,
    make_pricelist_detail,
    make_product,
    make_service,
)

pytestmark = pytest.mark.django_db

READ_INSUREES = 101101
READ_PRODUCTS = 121001
READ_POLICIES = 101201

DIAGNOSES = """
query Diagnoses($str: String, $first: Int) {
  diagnosesStr(str: $str, first: $first) { totalCount edges { node { id code name } } }
}
"""
MEDICAL_ITEMS = """
query Items($str: String, $first: Int, $pricelistUuid: UUID, $date: Date) {
  medicalItemsStr(str: $str, first: $first, pricelistUuid: $pricelistUuid, date: $date,
                  orderBy: "code") {
    totalCount
    edges { node { id name code price quantity maximumAmount requiresPreauthorization } }
  }
}
"""
MEDICAL_ITEMS_SHAPE = """
query Items($pricelistUuid: UUID, $date: Date) {
  medicalItemsStr(first: 10, pricelistUuid: $pricelistUuid, date: $date, orderBy: "code") {
    totalCount
    edges { node { name code price quantity maximumAmount requiresPreauthorization } }
  }
}
"""
MEDICAL_SERVICES = """
query Services($str: String, $first: Int, $pricelistUuid: UUID, $date: Date) {
  medicalServicesStr(str: $str, first: $first, pricelistUuid: $pricelistUuid, date: $date,
                     orderBy: "code") {
    totalCount edges { node { code name category price requiresPreauthorization } }
  }
}
"""
INSUREES = """
query Insurees($chfId: String, $first: Int) {
  insurees(chfId: $chfId, ignoreLocation: true, first: $first, orderBy: "chfId") {
    totalCount
    edges { node {
      chfId lastName otherNames dob gender { code } head
      family { uuid headInsuree { chfId } }
      healthFacility { code }
    } }
  }
}
"""
HEALTH_FACILITIES = """
query Facilities($str: String, $first: Int) {
  healthFacilities(str: $str, first: $first, orderBy: "code") {
    totalCount
    edges { node {
      code name level careType
      location { code type parent { code type } }
      itemsPricelist { uuid }
    } }
  }
}
"""
LOCATIONS = """
query Locations($type: String, $parentUuid: UUID, $first: Int) {
  locations(type: $type, parent_Uuid: $parentUuid, first: $first, orderBy: "code") {
    totalCount edges { node { code name type parent { code } } }
  }
}
"""
PRODUCTS = """
query Products($first: Int) {
  products(first: $first, orderBy: "code") {
    totalCount edges { node { code name lumpSum insurancePeriod maxNoConsultations dedPolicy } }
  }
}
"""
POLICIES = """
query Policies($chfId: String, $first: Int) {
  policies(chfId: $chfId, first: $first, orderBy: "start_date") {
    totalCount
    edges { node {
      uuid status stage startDate effectiveDate expiryDate value
      product { code }
      family { uuid headInsuree { chfId } }
    } }
  }
}
"""


def codes(response, root: str) -> list[str]:
    return [edge["node"]["code"] for edge in response.data[root]["edges"]]


@pytest.fixture
def user(make_user):
    """A desk user of the first tenant who may read insurees, products and policies."""
    return make_user([READ_INSUREES, READ_PRODUCTS, READ_POLICIES])


# Diagnoses -----------------------------------------------------------------------------------


def test_diagnoses_str_finds_an_icd10_code_by_its_start(gql, user):
    response = gql(DIAGNOSES, {"str": "E11", "first": 1}, user=user)

    assert "errors" not in response.body, response.body
    page = response.data["diagnosesStr"]
    assert page["totalCount"] == 4  # E11, E11.8, E11.9, E11.A
    assert [(e["node"]["code"], e["node"]["name"]) for e in page["edges"]] == [
        ("E11", "Type 2 diabetes mellitus")
    ]
    assert page["edges"][0]["node"]["id"]


def test_diagnoses_str_searches_names_too(gql, user):
    response = gql(DIAGNOSES, {"str": "without complications in remission", "first": 5},
                   user=user)

    assert [e["node"]["code"] for e in response.data["diagnosesStr"]["edges"]] == ["E11.A"]


def test_the_diagnosis_catalogue_is_shared_by_every_tenant(gql, make_user, other_tenant):
    theirs = make_user(tenant=other_tenant)

    response = gql(DIAGNOSES, {"str": "E11", "first": 1}, user=theirs)

    assert response.data["diagnosesStr"]["totalCount"] == 4


# Medical items and services ------------------------------------------------------------------


@pytest.fixture
def pharmacy(tenant):
    """Three items; the facility's price list holds two of them, one at its own price."""
    amoxicillin = make_item(tenant, code="AMOX", name="Amoxicillin 500mg", price=Decimal("12.00"))
    paracetamol = make_item(tenant, code="PARA", name="Paracetamol 500mg", price=Decimal("2.50"))
    make_item(tenant, code="INSU", name="Insulin", price=Decimal("40.00"))
    facility = make_facility(tenant, items=[(amoxicillin, Decimal("10.00")), paracetamol])
    return facility.items_pricelist


def test_medical_items_without_a_price_list_give_every_item_at_the_register_price(gql, user,
                                                                                  pharmacy):
    response = gql(MEDICAL_ITEMS, {"first": 10}, user=user)

    assert "errors" not in response.body, response.body
    assert [(e["node"]["code"], e["node"]["price"])
            for e in response.data["medicalItemsStr"]["edges"]] == [
        ("AMOX", "12.00"), ("INSU", "40.00"), ("PARA", "2.50"),
    ]


def test_medical_items_with_a_price_list_give_its_items_at_its_prices(gql, user, pharmacy):
    response = gql(MEDICAL_ITEMS, {"first": 10, "pricelistUuid": str(pharmacy.uuid),
                                   "date": "2025-03-01"}, user=user)

    assert "errors" not in response.body, response.body
    assert [(e["node"]["code"], e["node"]["price"])
            for e in response.data["medicalItemsStr"]["edges"]] == [
        ("AMOX", "10.00"),  # the facility's price_overrule
        ("PARA", "2.50"),  # no overrule: the register price
    ]


def test_medical_items_search_code_or_name(gql, user, pharmacy):
    by_name = gql(MEDICAL_ITEMS, {"str": "paracet", "first": 10}, user=user)
    by_code = gql(MEDICAL_ITEMS, {"str": "amox", "first": 10}, user=user)

    assert codes(by_name, "medicalItemsStr") == ["PARA"]
    assert codes(by_code, "medicalItemsStr") == ["AMOX"]


def test_a_price_list_entry_counts_only_on_the_dates_it_is_valid(gql, tenant, user):
    old = make_item(tenant, code="OLD", price=Decimal("5.00"))
    new = make_item(tenant, code="NEW", price=Decimal("5.00"))
    repriced = make_item(tenant, code="REPR", price=Decimal("5.00"))
    pricelist = make_facility(tenant, items=[]).items_pricelist
    make_pricelist_detail(pricelist, old, valid_to=date(2024, 12, 31))
    make_pricelist_detail(pricelist, new, valid_from=date(2025, 6, 1))
    make_pricelist_detail(pricelist, repriced, Decimal("6.00"), valid_from=date(2024, 1, 1))
    make_pricelist_detail(pricelist, repriced, Decimal("7.00"), valid_from=date(2025, 1, 1))

    def prices(on: str) -> list[tuple[str, str]]:
        response = gql(MEDICAL_ITEMS, {"first": 10, "pricelistUuid": str(pricelist.uuid),
                                       "date": on}, user=user)
        return [(e["node"]["code"], e["node"]["price"])
                for e in response.data["medicalItemsStr"]["edges"]]

    assert prices("2024-06-01") == [("OLD", "5.00"), ("REPR", "6.00")]
    assert prices("2025-03-01") == [("REPR", "7.00")]
    assert prices("2025-07-01") == [("NEW", "5.00"), ("REPR", "7.00")]


def test_a_price_list_may_make_an_item_free(gql, tenant, user):
    vaccine = make_item(tenant, code="VACC", price=Decimal("30.00"))
    pricelist = make_facility(tenant, items=[(vaccine, Decimal("0.00"))]).items_pricelist

    response = gql(MEDICAL_ITEMS, {"first": 10, "pricelistUuid": str(pricelist.uuid),
                                   "date": "2025-03-01"}, user=user)

    assert [e["node"]["price"] for e in response.data["medicalItemsStr"]["edges"]] == ["0.00"]


def test_medical_items_response_shape(gql, tenant, user, snapshot):
    insulin = make_item(tenant, code="INSU", name="Insulin glargine", price=Decimal("40.00"),
                        package="vial 10ml", quantity=Decimal("1.00"),
                        maximum_amount=Decimal("3.00"), requires_preauthorization=True)
    gauze = make_item(tenant, code="GAUZ", name="Gauze roll", price=Decimal("1.20"))
    pricelist = make_facility(tenant, items=[(insulin, Decimal("38.50")), gauze]).items_pricelist

    response = gql(MEDICAL_ITEMS_SHAPE, {"pricelistUuid": str(pricelist.uuid),
                                         "date": "2025-03-01"}, user=user)

    assert "errors" not in response.body, response.body
    snapshot.assert_match(response.data)


def test_medical_services_with_a_price_list_give_its_services_at_its_prices(gql, tenant, user):
    consult = make_service(tenant, code="CONS", name="Consultation", price=Decimal("15.00"),
                           category=ServiceCategory.CONSULTATION)
    delivery = make_service(tenant, code="DELI", name="Normal delivery", price=Decimal("90.00"),
                            category=ServiceCategory.DELIVERY)
    make_service(tenant, code="SURG", name="Appendectomy", price=Decimal("400.00"))
    pricelist = make_facility(tenant, services=[(consult, Decimal("12.00")), delivery]
                              ).services_pricelist

    listed = gql(MEDICAL_SERVICES, {"first": 10, "pricelistUuid": str(pricelist.uuid),
                                    "date": "2025-03-01"}, user=user)
    register = gql(MEDICAL_SERVICES, {"str": "append", "first": 10}, user=user)

    assert "errors" not in listed.body, listed.body
    assert [e["node"] for e in listed.data["medicalServicesStr"]["edges"]] == [
        {"code": "CONS", "name": "Consultation", "category": "C", "price": "12.00",
         "requiresPreauthorization": False},
        {"code": "DELI", "name": "Normal delivery", "category": "D", "price": "90.00",
         "requiresPreauthorization": False},
    ]
    assert [(e["node"]["code"], e["node"]["price"])
            for e in register.data["medicalServicesStr"]["edges"]] == [("SURG", "400.00")]


def test_another_tenants_items_never_appear(gql, tenant, other_tenant, user):
    make_item(tenant, code="AMOX", name="Ours")
    make_item(other_tenant, code="AMOX", name="Theirs")
    make_item(other_tenant, code="ONLY", name="Theirs only")

    response = gql(MEDICAL_ITEMS, {"first": 10}, user=user)

    assert response.data["medicalItemsStr"]["totalCount"] == 1
    assert [e["node"]["name"] for e in response.data["medicalItemsStr"]["edges"]] == ["Ours"]


def test_another_tenants_price_list_gives_nothing(gql, tenant, other_tenant, user):
    make_item(tenant, code="AMOX")
    theirs = make_item(other_tenant, code="AMOX")
    their_pricelist = make_facility(other_tenant, items=[(theirs, Decimal("1.00"))]
                                    ).items_pricelist

    response = gql(MEDICAL_ITEMS, {"first": 10, "pricelistUuid": str(their_pricelist.uuid),
                                   "date": "2025-03-01"}, user=user)

    assert "errors" not in response.body, response.body
    assert response.data["medicalItemsStr"] == {"totalCount": 0, "edges": []}


# Insurees ------------------------------------------------------------------------------------


def test_insurees_by_chf_id_with_family_and_facility(gql, tenant, user):
    facility = make_facility(tenant, code="HF1")
    family, _insurees = make_family_with_insurees(
        tenant,
        head={"chf_id": "100000001", "last_name": "Doe", "other_names": "John",
              "health_facility": facility},
        members=[{"chf_id": "100000002", "last_name": "Doe", "other_names": "Jane",
                  "dob": date(2015, 5, 17), "gender": Gender.FEMALE}],
    )

    response = gql(INSUREES, {"chfId": "100000002", "first": 10}, user=user)

    assert "errors" not in response.body, response.body
    assert response.data["insurees"] == {"totalCount": 1, "edges": [{"node": {
        "chfId": "100000002", "lastName": "Doe", "otherNames": "Jane", "dob": "2015-05-17",
        "gender": {"code": "F"}, "head": False,
        "family": {"uuid": str(family.uuid), "headInsuree": {"chfId": "100000001"}},
        "healthFacility": None,
    }}]}
    head_response = gql(INSUREES, {"chfId": "100000001", "first": 10}, user=user)
    assert head_response.data["insurees"]["edges"][0]["node"]["healthFacility"] == {
        "code": "HF1"
    }


def test_another_tenants_insuree_is_not_found(gql, other_tenant, user):
    make_family_with_insurees(other_tenant, head={"chf_id": "100000001"})

    response = gql(INSUREES, {"chfId": "100000001", "first": 10}, user=user)

    assert response.data["insurees"] == {"totalCount": 0, "edges": []}


def test_insurees_need_the_insuree_right(gql, make_user, tenant):
    make_family_with_insurees(tenant, head={"chf_id": "100000001"})

    response = gql(INSUREES, {"chfId": "100000001"}, user=make_user([READ_PRODUCTS]))

    assert response.error_messages == ["Unauthorized"]
    assert response.data == {"insurees": None}


def test_insurees_need_a_login(gql, tenant):
    make_family_with_insurees(tenant, head={"chf_id": "100000001"})

    response = gql(INSUREES, {"chfId": "100000001"})

    assert response.error_messages == ["Authentication required"]
    assert response.data == {"insurees": None}


# Health facilities and locations -------------------------------------------------------------


def test_health_facilities_search_with_location_and_price_list(gql, tenant, other_tenant, user):
    chain = make_location_chain(tenant, prefix="A")
    with_list = make_facility(tenant, code="HC01", name="Mbeya Health Centre",
                              location=chain.district, items=[])
    make_facility(tenant, code="HOSP1", name="Mbeya Referral Hospital",
                  level=FacilityLevel.HOSPITAL, care_type=CareType.IN_PATIENT)
    make_facility(tenant, code="DISP1", name="Iringa Dispensary")
    make_facility(other_tenant, code="HC02", name="Mbeya Health Centre (theirs)")

    response = gql(HEALTH_FACILITIES, {"str": "mbeya", "first": 10}, user=user)

    assert "errors" not in response.body, response.body
    assert response.data["healthFacilities"] == {"totalCount": 2, "edges": [
        {"node": {"code": "HC01", "name": "Mbeya Health Centre", "level": "C", "careType": "B",
                  "location": {"code": "AD", "type": "D", "parent": {"code": "AR", "type": "R"}},
                  "itemsPricelist": {"uuid": str(with_list.items_pricelist.uuid)}}},
        {"node": {"code": "HOSP1", "name": "Mbeya Referral Hospital", "level": "H",
                  "careType": "I", "location": None, "itemsPricelist": None}},
    ]}


def test_locations_by_type_and_parent(gql, tenant, other_tenant, user):
    north = make_location_chain(tenant, prefix="N")
    make_location(tenant, LocationType.DISTRICT, north.region, code="N2D", name="Second")
    make_location_chain(tenant, prefix="S")
    make_location_chain(other_tenant, prefix="O")

    districts = gql(LOCATIONS, {"type": "D", "first": 10}, user=user)
    of_north = gql(LOCATIONS, {"parentUuid": str(north.region.uuid), "first": 10}, user=user)

    assert "errors" not in districts.body, districts.body
    assert [(e["node"]["code"], e["node"]["type"], e["node"]["parent"]["code"])
            for e in districts.data["locations"]["edges"]] == [
        ("N2D", "D", "NR"), ("ND", "D", "NR"), ("SD", "D", "SR"),
    ]
    assert codes(of_north, "locations") == ["N2D", "ND"]


# Products and policies -----------------------------------------------------------------------


def test_products_list_their_terms(gql, tenant, other_tenant, user):
    make_product(tenant, code="BASIC", name="Basic cover", max_no_consultations=6,
                 ded_policy=Decimal("30.00"))
    make_product(other_tenant, code="THEIRS")

    response = gql(PRODUCTS, {"first": 10}, user=user)

    assert response.data["products"] == {"totalCount": 1, "edges": [{"node": {
        "code": "BASIC", "name": "Basic cover", "lumpSum": "10000.00", "insurancePeriod": 12,
        "maxNoConsultations": 6, "dedPolicy": "30.00",
    }}]}


def test_policies_of_an_insuree_by_chf_id(gql, tenant, user):
    family, _insurees = make_family_with_insurees(
        tenant, head={"chf_id": "100000001"}, members=[{"chf_id": "100000002"}]
    )
    product = make_product(tenant, code="BASIC")
    first = make_policy(family, product, start=date(2024, 1, 1), status=8)
    renewal = make_policy(family, product, start=date(2025, 1, 1), stage="R")
    other_family, _ = make_family_with_insurees(tenant, head={"chf_id": "100000003"})
    make_policy(other_family, product)

    response = gql(POLICIES, {"chfId": "100000002", "first": 10}, user=user)

    assert "errors" not in response.body, response.body
    family_node = {"uuid": str(family.uuid), "headInsuree": {"chfId": "100000001"}}
    assert response.data["policies"] == {"totalCount": 2, "edges": [
        {"node": {"uuid": str(first.uuid), "status": 8, "stage": "N", "startDate": "2024-01-01",
                  "effectiveDate": "2024-01-01", "expiryDate": "2024-12-31",
                  "value": "10000.00", "product": {"code": "BASIC"}, "family": family_node}},
        {"node": {"uuid": str(renewal.uuid), "status": 2, "stage": "R",
                  "startDate": "2025-01-01", "effectiveDate": "2025-01-01",
                  "expiryDate": "2025-12-31", "value": "10000.00",
                  "product": {"code": "BASIC"}, "family": family_node}},
    ]}


# Query counts --------------------------------------------------------------------------------


def _facilities(tenant) -> dict:
    chain = make_location_chain(tenant)
    for _ in range(100):
        make_facility(tenant, location=chain.district, items=[])
    return {}


def _insurees(tenant) -> dict:
    facility = make_facility(tenant)
    for _ in range(100):
        make_family_with_insurees(tenant, head={"health_facility": facility})
    return {}


def _policies(tenant) -> dict:
    product = make_product(tenant)
    for _ in range(100):
        family, _insurees = make_family_with_insurees(tenant)
        make_policy(family, product)
    return {}


def _priced_items(tenant) -> dict:
    items = [make_item(tenant) for _ in range(100)]
    facility = make_facility(tenant, items=[(item, Decimal("9.99")) for item in items])
    return {"pricelistUuid": str(facility.items_pricelist.uuid), "date": "2025-03-01"}


def _locations(tenant) -> dict:
    region = make_location(tenant)
    for _ in range(100):
        make_location(tenant, LocationType.DISTRICT, region)
    return {"type": "D"}


@pytest.mark.parametrize(("document", "root", "build"), [
    (HEALTH_FACILITIES, "healthFacilities", _facilities),
    (INSUREES, "insurees", _insurees),
    (POLICIES, "policies", _policies),
    (MEDICAL_ITEMS, "medicalItemsStr", _priced_items),
    (LOCATIONS, "locations", _locations),
], ids=["healthFacilities", "insurees", "policies", "medicalItemsStr", "locations"])
def test_page_size_does_not_change_query_count(gql, tenant, user, django_assert_max_num_queries,
                                               document, root, build):
    variables = build(tenant)
    gql(document, {**variables, "first": 10}, user=user)  # warm the module configuration cache
    with CaptureQueriesContext(connection) as small:
        response = gql(document, {**variables, "first": 10}, user=user)
    assert "errors" not in response.body, response.body
    assert len(response.data[root]["edges"]) == 10

    with django_assert_max_num_queries(len(small)):
        response = gql(document, {**variables, "first": 100}, user=user)

    assert "errors" not in response.body, response.body
    assert len(response.data[root]["edges"]) == 100


@pytest.mark.parametrize("page", [10, 100])
def test_insuree_policies_of_a_page_cost_one_query(gql, tenant, user, page,
                                                   django_assert_max_num_queries):
    product = make_product(tenant)
    for n in range(page):
        family, _members = make_family_with_insurees(tenant, head={"chf_id": f"7{n:08d}"})
        make_policy(family, product)
    query = """query ($first: Int) { insurees(first: $first, orderBy: "chfId") { edges { node {
      chfId insureePolicies { edges { node { policy { status product { code } } } } } } } } }"""
    with django_assert_max_num_queries(7):
        edges = gql(query, {"first": page}, user=user).data["insurees"]["edges"]
    assert len(edges) == page
    assert {e["node"]["insureePolicies"]["edges"][0]["node"]["policy"]["product"]["code"]
            for e in edges} == {product.code}
