"""The approval module's scheduled jobs, run as beat sends them (in-process without a broker):
each does its command's work as SCHEDULED_TASK_USER, and a second run changes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from openimis_approval.codes import ApprovalStatus
from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalRequest,
    ApprovalStatusHistory,
)
from openimis_approval.tasks import expire_approvals, report_deadlines
from tests.factories import make_claim_scene

S = ApprovalStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(tenant, make_user, settings):
    scene = make_claim_scene(tenant)
    scene.job_user = make_user(superuser=True, tenant=None, username="night-job")
    settings.SCHEDULED_TASK_USER = "night-job"
    return scene


def new_request(scene, number, status, **fields) -> ApprovalRequest:
    return ApprovalRequest.objects.create(
        tenant=scene.facility.tenant, number=number, status=status, insuree=scene.insuree,
        health_facility=scene.facility, **fields)


def state() -> list[tuple]:
    """Everything a job could write: each request's status and version, and the history."""
    return [*ApprovalRequest.objects.order_by("pk").values_list("number", "status", "version"),
            *ApprovalStatusHistory.objects.order_by("pk").values_list(
                "request__number", "from_status", "to_status", "user__username")]


def test_expiring_approvals_moves_the_expired_once_as_the_scheduled_user(scene):
    today = timezone.localdate()
    new_request(scene, "PA-OLD", S.APPROVED, expiration_date=today - timedelta(days=1))
    new_request(scene, "PA-NOW", S.APPROVED, expiration_date=today)
    new_request(scene, "PA-APL", S.APPEAL_APPROVED, expiration_date=today - timedelta(days=9))

    first = expire_approvals.delay().get()
    after_first = state()
    second = expire_approvals.delay().get()

    assert (first, second) == (2, 0)
    assert dict(ApprovalRequest.objects.values_list("number", "status")) == {
        "PA-OLD": S.EXPIRED, "PA-NOW": S.APPROVED, "PA-APL": S.EXPIRED}
    assert set(ApprovalStatusHistory.objects.values_list(
        "request__number", "to_status", "user__username")) == {
        ("PA-OLD", S.EXPIRED, "night-job"), ("PA-APL", S.EXPIRED, "night-job")}
    assert state() == after_first


def test_deadlines_counts_overdue_decisions_and_follow_ups_per_tenant_and_writes_nothing(
        scene, make_user, other_tenant):
    now = timezone.now()
    new_request(scene, "PA-LATE", S.UNDER_REVIEW, due_at=now - timedelta(hours=2))
    new_request(scene, "PA-EXT", S.SUBMITTED, due_at=now - timedelta(hours=2),
                extended_due_at=now + timedelta(days=3))
    new_request(scene, "PA-SOON", S.SUBMITTED, due_at=now + timedelta(hours=1))
    new_request(scene, "PA-DONE", S.APPROVED, due_at=now - timedelta(days=2))
    asked = new_request(scene, "PA-ASK", S.INFO_REQUESTED, due_at=now + timedelta(days=1))
    ApprovalCommunication.objects.create(request=asked, communication_type="PHONE",
                                         subject="Smear", follow_up_required=True,
                                         follow_up_date=timezone.localdate() - timedelta(days=1))
    other = make_claim_scene(other_tenant)
    ApprovalRequest.objects.create(tenant=other_tenant, number="PA-T2", status=S.SUBMITTED,
                                   insuree=other.insuree, health_facility=other.facility,
                                   due_at=now - timedelta(minutes=5))
    before = state()

    first = report_deadlines.delay().get()
    second = report_deadlines.delay().get()

    assert first == second == [
        {"tenant": "T1", "overdue_decisions": 1, "follow_ups_due": 1},
        {"tenant": "T2", "overdue_decisions": 1, "follow_ups_due": 0},
    ]
    assert state() == before


def test_deadlines_reach_only_the_tenant_of_a_tenant_user(scene, make_user, other_tenant,
                                                          settings):
    new_request(scene, "PA-LATE", S.SUBMITTED, due_at=timezone.now() - timedelta(hours=2))
    make_user(superuser=True, username="t2-job", tenant=other_tenant)
    settings.SCHEDULED_TASK_USER = "t2-job"

    assert report_deadlines.delay().get() == []


def test_the_deadlines_command_prints_the_jobs_counts(scene):
    new_request(scene, "PA-LATE", S.SUBMITTED, due_at=timezone.now() - timedelta(hours=2))
    out = StringIO()

    call_command("approval_deadlines", "--user", "night-job", stdout=out)

    assert out.getvalue() == "T1: 1 decisions overdue, 0 follow-ups due\n"
