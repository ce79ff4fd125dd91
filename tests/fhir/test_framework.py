"""The FHIR module's own behaviour, whatever the resource: login, the ways to authenticate,
rights, paging as openIMIS pages, and OperationOutcome for everything refused."""

from __future__ import annotations

import jwt
import pytest

from core.registers.models import HealthFacility
from tests.factories import make_facility
from tests.fhir.client import call

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user):
    user = make_user([111001, 111002, 111007], username="fhir-clerk")
    user.set_password("pass-word-1")
    user.save()
    return user


@pytest.fixture
def facilities(tenant, other_tenant):
    made = [make_facility(tenant, code=f"HF{n:02d}", name=f"Clinic {n}") for n in range(1, 26)]
    make_facility(other_tenant, code="FOREIGN", name="Elsewhere")
    return made


def test_login_answers_a_jwt_and_its_expiry(client, clerk):
    answer = call(client, "POST", "login/", {"username": "fhir-clerk", "password": "pass-word-1"},
                  content_type="application/json")

    assert answer.status == 200
    assert set(answer.body) == {"token", "exp"}
    assert jwt.get_unverified_header(answer.body["token"])["typ"] == "JWT"
    assert jwt.decode(answer.body["token"], options={"verify_signature": False})["exp"] == \
        answer.body["exp"]


@pytest.mark.parametrize("body", [
    {"username": "fhir-clerk", "password": "wrong"},
    {"username": "nobody", "password": "pass-word-1"},
    {"username": "fhir-clerk"},
    {"username": "fhir-\x00clerk", "password": "pass-word-1"},
    ["fhir-clerk"],
    "not json",
])
def test_a_bad_login_is_an_operation_outcome(client, clerk, body):
    answer = call(client, "POST", "login/", body, content_type="application/json")

    assert answer.status in (400, 401)
    assert answer.issues


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "JWT"])
def test_a_token_in_any_scheme_spelling_is_accepted(client, clerk, facilities, scheme):
    answer = call(client, "GET", "Organization/", user=clerk, scheme=scheme)

    assert answer.status == 200
    assert answer.body["total"] == 25


def test_basic_authentication_as_the_mediators_use_it(client, clerk, facilities):
    assert call(client, "GET", "Organization", basic=("fhir-clerk", "pass-word-1"),
                params={"": ""}).status == 200
    wrong = call(client, "GET", "Organization/", basic=("fhir-clerk", "nope"))
    assert wrong.status == 401
    assert wrong.issues == ["Invalid credentials"]
    assert "Basic" in wrong.headers["WWW-Authenticate"]


def test_anonymous_callers_are_refused(client, facilities):
    answer = call(client, "GET", "Organization/")

    assert answer.status == 401
    assert answer.issues == ["Authentication required"]


def test_pages_follow_page_offset_and_count(client, clerk, facilities):
    first = call(client, "GET", "Organization/", user=clerk, params={"_count": "10"})
    last = call(client, "GET", "Organization/", user=clerk,
                params={"_count": "10", "page-offset": "3"})

    assert first.body["type"] == "searchset"
    assert [e["resource"]["name"] for e in first.body["entry"]][:2] == ["Clinic 1", "Clinic 2"]
    assert {link["relation"] for link in first.body["link"]} == {"self", "next"}
    following = next(link["url"] for link in first.body["link"] if link["relation"] == "next")
    assert "page-offset=2" in following
    assert "_count=10" in following
    assert len(last.body["entry"]) == 5
    assert {link["relation"] for link in last.body["link"]} == {"self", "previous"}


def test_a_row_reads_by_uuid_or_code_and_never_another_tenants(client, clerk, facilities):
    one = facilities[0]
    foreign = HealthFacility.objects.get(code="FOREIGN")

    by_uuid = call(client, "GET", f"Organization/{one.uuid}/", user=clerk)
    by_code = call(client, "GET", "Organization/HF01", user=clerk)

    assert by_uuid.status == by_code.status == 200
    assert by_uuid.body == by_code.body
    assert by_uuid.body["identifier"][1]["value"] == "HF01"
    assert call(client, "GET", f"Organization/{foreign.uuid}", user=clerk).status == 404


@pytest.mark.parametrize(("params", "status"), [
    ({"_count": "0"}, 400), ({"_count": "x"}, 400), ({"page-offset": "-1"}, 400),
    ({"colour": "red"}, 400), ({"page-offset": "999"}, 200),
])
def test_bad_search_parameters_are_400(client, clerk, facilities, params, status):
    answer = call(client, "GET", "Organization/", user=clerk, params=params)

    assert answer.status == status
    if status == 400:
        assert answer.issues


def test_writing_where_a_type_takes_no_writes_is_405(client, clerk, facilities):
    answer = call(client, "POST", "Organization/", {"resourceType": "Organization"}, user=clerk)

    assert answer.status == 405


def test_the_capability_statement_lists_every_type_without_login(client):
    from api_fhir_r4.resources.base import RESOURCES

    answer = call(client, "GET", "metadata")

    assert answer.status == 200
    assert answer.body["fhirVersion"] == "4.0.1"
    listed = {r["type"]: r for r in answer.body["rest"][0]["resource"]}
    assert set(listed) == set(RESOURCES)
    assert {i["code"] for i in listed["Organization"]["interaction"]} == {"read", "search-type"}


def test_a_control_character_in_a_body_is_refused_naming_the_element(client, clerk):
    body = {"resourceType": "Organization", "name": "ok", "alias": ["fine", "bad\x00"]}

    answer = call(client, "POST", "Organization/", body, user=clerk)

    assert answer.status == 400
    assert answer.issues == ["alias[1] contains a control character (FHIR strings allow none "
                             "but tab, CR and LF)"]
