"""Patient (insurees) and Coverage (policies), as the OpenHIM patient and coverage mediators
fetch them (`GET Patient?=` and `Coverage?=` with HTTP Basic) and as references name them
(uuid, or the insurance number)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.registers.codes import Gender, InsureeStatus, LocationType, PolicyStatus
from core.registers.models import Insuree
from tests.factories import (
    make_facility,
    make_family_with_insurees,
    make_insuree,
    make_location_chain,
    make_policy,
    make_product,
)
from tests.fhir.android import code_of, statements_per_page
from tests.fhir.client import call

pytestmark = pytest.mark.django_db

INSUREES_RIGHT = 101101
POLICIES_RIGHT = 101201
IG = "https://openimis.github.io/openimis_fhir_r4_ig"


@pytest.fixture
def reader(make_user):
    return make_user([INSUREES_RIGHT, POLICIES_RIGHT], username="mediator")


@pytest.fixture
def scene(tenant):
    """Two families: the Mwangis (head, wife, son) with an active policy and an expired one,
    and the Otienos (head alone) with an idle one."""
    places = make_location_chain(tenant)
    facility = make_facility(tenant, code="HF1", location=places.district)
    family, (head, wife, son) = make_family_with_insurees(
        tenant, location=places.village, address="Plot 7",
        head={"chf_id": "100000001", "last_name": "Mwangi", "other_names": "John Kamau",
              "dob": date(1970, 4, 5), "phone": "+254 700", "email": "john@example.org",
              "marital": "M", "passport": "A123", "health_facility": facility},
        members=[{"chf_id": "100000002", "last_name": "Mwangi", "other_names": "Grace",
                  "gender": Gender.FEMALE, "current_address": "Hostel 3"},
                 {"chf_id": "100000003", "last_name": "Mwangi", "other_names": "Tom",
                  "gender": Gender.OTHER, "dob": date(2015, 1, 1)}])
    other_family, (loner,) = make_family_with_insurees(
        tenant, head={"chf_id": "200000001", "last_name": "Otieno", "other_names": ""})
    product = make_product(tenant, code="BASIC", name="Basic cover")
    active = make_policy(family, product, start=date(2025, 1, 1))
    expired = make_policy(family, product, start=date(2023, 1, 1), status=PolicyStatus.EXPIRED)
    idle = make_policy(other_family, product, start=date(2025, 6, 1), status=PolicyStatus.IDLE)
    return {"places": places, "facility": facility, "head": head, "wife": wife, "son": son,
            "loner": loner, "active": active, "expired": expired, "idle": idle}


@pytest.fixture
def foreign(other_tenant):
    family, _ = make_family_with_insurees(other_tenant, head={"chf_id": "900000001"})
    return make_policy(family, make_product(other_tenant))


def test_the_patient_mediator_lists_insurees_with_basic_authentication(
        client, reader, scene, foreign):
    answer = call(client, "GET", "Patient", basic=("mediator", "pass-word-1"), params={"": ""})

    assert answer.status == 200
    assert answer.body["total"] == 4
    assert [code_of(e["resource"]) for e in answer.body["entry"]] == [
        "100000001", "100000002", "100000003", "200000001"]


def test_a_patient_reads_as_openimis_shows_an_insuree(client, reader, scene):
    head, facility = scene["head"], scene["facility"]

    patient = call(client, "GET", f"Patient/{head.uuid}/", user=reader).body

    assert patient["id"] == str(head.uuid)
    assert [(i["type"]["coding"][0]["code"], i["value"]) for i in patient["identifier"]] == [
        ("UUID", str(head.uuid)), ("Code", "100000001"), ("PPN", "A123")]
    assert patient["name"] == [{"use": "usual", "family": "Mwangi", "given": ["John", "Kamau"]}]
    assert patient["gender"] == "male"
    assert patient["birthDate"] == "1970-04-05"
    assert patient["active"] is True
    assert patient["maritalStatus"]["coding"][0]["code"] == "M"
    assert {t["system"]: t["value"] for t in patient["telecom"]} == {
        "phone": "+254 700", "email": "john@example.org"}
    assert patient["address"] == [{"use": "home", "type": "physical", "line": ["Plot 7"],
                                   "city": scene["places"].village.name}]
    assert patient["generalPractitioner"][0]["identifier"]["value"] == "HF1"
    assert patient["generalPractitioner"][0]["reference"] == f"Organization/{facility.uuid}"


def test_genders_and_own_addresses(client, reader, scene):
    wife = call(client, "GET", "Patient/100000002/", user=reader).body
    son = call(client, "GET", "Patient/100000003/", user=reader).body
    loner = call(client, "GET", "Patient/200000001/", user=reader).body

    assert (wife["gender"], son["gender"]) == ("female", "other")
    assert wife["address"][0]["line"] == ["Hostel 3"]
    assert loner["name"][0]["given"] == []
    assert "address" not in loner
    assert "telecom" not in loner


def test_a_dead_insuree_is_inactive_and_deceased(client, reader, scene):
    Insuree.objects.filter(pk=scene["loner"].pk).update(status=InsureeStatus.DEAD,
                                                         status_date=date(2025, 2, 1))

    patient = call(client, "GET", "Patient/200000001", user=reader).body

    assert patient["active"] is False
    assert patient["deceasedDateTime"] == "2025-02-01"


@pytest.mark.parametrize(("params", "expected"), [
    ({"identifier": "100000002"}, ["100000002"]),
    ({"identifier": f"{IG}/CodeSystem/openimis-identifiers|100000002"}, ["100000002"]),
    ({"family": "mwangi"}, ["100000001", "100000002", "100000003"]),
    ({"given": "grace"}, ["100000002"]),
    ({"name": "otie"}, ["200000001"]),
    ({"identifier": "900000001"}, []),
])
def test_patient_search(client, reader, scene, foreign, params, expected):
    answer = call(client, "GET", "Patient/", user=reader, params=params)

    assert [code_of(e["resource"]) for e in answer.body["entry"]] == expected


def test_another_tenants_or_ended_insurees_are_never_read(client, reader, scene, foreign):
    foreign_insuree = Insuree.objects.get(chf_id="900000001")
    Insuree.objects.filter(pk=scene["son"].pk).update(validity_to=datetime(2025, 1, 1,
                                                                            tzinfo=UTC))

    assert call(client, "GET", f"Patient/{foreign_insuree.uuid}/", user=reader).status == 404
    assert call(client, "GET", "Patient/900000001/", user=reader).status == 404
    assert call(client, "GET", "Patient/100000003/", user=reader).status == 404


def test_coverage_of_a_family_policy(client, reader, scene):
    policy, head = scene["active"], scene["head"]

    coverage = call(client, "GET", f"Coverage/{policy.uuid}/", user=reader).body

    assert coverage["id"] == str(policy.uuid)
    assert coverage["identifier"][0]["value"] == str(policy.uuid)
    assert coverage["status"] == "active"
    assert coverage["beneficiary"] == coverage["policyHolder"]
    assert coverage["beneficiary"]["reference"] == f"Patient/{head.uuid}"
    assert coverage["beneficiary"]["identifier"]["value"] == "100000001"
    assert coverage["payor"][0]["display"] == "First scheme"
    assert coverage["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert coverage["class"] == [{
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                             "code": "plan"}]},
        "value": "BASIC", "name": "Basic cover"}]


@pytest.mark.parametrize(("who", "expected"), [
    ("100000003", ["active", "expired"]),
    ("Patient/100000001", ["active", "expired"]),
    ("200000001", ["idle"]),
    ("900000001", []),
])
def test_coverages_of_an_insuree_by_insurance_number(client, reader, scene, foreign, who,
                                                     expected):
    for name in ("beneficiary", "patient"):
        answer = call(client, "GET", "Coverage", basic=("mediator", "pass-word-1"),
                      params={name: who})

        assert [e["resource"]["id"] for e in answer.body["entry"]] == \
            [str(scene[key].uuid) for key in expected]


def test_coverages_of_an_insuree_by_uuid(client, reader, scene):
    answer = call(client, "GET", "Coverage/", user=reader,
                  params={"beneficiary": str(scene["wife"].uuid)})

    assert answer.body["total"] == 2


@pytest.mark.parametrize(("key", "status", "policy_status"), [
    ("active", "active", "active"), ("expired", "cancelled", "expired"),
    ("idle", "draft", "idle"),
])
def test_policy_statuses(client, reader, scene, key, status, policy_status):
    coverage = call(client, "GET", f"Coverage/{scene[key].uuid}", user=reader).body

    assert coverage["status"] == status
    kept = next(e for e in coverage["extension"] if e["url"].endswith("coverage-policy-status"))
    assert kept["valueCodeableConcept"]["coding"][0]["display"] == policy_status


def test_coverage_mediator_lists_every_policy_of_the_tenant_only(client, reader, scene, foreign):
    answer = call(client, "GET", "Coverage", basic=("mediator", "pass-word-1"), params={"": ""})

    assert answer.body["total"] == 3
    assert call(client, "GET", f"Coverage/{foreign.uuid}/", user=reader).status == 404


@pytest.mark.parametrize("endpoint", ["Patient/", "Coverage/"])
def test_anonymous_and_unentitled_callers_are_refused(client, make_user, scene, endpoint):
    nobody = make_user([], username="nobody")

    assert call(client, "GET", endpoint).status == 401
    assert call(client, "GET", endpoint, user=nobody).status == 403
    assert call(client, "GET", endpoint, basic=("nobody", "pass-word-1")).status == 403


def test_statements_per_page_do_not_grow_with_the_page(client, reader, tenant):
    places = make_location_chain(tenant)
    facility = make_facility(tenant, location=places.district)
    product = make_product(tenant)
    for _ in range(50):
        family, _ = make_family_with_insurees(
            tenant, location=places.village, address="Home",
            head={"health_facility": facility, "current_village": places.village,
                  "phone": "1", "passport": "P1"})
        make_policy(family, product)
    assert places.village.type == LocationType.VILLAGE

    assert statements_per_page(client, reader, "Patient") == {10: 3, 50: 3}
    assert statements_per_page(client, reader, "Coverage") == {10: 3, 50: 3}


def test_a_family_without_head_still_has_a_beneficiary(client, reader, tenant):
    family, _ = make_family_with_insurees(tenant)
    policy = make_policy(family, make_product(tenant))
    family.head_insuree = None
    family.save(update_fields=["head_insuree"])
    make_insuree(tenant, family)

    coverage = call(client, "GET", f"Coverage/{policy.uuid}/", user=reader).body

    assert coverage["beneficiary"]["display"].startswith("Family")


@pytest.mark.parametrize(("status", "expected"), [
    ("active", ["active"]), ("cancelled", ["expired"]), ("draft,active", ["idle", "active"]),
    ("entered-in-error", []),
])
def test_coverages_by_status(client, reader, scene, status, expected):
    answer = call(client, "GET", "Coverage/", user=reader, params={"status": status})

    assert [e["resource"]["id"] for e in answer.body["entry"]] == \
        [str(scene[key].uuid) for key in expected]
