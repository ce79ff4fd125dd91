"""The demo shows the order module in use: orders, requests made from them through the
helpers, templates, documents, communications, and decisions spread over hours and days."""

import statistics
from datetime import date

import pytest

from core.demo import DemoSize, seed_demo
from core.models import MutationLog, Tenant, User
from hospital_orders.demo import pdf, seed_orders
from hospital_orders.models import ImagingOrder, LaboratoryOrder
from openimis_approval import stats
from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalDocument,
    ApprovalRequest,
    ApprovalTemplate,
)
from openimis_approval.orders import order_types

pytestmark = pytest.mark.django_db

SIZE = DemoSize(insurees=200, facilities=6, claims=60, today=date(2026, 11, 1))


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    seed_demo(SIZE)
    return Tenant.objects.get(code="DEMO1")


def from_orders(tenant):
    return ApprovalRequest.objects.filter(tenant=tenant, order_type__app_label="hospital_orders")


def test_the_order_types_are_registered():
    assert {(t.key, t.label) for t in order_types()} >= {
        ("hospital_orders.laboratoryorder", "Laboratory order"),
        ("hospital_orders.imagingorder", "Imaging order")}


def test_both_tenants_get_orders_and_requests_made_from_them(demo):
    for code in ("DEMO1", "DEMO2"):
        tenant = Tenant.objects.get(code=code)
        assert ImagingOrder.objects.filter(tenant=tenant).exists()
        assert LaboratoryOrder.objects.filter(tenant=tenant).exists()
        assert from_orders(tenant).exists()


def test_requests_are_made_by_the_clerk_through_the_create_mutation(demo):
    clerk = User.objects.get(username="clerk")
    requests = from_orders(demo)

    assert set(requests.values_list("requesting_provider", flat=True)) == {clerk.pk}
    assert set(requests.values_list("health_facility", flat=True)) == {clerk.health_facility_id}
    logs = MutationLog.objects.filter(user=clerk, mutation="CreateApprovalRequestMutation",
                                      status=2)
    assert logs.count() == requests.count()
    for request in requests.exclude(status="CANCELLED"):
        assert request.order.approval_status == request.status or request.order.is_expired()
    for request in requests.filter(status="CANCELLED"):
        assert request.order.approval_status == "APPROVAL_REQUIRED"


def test_templates_documents_and_communications_are_in_use(demo):
    requests = from_orders(demo)

    assert sum(ApprovalTemplate.objects.filter(tenant=demo).values_list(
        "usage_count", flat=True)) > 0
    documents = ApprovalDocument.objects.filter(request__in=requests)
    assert {"text/plain", "application/pdf"} <= set(documents.values_list("mime", flat=True))
    kinds = set(ApprovalCommunication.objects.filter(request__in=requests).values_list(
        "communication_type", flat=True))
    assert kinds & {"PHONE", "EMAIL"}
    assert ApprovalCommunication.objects.filter(request__in=requests,
                                                follow_up_required=True).exists()


def test_decisions_take_hours_and_days_and_the_turnaround_shows_it(demo):
    requests = ApprovalRequest.objects.filter(tenant=demo, decided_at__isnull=False)
    hours = [(r.decided_at - r.submitted_at).total_seconds() / 3600 for r in requests
             if r.submitted_at]

    assert min(hours) > 0
    assert statistics.median(hours) > 1
    rows = stats.turnaround(ApprovalRequest.objects.filter(tenant=demo), date(2026, 9, 1),
                            date(2026, 11, 1))
    decided = [row for row in rows if row["decided"]]
    assert sum(row["decided"] for row in decided) > 10
    assert all(row["median_decision_hours"] > 0 for row in decided)
    assert any(row["late"] for row in decided)
    assert any(row["within"] for row in decided)
    for request in requests.filter(submitted_at__isnull=False)[:20]:
        stamps = list(request.history.values_list("at", flat=True))
        assert stamps == sorted(stamps)


def test_the_demo_orders_are_made_once(demo):
    before = ImagingOrder.objects.count(), ApprovalRequest.objects.count()

    assert seed_orders(demo, SIZE).total == 0
    assert (ImagingOrder.objects.count(), ApprovalRequest.objects.count()) == before


def test_the_demo_pdf_is_a_pdf():
    content = pdf(["Referral (urgent)", "Patient 123"])

    assert content.startswith(b"%PDF-1.4")
    assert content.rstrip().endswith(b"%%EOF")
    assert b"Referral \\(urgent\\)" in content
