"""The approval letter: authorization, approved quantities and validity, or the denial and the
appeal rights; rights and tenants (GET /api/approval/print/?uuid=)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from graphql_jwt.shortcuts import get_token

from openimis_approval.models import ApprovalLine, ApprovalRequest
from openimis_approval.services import decide_request
from tests.factories import make_claim_scene
from tests.reports.test_claim_print import pdf_text

pytestmark = pytest.mark.django_db

PRINT_RIGHT = 112012


@pytest.fixture
def scene(tenant, make_user):
    scene = make_claim_scene(tenant)
    scene.officer = make_user(list(range(112001, 112014)), username="pa-officer")
    return scene


def submitted(scene, number="PA-2025-000007"):
    now = timezone.now()
    request = ApprovalRequest.objects.create(
        tenant=scene.facility.tenant, number=number, status="SUBMITTED", priority="URGENT",
        insuree=scene.insuree, health_facility=scene.facility, icd=scene.diagnosis,
        service_start_date=date(2025, 3, 10), submitted_at=now - timedelta(hours=5),
        due_at=now + timedelta(hours=67))
    request.item_line = ApprovalLine.objects.create(
        request=request, item=scene.item, qty_requested=Decimal("10"),
        price_requested=Decimal("2.50"))
    request.service_line = ApprovalLine.objects.create(
        request=request, service=scene.service, qty_requested=Decimal("2"),
        price_requested=Decimal("10.00"))
    return request


def get(client, request, user=None):
    headers = {"HTTP_AUTHORIZATION": f"JWT {get_token(user)}"} if user else {}
    return client.get(f"/api/approval/print/?uuid={request.uuid}", **headers)


def test_a_partial_approval_shows_the_authorization_quantities_and_validity(
        client, scene, make_user):
    request = submitted(scene)
    decide_request(scene.officer, {
        "uuid": str(request.uuid), "decision": "PARTIAL",
        "lines": [{"id": request.item_line.pk, "qty_approved": "6",
                   "reason": "Six tablets suffice"},
                  {"id": request.service_line.pk}],
        "effective_date": date(2025, 3, 10), "expiration_date": date(2025, 4, 9),
        "authorization_number": "AUTH-77"})

    response = get(client, request, make_user([PRINT_RIGHT], username="printer"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="approval-PA-2025-000007.pdf"'
    text = pdf_text(response)
    assert "Pre-authorization approval AUTH-77" in text
    assert "111111111" in text  # the insuree
    assert "HF1" in text
    assert "AMOX Amoxicillin 250 mg 10 6 2.50 partial (A2): Six tablets suffice" in text
    assert "CONS Consultation 2 2 10.00 approved (A1)" in text
    assert "from 2025-03-10 to 2025-04-09" in text
    assert "35.00" in text  # 6 x 2.50 + 2 x 10.00
    # A partial approval may be appealed.
    assert "2 of 2 appeal levels remain" in text


def test_a_full_approval_has_no_appeal_section(client, scene, make_user):
    request = submitted(scene)
    decide_request(scene.officer, {"uuid": str(request.uuid), "decision": "APPROVE"})

    text = pdf_text(get(client, request, make_user([PRINT_RIGHT], username="printer")))

    assert "Pre-authorization approval AUTH-2025-000007" in text
    assert "CONS Consultation 2 2 10.00 approved" in text
    assert "appeal" not in text.lower()


def test_a_denial_shows_the_reason_the_code_and_the_appeal_rights(client, scene, make_user):
    request = submitted(scene)
    decide_request(scene.officer, {"uuid": str(request.uuid), "decision": "DENY",
                                   "denial_reason": "No smear result was given",
                                   "denial_code": "N-DOC"})
    request.refresh_from_db()
    request.appeal_level = 1  # one appeal used already
    request.save()

    response = get(client, request, make_user([PRINT_RIGHT], username="printer"))

    assert response.status_code == 200
    text = pdf_text(response)
    assert "Pre-authorization denial, request PA-2025-000007" in text
    assert "Denial code N-DOC" in text
    assert "Reason No smear result was given" in text
    assert "1 of 2 appeal levels remains" in text
    assert "submit an appeal on request PA-2025-000007" in text
    assert "AUTH-" not in text


def test_a_denial_without_appeal_levels_left_is_final(client, scene, make_user):
    request = submitted(scene)
    decide_request(scene.officer, {"uuid": str(request.uuid), "decision": "DENY",
                                   "denial_reason": "Not covered", "denial_code": "NC"})
    ApprovalRequest.objects.filter(pk=request.pk).update(status="APPEAL_DENIED", appeal_level=2,
                                                         appeal_decision_reason="Upheld")

    text = pdf_text(get(client, request, make_user([PRINT_RIGHT], username="printer")))

    assert "Appeal decision Upheld" in text
    assert "All 2 appeal levels have been used; this decision is final." in text


def test_a_request_without_a_decision_is_a_clear_400(client, scene, make_user):
    request = submitted(scene)

    response = get(client, request, make_user([PRINT_RIGHT], username="printer"))

    assert response.status_code == 400
    assert response.json() == {"detail": "Approval request PA-2025-000007 is SUBMITTED; there "
                                         "is no decision to print"}


def test_anonymous_is_401_without_the_right_403_and_another_tenant_404(
        client, scene, make_user, other_tenant):
    request = submitted(scene)
    decide_request(scene.officer, {"uuid": str(request.uuid), "decision": "APPROVE"})

    assert get(client, request).status_code == 401
    assert get(client, request, make_user([112001, 111006], username="no-print")).status_code \
        == 403
    stranger = make_user([PRINT_RIGHT], username="stranger", tenant=other_tenant)
    assert get(client, request, stranger).status_code == 404
    printer = make_user([PRINT_RIGHT], username="printer")
    assert client.get("/api/approval/print/?uuid=not-a-uuid",
                      HTTP_AUTHORIZATION=f"JWT {get_token(printer)}").status_code == 404
