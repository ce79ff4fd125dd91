"""Practitioner: claim administrators as the Claims Android app syncs them
(`GET Practitioner/?resourceType=ca&page-offset=N`), enrolment officers with `eo`."""

from __future__ import annotations

from datetime import date

import pytest

from core.models import ModuleConfiguration
from core.registers.models import Officer
from openimis_claim.models import ClaimAdmin
from tests.factories import make_facility, make_location
from tests.fhir.android import app_get, app_sync, code_of, statements_per_page
from tests.fhir.client import call

pytestmark = pytest.mark.django_db

IG = "https://openimis.github.io/openimis_fhir_r4_ig"
OFFICER_RIGHT = 121501


def make_admin(tenant, facility, code: str, **fields) -> ClaimAdmin:
    values = {"last_name": f"Last {code}", "other_names": "Anna Maria", "dob": date(1980, 2, 3),
              "phone": "+255 700 000", "email": f"{code.lower()}@example.org"}
    return ClaimAdmin.objects.create(tenant=tenant, health_facility=facility, code=code,
                                     **{**values, **fields})


@pytest.fixture
def facilities(tenant):
    district = make_location(tenant, "D")
    return [make_facility(tenant, code=f"HF{n}", location=district) for n in (1, 2)]


@pytest.fixture
def admins(tenant, facilities):
    """23 administrators over two facilities (three pages of the default 10)."""
    return [make_admin(tenant, facilities[n % 2], f"CA{n:02d}") for n in range(23)]


@pytest.fixture
def foreign_admin(other_tenant):
    return make_admin(other_tenant, make_facility(other_tenant, code="HFX"), "CAX")


@pytest.fixture
def clerk(make_user):
    return make_user([], username="clerk")


def test_the_app_syncs_every_claim_administrator_with_what_it_reads(
        client, clerk, admins, foreign_admin):
    resources = app_sync(client, clerk, "Practitioner", {"resourceType": "ca"})

    assert [code_of(r) for r in resources] == [f"CA{n:02d}" for n in range(23)]
    first = resources[0]
    assert first["id"] == str(admins[0].uuid)
    assert first["name"] == [{"use": "usual", "family": "Last CA00", "given": ["Anna", "Maria"]}]
    assert first["qualification"][0]["code"]["coding"][0]["code"] == "CA"
    assert first["qualification"][0]["code"]["coding"][0]["display"] == "Claim Administrator"
    assert first["birthDate"] == "1980-02-03"
    assert {t["system"]: t["value"] for t in first["telecom"]} == {
        "phone": "+255 700 000", "email": "ca00@example.org"}


def test_every_claim_administrator_names_their_facility_by_code(client, clerk, admins):
    resources = app_sync(client, clerk, "Practitioner", {"resourceType": "ca"})

    for resource, admin in zip(resources, admins, strict=True):
        reference = next(e["valueReference"] for e in resource["extension"]
                         if "valueReference" in e)
        facility = admin.health_facility
        assert reference == {
            "type": "Organization", "reference": f"Organization/{facility.uuid}",
            "display": facility.code,
            "identifier": {"type": {"coding": [{
                "system": f"{IG}/CodeSystem/openimis-identifiers", "code": "Code"}]},
                "value": facility.code}}


def test_no_resource_type_means_claim_administrators(client, clerk, admins):
    answer = app_get(client, clerk, "Practitioner")

    assert answer.body["total"] == 23


def test_a_claim_administrator_without_other_names_has_an_empty_given(client, clerk, facilities):
    make_admin(facilities[0].tenant, facilities[0], "SOLO", other_names="", dob=None)

    resource = app_get(client, clerk, "Practitioner").body["entry"][0]["resource"]

    assert resource["name"] == [{"use": "usual", "family": "Last SOLO", "given": []}]
    assert "birthDate" not in resource


def test_a_facility_user_sees_only_their_facilitys_administrators(
        client, make_user, admins, facilities):
    user = make_user([], username="hf-clerk")
    user.health_facility = facilities[1]
    user.save()

    resources = app_sync(client, user, "Practitioner", {"resourceType": "ca"})

    assert [code_of(r) for r in resources] == [f"CA{n:02d}" for n in range(1, 23, 2)]
    assert call(client, "GET", f"Practitioner/{admins[0].uuid}/", user=user).status == 404


def test_ended_administrators_are_not_listed(client, clerk, admins):
    ClaimAdmin.objects.filter(code="CA00").update(validity_to="2025-01-01T00:00:00Z")

    codes = [code_of(r) for r in app_sync(client, clerk, "Practitioner")]

    assert "CA00" not in codes
    assert len(codes) == 22


def test_search_by_code_and_read_by_uuid_or_code(client, clerk, admins):
    found = call(client, "GET", "Practitioner/", user=clerk, params={"code": "CA05"})
    by_uuid = call(client, "GET", f"Practitioner/{admins[5].uuid}/", user=clerk)
    by_code = call(client, "GET", "Practitioner/CA05/", user=clerk)

    assert [code_of(e["resource"]) for e in found.body["entry"]] == ["CA05"]
    assert by_uuid.status == by_code.status == 200
    assert by_uuid.body == by_code.body == found.body["entry"][0]["resource"]


def test_another_tenants_administrators_are_never_listed_nor_read(
        client, clerk, admins, foreign_admin):
    assert call(client, "GET", "Practitioner/", user=clerk,
                params={"code": "CAX"}).body["total"] == 0
    assert call(client, "GET", f"Practitioner/{foreign_admin.uuid}/", user=clerk).status == 404
    assert call(client, "GET", "Practitioner/CAX/", user=clerk).status == 404


def test_anonymous_callers_are_refused(client, admins):
    assert app_get(client, None, "Practitioner", {"resourceType": "ca"}).status == 401


def test_a_user_without_the_configured_right_is_refused(client, clerk, admins):
    ModuleConfiguration.objects.create(module="claim", layer="be",
                                       config={"gql_query_claim_admins_perms": ["111001"]})

    answer = app_get(client, clerk, "Practitioner", {"resourceType": "ca"})

    assert answer.status == 403
    assert answer.issues == ["Unauthorized"]


def test_an_unknown_practitioner_kind_is_400(client, clerk):
    answer = call(client, "GET", "Practitioner/", user=clerk, params={"resourceType": "xx"})

    assert answer.status == 400


@pytest.fixture
def officers(tenant):
    district = make_location(tenant, "D")
    return [Officer.objects.create(tenant=tenant, code=f"EO{n:02d}", last_name=f"Officer {n}",
                                   other_names="Jo", dob=date(1990, 1, 1), phone="555",
                                   location=district)
            for n in range(12)]


def test_enrolment_officers_need_the_officers_right(client, make_user, clerk, officers):
    officer_reader = make_user([OFFICER_RIGHT], username="eo-reader")

    listed = app_sync(client, officer_reader, "Practitioner", {"resourceType": "eo"})
    refused = app_get(client, clerk, "Practitioner", {"resourceType": "eo"})
    read = call(client, "GET", f"Practitioner/{officers[3].uuid}/", user=officer_reader)

    assert [code_of(r) for r in listed] == [f"EO{n:02d}" for n in range(12)]
    assert listed[0]["qualification"][0]["code"]["coding"][0] == {
        "system": f"{IG}/CodeSystem/practitioner-qualification-type", "code": "EO",
        "display": "Enrolment Officer"}
    assert "extension" not in listed[0]
    assert refused.status == 403
    assert read.body == listed[3]
    assert call(client, "GET", f"Practitioner/{officers[3].uuid}/", user=clerk).status == 404


def test_statements_per_page_do_not_grow_with_the_page(client, make_user, tenant):
    district = make_location(tenant, "D")
    for n in range(50):
        make_admin(tenant, make_facility(tenant, code=f"F{n:03d}", location=district),
                   f"C{n:03d}")
        Officer.objects.create(tenant=tenant, code=f"O{n:03d}", last_name="O", other_names="P",
                               dob=date(1990, 1, 1), location=district)
    user = make_user([OFFICER_RIGHT], username="counter")

    admins = statements_per_page(client, user, "Practitioner", params={"resourceType": "ca"})
    officers = statements_per_page(client, user, "Practitioner", params={"resourceType": "eo"})

    # The user, the count, the page: whatever the page size.
    assert admins == officers == {10: 3, 50: 3}
