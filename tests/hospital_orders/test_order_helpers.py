"""Seed 001's order helpers on `ApprovableOrder`, shown on the hospital module's imaging order:
what needs approval, where the order stands, and making its request through the approval
module's own mutation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.codes import MutationStatus
from core.gql.errors import MutationError
from core.models import MutationLog
from core.registers.codes import PolicyStatus
from hospital_orders.models import ImagingOrder, ImagingOrderLine, LaboratoryOrder, Modality
from openimis_approval.codes import ApprovalStatus
from openimis_approval.models import ApprovalRequest, ApprovalTemplate
from openimis_approval.orders import OrderApprovalStatus
from tests.approval.test_workflow import ALL_APPROVAL_RIGHTS
from tests.factories import (
    make_claim_scene,
    make_family_with_insurees,
    make_pricelist_detail,
    make_service,
)
from tests.orderapp.models import LabOrder

pytestmark = pytest.mark.django_db

S = ApprovalStatus
TODAY = timezone.localdate()


@pytest.fixture
def scene(tenant, make_user):
    """The claim scene with a CT scan needing approval on the facility's list, a policy
    covering today, and an imaging order asking for the CT and a consultation."""
    scene = make_claim_scene(tenant)
    scene.policy.expiry_date = TODAY + timedelta(days=200)
    scene.policy.save()
    scene.insuree.insuree_policies.update(start_date=TODAY - timedelta(days=30),
                                          effective_date=TODAY - timedelta(days=30),
                                          expiry_date=TODAY + timedelta(days=200))
    scene.ct = make_service(tenant, code="CT01", name="CT scan, head", price=Decimal("160.00"),
                            requires_preauthorization=True)
    make_pricelist_detail(scene.facility.services_pricelist, scene.ct)
    scene.order = imaging_order(scene, [scene.ct, scene.service])
    scene.clerk = make_user([112001, 112002], username="order-clerk")
    return scene


def imaging_order(scene, services, number="IMG-1", **fields):
    order = ImagingOrder.objects.create(
        tenant=scene.facility.tenant, number=number, insuree=fields.pop("insuree", scene.insuree),
        health_facility=scene.facility, planned_date=TODAY, modality=Modality.CT,
        priority="URGENT", icd=scene.diagnosis, clinical_indication="Head injury, vomiting",
        **fields)
    for service in services:
        ImagingOrderLine.objects.create(order=order, service=service)
    return order


def grant(request, *, status=S.APPROVED, expires=TODAY + timedelta(days=30)):
    """A decision as the reviewer's mutation leaves it (the workflow has its own tests)."""
    request.status, request.effective_date, request.expiration_date = status, TODAY, expires
    request.decided_at = timezone.now()
    request.save()
    return request


def test_an_order_asking_for_a_service_needing_approval_requires_it(scene):
    assert scene.order.requires_approval() is True
    assert scene.order.approval_status == OrderApprovalStatus.APPROVAL_REQUIRED


def test_an_order_of_services_needing_no_approval_does_not_require_it(scene):
    order = imaging_order(scene, [scene.service], number="IMG-2")

    assert order.requires_approval() is False
    assert order.approval_status == OrderApprovalStatus.NOT_REQUIRED


def test_an_uninsured_patient_needs_no_request_and_shows_no_insurance(scene):
    _family, (uninsured,) = make_family_with_insurees(scene.facility.tenant,
                                                     head={"chf_id": "222222222"})
    order = imaging_order(scene, [scene.ct], number="IMG-3", insuree=uninsured)

    assert order.requires_approval() is False
    assert order.approval_status == OrderApprovalStatus.NO_INSURANCE


def test_a_suspended_policy_is_no_coverage(scene):
    scene.policy.status = PolicyStatus.SUSPENDED
    scene.policy.save()

    assert scene.order.requires_approval() is False
    assert scene.order.approval_status == OrderApprovalStatus.NO_INSURANCE


def test_an_order_without_lines_requires_nothing(scene):
    order = LabOrder.objects.create(tenant=scene.facility.tenant, insuree=scene.insuree,
                                    test_code="MAL-SMEAR")

    assert order.requires_approval() is False
    assert order.approval_status == OrderApprovalStatus.NOT_REQUIRED


def test_create_approval_request_runs_the_create_mutation_for_the_order(scene):
    request = scene.order.create_approval_request(scene.clerk)

    assert request.status == S.DRAFT
    assert (request.order, request.insuree, request.health_facility) == (
        scene.order, scene.insuree, scene.facility)
    assert (request.request_type, request.priority, request.icd) == (
        "RADIOLOGY", "URGENT", scene.diagnosis)
    assert request.service_start_date == TODAY
    assert request.clinical_justification == "Head injury, vomiting"
    assert request.service_description == "IMG-1: CT scan, head, Consultation"
    assert [(ln.service, ln.qty_requested, ln.price_requested) for ln in request.lines.all()] \
        == [(scene.ct, Decimal("1.00"), Decimal("160.00"))]  # only what needs approval
    assert request.requesting_provider == scene.clerk
    assert list(request.history.values_list("to_status", "user")) == [(S.DRAFT, scene.clerk.pk)]
    log = MutationLog.objects.get(user=scene.clerk)
    assert (log.mutation, log.status, log.autogenerated_code) == (
        "CreateApprovalRequestMutation", MutationStatus.SUCCESS, request.number)
    assert scene.order.approval_status == S.DRAFT


def test_the_callers_fields_take_precedence_and_a_template_fills_the_rest(scene):
    template = ApprovalTemplate.objects.create(
        tenant=scene.facility.tenant, name="CT head", request_type="RADIOLOGY",
        service_description="CT of the head after trauma", priority="STAT")

    request = scene.order.create_approval_request(
        scene.clerk, template_id=str(template.uuid), priority="EMERGENCY")

    assert (request.priority, request.service_description) == (
        "EMERGENCY", "CT of the head after trauma")
    assert request.lines.get().service == scene.ct
    template.refresh_from_db()
    assert template.usage_count == 1


def test_a_user_without_the_create_right_is_refused_and_nothing_is_made(scene, make_user):
    viewer = make_user([112001], username="viewer")

    with pytest.raises(PermissionDenied):
        scene.order.create_approval_request(viewer)

    assert not ApprovalRequest.objects.exists()
    assert not MutationLog.objects.exists()


def test_another_tenants_order_is_refused(scene, other_tenant, make_user):
    outsider = make_user(ALL_APPROVAL_RIGHTS, tenant=other_tenant, username="outsider")

    with pytest.raises(MutationError) as refused:
        scene.order.create_approval_request(outsider)

    assert refused.value.errors[0]["code"] == "not_found"
    assert not ApprovalRequest.objects.exists()
    assert MutationLog.objects.get(user=outsider).status == MutationStatus.ERROR


def test_another_facilitys_user_is_refused(scene, make_user):
    from tests.factories import make_facility

    elsewhere = make_user([112001, 112002], username="elsewhere")
    elsewhere.health_facility = make_facility(scene.facility.tenant, code="HF9")
    elsewhere.save()

    with pytest.raises(MutationError):
        scene.order.create_approval_request(elsewhere)

    assert not ApprovalRequest.objects.exists()


def test_an_unregistered_order_model_is_refused(scene, monkeypatch):
    from openimis_approval import order_types

    monkeypatch.delitem(order_types._ORDER_TYPES, "hospital_orders.imagingorder")

    with pytest.raises(MutationError) as refused:
        scene.order.create_approval_request(scene.clerk)

    assert refused.value.errors[0]["code"] == "invalid_order"


def test_the_status_follows_the_newest_request_until_one_is_granted(scene):
    first = scene.order.create_approval_request(scene.clerk)
    first.status = S.DENIED
    first.save()
    assert scene.order.approval_status == S.DENIED

    second = grant(scene.order.create_approval_request(scene.clerk))

    assert scene.order.approval_status == S.APPROVED
    assert scene.order.get_active_approval() == second
    assert scene.order.has_valid_approval() is True


def test_a_cancelled_request_leaves_the_order_needing_approval(scene):
    request = scene.order.create_approval_request(scene.clerk)
    request.status = S.CANCELLED
    request.save()

    assert scene.order.approval_status == OrderApprovalStatus.APPROVAL_REQUIRED


def test_an_order_is_expired_once_its_approval_has_run_out(scene):
    request = grant(scene.order.create_approval_request(scene.clerk),
                    expires=TODAY + timedelta(days=5))
    later = TODAY + timedelta(days=6)

    assert scene.order.is_expired() is False
    assert scene.order.is_expired(later) is True
    assert scene.order.has_valid_approval(later) is False

    request.status = S.EXPIRED
    request.save()
    assert scene.order.is_expired() is True
    assert scene.order.approval_status == OrderApprovalStatus.APPROVAL_REQUIRED


def test_an_order_never_approved_is_not_expired(scene):
    scene.order.create_approval_request(scene.clerk)

    assert scene.order.is_expired() is False


def test_a_laboratory_order_is_registered_and_reads_its_lines(scene):
    order = LaboratoryOrder.objects.create(
        tenant=scene.facility.tenant, number="LAB-1", insuree=scene.insuree,
        health_facility=scene.facility, planned_date=date(2025, 3, 10))
    order.lines.create(item=scene.item, quantity=Decimal("2"))

    assert [(line.item, line.quantity) for line in order.order_lines()] == [
        (scene.item, Decimal("2.00"))]
    assert order.requires_approval() is False
