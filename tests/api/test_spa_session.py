"""The openIMIS web app's whole session against this backend, over HTTP, as the browser sends it.

One cookie-keeping client plays fe-core 1.11 / fe-claim 1.10 in their order: start-up while
logged out, login, the shell's queries, the claim searcher, a claim page with its side queries,
the claim form's pickers, entering and submitting a claim with mutation-log polling, printing,
and logging out. Requests carry the
headers the app really sends, junk included (`Authorization: JWT undefined`, `X-CSRFToken: null`
before login, then the token from `getCsrfToken`); only cookies authenticate. Every step checks
the data the app reads, and no answer may be an HTTP 500.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from pypdf import PdfReader

from core.roles import CLERK, MEDICAL_OFFICER, role_rights
from openimis_claim.codes import ClaimStatus, ReviewStatus
from openimis_claim.models import BatchRun, Claim
from openimis_claim.services import submit_claims
from tests.factories import make_claim, make_claim_scene, make_facility, make_location_chain

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "clerk-pass-1"
CONTRACT = Path(__file__).parent / "spa_contract"
VISIT = "2025-06-02"  # inside the scene's 2025 policy

MODULE_CONFIGURATIONS = "{ moduleConfigurations { module config controls { field usage } } }"
REFRESH = "mutation { refreshToken { refreshExpiresIn } }"
LOGIN = """mutation authenticate($username: String!, $password: String!) {
  tokenAuth(username: $username, password: $password) { refreshExpiresIn } }"""
CSRF = "mutation { getCsrfToken { csrfToken } }"
LOGOUT = "mutation { deleteTokenCookie { deleted } deleteRefreshTokenCookie { deleted } }"
LANGUAGES = "{ languages { name code } }"
USER_DISTRICTS = "{ userDistricts { id uuid code name parent { id uuid code name } } }"
HF = """id uuid code name level servicesPricelist { id uuid } itemsPricelist { id uuid }
  contractStartDate contractEndDate
  location { id uuid code name type parent { id uuid code name type } }"""
USER = """{ user { id username rights email lastName otherNames phone
  iUser { id uuid language { code name } } claimAdmin { id code uuid }
  officer { id uuid code dob address location { id uuid code name parent { id uuid code name } } }
  healthFacility { HF_FIELDS } } }""".replace("HF_FIELDS", HF)
MUTATION_LOGS = """{ mutationLogs(first: 5, orderBy: "-request_date_time") { edges { node {
  id status error clientMutationId clientMutationLabel clientMutationDetails requestDateTime
  jsonExt } } } }"""
BATCH_RUNS = """{ batchRuns(orderBy: "-runDate", location_Isnull: true) {
  edges { node { id runDate } } } }"""
SEARCHER = """{ claims(status: 2, orderBy: ["-dateClaimed"], first: 10) {
  totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { node { uuid code jsonExt dateFrom dateTo dateClaimed dateProcessed feedbackStatus
    reviewStatus claimed approved valuated status restoreId preAuthorization attachmentsCount
    careType visitType healthFacility { id uuid code name }
    insuree { id uuid chfId lastName otherNames dob } } } } }"""
CLAIM_PAGE = """{ claim(uuid: "%s") { uuid code jsonExt dateFrom dateTo dateClaimed dateProcessed
  feedbackStatus reviewStatus claimed approved valuated status restoreId preAuthorization
  attachmentsCount careType visitType guaranteeId explanation adjustment patientCondition
  referralCode restore { uuid code } referFrom { %s } referTo { %s }
  admin { id uuid code lastName otherNames healthFacility { %s } }
  icd { id code name } icd1 { id code name }
  healthFacility { %s } insuree { id uuid chfId lastName otherNames dob }
  feedback { id careRendered paymentAsked drugPrescribed drugReceived asessment feedbackDate
    officerId }
  services { id service { id code name price } qtyProvided priceAsked qtyApproved
    priceApproved priceValuated priceAdjusted explanation justification rejectionReason status }
  items { id item { id code name price } qtyProvided priceAsked qtyApproved priceApproved
    priceValuated priceAdjusted explanation justification rejectionReason status } } }"""
CLAIM_HISTORY = """{ claimHistory(claimUuid: "%s") { totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { node { uuid validityTo code jsonExt dateClaimed dateProcessed feedbackStatus
    reviewStatus claimed approved status restoreId attachmentsCount
    insuree { id uuid chfId lastName otherNames dob insureePolicies { edges { node {
      policy { id status effectiveDate expiryDate product { id name } } } } } } } } } }"""
PRICELISTS = """{ pricelists(servicesPricelistId: %d, itemsPricelistId: %d) {
  services { id p } items { id p } } }"""
POLICIES_BY_INSUREE = """{ policiesByInsuree(chfId: "%s", targetDate: "%s") { totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { node { policyUuid productCode productName officerCode officerName enrollDate
    effectiveDate startDate expiryDate status policyValue balance ded dedInPatient
    dedOutPatient ceiling ceilingInPatient ceilingOutPatient } } } }"""
LAST_CLAIM_AT = """{ claims(insuree_ChfId: "%s", codeIsNot: "%s", healthFacility_Uuid: "%s",
  first: 1, orderBy: "-dateFrom") { totalCount
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  edges { node { id code dateFrom dateTo } } } }"""
CREATE_CLAIM = """mutation { createClaim(input: { clientMutationId: "%(cmid)s",
  clientMutationLabel: "Create claim CLK-0042", clientMutationDetails: ["CLK-0042"],
  code: "CLK-0042", insureeId: %(insuree)d, adminId: %(admin)d, healthFacilityId: %(facility)d,
  icdId: %(icd)d, dateFrom: "%(visit)s", dateClaimed: "%(visit)s", visitType: "O",
  careType: "OPD", jsonExt: "{}", guaranteeId: "undefined", explanation: "null",
  feedbackStatus: 1, reviewStatus: 1,
  items: [{ itemId: %(item)d, qtyProvided: "4.00", priceAsked: "2.50", status: 1 }],
  services: [{ serviceId: %(service)d, qtyProvided: "1.00", priceAsked: "10.00", status: 1 }]
}) { clientMutationId internalId } }"""
# The claim form's pickers, as the clerk fills in a new claim.
INSUREE = """{ insurees(chfId: "%s", ignoreLocation: true) { edges { node {
  id uuid chfId lastName otherNames dob } } } }"""
DIAGNOSES = """{ diagnosesStr(str: "B5", first: 20) { edges { node { id code name } } } }"""
ITEMS = """{ medicalItemsStr(str: "amox", first: 20, pricelistUuid: "%s", date: "%s") {
  edges { node { id name code price quantity maximumAmount requiresPreauthorization } } } }"""
SERVICES = """{ medicalServicesStr(str: "CONS", first: 20, pricelistUuid: "%s", date: "%s") {
  edges { node { id name code price maximumAmount requiresPreauthorization } } } }"""
VALIDATE_CODE = '{ validateClaimCode(claimCode: "%s") }'
SUBMIT_CLAIMS = """mutation { submitClaims(input: { clientMutationId: "%s",
  clientMutationLabel: "Submit claim CLK-0042", uuids: ["%s"] }) {
  clientMutationId internalId } }"""
POLL = """{ mutationLogs(clientMutationId: "%s") { pageInfo { hasNextPage hasPreviousPage
  startCursor endCursor } edges { node { id status error clientMutationId clientMutationLabel
  clientMutationDetails requestDateTime jsonExt autogeneratedCode } } } }"""


SEARCH_CHECKED = """{ claims(status: 4, orderBy: ["-dateClaimed"], first: 10) { totalCount
  edges { node { uuid code status reviewStatus feedbackStatus claimed approved } } } }"""
SELECT_FOR_REVIEW = """mutation { selectClaimsForReview(input: { clientMutationId: "%(cmid)s",
  clientMutationLabel: "Select for review", clientMutationDetails: %(codes)s,
  uuids: %(uuids)s }) { clientMutationId internalId } }"""
DELIVER_REVIEW = """mutation { deliverClaimsReview(input: { clientMutationId: "%(cmid)s",
  clientMutationLabel: "Deliver review", clientMutationDetails: %(codes)s,
  uuids: %(uuids)s }) { clientMutationId internalId } }"""
# fe-claim's saveReview: every line with its ids, what is approved and the (empty) sub-lines.
SAVE_REVIEW = """mutation { saveClaimReview(input: { clientMutationId: "%(cmid)s",
  clientMutationLabel: "Review", claimUuid: "%(uuid)s" adjustment: "One bottle is enough"
  items: [ { id: %(line)d itemId: %(item)d qtyApproved: "1.00" priceApproved: "2.50"
    justification: "Protocol: one bottle" serviceServiceSet: [ ] serviceItemSet: [ ]
    status: 1 } ] }) { clientMutationId internalId } }"""


def decode_id(relay_id: str) -> int:
    """fe-core's decodeId: the row id inside a relay id, as the app sends it back."""
    return int(base64.b64decode(relay_id).decode().split(":")[1])


def app_document(package: str, name: str, uuid: str) -> str:
    """A document the app's own code built (a contract fixture), for the claim `uuid`."""
    text = (CONTRACT / package / f"{name}.graphql").read_text()
    return text.replace("7d1c5a3e-4b6f-4c1d-9a2e-0f1e2d3c4b5a", uuid)


class WebApp:
    """A browser tab running the web app: keeps cookies and sends what the app sends."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.csrf = "null"  # what the app sends until it asked getCsrfToken

    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": "JWT undefined", "HTTP_X_CSRFTOKEN": self.csrf}

    def post(self, query: str, variables: dict | None = None, *, expect: int = 200):
        payload: dict = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        response = self.client.post("/api/graphql", data=json.dumps(payload),
                                    content_type="application/json", **self.headers())
        assert response.status_code == expect, (response.status_code, response.content[:500])
        return response, response.json()

    def data(self, query: str, variables: dict | None = None) -> dict:
        _response, body = self.post(query, variables)
        assert body.get("errors") is None, body["errors"]
        return body["data"]

    def get(self, url: str):
        response = self.client.get(url, **self.headers())
        assert response.status_code != 500
        return response

    def mutate_and_poll(self, mutation: str, client_mutation_id: str) -> dict:
        """Send a mutation, then poll its log as the app does until it finished."""
        answer = self.data(mutation)
        assert next(iter(answer.values()))["clientMutationId"] == client_mutation_id
        for _attempt in range(3):
            edges = self.data(POLL % client_mutation_id)["mutationLogs"]["edges"]
            assert len(edges) == 1
            log = edges[0]["node"]
            if log["status"] != 0:
                return log
        raise AssertionError("the mutation log never finished")


@pytest.fixture
def scene(tenant, other_tenant, make_user):
    """The clerk's facility with claims in several statuses, a batch run, and what the other
    facility and the other tenant hold (which the clerk must never see)."""
    scene = make_claim_scene(tenant)
    scene.facility.location = make_location_chain(tenant, prefix="M").district
    scene.facility.save()
    clerk = make_user(role_rights(CLERK), username="clerk", password=PASSWORD)
    clerk.health_facility, clerk.email, clerk.last_name = scene.facility, "clerk@hf1.org", "Mushi"
    clerk.save()
    # As in openIMIS, a claim administrator's login is its code: the app finds the logged-in
    # user's administrator by it, to fill in the "+" form.
    scene.admin.user, scene.admin.code = clerk, "clerk"
    scene.admin.save()
    common = {"insuree": scene.insuree, "icd": scene.diagnosis}
    entered = [
        make_claim(tenant, health_facility=scene.facility, code=f"ENT{n}",
                   date_claimed=date(2025, 3, 1 + n), items=[(scene.item, 2, "2.50")],
                   admin=scene.admin, **common)
        for n in range(3)
    ]
    make_claim(tenant, health_facility=scene.facility, code="OLD1", date_from=date(2025, 2, 1),
               date_claimed=date(2025, 2, 2), status=ClaimStatus.CHECKED,
               items=[scene.item], **common)
    elsewhere = make_facility(tenant, code="HF2")
    make_claim(tenant, health_facility=elsewhere, code="OTHERHF", items=[scene.item], **common)
    BatchRun.objects.create(tenant=tenant, run_year=2025, run_month=1)
    BatchRun.objects.create(tenant=tenant, run_year=2025, run_month=2)
    BatchRun.objects.create(tenant=other_tenant, run_year=2025, run_month=2)
    # The claim opened on the claim page went through submission: it has a history.
    submit_claims(clerk, [str(entered[0].uuid)])
    scene.clerk, scene.entered = clerk, entered
    return scene


def test_the_web_app_session(scene):
    app = WebApp()

    # Logged out: front-end configuration, and a refresh that must fail with 401.
    data = app.data(MODULE_CONFIGURATIONS)
    assert isinstance(data["moduleConfigurations"], list)
    assert "csrftoken" in app.client.cookies  # the app expects one before it logs in
    response, body = app.post(REFRESH, expect=401)
    assert body["data"]["refreshToken"] is None
    assert body["errors"][0]["message"]

    # Login with variables: HttpOnly cookies, no token left for scripts to read.
    response, body = app.post(LOGIN, {"username": "clerk", "password": PASSWORD})
    assert body.get("errors") is None
    assert body["data"]["tokenAuth"]["refreshExpiresIn"] > 0
    for name in ("JWT", "JWT-refresh-token"):
        cookie = response.cookies[name]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"

    token = app.data(CSRF)["getCsrfToken"]["csrfToken"]
    assert len(token) >= 32
    app.csrf = token

    # The shell: languages, districts, profile, latest mutations.
    assert [row["code"] for row in app.data(LANGUAGES)["languages"]][:2] == ["en", "fr"]
    districts = app.data(USER_DISTRICTS)["userDistricts"]  # the clerk's facility's district
    assert [(d["code"], d["parent"]["code"]) for d in districts] == [("MD", "MR")]
    profile = app.data(USER)["user"]
    assert profile["username"] == "clerk"
    assert profile["rights"] == sorted(role_rights(CLERK))
    assert profile["iUser"]["language"] == {"code": "en", "name": "English"}
    assert profile["claimAdmin"]["code"] == "clerk"
    assert profile["healthFacility"]["code"] == "HF1"
    assert profile["healthFacility"]["itemsPricelist"]["uuid"] == \
        str(scene.facility.items_pricelist.uuid)
    assert app.data(MUTATION_LOGS)["mutationLogs"]["edges"] == []

    # The claim searcher: entered claims of the clerk's facility, newest claimed first.
    runs = app.data(BATCH_RUNS)["batchRuns"]["edges"]
    assert len(runs) == 2
    assert runs[0]["node"]["runDate"] >= runs[1]["node"]["runDate"]
    found = app.data(SEARCHER)["claims"]
    assert found["totalCount"] == 2
    assert [edge["node"]["code"] for edge in found["edges"]] == ["ENT2", "ENT1"]
    row = found["edges"][0]["node"]
    assert (row["status"], row["reviewStatus"], row["feedbackStatus"]) == (2, 1, 1)
    assert row["claimed"] == "5.00"
    assert row["healthFacility"]["code"] == "HF1"
    assert row["insuree"]["chfId"] == "111111111"
    assert found["pageInfo"]["hasNextPage"] is False

    # A claim page: the submitted claim, its history and the side panels.
    opened = scene.entered[0]
    claim = app.data(CLAIM_PAGE % (opened.uuid, HF, HF, HF, HF))["claim"]
    assert (claim["code"], claim["status"]) == ("ENT0", ClaimStatus.CHECKED)
    assert claim["admin"]["code"] == "clerk"
    assert claim["icd"]["code"] == "B50"
    assert claim["healthFacility"]["servicesPricelist"]["uuid"] == \
        str(scene.facility.services_pricelist.uuid)
    (item,) = claim["items"]
    assert (item["item"]["code"], item["qtyProvided"], item["priceAdjusted"], item["status"]) \
        == ("AMOX", "2.00", "2.50", 1)
    assert claim["services"] == []

    history = app.data(CLAIM_HISTORY % opened.uuid)["claimHistory"]
    assert history["totalCount"] == 2
    nodes = [edge["node"] for edge in history["edges"]]
    assert [(n["status"], n["validityTo"] is None) for n in nodes] == [(4, True), (2, False)]
    assert {n["uuid"] for n in nodes} == {str(opened.uuid)}
    policies = nodes[0]["insuree"]["insureePolicies"]["edges"]
    assert [p["node"]["policy"]["product"]["name"] for p in policies] == [scene.product.name]

    facility = scene.facility
    prices = app.data(PRICELISTS % (facility.services_pricelist_id,
                                    facility.items_pricelist_id))["pricelists"]
    assert prices["items"] == [{"id": scene.item.pk, "p": "2.50"}]
    assert prices["services"] == [{"id": scene.service.pk, "p": "10.00"}]

    covered = app.data(POLICIES_BY_INSUREE % ("111111111", "2025-03-01"))["policiesByInsuree"]
    assert covered["totalCount"] == 1
    policy = covered["edges"][0]["node"]
    assert policy["policyUuid"] == str(scene.policy.uuid)
    assert (policy["productCode"], policy["status"]) == ("BASIC", scene.policy.status)
    assert policy["startDate"] == "2025-01-01"

    last = app.data(LAST_CLAIM_AT % ("111111111", "ENT0", facility.uuid))["claims"]
    assert [edge["node"]["code"] for edge in last["edges"]] == ["ENT2"]
    assert last["totalCount"] == 3  # ENT1, ENT2 and OLD1; never ENT0, never another facility

    # A new claim: the insuree, diagnosis and price-list pickers, and the code check.
    (insuree,) = app.data(INSUREE % "111111111")["insurees"]["edges"]
    assert insuree["node"]["uuid"] == str(scene.insuree.uuid)
    diagnoses = app.data(DIAGNOSES)["diagnosesStr"]["edges"]
    assert "B50" in [edge["node"]["code"] for edge in diagnoses]
    (item_row,) = app.data(ITEMS % (facility.items_pricelist.uuid, VISIT))[
        "medicalItemsStr"]["edges"]
    assert (item_row["node"]["code"], item_row["node"]["price"]) == ("AMOX", "2.50")  # own price
    (service_row,) = app.data(SERVICES % (facility.services_pricelist.uuid, VISIT))[
        "medicalServicesStr"]["edges"]
    assert (service_row["node"]["code"], service_row["node"]["price"]) == ("CONS", "10.00")
    assert app.data(VALIDATE_CODE % "CLK-0042")["validateClaimCode"] is True
    assert app.data(VALIDATE_CODE % "ENT1")["validateClaimCode"] is False

    # Entering a claim through the flat input, then polling its log.
    ids = {"cmid": "5b7d3c5e-1c1f-4f55-9ad6-8a1f0e1c0042", "insuree": scene.insuree.pk,
           "admin": scene.admin.pk, "facility": facility.pk, "icd": scene.diagnosis.pk,
           "item": scene.item.pk, "service": scene.service.pk, "visit": VISIT}
    log = app.mutate_and_poll(CREATE_CLAIM % ids, ids["cmid"])
    assert log["status"] == 2, log["error"]
    assert log["clientMutationLabel"] == "Create claim CLK-0042"
    assert json.loads(log["clientMutationDetails"]) == ["CLK-0042"]
    created = Claim.objects.get(code="CLK-0042")
    assert created.claimed == Decimal("20.00")
    assert created.audit_user == scene.clerk
    recent = app.data(MUTATION_LOGS)["mutationLogs"]["edges"]
    assert [edge["node"]["clientMutationId"] for edge in recent] == [ids["cmid"]]

    submit_id = "5b7d3c5e-1c1f-4f55-9ad6-8a1f0e1c0043"
    log = app.mutate_and_poll(SUBMIT_CLAIMS % (submit_id, created.uuid), submit_id)
    assert log["status"] == 2, log["error"]
    created.refresh_from_db()
    assert created.status == ClaimStatus.CHECKED
    assert created.approved == Decimal("20.00")  # 4 x 2.50 (own price) + 10.00

    # The review right (111008) lets the app open the claim form for the clerk; a review is
    # still the scheme's: refused, naming why.
    review_id = "5b7d3c5e-1c1f-4f55-9ad6-8a1f0e1c0044"
    log = app.mutate_and_poll(SAVE_REVIEW % {"cmid": review_id, "uuid": created.uuid,
                                             "line": created.items.get().pk,
                                             "item": scene.item.pk}, review_id)
    assert log["status"] == 1
    assert [entry["code"] for entry in json.loads(log["error"])] == ["facility_user"]

    # Printing the claim, with the same cookies.
    response = app.get(f"/api/claim/print/?uuid={created.uuid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "CLK-0042" in text
    assert "111111111" in text

    # The app refreshes its token from the cookie while it runs.
    data = app.data(REFRESH)
    assert data["refreshToken"]["refreshExpiresIn"] > 0

    # Logging out clears both cookies: the app is anonymous again.
    data = app.data(LOGOUT)
    assert data == {"deleteTokenCookie": {"deleted": True},
                    "deleteRefreshTokenCookie": {"deleted": True}}
    _response, body = app.post(USER)
    assert body["errors"][0]["message"] == "Authentication required"
    app.post(REFRESH, expect=401)


def test_junk_headers_are_absent_and_cookies_still_count(scene):
    """`Authorization: JWT undefined` never hides the cookie login, and a CSRF header of
    `null` on a cookie-authenticated mutation is refused as missing, not as an error 500."""
    app = WebApp()
    app.post(LOGIN, {"username": "clerk", "password": PASSWORD})
    assert app.data(USER)["user"]["username"] == "clerk"
    _response, body = app.post(SUBMIT_CLAIMS % ("no-csrf", scene.entered[1].uuid), expect=200)
    assert body["data"]["submitClaims"] is None
    assert "CSRF" in body["errors"][0]["message"]
    assert Claim.objects.get(pk=scene.entered[1].pk).status == ClaimStatus.ENTERED


def test_logged_out_queries_are_refused_without_an_error_500(scene):
    app = WebApp()
    for query in (USER, USER_DISTRICTS, SEARCHER, BATCH_RUNS,
                  CLAIM_HISTORY % scene.entered[0].uuid,
                  POLICIES_BY_INSUREE % ("111111111", "2025-03-01")):
        _response, body = app.post(query)
        assert body["errors"][0]["message"] == "Authentication required"
    response = app.get(f"/api/claim/print/?uuid={scene.entered[0].uuid}")
    assert response.status_code == 401


def test_the_reviewers_session(scene, make_user):
    """A medical officer of the scheme: the checked claims, one selected, opened with the claim
    page's document, reviewed (one bottle of two approved) and another delivered unchanged."""
    make_user(role_rights(MEDICAL_OFFICER), username="reviewer", password=PASSWORD)
    app = WebApp()
    app.data(LOGIN, {"username": "reviewer", "password": PASSWORD})
    app.csrf = app.data(CSRF)["getCsrfToken"]["csrfToken"]

    checked = app.data(SEARCH_CHECKED)["claims"]
    assert [edge["node"]["code"] for edge in checked["edges"]] == ["ENT0", "OLD1"]
    assert {edge["node"]["reviewStatus"] for edge in checked["edges"]} == {ReviewStatus.IDLE}
    uuids = {edge["node"]["code"]: edge["node"]["uuid"] for edge in checked["edges"]}

    select_id = "6c8e4d6f-2d2a-4a66-8be7-9b2f1f2d0001"
    log = app.mutate_and_poll(SELECT_FOR_REVIEW % {
        "cmid": select_id, "codes": json.dumps(["ENT0", "OLD1"]),
        "uuids": json.dumps([uuids["ENT0"], uuids["OLD1"]])}, select_id)
    assert log["status"] == 2, log["error"]

    claim = app.data(app_document("fe-claim", "fetchClaim", uuids["ENT0"]))["claim"]
    assert (claim["status"], claim["reviewStatus"]) == (ClaimStatus.CHECKED,
                                                        ReviewStatus.SELECTED)
    (line,) = claim["items"]
    assert (line["item"]["code"], line["qtyProvided"], line["priceAdjusted"]) == \
        ("AMOX", "2.00", "2.50")

    review_id = "6c8e4d6f-2d2a-4a66-8be7-9b2f1f2d0002"
    log = app.mutate_and_poll(SAVE_REVIEW % {
        "cmid": review_id, "uuid": uuids["ENT0"], "line": int(line["id"]),
        "item": decode_id(line["item"]["id"])}, review_id)
    assert log["status"] == 2, log["error"]
    reviewed = app.data(app_document("fe-claim", "fetchClaim", uuids["ENT0"]))["claim"]
    assert reviewed["reviewStatus"] == ReviewStatus.DELIVERED
    assert reviewed["adjustment"] == "One bottle is enough"
    assert (reviewed["items"][0]["qtyApproved"], reviewed["approved"]) == ("1.00", "2.50")

    deliver_id = "6c8e4d6f-2d2a-4a66-8be7-9b2f1f2d0003"
    log = app.mutate_and_poll(DELIVER_REVIEW % {
        "cmid": deliver_id, "codes": json.dumps(["OLD1"]),
        "uuids": json.dumps([uuids["OLD1"]])}, deliver_id)
    assert log["status"] == 2, log["error"]
    statuses = {edge["node"]["code"]: edge["node"]["reviewStatus"]
                for edge in app.data(SEARCH_CHECKED)["claims"]["edges"]}
    assert statuses == {"ENT0": ReviewStatus.DELIVERED, "OLD1": ReviewStatus.DELIVERED}
