"""The catalogue the Claims Android app syncs (`FetchDiagnosesServicesItems`): medical items as
`Medication/`, medical services as `ActivityDefinition/` (both paged), diagnoses as
`CodeSystem/diagnosis/` (one request)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import ModuleConfiguration
from core.registers.models import Diagnosis, MedicalItem, MedicalService
from tests.factories import make_item, make_service
from tests.fhir.android import app_get, app_sync, code_of, statements_per_page
from tests.fhir.client import call

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user):
    return make_user([], username="clerk")


def money_of(resource: dict) -> dict:
    """What the app's DTOs read: the first extension that has a `valueMoney`."""
    return next(e["valueMoney"] for e in resource["extension"] if "valueMoney" in e)


@pytest.fixture
def items(tenant, other_tenant):
    made = [make_item(tenant, code=f"IT{n:03d}", name=f"Item {n}", price=Decimal("12.50") + n,
                      package="Box of 10", quantity=Decimal("10"), frequency=30)
            for n in range(23)]
    make_item(other_tenant, code="ALIEN")
    make_item(tenant, code="ENDED", validity_to=datetime(2024, 1, 1, tzinfo=UTC))
    return made


def test_the_app_syncs_every_item_with_name_and_price(client, clerk, items):
    resources = app_sync(client, clerk, "Medication")

    assert [code_of(r) for r in resources] == [f"IT{n:03d}" for n in range(23)]
    first = resources[0]
    assert first["id"] == str(items[0].uuid)
    assert first["status"] == "active"
    assert first["code"] == {"text": "Item 0"}
    assert money_of(first) == {"value": 12.5, "currency": "USD"}
    assert money_of(resources[3]) == {"value": 15.5, "currency": "USD"}
    assert first["form"] == {"text": "Box of 10"}
    assert first["amount"]["numerator"]["value"] == 10


def test_the_currency_is_the_configured_one(client, clerk, items):
    ModuleConfiguration.objects.create(module="api_fhir_r4", layer="be",
                                       config={"currency": "TZS"})

    resources = app_sync(client, clerk, "Medication")

    assert {money_of(r)["currency"] for r in resources} == {"TZS"}


def test_an_item_without_package_has_neither_form_nor_amount(client, clerk, tenant):
    make_item(tenant, code="BARE", package="", quantity=None, patient_category=5,
              care_type="O")

    resource = app_get(client, clerk, "Medication").body["entry"][0]["resource"]

    assert "form" not in resource
    assert "amount" not in resource
    usage = next(e for e in resource["extension"] if e["url"].endswith("usage-context"))
    assert [(u["url"], [c["code"] for c in u["valueUsageContext"]["valueCodeableConcept"][
        "coding"]]) for u in usage["extension"]] == [
        ("Gender", ["male"]), ("Age", ["adult"]), ("CareType", ["AMB"])]


def test_items_search_and_read_by_code_or_uuid(client, clerk, items):
    by_identifier = call(client, "GET", "Medication/", user=clerk,
                         params={"identifier": "IT007"})
    by_system_token = call(client, "GET", "Medication/", user=clerk, params={
        "identifier": "https://openimis.github.io/openimis_fhir_r4_ig/CodeSystem/"
                      "openimis-identifiers|IT007"})
    by_code = call(client, "GET", "Medication/", user=clerk, params={"code": "IT007"})
    read_uuid = call(client, "GET", f"Medication/{items[7].uuid}/", user=clerk)
    read_code = call(client, "GET", "Medication/IT007", user=clerk)

    expected = by_identifier.body["entry"][0]["resource"]
    assert by_identifier.body["total"] == by_system_token.body["total"] == \
        by_code.body["total"] == 1
    assert read_uuid.body == read_code.body == expected
    assert code_of(expected) == "IT007"


def test_another_tenants_or_ended_items_are_never_listed_nor_read(client, clerk, items):
    foreign = MedicalItem.objects.get(code="ALIEN")
    ended = MedicalItem.objects.get(code="ENDED")

    codes = [code_of(r) for r in app_sync(client, clerk, "Medication")]

    assert "ALIEN" not in codes
    assert "ENDED" not in codes
    assert call(client, "GET", f"Medication/{foreign.uuid}/", user=clerk).status == 404
    assert call(client, "GET", f"Medication/{ended.uuid}/", user=clerk).status == 404
    assert call(client, "GET", "Medication/ALIEN/", user=clerk).status == 404


@pytest.fixture
def services(tenant, other_tenant):
    made = [make_service(tenant, code=f"SV{n:03d}", name=f"Service {n}",
                         price=Decimal("400.00") + n, frequency=7,
                         validity_from=datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC))
            for n in range(23)]
    make_service(other_tenant, code="ALIEN")
    return made


def test_the_app_syncs_every_service_with_title_date_and_price(client, clerk, services):
    resources = app_sync(client, clerk, "ActivityDefinition")

    assert [code_of(r) for r in resources] == [f"SV{n:03d}" for n in range(23)]
    first = resources[0]
    assert first["id"] == str(services[0].uuid)
    assert first["name"] == "SV000"
    assert first["title"] == "Service 0"
    assert first["status"] == "active"
    # `SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss").parse` reads the first 19 characters.
    assert datetime.strptime(first["date"][:19], "%Y-%m-%dT%H:%M:%S") == \
        datetime(2024, 5, 6, 7, 8, 9)
    assert first["date"] == "2024-05-06T07:08:09+00:00"
    assert money_of(first) == {"value": 400.0, "currency": "USD"}
    assert first["timingTiming"] == {"repeat": {"frequency": 1, "period": 7, "periodUnit": "d"}}


def test_services_read_by_code_or_uuid_and_never_another_tenants(client, clerk, services):
    foreign = MedicalService.objects.get(code="ALIEN")

    by_uuid = call(client, "GET", f"ActivityDefinition/{services[2].uuid}/", user=clerk)
    by_code = call(client, "GET", "ActivityDefinition/SV002/", user=clerk)
    searched = call(client, "GET", "ActivityDefinition/", user=clerk,
                    params={"identifier": "SV002"})

    assert by_uuid.body == by_code.body == searched.body["entry"][0]["resource"]
    assert call(client, "GET", f"ActivityDefinition/{foreign.uuid}/", user=clerk).status == 404
    assert call(client, "GET", "ActivityDefinition/", user=clerk,
                params={"code": "ALIEN"}).body["total"] == 0


def test_the_app_reads_every_valid_diagnosis_in_one_request(client, clerk):
    Diagnosis.objects.filter(code="A00").update(validity_to=datetime(2024, 1, 1, tzinfo=UTC))
    expected = list(Diagnosis.objects.filter(validity_to__isnull=True).order_by("code")
                    .values_list("code", "name"))

    answer = app_get(client, clerk, "CodeSystem/diagnosis")

    assert answer.status == 200
    assert answer.body["resourceType"] == "CodeSystem"
    assert len(expected) > 2000
    assert [(c["code"], c["display"]) for c in answer.body["concept"]] == expected
    assert answer.body["count"] == len(expected)
    assert answer.body["url"] == \
        "https://openimis.github.io/openimis_fhir_r4_ig/CodeSystem/diagnosis-ICD10-level1"


def test_the_diagnosis_mediator_path_and_basic_authentication(client, make_user):
    make_user([], username="mediator")

    answer = call(client, "GET", "CodeSystem/diagnosis/", basic=("mediator", "pass-word-1"))
    listed = call(client, "GET", "CodeSystem", basic=("mediator", "pass-word-1"),
                  params={"": ""})

    assert answer.status == 200
    assert answer.body["concept"]
    assert [e["resource"]["id"] for e in listed.body["entry"]] == ["diagnosis"]
    assert listed.body["entry"][0]["resource"] == answer.body


def test_the_diagnoses_take_two_statements_and_stay_fast(client, clerk):
    call(client, "GET", "CodeSystem/diagnosis/", user=clerk)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        answer = call(client, "GET", "CodeSystem/diagnosis/", user=clerk)
    elapsed = time.perf_counter() - started

    assert answer.status == 200
    # The user, then the codes and names, then the latest change.
    assert len(queries) == 3
    # Some 2,400 rows; generous for a shared machine (and the validation in the test client).
    assert elapsed < 5


@pytest.mark.parametrize("path", ["CodeSystem/claim-visit-type/", "CodeSystem/nothing"])
def test_other_code_systems_are_not_served(client, clerk, path):
    assert call(client, "GET", path, user=clerk).status == 404


@pytest.mark.parametrize(("endpoint", "module", "key"), [
    ("Medication", "core", "gql_query_medical_items_perms"),
    ("ActivityDefinition", "core", "gql_query_medical_services_perms"),
    ("CodeSystem/diagnosis", "core", "gql_query_diagnoses_perms"),
])
def test_anonymous_and_unentitled_callers_are_refused(client, clerk, endpoint, module, key):
    ModuleConfiguration.objects.create(module=module, layer="be", config={key: ["121001"]})

    assert app_get(client, None, endpoint).status == 401
    assert app_get(client, clerk, endpoint).status == 403


def test_statements_per_page_do_not_grow_with_the_page(client, clerk, tenant):
    for _ in range(50):
        make_item(tenant, package="Box", quantity=Decimal("20"), frequency=3)
        make_service(tenant, frequency=3)

    assert statements_per_page(client, clerk, "Medication") == {10: 3, 50: 3}
    assert statements_per_page(client, clerk, "ActivityDefinition") == {10: 3, 50: 3}
