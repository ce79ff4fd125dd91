"""Da Vinci PAS pre-authorization: `Claim/$submit` files and submits an approval request and
answers its ClaimResponse (preAuthRef, the client's item sequences, an X12 review action per
line), `Claim/$inquire` answers it again as it is now; rights, tenants and hostile Bundles."""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal

import pytest

from api_fhir_r4.models import PasRequest
from core.models import ModuleConfiguration
from openimis_approval import services
from openimis_approval.codes import ApprovalStatus
from openimis_approval.models import ApprovalLine, ApprovalRequest
from tests.factories import make_claim_scene, make_family_with_insurees
from tests.fhir.client import call

pytestmark = pytest.mark.django_db

IG = "https://openimis.github.io/openimis_fhir_r4_ig"
IDS = f"{IG}/CodeSystem/openimis-identifiers"
PAS = "http://hl7.org/fhir/us/davinci-pas/StructureDefinition"
X12 = "https://codesystem.x12.org/005010/306"
ADJUDICATION = "http://terminology.hl7.org/CodeSystem/adjudication"
REQUEST_SYSTEM = "http://hospital.example.org/prior-auth"
PAS_RIGHTS = [112001, 112002, 112005]


def code_ref(type_name: str, code: str) -> dict:
    return {"type": type_name, "identifier": {
        "type": {"coding": [{"system": IDS, "code": "Code"}]}, "value": code}}


def pas_bundle(chf_id: str = "111111111", identifier: str = "REQ-0001",
               priority: str = "normal") -> dict:
    """A Da Vinci PAS request Bundle: the Claim first, the Patient it points at after it."""
    patient_url = "urn:uuid:6d1d5b2e-3c3f-4a4e-9f0e-0d7a8f2b9c11"
    claim = {
        "resourceType": "Claim",
        "identifier": [{"system": REQUEST_SYSTEM, "value": identifier}],
        "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                             "code": "professional"}]},
        "use": "preauthorization",
        "patient": {"reference": patient_url},
        "created": "2025-02-20T10:00:00+00:00",
        "insurer": {"display": "First scheme"},
        "provider": code_ref("Organization", "HF1"),
        "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                           "processpriority", "code": priority}]},
        "diagnosis": [{"sequence": 1, "diagnosisCodeableConcept": {
            "coding": [{"system": f"{IG}/CodeSystem/diagnosis-ICD10-level1", "code": "B50"}]}}],
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"display": "BASIC"}}],
        "item": [
            {"sequence": 10, "category": {"text": "item"},
             "productOrService": {"coding": [{"code": "AMOX"}]},
             "servicedDate": "2025-03-01", "quantity": {"value": 4},
             "unitPrice": {"value": 2.5, "currency": "USD"}},
            {"sequence": 20, "category": {"text": "service"},
             "extension": [{"url": "ActivityDefinition",
                            "valueReference": code_ref("ActivityDefinition", "CONS")}],
             "productOrService": {"text": "CONS"}, "servicedDate": "2025-03-01",
             "quantity": {"value": 1}},
        ],
    }
    patient = {"resourceType": "Patient", "identifier": [
        {"type": {"coding": [{"system": IDS, "code": "Code"}]}, "value": chf_id}]}
    return {"resourceType": "Bundle", "type": "collection",
            "timestamp": "2025-02-20T10:00:00+00:00",
            "entry": [{"fullUrl": "urn:uuid:0b6f3c56-2d0e-4b8a-a1f2-7f3c1e9d4a20",
                       "resource": claim},
                      {"fullUrl": patient_url, "resource": patient}]}


def inquiry(chf_id: str = "111111111", identifier: str = "REQ-0001", **claim_fields) -> dict:
    claim = {"resourceType": "Claim", "status": "active", "use": "preauthorization",
             "identifier": [{"system": REQUEST_SYSTEM, "value": identifier}],
             "patient": code_ref("Patient", chf_id), **claim_fields}
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": claim}]}


@pytest.fixture
def scene(tenant):
    return make_claim_scene(tenant)


@pytest.fixture
def clerk(make_user, scene):
    return make_user(PAS_RIGHTS, username="pas-clerk")


@pytest.fixture
def reviewer(make_user, scene):
    return make_user(superuser=True, username="reviewer")


@pytest.fixture
def auto_approval(db):
    ModuleConfiguration.objects.create(module="approval", layer="be",
                                       config={"auto_approve_priorities": ["ROUTINE"]})


def response_of(answer) -> dict:
    assert answer.status == 200, answer.body
    assert answer.body["resourceType"] == "Bundle"
    assert answer.body["type"] == "collection"
    resource = answer.body["entry"][0]["resource"]
    assert resource["resourceType"] == "ClaimResponse"
    return resource


def actions(resource: dict) -> dict[int, str]:
    """itemSequence -> the X12 review action code of the item."""
    found = {}
    for item in resource["item"]:
        action = next(ext for ext in item["adjudication"][0]["extension"]
                      if ext["url"] == f"{PAS}/extension-reviewAction")
        code = next(ext for ext in action["extension"]
                    if ext["url"] == f"{PAS}/extension-reviewActionCode")
        (coding,) = code["valueCodeableConcept"]["coding"]
        assert coding["system"] == X12
        found[item["itemSequence"]] = coding["code"]
    return found


def the_request() -> ApprovalRequest:
    return ApprovalRequest.objects.get()


def decide(reviewer, decision: str, quantities: dict[str, str] | None = None, **extra) -> None:
    request = the_request()
    lines = [{"id": str(line.uuid),
              "qty_approved": quantities["item" if line.item_id else "service"]}
             for line in request.lines.all()] if quantities else None
    services.start_review(reviewer, [str(request.uuid)])
    outcome = services.decide_request(reviewer, {"uuid": str(request.uuid),
                                                 "decision": decision, "lines": lines, **extra})
    assert outcome.errors == []


def test_a_request_approved_in_full_answers_a1_and_the_authorization_number(
        client, clerk, scene, auto_approval):
    answer = call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk)

    resource = response_of(answer)
    request = the_request()
    assert request.status == ApprovalStatus.APPROVED
    number = request.authorization_number
    assert number == f"AUTH-{request.number[3:]}"

    def item(sequence, line, medical_type, code, name, qty, amount):
        return {
            "itemSequence": sequence,
            "extension": [{"url": f"{IG}/StructureDefinition/claim-item-reference",
                           "valueReference": {"reference": f"{medical_type}/{line.uuid}",
                                              "type": medical_type,
                                              "identifier": {"type": {"coding": [
                                                  {"system": IDS, "code": "Code"}]},
                                                  "value": code},
                                              "display": name}}],
            "adjudication": [
                {"extension": [{"url": f"{PAS}/extension-reviewAction", "extension": [
                    {"url": f"{PAS}/extension-reviewActionCode", "valueCodeableConcept": {
                        "coding": [{"system": X12, "code": "A1",
                                    "display": "Certified in total"}]}},
                    {"url": "number", "valueString": number}]}],
                 "category": {"coding": [{"system": ADJUDICATION, "code": "submitted",
                                          "display": "Submitted Amount"}]},
                 "amount": {"value": amount, "currency": "USD"}, "value": qty},
                {"category": {"coding": [{"system": ADJUDICATION, "code": "eligible",
                                          "display": "Eligible Amount"}]},
                 "amount": {"value": amount, "currency": "USD"}, "value": qty},
            ]}

    expected_items = [item(10, scene.item, "Medication", "AMOX", "Amoxicillin 250 mg", 4.0,
                           10.0),
                      item(20, scene.service, "ActivityDefinition", "CONS", "Consultation",
                           1.0, 10.0)]
    own_identifier = {"system": REQUEST_SYSTEM, "value": "REQ-0001"}
    assert resource == {
        "resourceType": "ClaimResponse",
        "id": str(request.uuid),
        "identifier": [own_identifier,
                       {"type": {"coding": [{"system": IDS, "code": "UUID"}]},
                        "value": str(request.uuid)},
                       {"type": {"coding": [{"system": IDS, "code": "Code"}]},
                        "value": request.number}],
        "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                             "code": "professional"}]},
        "use": "preauthorization",
        "patient": {"reference": f"Patient/{scene.insuree.uuid}", "type": "Patient",
                    "identifier": {"type": {"coding": [{"system": IDS, "code": "Code"}]},
                                   "value": "111111111"}},
        "created": resource["created"],
        "insurer": {"type": "Organization", "display": "First scheme",
                    "identifier": {"type": {"coding": [{"system": IDS, "code": "Code"}]},
                                   "value": "T1"}},
        "requestor": {"reference": f"Organization/{scene.facility.uuid}",
                      "type": "Organization", "display": scene.facility.name,
                      "identifier": {"type": {"coding": [{"system": IDS, "code": "Code"}]},
                                     "value": "HF1"}},
        "outcome": "complete",
        "disposition": "APPROVED",
        "request": {"type": "Claim", "identifier": own_identifier},
        "preAuthRef": number,
        "preAuthPeriod": {"start": "2025-03-01", "end": "2025-03-31"},
        "item": expected_items,
    }
    assert answer.body["entry"][0]["fullUrl"].endswith(f"/ClaimResponse/{request.uuid}")


def test_the_request_keeps_what_the_claim_asked(client, clerk, scene):
    call(client, "POST", "Claim/$submit", pas_bundle(priority="stat"), user=clerk)

    request = the_request()
    assert (request.insuree, request.health_facility, request.priority, request.icd.code,
            request.service_start_date.isoformat(), request.requesting_provider) == \
        (scene.insuree, scene.facility, "STAT", "B50", "2025-03-01", clerk)
    lines = [(line.item_id, line.service_id, line.qty_requested, line.price_requested)
             for line in request.lines.order_by("pk")]
    # The service's price comes from the facility's price list when the Claim gives none.
    assert lines == [(scene.item.pk, None, Decimal("4"), Decimal("2.5")),
                     (None, scene.service.pk, Decimal("1"), Decimal("10"))]
    link = PasRequest.objects.get()
    assert (link.identifier_system, link.identifier_value, link.sequences) == \
        (REQUEST_SYSTEM, "REQ-0001", [10, 20])


def test_a_request_to_decide_is_queued_and_its_lines_pended_a4(client, clerk, scene):
    resource = response_of(call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk))

    assert the_request().status == ApprovalStatus.SUBMITTED
    assert resource["outcome"] == "queued"
    assert "preAuthRef" not in resource
    assert actions(resource) == {10: "A4", 20: "A4"}


def test_a_denied_line_answers_a3_beside_the_approved_one(client, clerk, reviewer, scene):
    call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk)
    decide(reviewer, "PARTIAL", {"item": "0", "service": "1"})

    resource = response_of(call(client, "POST", "Claim/$inquire", inquiry(), user=clerk))

    assert resource["outcome"] == "partial"
    assert resource["preAuthRef"] == the_request().authorization_number
    assert actions(resource) == {10: "A3", 20: "A1"}


def test_a_denied_request_answers_a3_without_authorization(client, clerk, reviewer, scene):
    call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk)
    decide(reviewer, "DENY", denial_reason="Not medically necessary", denial_code="MN")

    resource = response_of(call(client, "POST", "Claim/$inquire", inquiry(), user=clerk))

    assert resource["outcome"] == "complete"
    assert resource["disposition"] == "DENIED"
    assert "preAuthRef" not in resource
    assert actions(resource) == {10: "A3", 20: "A3"}
    assert resource["processNote"] == [{"number": 1, "type": "display",
                                        "text": "Not medically necessary"}]


def test_a_line_pended_by_the_reviewer_answers_a4(client, clerk, reviewer, scene):
    call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk)
    request = the_request()
    services.start_review(reviewer, [str(request.uuid)])
    item_line = request.lines.get(item__isnull=False)
    service_line = request.lines.get(service__isnull=False)
    services.decide_request(reviewer, {"uuid": str(request.uuid), "decision": "PARTIAL",
                                       "lines": [{"id": str(item_line.uuid),
                                                  "qty_approved": "0", "decision": "PENDED"},
                                                 {"id": str(service_line.uuid)}]})

    resource = response_of(call(client, "POST", "Claim/$inquire", inquiry(), user=clerk))

    assert actions(resource) == {10: "A4", 20: "A1"}


def test_a_partially_approved_quantity_answers_a2_certified_partial(client, clerk, reviewer, scene):
    call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk)
    decide(reviewer, "APPROVE", {"item": "2", "service": "1"})

    resource = response_of(call(client, "POST", "Claim/$inquire", inquiry(), user=clerk))

    assert ApprovalLine.objects.get(item__isnull=False).decision == "PARTIAL"
    assert the_request().status == ApprovalStatus.PARTIALLY_APPROVED
    assert resource["outcome"] == "partial"
    assert actions(resource) == {10: "A2", 20: "A1"}
    item = resource["item"][0]
    assert [(a["category"]["coding"][0]["code"], a["value"]) for a in item["adjudication"]] \
        == [("submitted", 4.0), ("eligible", 2.0)]


def test_a_second_submit_with_the_same_identifier_files_nothing_more(client, clerk, scene):
    first = response_of(call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk))
    again = response_of(call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk))

    assert ApprovalRequest.objects.count() == 1
    assert again["id"] == first["id"]


def test_inquire_by_patient_identifier_and_provider(client, clerk, scene):
    call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk)
    request = the_request()

    by_number = call(client, "POST", "Claim/$inquire", inquiry(identifier=request.number),
                     user=clerk)
    with_provider = call(client, "POST", "Claim/$inquire",
                         inquiry(provider=code_ref("Organization", "HF1")), user=clerk)
    other_provider = call(client, "POST", "Claim/$inquire",
                          inquiry(provider=code_ref("Organization", "HF9")), user=clerk)
    other_patient = call(client, "POST", "Claim/$inquire", inquiry(chf_id="999999999"),
                         user=clerk)
    unknown = call(client, "POST", "Claim/$inquire", inquiry(identifier="REQ-9999"),
                   user=clerk)

    assert response_of(by_number)["id"] == str(request.uuid)
    assert response_of(with_provider)["id"] == str(request.uuid)
    assert [other_provider.status, other_patient.status, unknown.status] == [404, 404, 404]
    assert unknown.issues == ["No pre-authorization 'REQ-9999' of this patient is yours"]


def test_a_refused_request_is_422_and_leaves_nothing(client, clerk, scene):
    bundle = pas_bundle()
    item = bundle["entry"][0]["resource"]["item"][0]
    item["quantity"], item["unitPrice"] = {"value": 10**14}, {"value": 10**6, "currency": "USD"}

    answer = call(client, "POST", "Claim/$submit", bundle, user=clerk)

    assert answer.status == 422
    assert answer.issues
    assert (ApprovalRequest.objects.count(), PasRequest.objects.count()) == (0, 0)


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["$submit", "$inquire"])
def test_anonymous_callers_are_refused(client, scene, operation):
    answer = call(client, "POST", f"Claim/{operation}", pas_bundle())

    assert answer.status == 401


@pytest.mark.parametrize(("operation", "rights"), [("$submit", [112001, 112002]),
                                                   ("$submit", [112001, 112005]),
                                                   ("$inquire", [112002, 112005])])
def test_callers_without_the_right_are_refused(client, make_user, scene, operation, rights):
    answer = call(client, "POST", f"Claim/{operation}", pas_bundle(),
                  user=make_user(rights))

    assert answer.status == 403
    assert ApprovalRequest.objects.count() == 0


def test_another_tenants_request_is_not_found(client, clerk, make_user, scene, other_tenant):
    call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk)
    stranger = make_user(PAS_RIGHTS, tenant=other_tenant)

    inquired = call(client, "POST", "Claim/$inquire", inquiry(), user=stranger)
    submitted = call(client, "POST", "Claim/$submit", pas_bundle(identifier="REQ-0002"),
                     user=stranger)

    assert inquired.status == 404
    assert submitted.status == 422
    assert submitted.issues == ["Claim.patient: no patient '111111111'"]
    assert ApprovalRequest.objects.count() == 1


def test_a_facility_user_inquires_only_its_facilitys_requests(client, clerk, make_user, scene,
                                                              tenant):
    from tests.factories import make_facility

    call(client, "POST", "Claim/$submit", pas_bundle(), user=clerk)
    elsewhere = make_user([112001])
    elsewhere.health_facility = make_facility(tenant, code="HF2")
    elsewhere.save()

    assert call(client, "POST", "Claim/$inquire", inquiry(), user=elsewhere).status == 404


def test_an_unknown_operation_or_a_get_of_one_is_refused(client, clerk, scene):
    assert call(client, "POST", "Claim/$nothing", {}, user=clerk).status == 404
    assert call(client, "GET", "Claim/$submit", user=clerk).status == 405


# --- Hostile Bundles -------------------------------------------------------------------------

ODD_VALUES = [None, "", "x" * 300, 0, -1, 10**30, 1e308, True, [], {}, [{}], {"value": "x"}]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*path, index))


def _variants(bundle):
    """The Bundle with each element, in turn, removed or replaced by an odd value."""
    for path in itertools.islice(_paths(bundle), 1, None):
        for replacement in [*ODD_VALUES, "DELETE"]:
            variant = copy.deepcopy(bundle)
            holder = variant
            for step in path[:-1]:
                holder = holder[step]
            if replacement == "DELETE":
                del holder[path[-1]]
            else:
                holder[path[-1]] = replacement
            yield path, variant


@pytest.mark.parametrize("operation", ["$submit", "$inquire"])
def test_fuzzed_bundles_never_fail_the_server(client, clerk, scene, operation):
    base = pas_bundle() if operation == "$submit" else inquiry()
    statuses = set()
    for path, variant in _variants(base):
        answer = call(client, "POST", f"Claim/{operation}", variant, user=clerk)
        assert answer.status < 500, (path, answer.body)
        statuses.add(answer.status)
    for body in ["[]", "null", '"Bundle"', "{", '{"resourceType": "Bundle", "entry": {}}']:
        assert call(client, "POST", f"Claim/{operation}", body, user=clerk).status == 400
    assert statuses >= {400}


def test_a_patient_of_another_family_in_the_tenant_is_found_by_chf_id(client, clerk, scene,
                                                                      tenant):
    make_family_with_insurees(tenant, head={"chf_id": "222222222"})

    answer = call(client, "POST", "Claim/$submit", pas_bundle(chf_id="222222222"), user=clerk)

    assert answer.status == 200
    assert the_request().insuree.chf_id == "222222222"
