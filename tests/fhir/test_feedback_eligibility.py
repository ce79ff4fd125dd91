"""`POST Communication/` as the Policies Android app sends an insuree's feedback (openIMIS'
validation texts, which the app matches), and `POST CoverageEligibilityRequest/` answered from
core's eligibility services."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.codes import MutationStatus
from core.models import MutationLog
from core.registers.eligibility import check_eligibility, policy_coverage
from openimis_claim.codes import ClaimStatus, ReviewStatus
from openimis_claim.models import Claim, ClaimStatusHistory, Feedback
from tests.factories import make_claim, make_claim_scene, make_facility
from tests.fhir.android_bodies import code_ref, feedback_body
from tests.fhir.client import call

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def scene(tenant):
    return make_claim_scene(tenant)


@pytest.fixture
def checked(tenant, scene) -> Claim:
    return make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                      icd=scene.diagnosis, items=[scene.item], status=ClaimStatus.CHECKED,
                      feedback_status=ReviewStatus.SELECTED)


@pytest.fixture
def officer(make_user):
    return make_user([111009], username="feedback-officer")


def post(client, path, body, user):
    return call(client, "POST", path, body, user=user, scheme="bearer", content_type=JSON)


def test_feedback_is_delivered_through_the_claim_module(client, checked, officer):
    answer = post(client, "Communication/", feedback_body(str(checked.uuid)), officer)

    assert answer.status == 201, answer.body
    assert answer.body["resourceType"] == "Communication"
    assert answer.body["about"][0]["reference"] == f"Claim/{checked.uuid}"
    assert [p["contentString"] for p in answer.body["payload"]] == ["yes", "no", "yes", "yes",
                                                                     "4"]
    feedback = Feedback.objects.get(claim=checked)
    assert (feedback.care_rendered, feedback.payment_asked, feedback.drug_prescribed,
            feedback.drug_received, feedback.asessment) == (True, False, True, True, 4)
    checked.refresh_from_db()
    assert checked.feedback_status == ReviewStatus.DELIVERED
    assert ClaimStatusHistory.objects.filter(claim=checked, field="feedback_status").exists()
    log = MutationLog.objects.get(user=officer)
    assert (log.mutation, log.status) == ("DeliverClaimFeedbackMutation",
                                          MutationStatus.SUCCESS)


@pytest.mark.parametrize(("change", "status", "text"), [
    (lambda b: b.pop("status"), 400, "status is required field"),
    (lambda b: b.update(status="in-progress"), 400, "status value must be = completed"),
    (lambda b: b.pop("about"), 400, "about is required"),
    (lambda b: b.update(about=[{"reference": None}]), 400,
     "Claim reference doesn't match Claim/<UUID>"),
    (lambda b: b.pop("subject"), 400, "subject is required"),
    (lambda b: b.pop("payload"), 400, "payload is required"),
    (lambda b: b["payload"].pop(), 400, "payload must have 5 elements"),
    (lambda b: b.update(about=[{"reference": "Claim/6f1c1d7e-3b7a-4f0e-9b7e-2d4c5a6b7c8d"}]),
     404, "Claim does not exist"),
])
def test_feedback_refusals_use_openimis_texts(client, checked, officer, change, status, text):
    body = feedback_body(str(checked.uuid))
    change(body)

    answer = post(client, "Communication/", body, officer)

    assert (answer.status, answer.body["issue"][0]["details"]["text"]) == (status, text)
    assert not Feedback.objects.exists()


def test_feedback_twice_is_409(client, checked, officer):
    assert post(client, "Communication/", feedback_body(str(checked.uuid)), officer).status == 201

    again = post(client, "Communication/", feedback_body(str(checked.uuid)), officer)

    assert again.status == 409
    assert again.issues == ["Feedback exists for this claim"]


def test_feedback_on_a_claim_not_selected_is_refused_by_the_module(client, tenant, scene,
                                                                   officer):
    claim = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=scene.diagnosis, items=[scene.item], status=ClaimStatus.CHECKED)

    answer = post(client, "Communication/", feedback_body(str(claim.uuid)), officer)

    assert answer.status == 422
    assert answer.issues == [f"Claim {claim.code} is not selected for feedback"]


def test_feedback_needs_its_right_and_the_tenant(client, checked, make_user, other_tenant):
    body = feedback_body(str(checked.uuid))
    assert post(client, "Communication/", body, None).status == 401
    assert post(client, "Communication/", body, make_user([111001])).status == 403
    foreign = make_user([111009], tenant=other_tenant, username="foreign")
    assert post(client, "Communication/", body, foreign).status == 404
    assert call(client, "GET", "Communication/", user=make_user([111009])).status == 405


# --- eligibility -------------------------------------------------------------------------------


def eligibility_body(chf_id="111111111", items=(("item", "AMOX"), ("service", "CONS")),
                     **extra):
    return {"resourceType": "CoverageEligibilityRequest", "status": "active",
            "purpose": ["benefits"], "patient": {"reference": f"Patient/{chf_id}"},
            "created": "2025-03-01", "insurer": {"reference": "Organization/openIMIS"},
            "servicedDate": "2025-03-01",
            "item": [{"category": {"coding": [{"code": kind}]},
                      "productOrService": {"text": code}} for kind, code in items], **extra}


def test_eligibility_answers_per_active_policy_from_core(client, tenant, scene, make_user):
    user = make_user([101101])
    body = eligibility_body(items=(("item", "AMOX"), ("service", "CONS"), ("item", "NONE")),
                            provider=code_ref("Organization", "HF1"))

    answer = post(client, "CoverageEligibilityRequest/", body, user)

    assert answer.status == 200, answer.body
    assert answer.body["resourceType"] == "CoverageEligibilityResponse"
    (insurance,) = answer.body["insurance"]
    assert insurance["coverage"]["reference"] == f"Coverage/{scene.policy.uuid}"
    assert insurance["benefitPeriod"]["start"] == "2025-01-01"
    asked = {i["productOrService"]["text"]: i for i in insurance["item"]
             if "productOrService" in i}
    assert asked["AMOX"]["excluded"] is False
    assert asked["CONS"]["excluded"] is False
    assert asked["NONE"]["excluded"] is True
    expected = check_eligibility(tenant_id=tenant.pk, chf_id="111111111",
                                 on_date=scene.policy.start_date.replace(month=3),
                                 item_code="AMOX", health_facility=scene.facility)
    covered = next(b for b in asked["AMOX"]["benefit"]
                   if b["type"]["coding"][0]["code"] == "covered_amount")
    assert Decimal(str(covered["allowedMoney"]["value"])) == expected.covered_amount


def test_eligibility_lays_out_what_is_left_of_deductibles_and_ceilings(client, tenant, scene,
                                                                       make_user):
    scene.product.ded_insuree = Decimal("20.00")
    scene.product.max_policy = Decimal("500.00")
    scene.product.save()
    user = make_user([101101])

    answer = post(client, "CoverageEligibilityRequest/", eligibility_body(items=()), user)

    (summary,) = answer.body["insurance"][0]["item"]
    benefits = {b["type"]["coding"][0]["code"]: b["allowedMoney"]["value"]
                for b in summary["benefit"]}
    (expected,) = policy_coverage(tenant.pk, "111111111", scene.policy.start_date)
    assert benefits["deductible"] == float(expected.ded)
    assert benefits["ceiling"] == float(expected.ceiling)


def test_eligibility_without_a_policy_says_so(client, scene, make_user):
    user = make_user([101101])

    answer = post(client, "CoverageEligibilityRequest/",
                  eligibility_body(servicedDate="2030-01-01"), user)

    assert answer.status == 200
    assert "insurance" not in answer.body
    assert answer.body["error"][0]["code"]["coding"][0]["code"] == "21"


def test_eligibility_needs_its_right_and_the_tenants_insuree(client, scene, make_user,
                                                            other_tenant):
    assert post(client, "CoverageEligibilityRequest/", eligibility_body(),
                make_user([111001])).status == 403
    make_facility(other_tenant, code="HF1")
    foreign = make_user([101101], tenant=other_tenant, username="foreign")
    answer = post(client, "CoverageEligibilityRequest/", eligibility_body(), foreign)
    assert answer.status == 404
    bad = post(client, "CoverageEligibilityRequest/", eligibility_body(items=(("drug", "X"),)),
               make_user([101101]))
    assert (bad.status, bad.issues) == (400, ["item[0].category: must be item or service"])


def test_the_capability_statement_offers_no_search_of_posted_only_types(client):
    statement = call(client, "GET", "metadata").body
    kinds = {r["type"]: {i["code"] for i in r["interaction"]}
             for r in statement["rest"][0]["resource"]}

    assert kinds["CoverageEligibilityRequest"] == kinds["Communication"] == {"create"}
    assert kinds["Claim"] == {"read", "search-type", "create"}
    assert kinds["ClaimResponse"] == {"read", "search-type"}
