"""Documents, communication log and templates over GraphQL (API.md "Pre-authorization").

Needs `RecordsQuery` / `RecordsMutation` mixed into the module's schema and the request type's
`documents` / `communications` fields."""

import base64
import json

import pytest

from core.models import MutationLog
from openimis_approval.models import ApprovalDocument, ApprovalRequest, ApprovalTemplate
from tests.factories import make_claim_scene

ALL_APPROVAL_RIGHTS = list(range(112001, 112014))
PDF = b"%PDF-1.4\n%%EOF\n"

ADD_DOCUMENT = """mutation ($uuid: String!, $document: String!, $mime: String!) {
  addApprovalDocument(input: {clientMutationId: "doc", requestUuid: $uuid,
    documentType: "LAB_RESULT", title: "Smear", description: "Thick film",
    filename: "smear.pdf", mime: $mime, document: $document}) { status error } }"""
DELETE_DOCUMENT = """mutation ($id: String!) {
  deleteApprovalDocument(input: {clientMutationId: "del", id: $id}) { status error } }"""
LOG_CALL = """mutation ($uuid: String!) {
  logApprovalCommunication(input: {clientMutationId: "call", requestUuid: $uuid,
    communicationType: "PHONE", contactPerson: "Dr Okello", contactNumber: "+256 700 000000",
    subject: "Smear", message: "Where is the smear?", response: "Faxing it",
    outcome: "Promised", followUpRequired: true, followUpDate: "2025-03-12"})
  { status error } }"""
REQUEST = """query ($uuid: String!) { approvalRequest(uuid: $uuid) {
  documents { id uuid documentType title filename mime size sha256 uploadedAt }
  communications { id communicationType contactPerson subject message response outcome
                   followUpRequired followUpDate at }
} }"""
FOLLOW_UPS = """query ($on: Date) { approvalFollowUpsDue(onDate: $on) {
  subject followUpDate request { number } } }"""
CREATE_TEMPLATE = """mutation ($item: Int, $product: Int) {
  createApprovalTemplate(input: {clientMutationId: "tpl", name: "Malaria work-up",
    requestType: "LABORATORY", priority: "URGENT", productId: $product,
    serviceDescription: "Malaria tests", clinicalJustification: "Fever for [days] days",
    requiredDocuments: ["LAB_ORDER"], lines: [{itemId: $item, qtyRequested: "10"}]})
  { status error } }"""
UPDATE_TEMPLATE = """mutation ($id: String!) {
  updateApprovalTemplate(input: {clientMutationId: "tpl-up", id: $id, name: "Malaria"})
  { status error } }"""
DELETE_TEMPLATE = """mutation ($id: String!) {
  deleteApprovalTemplate(input: {clientMutationId: "tpl-del", id: $id}) { status error } }"""
TEMPLATES = """query ($type: String, $search: String) {
  approvalTemplates(requestType: $type, search: $search, first: 10) { totalCount edges { node {
    id uuid name requestType priority product { code } serviceDescription
    clinicalJustification requiredDocuments usageCount lines { itemId serviceId qtyRequested }
} } } }"""


@pytest.fixture
def scene(tenant, make_user, settings):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    scene = make_claim_scene(tenant)
    scene.user = make_user(ALL_APPROVAL_RIGHTS, username="pa-officer")
    scene.request = ApprovalRequest.objects.create(
        tenant=tenant, number="PA-1", insuree=scene.insuree, health_facility=scene.facility)
    return scene


def ok(response, name):
    assert response.errors == [], response.errors
    assert response.data[name]["status"] == 2, response.data[name]["error"]


def read(gql, scene):
    response = gql(REQUEST, {"uuid": str(scene.request.uuid)}, user=scene.user)
    assert response.errors == [], response.errors
    return response.data["approvalRequest"]


@pytest.mark.django_db
def test_a_document_is_uploaded_listed_and_deleted(gql, scene):
    ok(gql(ADD_DOCUMENT, {"uuid": str(scene.request.uuid), "mime": "application/pdf",
                          "document": base64.b64encode(PDF).decode()}, user=scene.user),
       "addApprovalDocument")

    (document,) = read(gql, scene)["documents"]
    stored = ApprovalDocument.objects.get()
    assert document == {
        "id": str(stored.pk), "uuid": str(stored.uuid), "documentType": "LAB_RESULT",
        "title": "Smear", "filename": "smear.pdf", "mime": "application/pdf",
        "size": len(PDF), "sha256": stored.sha256, "uploadedAt": document["uploadedAt"]}
    log = MutationLog.objects.get(client_mutation_id="doc")
    assert "document" not in log.json_content
    assert log.json_ext["documentId"] == stored.pk

    ok(gql(DELETE_DOCUMENT, {"id": document["id"]}, user=scene.user), "deleteApprovalDocument")
    assert read(gql, scene)["documents"] == []


@pytest.mark.django_db
def test_a_refused_document_answers_an_error_in_the_log(gql, scene):
    response = gql(ADD_DOCUMENT, {"uuid": str(scene.request.uuid), "mime": "application/zip",
                                  "document": base64.b64encode(b"PK").decode()},
                   user=scene.user)

    error = json.loads(response.data["addApprovalDocument"]["error"])
    assert error[0]["code"] == "attachment_type"


@pytest.mark.django_db
def test_a_call_is_logged_and_its_follow_up_comes_due(gql, scene):
    ok(gql(LOG_CALL, {"uuid": str(scene.request.uuid)}, user=scene.user),
       "logApprovalCommunication")

    (call,) = read(gql, scene)["communications"]
    assert {k: v for k, v in call.items() if k not in ("id", "at")} == {
        "communicationType": "PHONE", "contactPerson": "Dr Okello", "subject": "Smear",
        "message": "Where is the smear?", "response": "Faxing it", "outcome": "Promised",
        "followUpRequired": True, "followUpDate": "2025-03-12"}
    due = gql(FOLLOW_UPS, {"on": "2025-03-12"}, user=scene.user)
    assert due.data["approvalFollowUpsDue"] == [
        {"subject": "Smear", "followUpDate": "2025-03-12", "request": {"number": "PA-1"}}]
    assert gql(FOLLOW_UPS, {"on": "2025-03-11"}, user=scene.user).data == {
        "approvalFollowUpsDue": []}


@pytest.mark.django_db
def test_a_template_is_created_found_updated_and_deleted(gql, scene):
    ok(gql(CREATE_TEMPLATE, {"item": scene.item.pk, "product": scene.product.pk},
           user=scene.user), "createApprovalTemplate")

    found = gql(TEMPLATES, {"type": "LABORATORY", "search": "malaria"}, user=scene.user)
    assert found.errors == [], found.errors
    (edge,) = found.data["approvalTemplates"]["edges"]
    node = edge["node"]
    assert {k: v for k, v in node.items() if k not in ("id", "uuid")} == {
        "name": "Malaria work-up", "requestType": "LABORATORY", "priority": "URGENT",
        "product": {"code": "BASIC"}, "serviceDescription": "Malaria tests",
        "clinicalJustification": "Fever for [days] days", "requiredDocuments": ["LAB_ORDER"],
        "usageCount": 0, "lines": [{"itemId": scene.item.pk, "serviceId": None,
                                    "qtyRequested": "10"}]}
    assert gql(TEMPLATES, {"type": "RADIOLOGY"}, user=scene.user).data[
        "approvalTemplates"]["totalCount"] == 0

    ok(gql(UPDATE_TEMPLATE, {"id": node["id"]}, user=scene.user), "updateApprovalTemplate")
    assert ApprovalTemplate.objects.get().name == "Malaria"
    ok(gql(DELETE_TEMPLATE, {"id": node["uuid"]}, user=scene.user), "deleteApprovalTemplate")
    assert gql(TEMPLATES, user=scene.user).data["approvalTemplates"]["totalCount"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "name", "right"), [
    (ADD_DOCUMENT, "addApprovalDocument", 112010),
    (LOG_CALL, "logApprovalCommunication", 112010),
    (CREATE_TEMPLATE, "createApprovalTemplate", 112011),
    (TEMPLATES, "approvalTemplates", 112001),
    (FOLLOW_UPS, "approvalFollowUpsDue", 112001),
])
def test_each_field_needs_its_right(gql, scene, make_user, query, name, right):
    others = make_user([r for r in ALL_APPROVAL_RIGHTS if r != right], username="no-right")
    variables = {"uuid": str(scene.request.uuid), "mime": "application/pdf",
                 "document": base64.b64encode(PDF).decode()}
    variables = {k: v for k, v in variables.items() if f"${k}" in query}

    response = gql(query, variables, user=others)

    assert response.error_messages == ["Unauthorized"]
    assert not ApprovalDocument.objects.exists()
    assert not ApprovalTemplate.objects.exists()


@pytest.mark.django_db
def test_another_tenant_sees_neither_templates_nor_follow_ups(gql, scene, make_user,
                                                              other_tenant):
    ok(gql(CREATE_TEMPLATE, {"item": scene.item.pk, "product": scene.product.pk},
           user=scene.user), "createApprovalTemplate")
    ok(gql(LOG_CALL, {"uuid": str(scene.request.uuid)}, user=scene.user),
       "logApprovalCommunication")
    stranger = make_user(ALL_APPROVAL_RIGHTS, username="stranger", tenant=other_tenant)

    assert gql(TEMPLATES, user=stranger).data["approvalTemplates"]["totalCount"] == 0
    assert gql(FOLLOW_UPS, {"on": "2025-12-31"}, user=stranger).data == {
        "approvalFollowUpsDue": []}
