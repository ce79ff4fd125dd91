"""Separation of duties: reviews, feedback, processing and valuation are the scheme's decisions,
so a facility's user may not take them even when its role holds the rights (the openIMIS web app
needs the review right, 111008, to let a facility's clerk edit a claim at all). Every such
mutation is refused with `facility_user` and changes nothing; the facility's own work (create,
submit) goes on."""

import json

import pytest

from core.models import User
from openimis_claim.codes import ClaimStatus, ReviewStatus
from openimis_claim.models import Claim
from openimis_claim.services import submit_claims
from tests.factories import ALL_CLAIM_RIGHTS, make_claim

pytestmark = pytest.mark.django_db

# Each mutation has its own clientMutationId: a repeated one is answered as a replay.
BULK = """mutation ($uuids: [String]) { %(name)s(input: {clientMutationId: "%(name)s",
  uuids: $uuids}) { status error } }"""
FEEDBACK = """mutation ($uuid: String!) { deliverClaimFeedback(input: {clientMutationId: "fb",
  claimUuid: $uuid, feedback: {careRendered: true, asessment: 4}}) { status error } }"""
REVIEW = """mutation ($uuid: String!, $id: Int) { saveClaimReview(input: {clientMutationId: "rv",
  claimUuid: $uuid, services: [{id: $id, qtyApproved: "1", priceApproved: "10.00"}]})
  { status error } }"""
PERIOD = """mutation { valuateClaims(input: {clientMutationId: "period", year: 2025, month: 3})
  { status error } }"""
CREATE = """mutation ($insuree: Int, $admin: Int, $hf: Int, $icd: Int, $service: Int) {
  createClaim(input: {clientMutationId: "create", code: "HF-1", insureeId: $insuree,
  adminId: $admin, healthFacilityId: $hf, icdId: $icd, dateFrom: "2025-03-01",
  dateClaimed: "2025-03-02",
  visitType: "O", services: [{serviceId: $service, qtyProvided: "1", priceAsked: "10.00"}]})
  { status error } }"""


@pytest.fixture
def facility_user(make_user, scene) -> User:
    user = make_user(ALL_CLAIM_RIGHTS, username="hf-clerk")
    user.health_facility = scene.facility
    user.save(update_fields=["health_facility"])
    return user


@pytest.fixture
def checked(tenant, scene, officer) -> Claim:
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=scene.diagnosis, services=[scene.service])
    assert submit_claims(officer, [str(claim.uuid)]).errors == []
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED
    return claim


def refusal(payload: dict) -> list[str]:
    assert payload["status"] == 1, payload
    return [entry["code"] for entry in json.loads(payload["error"])]


BULK_MOVES = ["selectClaimsForReview", "skipClaimsReview", "bypassClaimsReview",
              "deliverClaimsReview", "selectClaimsForFeedback", "skipClaimsFeedback",
              "bypassClaimsFeedback", "processClaims", "valuateClaims"]
# Every mutation a facility's user is refused (test_mutations' reach tests expect the code too).
SCHEME_SIDE = frozenset({*BULK_MOVES, "deliverClaimFeedback", "saveClaimReview"})


@pytest.mark.parametrize("mutation", BULK_MOVES)
def test_a_facility_user_may_not_move_its_claims_through_the_schemes_steps(
        gql, facility_user, checked, mutation):
    before = Claim.objects.values("status", "review_status", "feedback_status").get(pk=checked.pk)

    response = gql(BULK % {"name": mutation}, {"uuids": [str(checked.uuid)]}, user=facility_user)

    assert response.errors == []
    assert refusal(response.data[mutation]) == ["facility_user"]
    assert Claim.objects.values("status", "review_status", "feedback_status").get(
        pk=checked.pk) == before


def test_a_facility_user_may_not_review_or_give_feedback(gql, facility_user, officer, checked):
    uuid = str(checked.uuid)
    for mutation in ("selectClaimsForReview", "selectClaimsForFeedback"):
        answer = gql(BULK % {"name": mutation}, {"uuids": [uuid]}, user=officer)
        assert answer.data[mutation]["status"] == 2
    line = checked.services.get()

    review = gql(REVIEW, {"uuid": uuid, "id": line.pk}, user=facility_user)
    feedback = gql(FEEDBACK, {"uuid": uuid}, user=facility_user)

    assert refusal(review.data["saveClaimReview"]) == ["facility_user"]
    assert refusal(feedback.data["deliverClaimFeedback"]) == ["facility_user"]
    checked.refresh_from_db()
    assert (checked.review_status, checked.feedback_status) == (ReviewStatus.SELECTED,
                                                                 ReviewStatus.SELECTED)
    assert not hasattr(checked, "feedback") or checked.feedback is None


def test_a_facility_user_may_not_run_a_periods_valuation(gql, facility_user):
    assert refusal(gql(PERIOD, user=facility_user).data["valuateClaims"]) == ["facility_user"]


def test_the_facility_user_still_enters_and_submits_its_claims(gql, facility_user, scene):
    created = gql(CREATE, {"insuree": scene.insuree.pk, "admin": scene.admin.pk,
                           "hf": scene.facility.pk, "icd": scene.diagnosis.pk,
                           "service": scene.service.pk}, user=facility_user)
    assert created.data["createClaim"]["status"] == 2, created.data
    claim = Claim.objects.get(code="HF-1")

    submitted = gql(BULK % {"name": "submitClaims"}, {"uuids": [str(claim.uuid)]},
                    user=facility_user)

    assert submitted.data["submitClaims"]["status"] == 2
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.CHECKED


def test_a_scheme_user_with_the_same_rights_takes_the_steps(gql, officer, checked):
    uuid = str(checked.uuid)
    for mutation in ("selectClaimsForReview", "deliverClaimsReview", "processClaims"):
        response = gql(BULK % {"name": mutation}, {"uuids": [uuid]}, user=officer)
        assert response.data[mutation]["status"] == 2, response.data
    checked.refresh_from_db()
    assert checked.status == ClaimStatus.VALUATED
