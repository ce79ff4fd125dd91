"""The web app's start-up and shell queries: languages, user districts and the user profile."""

from __future__ import annotations

import pytest

from core.registers.codes import LocationType
from core.registers.models import Officer
from tests.factories import make_facility, make_location, make_location_chain

pytestmark = pytest.mark.django_db

PROFILE = """{ user { id username rights email lastName otherNames phone
  iUser { id uuid language { code name } }
  claimAdmin { id code uuid }
  officer { id uuid code dob address location { id uuid code name parent { id uuid code name } } }
  healthFacility { id uuid code name level servicesPricelist { id uuid }
    itemsPricelist { id uuid } contractStartDate contractEndDate
    location { id uuid code name type parent { id uuid code name type } } } } }"""

DISTRICTS = "{ userDistricts { id uuid code name parent { id uuid code name } } }"


def test_languages_answer_the_catalogue_without_login(gql):
    response = gql("{ languages { name code } }")
    assert response.status_code == 200
    codes = [row["code"] for row in response.data["languages"]]
    assert codes[0] == "en"
    assert {"en", "fr"} <= set(codes)
    assert all(row["name"] for row in response.data["languages"])


def test_profile_of_a_claim_administrator(gql, tenant, make_user):
    from openimis_claim.models import ClaimAdmin

    chain = make_location_chain(tenant, prefix="P")
    facility = make_facility(tenant, code="HF9", items=[], services=[], location=chain.district)
    clerk = make_user([111001, 111002], username="clerk")
    clerk.health_facility, clerk.email, clerk.last_name = facility, "c@example.org", "Clerk"
    clerk.language_id = "fr"
    clerk.save()
    admin = ClaimAdmin.objects.create(tenant=tenant, code="CA9", last_name="Clerk",
                                      other_names="Ann", health_facility=facility, user=clerk)

    response = gql(PROFILE, user=clerk)

    assert response.errors == []
    profile = response.data["user"]
    assert profile["id"] == str(clerk.uuid)
    assert (profile["username"], profile["email"], profile["lastName"]) == \
        ("clerk", "c@example.org", "Clerk")
    assert profile["rights"] == [111001, 111002]
    assert profile["iUser"] == {"id": clerk.pk, "uuid": str(clerk.uuid),
                                "language": {"code": "fr", "name": "Français"}}
    assert profile["claimAdmin"] == {"id": profile["claimAdmin"]["id"], "code": "CA9",
                                     "uuid": str(admin.uuid)}
    assert profile["officer"] is None
    hf = profile["healthFacility"]
    assert hf["code"] == "HF9"
    assert hf["itemsPricelist"]["uuid"] == str(facility.items_pricelist.uuid)
    assert hf["location"]["code"] == "PD"
    assert hf["location"]["parent"] == {"id": hf["location"]["parent"]["id"],
                                        "uuid": str(chain.region.uuid), "code": "PR",
                                        "name": chain.region.name, "type": "R"}


def test_profile_of_an_officer_user(gql, tenant, make_user):
    chain = make_location_chain(tenant, prefix="O")
    user = make_user([], username="officer")
    officer = Officer.objects.create(tenant=tenant, code="EO1", last_name="Officer",
                                     other_names="Omar", address="Plot 4, Moshi",
                                     location=chain.district, user=user)

    profile = gql(PROFILE, user=user).data["user"]

    assert profile["rights"] == []
    assert profile["claimAdmin"] is None
    assert profile["healthFacility"] is None
    assert profile["officer"]["uuid"] == str(officer.uuid)
    assert profile["officer"]["address"] == "Plot 4, Moshi"
    assert profile["officer"]["location"]["code"] == "OD"
    assert profile["officer"]["location"]["parent"]["code"] == "OR"


def test_profile_needs_login_and_the_profile_right(gql, make_user):
    anonymous = gql(PROFILE)
    assert anonymous.data["user"] is None
    assert anonymous.errors[0]["message"] == "Authentication required"

    from core.models import ModuleConfiguration
    ModuleConfiguration.objects.create(module="core", config={
        "gql_query_users_profile_perms": ["121799"]})
    denied = gql(PROFILE, user=make_user([111001]))
    assert denied.data["user"] is None
    assert denied.errors[0]["message"] == "Unauthorized"
    assert denied.errors[0]["extensions"]["code"] == "FORBIDDEN"


def test_profile_hides_a_facility_of_another_tenant(gql, other_tenant, make_user):
    foreign = make_facility(other_tenant, code="HFX")
    user = make_user([111001])
    user.health_facility = foreign
    user.save()
    assert gql(PROFILE, user=user).data["user"]["healthFacility"] is None


def test_profile_costs_the_same_few_queries(gql, tenant, make_user,
                                            django_assert_max_num_queries):
    user = make_user(list(range(111001, 111013)))
    # Token check, user, rights, profile row with its relations, rights of the profile.
    with django_assert_max_num_queries(6):
        assert gql(PROFILE, user=user).data["user"]["username"] == user.username


def test_districts_assigned_to_the_user_win(gql, tenant, other_tenant, make_user):
    region = make_location(tenant, LocationType.REGION, code="R1")
    mine = make_location(tenant, LocationType.DISTRICT, region, code="D1")
    make_location(tenant, LocationType.DISTRICT, region, code="D2")
    foreign = make_location(other_tenant, LocationType.DISTRICT, code="DX")
    user = make_user([])
    user.districts.add(mine, foreign)

    rows = gql(DISTRICTS, user=user).data["userDistricts"]

    assert [row["code"] for row in rows] == ["D1"]
    assert rows[0]["parent"]["code"] == "R1"


def test_a_facility_user_works_in_its_district(gql, tenant, make_user):
    region = make_location(tenant, LocationType.REGION, code="R1")
    district = make_location(tenant, LocationType.DISTRICT, region, code="D1")
    make_location(tenant, LocationType.DISTRICT, region, code="D2")
    user = make_user([111001])
    user.health_facility = make_facility(tenant, location=district)
    user.save()
    assert [row["code"] for row in gql(DISTRICTS, user=user).data["userDistricts"]] == ["D1"]


def test_scheme_staff_work_in_every_district_of_their_tenant(gql, tenant, other_tenant,
                                                             make_user,
                                                             django_assert_max_num_queries):
    region = make_location(tenant, LocationType.REGION, code="R1")
    for n in range(30):
        make_location(tenant, LocationType.DISTRICT, region, code=f"D{n:02d}")
    make_location(other_tenant, LocationType.DISTRICT, code="DX")
    make_location(tenant, LocationType.DISTRICT, region, code="DOLD",
                  validity_to="2020-01-01T00:00:00Z")
    user = make_user([])
    with django_assert_max_num_queries(6):
        rows = gql(DISTRICTS, user=user).data["userDistricts"]
    assert [row["code"] for row in rows] == [f"D{n:02d}" for n in range(30)]
    assert {row["parent"]["code"] for row in rows} == {"R1"}


def test_districts_need_login(gql):
    response = gql(DISTRICTS)
    assert response.data["userDistricts"] is None
    assert response.errors[0]["message"] == "Authentication required"
