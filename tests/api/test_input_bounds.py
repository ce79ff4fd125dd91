"""The input bounds of issue 12, case by case: numbers a column cannot hold, NUL bytes, strings
longer than their column, deep JSON, malformed ids and uuids; each refused with a message naming
the field, nothing written, and the lists still readable afterwards. The generated walk over the
whole schema is `test_hostile_inputs`."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from core.bounds import decimal_problem
from core.models import MutationLog
from openimis_approval.models import ApprovalLine, ApprovalRequest
from openimis_claim.models import Claim, ClaimItem
from tests.factories import ALL_CLAIM_RIGHTS, make_claim, make_claim_scene

pytestmark = pytest.mark.django_db

CREATE_CLAIM = """
mutation ($input: CreateClaimMutationInput!) {
  createClaim(input: $input) { status error } }
"""
CREATE_CLAIM_WITH_LITERAL_QUANTITY = """
mutation ($insuree: Int, $facility: Int, $icd: Int, $item: Int) {
  createClaim(input: {code: "C-LIT", insureeId: $insuree, healthFacilityId: $facility,
    icdId: $icd, dateFrom: "2025-03-01", items: [{itemId: $item, qtyProvided: 1e20}]})
  { status error } }
"""
CLAIMS_BY_CLAIMED = """
{ claims(orderBy: "-claimed") { totalCount edges { node { code claimed } } } }
"""
CLAIM = "query ($uuid: String!) { claim(uuid: $uuid) { code claimed } }"
ATTACHMENTS_OF_LITERAL = '{ claimAttachments(claim_Uuid: "not-a-uuid") { totalCount } }'
CLAIMS_BY_ICD = "query ($icd: ID) { claims(icd_Id: $icd) { totalCount } }"
SUBMIT_CLAIMS = """
mutation ($uuids: [String]) { submitClaims(input: {uuids: $uuids}) { status error } }
"""
DELETE_ATTACHMENT = """
mutation ($id: String!) { deleteClaimAttachment(input: {id: $id}) { status error } }
"""
DECIDE = """
mutation ($uuid: String!) { decideApprovalRequest(input: {uuid: $uuid, decision: "APPROVE",
  effectiveDate: "9999-12-31"}) { status error } }
"""
CREATE_REQUEST = """
mutation ($input: CreateApprovalRequestMutationInput!) {
  createApprovalRequest(input: $input) { status error } }
"""


@pytest.fixture
def scene(tenant, make_user):
    scene = make_claim_scene(tenant)
    scene.user = make_user(ALL_CLAIM_RIGHTS, username="officer")
    scene.existing = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                                icd=scene.diagnosis, items=[scene.item], code="C-OLD")
    return scene


def claim_input(scene, **overrides) -> dict:
    line = {"itemId": scene.item.pk, "qtyProvided": "2", "priceAsked": "2.50"}
    line.update(overrides.pop("line", {}))
    return {"code": "C-NEW", "insureeId": scene.insuree.pk, "healthFacilityId": scene.facility.pk,
            "icdId": scene.diagnosis.pk, "dateFrom": "2025-03-01", "items": [line],
            **overrides}


def errors_of(response, name: str) -> list[dict]:
    assert response.errors == [], response.errors
    payload = response.data[name]
    assert payload["status"] == 1, payload
    return json.loads(payload["error"])


def assert_claims_still_read(gql, scene) -> None:
    listed = gql(CLAIMS_BY_CLAIMED, user=scene.user)
    assert listed.errors == []
    assert [edge["node"]["code"] for edge in listed.data["claims"]["edges"]] == ["C-OLD"]
    one = gql(CLAIM, {"uuid": str(scene.existing.uuid)}, user=scene.user)
    assert one.data["claim"] == {"code": "C-OLD", "claimed": "2.00"}


def test_a_quantity_of_1e20_is_refused_naming_the_decimal_form(gql, scene):
    response = gql(CREATE_CLAIM_WITH_LITERAL_QUANTITY, {
        "insuree": scene.insuree.pk, "facility": scene.facility.pk,
        "icd": scene.diagnosis.pk, "item": scene.item.pk}, user=scene.user)

    assert response.status_code == 400
    assert "Decimal cannot represent '1e20'" in response.error_messages[0]
    assert "no exponent, NaN or Infinity" in response.error_messages[0]
    assert not Claim.objects.filter(code="C-LIT").exists()
    assert_claims_still_read(gql, scene)


@pytest.mark.parametrize("value", [1e20, "1e20", "NaN", "Infinity", "-1e-30", "1" + "0" * 50])
def test_a_quantity_variable_in_exponent_form_or_absurdly_long_is_refused(gql, scene, value):
    response = gql(CREATE_CLAIM, {"input": claim_input(scene, line={"qtyProvided": value})},
                   user=scene.user)

    assert response.status_code == 400
    assert "qtyProvided" in response.error_messages[0]
    assert "Decimal cannot represent" in response.error_messages[0]
    assert Claim.objects.count() == 1


def test_a_price_of_twenty_nines_is_out_of_range_and_nothing_is_written(gql, scene):
    response = gql(CREATE_CLAIM, {"input": claim_input(
        scene, line={"priceAsked": "99999999999999999999"})}, user=scene.user)

    assert errors_of(response, "createClaim") == [{
        "message": "item line 1 priceAsked is out of range: at most 16 digits before the "
                   "decimal point",
        "detail": "item line 1 priceAsked", "code": "out_of_range"}]
    assert Claim.objects.count() == 1
    assert ClaimItem.objects.count() == 1
    assert_claims_still_read(gql, scene)


def test_a_claimed_total_beyond_its_column_is_refused_though_each_line_fits(gql, scene):
    response = gql(CREATE_CLAIM, {"input": claim_input(
        scene, line={"qtyProvided": "99999999", "priceAsked": "9999999999999"})},
        user=scene.user)

    assert errors_of(response, "createClaim") == [{
        "message": "claimed is out of range: at most 16 digits before the decimal point",
        "detail": "claimed", "code": "out_of_range"}]
    assert_claims_still_read(gql, scene)


def test_a_nul_byte_is_refused_naming_the_field_before_any_log(gql, scene):
    response = gql(CREATE_CLAIM, {"input": claim_input(scene, guaranteeId="G\x00-1")},
                   user=scene.user)

    assert response.status_code == 200
    assert response.data == {"createClaim": None}
    assert response.error_messages == [
        "input.guaranteeId contains a character that is not allowed (NUL or an unpaired "
        "surrogate)"]
    assert response.errors[0]["extensions"] == {"code": "invalid_input"}
    assert MutationLog.objects.count() == 0
    assert Claim.objects.count() == 1


def test_a_nul_byte_in_a_query_argument_is_refused(gql, scene):
    response = gql("query ($code: String) { claims(code: $code) { totalCount } }",
                   {"code": "C\x00"}, user=scene.user)

    assert response.error_messages == [
        "code contains a character that is not allowed (NUL or an unpaired surrogate)"]


def test_a_guarantee_id_of_10000_characters_is_too_long(gql, scene):
    response = gql(CREATE_CLAIM, {"input": claim_input(scene, guaranteeId="G" * 10_000)},
                   user=scene.user)

    assert errors_of(response, "createClaim") == [{
        "message": "guaranteeId is longer than 50 characters", "detail": "guaranteeId",
        "code": "too_long"}]
    assert Claim.objects.count() == 1


def test_a_json_ext_nested_5000_deep_is_refused(gql, scene):
    deep = "[" * 5_000 + "]" * 5_000
    response = gql(CREATE_CLAIM, {"input": claim_input(scene, jsonExt=deep)}, user=scene.user)

    assert errors_of(response, "createClaim") == [{
        "message": "jsonExt is nested deeper than 20 levels", "detail": "jsonExt",
        "code": "invalid_json"}]


def test_a_json_ext_with_an_escaped_nul_is_refused(gql, scene):
    response = gql(CREATE_CLAIM, {"input": claim_input(scene, jsonExt='{"note": "a\\u0000b"}')},
                   user=scene.user)

    assert errors_of(response, "createClaim")[0]["code"] == "invalid_json"
    assert Claim.objects.count() == 1


def test_a_malformed_uuid_literal_of_a_query_is_a_clear_error(gql, scene):
    response = gql(ATTACHMENTS_OF_LITERAL, user=scene.user)

    assert response.status_code == 400
    assert response.error_messages[0].startswith("UUID cannot represent this value")


def test_an_id_of_5000_digits_is_refused_not_an_internal_error(gql, scene):
    response = gql(CLAIMS_BY_ICD, {"icd": "9" * 5_000}, user=scene.user)

    assert response.error_messages == ["icd_Id is not an id: at most 100 characters"]


def test_an_id_beyond_any_key_finds_nothing(gql, scene):
    response = gql(CLAIMS_BY_ICD, {"icd": "9" * 30}, user=scene.user)

    assert "Internal server error." not in response.error_messages
    assert response.data["claims"] is None or response.data["claims"]["totalCount"] == 0


def test_an_attachment_id_of_5000_digits_is_not_found(gql, scene):
    response = gql(DELETE_ATTACHMENT, {"id": "9" * 5_000}, user=scene.user)

    [error] = errors_of(response, "deleteClaimAttachment")
    assert error["code"] == "not_found"


def test_a_list_longer_than_the_limit_is_refused(gql, scene, settings):
    settings.GRAPHQL_MAX_LIST_SIZE = 3
    response = gql(SUBMIT_CLAIMS, {"uuids": [str(scene.existing.uuid)] * 4}, user=scene.user)

    assert response.error_messages == ["input.uuids has 4 entries; at most 3"]


def test_an_approval_request_total_beyond_money_is_refused(gql, scene, make_user):
    officer = make_user(list(range(112001, 112014)), username="pa-officer")
    response = gql(CREATE_REQUEST, {"input": {
        "insureeId": scene.insuree.pk, "healthFacilityId": scene.facility.pk,
        "lines": [{"itemId": scene.item.pk, "qtyRequested": "99999999",
                   "priceRequested": "9999999999999"}]}}, user=officer)

    assert errors_of(response, "createApprovalRequest") == [{
        "message": "The request's requested amount is out of range: at most 16 digits before "
                   "the decimal point", "detail": "lines", "code": "out_of_range"}]
    assert ApprovalRequest.objects.count() == 0
    assert ApprovalLine.objects.count() == 0


@pytest.mark.parametrize(("value", "fits"), [
    (Decimal("9999999999999999.99"), True),
    (Decimal("9999999999999999.995"), False),   # rounds to 17 digits
    (Decimal("10000000000000000"), False),
    (Decimal("-9999999999999999.99"), True),
    (Decimal("0.001"), True),                   # rounded to 0.00, as the database does
    (Decimal("NaN"), False),
    (Decimal("1E+999999"), False),
])
def test_decimal_problem_follows_the_columns_digits_and_places(value, fits):
    assert (decimal_problem(value, 18, 2) is None) is fits


def test_an_effective_date_at_the_end_of_the_calendar_is_a_clear_error(gql, scene, make_user):
    officer = make_user(list(range(112001, 112014)), username="pa-decider")
    request = ApprovalRequest.objects.create(
        tenant=scene.insuree.tenant, number="PA-2025-000001", status="UNDER_REVIEW",
        insuree=scene.insuree, health_facility=scene.facility)
    ApprovalLine.objects.create(request=request, item=scene.item, qty_requested=Decimal("1"),
                                price_requested=Decimal("2.50"))
    response = gql(DECIDE, {"uuid": str(request.uuid)}, user=officer)

    assert errors_of(response, "decideApprovalRequest") == [{
        "message": "effectiveDate leaves no room for the default validity: give an "
                   "expirationDate", "detail": "effectiveDate", "code": "invalid_dates"}]


def test_a_moment_at_the_edge_of_the_calendar_in_a_far_zone_is_a_clear_error(gql, scene):
    response = gql("query ($at: DateTime) { mutationLogs(requestDateTime_Gte: $at) "
                   "{ totalCount } }", {"at": "9999-12-31T23:59:59-14:00"}, user=scene.user)

    assert response.status_code == 400
    assert "DateTime 9999-12-31T23:59:59-14:00 is out of range" in response.error_messages[0]


def test_a_mutation_label_longer_than_its_column_is_refused_naming_it(gql, scene):
    response = gql(CREATE_CLAIM, {"input": claim_input(scene, clientMutationLabel="L" * 300)},
                   user=scene.user)

    assert response.error_messages == ["clientMutationLabel is longer than 255 characters"]
    assert MutationLog.objects.count() == 0
    assert Claim.objects.count() == 1
