"""The approval admin: a request's documents (with a download link) and communications shown
read-only on its page; templates listed with their use, at a constant query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalDocument,
    ApprovalRequest,
    ApprovalTemplate,
)
from tests.factories import make_claim_scene

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% SECRET-CONTENT\n%%EOF\n"


@pytest.fixture
def staff(client, make_user):
    user = make_user(superuser=True, username="staff")
    user.is_staff = True
    user.save()
    client.force_login(user)
    return user


@pytest.fixture
def request_with_records(tenant):
    scene = make_claim_scene(tenant)
    request = ApprovalRequest.objects.create(
        tenant=tenant, number="PA-ADM-1", status="INFO_REQUESTED", insuree=scene.insuree,
        health_facility=scene.facility)
    live = ApprovalDocument.objects.create(
        request=request, document_type="LAB_RESULT", title="Blood smear", filename="smear.pdf",
        mime="application/pdf", size=len(PDF), sha256="0" * 64, content=PDF)
    gone = ApprovalDocument.objects.create(
        request=request, document_type="REFERRAL", title="Old referral", filename="ref.pdf",
        mime="application/pdf", size=len(PDF), sha256="1" * 64, content=PDF,
        validity_to="2025-03-02T10:00Z")
    ApprovalCommunication.objects.create(
        request=request, communication_type="PHONE", contact_person="Dr Mushi",
        subject="Smear count", outcome="Promised by fax")
    return request, live, gone


def test_a_request_page_shows_its_documents_and_communications(client, staff,
                                                               request_with_records):
    request, live, gone = request_with_records

    page = client.get(f"/admin/approval/approvalrequest/{request.pk}/change/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Blood smear" in html
    assert f'href="/api/approval/document?uuid={live.uuid}"' in html
    assert "Old referral" in html
    assert f"uuid={gone.uuid}" not in html  # deleted: listed, not offered
    assert "Smear count" in html
    assert "Promised by fax" in html
    assert "SECRET-CONTENT" not in html


def test_nothing_on_the_request_page_is_editable(client, staff, request_with_records):
    request, _live, _gone = request_with_records

    page = client.get(f"/admin/approval/approvalrequest/{request.pk}/change/")
    html = page.content.decode()

    for name in ('name="status"', 'name="documents-0-title"',
                 'name="communications-0-subject"', 'name="_save"'):
        assert name not in html
    posted = client.post(f"/admin/approval/approvalrequest/{request.pk}/change/",
                         {"status": "APPROVED"})
    assert posted.status_code == 403
    request.refresh_from_db()
    assert request.status == "INFO_REQUESTED"


def test_the_admin_link_downloads_with_the_admin_session(client, staff, request_with_records):
    _request, live, _gone = request_with_records

    response = client.get(f"/api/approval/document?uuid={live.uuid}")

    assert (response.status_code, response.content) == (200, PDF)


def templates(tenant, count: int) -> None:
    ApprovalTemplate.objects.bulk_create(
        ApprovalTemplate(tenant=tenant, name=f"Template {n:02}", request_type="LABORATORY",
                         usage_count=n * 3) for n in range(count))


def test_templates_are_listed_with_their_use_in_constant_queries(client, staff, tenant):
    templates(tenant, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/approval/approvaltemplate/").status_code == 200
    ApprovalTemplate.objects.all().delete()
    templates(tenant, 8)
    ApprovalTemplate.objects.create(tenant=tenant, name="Retired", usage_count=99,
                                    validity_to="2025-01-01T00:00Z")

    with CaptureQueriesContext(connection) as many:
        page = client.get("/admin/approval/approvaltemplate/")

    html = page.content.decode()
    assert len(many) == len(few)
    assert '<td class="field-usage_count">21</td>' in html
    assert html.index("Template 07") < html.index("Template 01")  # most used first
    assert "Retired" not in html


def test_a_template_is_shown_not_edited(client, staff, tenant):
    template = ApprovalTemplate.objects.create(tenant=tenant, name="Malaria", usage_count=4)

    posted = client.post(f"/admin/approval/approvaltemplate/{template.pk}/change/",
                         {"name": "Renamed", "usage_count": 0})

    assert posted.status_code == 403
    template.refresh_from_db()
    assert (template.name, template.usage_count) == ("Malaria", 4)
