"""Reviewers read the documents they are sent: `GET /api/approval/document?uuid=` answers the
stored file (database or attachments root) to whoever may read the request, and nothing to
anyone else; the GraphQL lists name that URL."""

import base64

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from graphql_jwt.shortcuts import get_token

from core.models import ModuleConfiguration
from openimis_approval.models import ApprovalDocument, ApprovalRequest
from tests.factories import make_claim_scene, make_facility

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
ADD_DOCUMENT = """mutation ($uuid: String!, $document: String!, $filename: String) {
  addApprovalDocument(input: {clientMutationId: $filename, requestUuid: $uuid,
    documentType: "LAB_RESULT", title: "Smear", filename: $filename, mime: "application/pdf",
    document: $document}) { status error } }"""
DOCUMENTS = """query ($uuid: String!) { approvalRequest(uuid: $uuid) {
  documents { uuid filename mime url } } }"""


@pytest.fixture
def scene(tenant, make_user):
    scene = make_claim_scene(tenant)
    scene.request = ApprovalRequest.objects.create(
        tenant=tenant, number="PA-1", insuree=scene.insuree, health_facility=scene.facility)
    scene.uploader = make_user([112001, 112010], username="uploader")
    scene.reader = make_user([112001], username="reader")
    return scene


def upload(gql, scene, filename="smear.pdf", content=PDF) -> ApprovalDocument:
    response = gql(ADD_DOCUMENT, {"uuid": str(scene.request.uuid), "filename": filename,
                                  "document": base64.b64encode(content).decode()},
                   user=scene.uploader)
    assert response.data["addApprovalDocument"]["status"] == 2, response.data
    return ApprovalDocument.objects.get(request=scene.request, filename=filename)


def download(reference, user=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"JWT {get_token(user)}"} if user is not None else {}
    return Client().get("/api/approval/document", {"uuid": reference, **params}, **headers)


@pytest.mark.parametrize("root", ["database", "disk"])
def test_a_reader_downloads_the_stored_file_under_its_name_and_type(gql, scene, settings,
                                                                   tmp_path, root):
    settings.CLAIM_ATTACHMENTS_ROOT = str(tmp_path) if root == "disk" else ""
    document = upload(gql, scene)
    assert bool(document.storage_path) is (root == "disk")

    response = download(str(document.uuid), scene.reader)

    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="smear.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_the_graphql_list_names_the_download_url(gql, scene, settings):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    document = upload(gql, scene)

    shown = gql(DOCUMENTS, {"uuid": str(scene.request.uuid)}, user=scene.reader)

    url = f"/api/approval/document?uuid={document.uuid}"
    assert shown.data["approvalRequest"]["documents"] == [
        {"uuid": str(document.uuid), "filename": "smear.pdf", "mime": "application/pdf",
         "url": url}]
    headers = {"HTTP_AUTHORIZATION": f"JWT {get_token(scene.reader)}"}
    assert Client().get(url, **headers).content == PDF


def test_the_jwt_cookie_is_enough(gql, scene, settings):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    document = upload(gql, scene)
    client = Client()
    client.cookies["JWT"] = get_token(scene.reader)

    response = client.get("/api/approval/document", {"uuid": str(document.uuid)})

    assert (response.status_code, response.content) == (200, PDF)


def test_any_filename_gives_a_header_that_cannot_be_split(scene):
    stored = ApprovalDocument.objects.create(
        request=scene.request, document_type="LETTER", filename='rés"ult\r\nX-Evil: 1/../检查.pdf',
        mime="application/pdf", size=len(PDF), sha256="0" * 64, content=PDF)

    header = download(str(stored.uuid), scene.reader)["Content-Disposition"]

    assert not {"\r", "\n"} & set(header)
    assert header == ('attachment; filename="res_ultX-Evil: 1_..___.pdf"; '
                      "filename*=UTF-8''r%C3%A9s%22ultX-Evil%3A%201_.._%E6%A3%80%E6%9F%A5.pdf")


def test_a_document_without_a_name_is_named_after_its_uuid(scene):
    stored = ApprovalDocument.objects.create(
        request=scene.request, document_type="LETTER", mime="text/plain", size=2,
        sha256="0" * 64, content=b"ok")

    response = download(str(stored.uuid), scene.reader)

    assert response["Content-Disposition"] == f'attachment; filename="document-{stored.uuid}"'
    assert response["Content-Type"] == "text/plain"


def test_refusals_name_no_document(gql, scene, settings, make_user):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    document = upload(gql, scene)

    assert download(str(document.uuid)).status_code == 401
    assert download(str(document.uuid), make_user([112010], username="no-query")
                    ).status_code == 403
    assert download("not-a-uuid", scene.reader).status_code == 404


def test_another_facility_and_another_tenant_get_404(gql, scene, settings, make_user,
                                                     tenant, other_tenant):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    document = upload(gql, scene)
    elsewhere = make_user(list(range(112001, 112014)), username="clerk-hf2")
    elsewhere.health_facility = make_facility(tenant, code="HF2")
    elsewhere.save(update_fields=["health_facility"])
    foreign = make_user(list(range(112001, 112014)), tenant=other_tenant, username="foreign")
    at_home = make_user([112001], username="clerk-hf1")
    at_home.health_facility = scene.facility
    at_home.save(update_fields=["health_facility"])

    assert download(str(document.uuid), elsewhere).status_code == 404
    assert download(str(document.uuid), foreign).status_code == 404
    assert download(str(document.pk), foreign).status_code == 404
    assert download(str(document.uuid), at_home).status_code == 200


def test_a_deleted_document_or_a_missing_file_is_404(gql, scene, settings, tmp_path):
    settings.CLAIM_ATTACHMENTS_ROOT = str(tmp_path)
    kept, deleted = upload(gql, scene, "kept.pdf"), upload(gql, scene, "gone.pdf", PDF + b" ")
    ApprovalDocument.objects.filter(pk=deleted.pk).update(validity_to="2025-01-01T00:00Z")
    (tmp_path / kept.storage_path).unlink()

    assert download(str(deleted.uuid), scene.reader).status_code == 404
    assert download(str(kept.uuid), scene.reader).status_code == 404


def test_the_right_is_read_from_module_configuration(gql, scene, settings):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    document = upload(gql, scene)
    ModuleConfiguration.objects.create(
        module="approval", layer="be",
        config={"gql_query_approval_documents_perms": ["112001", "112010"]})

    assert download(str(document.uuid), scene.reader).status_code == 403
    assert download(str(document.uuid), scene.uploader).status_code == 200


def test_another_tenant_with_the_same_scene_is_not_confused(scene, other_tenant, make_user):
    other = make_claim_scene(other_tenant)
    theirs = ApprovalRequest.objects.create(tenant=other_tenant, number="PA-1",
                                            insuree=other.insuree, health_facility=other.facility)
    document = ApprovalDocument.objects.create(
        request=theirs, document_type="LETTER", filename="theirs.pdf", mime="application/pdf",
        size=len(PDF), sha256="0" * 64, content=PDF)
    theirs_reader = make_user([112001], tenant=other_tenant, username="their-reader")

    assert download(str(document.uuid), scene.reader).status_code == 404
    assert download(str(document.uuid), theirs_reader).status_code == 200


def test_listing_urls_reads_no_document_content(gql, scene, settings):
    settings.CLAIM_ATTACHMENTS_ROOT = ""
    upload(gql, scene)
    query = """{ approvalRequests(number: "PA-1", first: 5) { edges {
      node { uuid documents { url filename uploadedBy { username } } } } } }"""

    with CaptureQueriesContext(connection) as queries:
        shown = gql(query, user=scene.reader)

    assert shown.errors == []
    assert shown.data["approvalRequests"]["edges"][0]["node"]["documents"][0]["url"]
    documents = [q["sql"] for q in queries if "approval_approvaldocument" in q["sql"]]
    assert len(documents) == 1
    assert "content" not in documents[0]
