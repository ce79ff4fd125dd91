"""`POST Claim/` as the Claims Android app sends it, `GET Claim` as the OpenHIM mediators read
it, and `ClaimResponse`: what the app reads back (201, `total` iff accepted, the `Code`
identifier), what lands in the database (the same as createClaim + submitClaims over GraphQL),
rights, tenants and facilities, and the SQL a page costs."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.codes import MutationStatus
from core.models import MutationLog
from core.signals import mutation_signals
from openimis_claim.codes import ClaimStatus, LineStatus, ReviewStatus
from openimis_claim.gql.mutations import SubmitClaimsMutation
from openimis_claim.models import Claim, ClaimAdmin, ClaimStatusHistory
from tests.factories import make_claim, make_claim_scene, make_facility, make_item
from tests.fhir.android_bodies import IG, claim_body, claim_body_variant_c
from tests.fhir.client import call

pytestmark = pytest.mark.django_db

CLAIM_RIGHTS = [111001, 111002, 111007]
JSON = "application/json"


@pytest.fixture
def scene(tenant):
    return make_claim_scene(tenant)


@pytest.fixture
def clerk(make_user):
    user = make_user(CLAIM_RIGHTS, username="fhir-clerk")
    return user


def post_claim(client, body, user, path="Claim/"):
    """As the app: lowercase `bearer`, `Content-Type: application/json`."""
    return call(client, "POST", path, body, user=user, scheme="bearer", content_type=JSON)


def code_identifier(resource):
    return next(i["value"] for i in resource["identifier"]
                if i["type"]["coding"][0]["code"] == "Code")


# --- what the app reads ------------------------------------------------------------------------


def test_an_accepted_claim_answers_201_with_its_claim_response(client, scene, clerk):
    answer = post_claim(client, claim_body(), clerk)

    assert answer.status == 201
    assert answer.body["resourceType"] == "ClaimResponse"
    assert "total" in answer.body  # variant A: accepted
    assert code_identifier(answer.body) == "CLM0001"  # variant B: the claim's code
    claim = Claim.objects.get(code="CLM0001")
    assert answer.body["id"] == str(claim.uuid)
    assert answer.headers["Location"] == f"Claim/{claim.uuid}" or \
        answer.headers["Location"].endswith(str(claim.uuid))
    assert answer.body["outcome"] == "partial"  # checked
    assert [t["category"]["coding"][0]["code"] for t in answer.body["total"]] == ["2", "4"]
    assert [t["amount"]["value"] for t in answer.body["total"]] == [15.0, 15.0]
    assert [i["itemSequence"] for i in answer.body["item"]] == [1, 2]
    codes = [[a["category"]["coding"][0]["code"] for a in i["adjudication"]]
             for i in answer.body["item"]]
    assert codes == [["2", "4"], ["2", "4"]]


def test_with_a_broker_the_claim_is_still_submitted_in_the_request(client, scene, clerk,
                                                                     monkeypatch):
    from core import bulk

    queued = []
    monkeypatch.setattr(bulk, "queued", lambda: True)
    monkeypatch.setattr(bulk.run_mutation_chunk, "apply_async",
                        lambda args, **options: queued.append(args))

    answer = post_claim(client, claim_body(), clerk)

    assert answer.status == 201
    assert queued == []
    assert Claim.objects.get(code="CLM0001").status == ClaimStatus.CHECKED
    assert "total" in answer.body


def test_item_sequence_echoes_the_request(client, scene, clerk):
    body = claim_body()
    body["item"][0]["sequence"], body["item"][1]["sequence"] = 7, 3

    answer = post_claim(client, body, clerk)

    assert [i["itemSequence"] for i in answer.body["item"]] == [7, 3]


@pytest.mark.parametrize("path", ["Claim/", "Claim"])
def test_the_oldest_variant_with_type_code_references(client, scene, clerk, path):
    answer = post_claim(client, claim_body_variant_c(), clerk, path=path)

    assert answer.status == 201, answer.body
    assert Claim.objects.get(code="CLM0001").admin == scene.admin


def test_a_rejected_claim_answers_201_without_total(client, scene, clerk):
    # Care before the policy started: every line is rejected, so is the claim.
    body = claim_body(start="2024-06-01", end="2024-06-01", created="2024-06-02")

    answer = post_claim(client, body, clerk)

    assert answer.status == 201
    assert "total" not in answer.body
    assert answer.body["outcome"] == "complete"
    claim = Claim.objects.get(code="CLM0001")
    assert claim.status == ClaimStatus.REJECTED
    reasons = {i["adjudication"][0]["reason"]["coding"][0]["code"] for i in answer.body["item"]}
    assert reasons == {str(line.rejection_reason) for line in claim.items.all()}
    assert answer.body["item"][0]["adjudication"][0]["reason"]["coding"][0]["system"] == \
        f"{IG}/CodeSystem/claim-rejection-reasons"
    assert answer.body["error"][0]["code"]["coding"][0]["code"] == str(claim.rejection_reason)


def test_a_line_rejected_among_passed_ones(client, tenant, scene, clerk):
    make_item(tenant, code="NOPL", name="Not listed", price=Decimal("3.00"))

    answer = post_claim(client, claim_body(items=(("AMOX", 2, 2.5), ("NOPL", 1, 3))), clerk)

    assert answer.status == 201
    assert "total" in answer.body
    rejected = answer.body["item"][1]["adjudication"]
    assert [a["category"]["coding"][0]["code"] for a in rejected] == ["1"]
    assert rejected[0]["reason"]["coding"][0]["code"] == "2"  # not in the price list


# --- the same claim as GraphQL makes -----------------------------------------------------------

CREATE_CLAIM = """mutation ($code: String) { createClaim(input: {clientMutationId: "g-create",
  code: $code, insureeId: %(insuree)d, adminId: %(admin)d, healthFacilityId: %(facility)d,
  icdId: %(icd)d, dateFrom: "2025-03-01", dateTo: "2025-03-01", dateClaimed: "2025-03-02",
  visitType: "O", items: [{itemId: %(item)d, qtyProvided: "2", priceAsked: "2.5"}],
  services: [{serviceId: %(service)d, qtyProvided: "1", priceAsked: "10"}]
}) { status } }"""
SUBMIT_CLAIMS = """mutation ($uuids: [String]) { submitClaims(input: {clientMutationId: "g-submit",
  uuids: $uuids}) { status } }"""


def _snapshot(claim: Claim) -> dict:
    lines = [(line.item.code, line.qty_provided, line.qty_approved, line.price_asked,
              line.price_adjusted, line.status, line.rejection_reason, line.policy_id)
             for line in claim.items.order_by("pk")] + \
        [(line.service.code, line.qty_provided, line.qty_approved, line.price_asked,
          line.price_adjusted, line.status, line.rejection_reason, line.policy_id)
         for line in claim.services.order_by("pk")]
    history = sorted((h.field, h.from_status, h.to_status, h.reason)
                     for h in ClaimStatusHistory.objects.filter(claim=claim))
    return {"status": claim.status, "claimed": claim.claimed, "approved": claim.approved,
            "valuated": claim.valuated, "lines": lines, "history": history,
            "icd": claim.icd_id, "admin": claim.admin_id, "visit_type": claim.visit_type,
            "dates": (claim.date_from, claim.date_to, claim.date_claimed)}


def test_the_claim_equals_what_create_and_submit_over_graphql_make(client, gql, scene, clerk):
    ids = {"insuree": scene.insuree.pk, "admin": scene.admin.pk, "facility": scene.facility.pk,
           "icd": scene.diagnosis.pk, "item": scene.item.pk, "service": scene.service.pk}
    created = gql(CREATE_CLAIM % ids, {"code": "GQL0001"}, user=clerk)
    assert created.data["createClaim"]["status"] == 2, created.body
    by_graphql = Claim.objects.get(code="GQL0001")
    submitted = gql(SUBMIT_CLAIMS, {"uuids": [str(by_graphql.uuid)]}, user=clerk)
    assert submitted.data["submitClaims"]["status"] == 2

    answer = post_claim(client, claim_body(), clerk)
    by_fhir = Claim.objects.get(code="CLM0001")
    by_graphql.refresh_from_db()

    assert answer.status == 201
    mine, theirs = _snapshot(by_fhir), _snapshot(by_graphql)
    assert mine == theirs
    logs = list(MutationLog.objects.filter(user=clerk).order_by("request_date_time")
                .values_list("mutation", "status", "uuids"))
    assert logs[2:] == [("CreateClaimMutation", MutationStatus.SUCCESS, [str(by_fhir.uuid)]),
                        ("SubmitClaimsMutation", MutationStatus.SUCCESS, [str(by_fhir.uuid)])]
    assert [row[:2] for row in logs[:2]] == [row[:2] for row in logs[2:]]


def test_claimed_date_guarantee_and_diagnoses_land_on_the_claim(client, scene, clerk):
    body = claim_body(icds=("B50", "A00", "A01"), guarantee="G-77", visit="E")

    post_claim(client, body, clerk)

    claim = Claim.objects.get(code="CLM0001")
    assert (claim.icd.code, claim.icd_1.code, claim.icd_2.code, claim.icd_3) == \
        ("B50", "A00", "A01", None)
    assert claim.guarantee_id == "G-77"
    assert claim.visit_type == "E"
    assert claim.date_claimed == date(2025, 3, 2)
    assert claim.claimed == Decimal("15.00")


def test_a_pre_authorization_reference_is_kept_for_the_pas_hold(client, scene, clerk):
    body = claim_body(guarantee="G-77")
    body["insurance"][0]["preAuthRef"] = ["AUTH-0001"]

    answer = post_claim(client, body, clerk)

    claim = Claim.objects.get(code="CLM0001")
    assert answer.status == 201
    assert claim.guarantee_id == "AUTH-0001"
    assert claim.json_ext == {"fhir": {"preAuthRef": "AUTH-0001"}}


def test_supporting_info_gives_guarantee_and_explanation(client, scene, clerk):
    body = claim_body()
    body["supportingInfo"] = [
        {"sequence": 1, "category": {"coding": [{"code": "guarantee"}]}, "valueString": "G-1"},
        {"sequence": 2, "category": {"coding": [{"code": "explanation"}]},
         "valueString": "Night shift"}]

    post_claim(client, body, clerk)

    claim = Claim.objects.get(code="CLM0001")
    assert (claim.guarantee_id, claim.explanation) == ("G-1", "Night shift")


def test_product_or_service_text_names_the_line_without_the_extension(client, scene, clerk):
    body = claim_body()
    for line in body["item"]:
        del line["extension"]

    assert post_claim(client, body, clerk).status == 201
    assert Claim.objects.get(code="CLM0001").items.get().item == scene.item


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "element"), [
    (lambda b: b["diagnosis"][0]["diagnosisCodeableConcept"]["coding"][0].update(code="ZZZ9"),
     "Claim.diagnosis[0]"),
    (lambda b: b.pop("identifier"), "Claim.identifier"),
    (lambda b: b["patient"]["identifier"].update(value="999999999"), "Claim.patient"),
    (lambda b: b["provider"]["identifier"].update(value="NOHF"), "Claim.provider"),
    (lambda b: b["item"][0]["extension"][0]["valueReference"]["identifier"].update(value="XX"),
     "Claim.item[0]"),
    (lambda b: b["item"][1]["category"].update(text="drug"), "Claim.item[1].category"),
    (lambda b: b["billablePeriod"].update(start="01/03/2025"), "Claim.billablePeriod.start"),
    (lambda b: b["type"]["coding"][0].update(code="X"), "Claim.type"),
    (lambda b: b["item"][0]["quantity"].update(value="two"), "Claim.item[0].quantity.value"),
    (lambda b: b.update(diagnosis=[]), "Claim.diagnosis"),
    (lambda b: b.update(item=[]), "Claim.item"),
])
def test_bad_input_is_a_400_naming_the_element(client, scene, clerk, change, element):
    body = claim_body()
    change(body)

    answer = post_claim(client, body, clerk)

    assert answer.status == 400, answer.body
    assert answer.body["issue"][0]["details"]["text"].startswith(element)
    assert not Claim.objects.exists()


def test_a_claim_the_module_refuses_is_422_and_leaves_nothing(client, scene, clerk):
    assert post_claim(client, claim_body(), clerk).status == 201

    again = post_claim(client, claim_body(), clerk)

    assert again.status == 422
    assert again.issues == ["Claim code CLM0001 already exists at HF1"]
    assert Claim.objects.count() == 1
    refused = MutationLog.objects.filter(user=clerk, status=MutationStatus.ERROR).get()
    assert refused.mutation == "CreateClaimMutation"


def test_a_refused_submission_undoes_the_claim_and_keeps_both_logs(client, scene, clerk):
    def refuse(sender, **kwargs):
        if sender is SubmitClaimsMutation:
            return [{"message": "Submissions are closed", "code": "closed", "detail": None}]
        return []

    signals = mutation_signals("claim")
    signals.validate.connect(refuse, dispatch_uid="test-refuse-submit")
    try:
        answer = post_claim(client, claim_body(), clerk)
    finally:
        signals.validate.disconnect(dispatch_uid="test-refuse-submit")

    assert answer.status == 422
    assert answer.issues == ["Submissions are closed"]
    assert not Claim.objects.exists()
    logs = dict(MutationLog.objects.filter(user=clerk).values_list("mutation", "status"))
    assert logs == {"CreateClaimMutation": MutationStatus.ERROR,
                    "SubmitClaimsMutation": MutationStatus.ERROR}


def test_anonymous_is_401_and_missing_rights_403(client, scene, make_user):
    assert post_claim(client, claim_body(), None).status == 401
    create_only = make_user([111001, 111002])
    answer = post_claim(client, claim_body(), create_only)
    assert answer.status == 403
    assert not Claim.objects.exists()


def test_another_tenants_patient_or_facility_is_not_found(client, scene, other_tenant,
                                                          make_user):
    foreign = make_user(CLAIM_RIGHTS, tenant=other_tenant, username="foreign")
    make_facility(other_tenant, code="HF1")

    answer = post_claim(client, claim_body(admin=None), foreign)

    assert answer.status == 400
    assert answer.issues == ["Claim.patient: no patient 111111111"]
    assert not Claim.objects.exists()


def test_a_claim_administrator_of_another_facility_is_refused(client, tenant, scene, make_user):
    far = make_facility(tenant, code="HF9")
    clerk = make_user(CLAIM_RIGHTS, username="far-clerk")
    clerk.health_facility = far
    clerk.save()

    answer = post_claim(client, claim_body(admin=None), clerk)

    assert answer.status == 422
    assert answer.issues == ["A claim administrator claims for their own facility only"]
    assert not Claim.objects.exists()


def test_an_enterer_of_another_facility_is_refused(client, tenant, scene, clerk):
    far = make_facility(tenant, code="HF9")
    ClaimAdmin.objects.create(tenant=tenant, code="CA9", last_name="Far", other_names="F",
                              health_facility=far)

    answer = post_claim(client, claim_body(admin="CA9"), clerk)

    assert answer.status == 422
    assert not Claim.objects.exists()


HOSTILE = (None, "", "x" * 300, -1, 10 ** 30, 1.5, True, [], {}, "\x00", "Patient/../x")


def _paths(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index)
            yield from _paths(item, (*path, index))


def test_wrong_types_at_every_element_never_give_a_500(client, scene, make_user):
    user = make_user(CLAIM_RIGHTS, username="fuzzer")
    body = claim_body()
    statuses = {}
    for n, path in enumerate(_paths(body)):
        for value in HOSTILE:
            spoilt = copy.deepcopy(body)
            holder = spoilt
            for key in path[:-1]:
                holder = holder[key]
            holder[path[-1]] = value
            spoilt["identifier"] = spoilt.get("identifier") if path[:1] == ("identifier",) \
                else [{"type": {"coding": [{"code": "Code"}]}, "value": f"F{n}-{len(statuses)}"}]
            answer = post_claim(client, spoilt, user)  # call() fails on a 500
            statuses[answer.status] = statuses.get(answer.status, 0) + 1
            if answer.status >= 400:
                assert answer.issues
    assert 500 not in statuses
    assert set(statuses) <= {201, 400, 422}


# --- reading claims ----------------------------------------------------------------------------


def test_the_mediators_read_claims_with_basic_auth(client, scene, clerk):
    post_claim(client, claim_body(), clerk)

    answer = call(client, "GET", "Claim", basic=("fhir-clerk", "pass-word-1"), params={"": ""})

    assert answer.status == 200
    (entry,) = answer.body["entry"]
    claim = entry["resource"]
    assert claim["resourceType"] == "Claim"
    assert code_identifier(claim) == "CLM0001"
    assert claim["patient"]["identifier"]["value"] == str(scene.insuree.uuid)
    assert claim["item"][0]["extension"][0]["url"] == \
        f"{IG}/StructureDefinition/claim-item-reference"
    assert claim["total"]["value"] == 15.0


def test_a_claim_reads_by_uuid_or_code_and_searches_by_identifier_and_patient(client, scene,
                                                                              clerk):
    post_claim(client, claim_body(), clerk)
    claim = Claim.objects.get()

    by_uuid = call(client, "GET", f"Claim/{claim.uuid}", user=clerk)
    by_code = call(client, "GET", "Claim/CLM0001/", user=clerk)
    found = call(client, "GET", "Claim/", user=clerk, params={"identifier": "CLM0001"})
    by_patient = call(client, "GET", "ClaimResponse/", user=clerk,
                      params={"patient": scene.insuree.chf_id})
    none = call(client, "GET", "Claim/", user=clerk, params={"refDate": "2025-04-01"})

    assert by_uuid.body == by_code.body
    assert found.body["total"] == by_patient.body["total"] == 1
    assert none.body["total"] == 0
    assert call(client, "GET", "Claim/", user=clerk, params={"refDate": "x"}).status == 400


def test_reading_needs_the_claims_right(client, scene, make_user):
    make_claim(scene.facility.tenant, insuree=scene.insuree, health_facility=scene.facility,
               icd=scene.diagnosis, items=[scene.item])
    nobody = make_user([111002])

    assert call(client, "GET", "Claim/", user=nobody).status == 403
    assert call(client, "GET", "ClaimResponse/", user=nobody).status == 403


def test_a_claim_administrator_sees_only_their_facility(client, tenant, scene, make_user):
    far = make_facility(tenant, code="HF9")
    mine = make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                      icd=scene.diagnosis, items=[scene.item])
    theirs = make_claim(tenant, insuree=scene.insuree, health_facility=far,
                        icd=scene.diagnosis, items=[scene.item])
    clerk = make_user(CLAIM_RIGHTS, username="hf-clerk")
    clerk.health_facility = scene.facility
    clerk.save()

    listed = call(client, "GET", "ClaimResponse/", user=clerk)

    assert [e["resource"]["id"] for e in listed.body["entry"]] == [str(mine.uuid)]
    assert call(client, "GET", f"ClaimResponse/{theirs.uuid}", user=clerk).status == 404
    assert call(client, "GET", f"Claim/{theirs.code}", user=clerk).status == 404


def test_another_tenants_claims_are_not_found(client, scene, other_tenant, make_user):
    claim = make_claim(scene.facility.tenant, insuree=scene.insuree,
                       health_facility=scene.facility, icd=scene.diagnosis, items=[scene.item])
    foreign = make_user(CLAIM_RIGHTS, tenant=other_tenant, username="foreign")

    assert call(client, "GET", "Claim/", user=foreign).body["total"] == 0
    assert call(client, "GET", f"ClaimResponse/{claim.uuid}", user=foreign).status == 404


def _claims(tenant, scene, count: int) -> None:
    """Claims with an item and a service each, in every status, some lines rejected."""
    statuses = [ClaimStatus.ENTERED, ClaimStatus.CHECKED, ClaimStatus.PROCESSED,
                ClaimStatus.VALUATED, ClaimStatus.REJECTED]
    for n in range(count):
        status = statuses[n % len(statuses)]
        rejected = {"status": LineStatus.REJECTED, "rejection_reason": 2}
        passed = {"qty_approved": Decimal("1"), "price_adjusted": Decimal("2.5"),
                  "price_valuated": Decimal("2.5"), "policy": scene.policy}
        make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                   icd=scene.diagnosis, status=status, rejection_reason=2 if status == 1 else None,
                   approved=Decimal("12.5"), valuated=Decimal("12.5"),
                   review_status=ReviewStatus.IDLE,
                   items=[(scene.item, rejected if status == 1 or n % 2 else passed)],
                   services=[(scene.service, rejected if status == 1 else passed)])


@pytest.mark.parametrize("type_name", ["ClaimResponse", "Claim"])
def test_a_page_costs_the_same_sql_at_10_and_50(client, tenant, scene, clerk, type_name):
    _claims(tenant, scene, 50)
    call(client, "GET", f"{type_name}/", user=clerk)  # configuration cached, as on a server
    counts = {}
    for size in (10, 50):
        with CaptureQueriesContext(connection) as captured:
            answer = call(client, "GET", f"{type_name}/", user=clerk,
                          params={"_count": str(size)})
        assert len(answer.body["entry"]) == size
        counts[size] = len(captured)
    assert counts[10] == counts[50], counts
    print(json.dumps({type_name: counts}))
