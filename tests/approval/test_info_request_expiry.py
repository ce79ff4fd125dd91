"""An information request whose deadline passes is settled as the module setting
`info_request_expiry` says: denied with the configured code and reason, or flagged back to a
reviewer; by the hourly job (as SCHEDULED_TASK_USER) and its command twin, once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from core.models import ModuleConfiguration
from openimis_approval.codes import ApprovalStatus, LineDecision
from openimis_approval.models import ApprovalLine, ApprovalRequest, ApprovalStatusHistory
from openimis_approval.services import request_info, supply_info
from openimis_approval.tasks import expire_info_requests
from tests.approval.test_tasks import new_request, state
from tests.factories import make_claim_scene

S = ApprovalStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(tenant, make_user, settings):
    scene = make_claim_scene(tenant)
    scene.job_user = make_user(superuser=True, tenant=None, username="night-job")
    settings.SCHEDULED_TASK_USER = "night-job"
    return scene


def asked(scene, number, due_in: timedelta) -> ApprovalRequest:
    request = new_request(scene, number, S.INFO_REQUESTED,
                          due_at=timezone.now() + timedelta(days=3),
                          info_due_at=timezone.now() + due_in)
    ApprovalLine.objects.create(request=request, item=scene.item, qty_requested=Decimal("4"),
                                price_requested=Decimal("2.50"))
    return request


def configure(**values) -> None:
    ModuleConfiguration.objects.create(module="approval", layer="be", config=values)


def test_asking_for_information_sets_its_deadline_and_supplying_it_clears_it(scene):
    request = new_request(scene, "PA-1", S.UNDER_REVIEW)
    ApprovalLine.objects.create(request=request, item=scene.item, qty_requested=Decimal("1"),
                                price_requested=Decimal("2.50"))
    before = timezone.now()

    request_info(scene.job_user, str(request.uuid), "Send the smear")
    request.refresh_from_db()
    assert before + timedelta(days=14) <= request.info_due_at <= \
        timezone.now() + timedelta(days=14)

    supply_info(scene.job_user, str(request.uuid), "Smear attached")
    request.refresh_from_db()
    assert (request.status, request.info_due_at) == (S.UNDER_REVIEW, None)


def test_by_default_a_request_past_its_information_deadline_is_denied_once(scene):
    late = asked(scene, "PA-LATE", -timedelta(minutes=1))
    asked(scene, "PA-SOON", timedelta(hours=1))

    first = expire_info_requests.delay().get()
    after_first = state()
    second = expire_info_requests.delay().get()

    assert (first, second) == (1, 0)
    assert state() == after_first
    late.refresh_from_db()
    assert (late.status, late.denial_code, late.denial_reason, late.info_due_at) == (
        S.DENIED, "INFO_NOT_SUPPLIED",
        "The information requested was not supplied by its deadline", None)
    assert late.decided_by.username == "night-job"
    assert list(late.lines.values_list("qty_approved", "decision")) == [
        (Decimal("0"), LineDecision.DENIED)]
    history = ApprovalStatusHistory.objects.get(request=late)
    assert (history.from_status, history.to_status, history.user.username) == (
        S.INFO_REQUESTED, S.DENIED, "night-job")
    assert history.reason.startswith("information not supplied by ")
    assert ApprovalRequest.objects.get(number="PA-SOON").status == S.INFO_REQUESTED


def test_the_denial_code_and_reason_come_from_the_configuration(scene):
    configure(info_expiry_denial_code="N9", info_expiry_denial_reason="No answer from you")
    late = asked(scene, "PA-LATE", -timedelta(minutes=1))

    expire_info_requests.delay().get()

    late.refresh_from_db()
    assert (late.status, late.denial_code, late.denial_reason) == (
        S.DENIED, "N9", "No answer from you")


def test_flag_puts_the_request_back_before_a_reviewer_once(scene):
    configure(info_request_expiry="flag")
    late = asked(scene, "PA-LATE", -timedelta(minutes=1))

    first = expire_info_requests.delay().get()
    after_first = state()
    second = expire_info_requests.delay().get()

    assert (first, second) == (1, 0)
    assert state() == after_first
    late.refresh_from_db()
    assert (late.status, late.denial_code, late.info_due_at, late.decided_at) == (
        S.UNDER_REVIEW, "", None, None)
    assert list(late.lines.values_list("decision", flat=True)) == [""]
    history = ApprovalStatusHistory.objects.get(request=late)
    assert (history.to_status, history.user.username) == (S.UNDER_REVIEW, "night-job")
    assert history.reason.endswith(": flagged for review")


def test_an_unknown_outcome_fails_loudly_and_changes_nothing(scene):
    configure(info_request_expiry="forget")
    asked(scene, "PA-LATE", -timedelta(minutes=1))
    before = state()

    with pytest.raises(ImproperlyConfigured, match="info_request_expiry is 'forget'"):
        expire_info_requests.delay().get()

    assert state() == before


def test_the_command_does_the_jobs_work(scene):
    asked(scene, "PA-LATE", -timedelta(minutes=1))
    out = StringIO()

    call_command("expire_info_requests", "--user", "night-job", stdout=out)
    call_command("expire_info_requests", "--user", "night-job", stdout=out)

    assert out.getvalue() == ("1 information requests past their deadline settled\n"
                              "0 information requests past their deadline settled\n")
    assert ApprovalRequest.objects.get(number="PA-LATE").status == S.DENIED


def test_a_tenant_user_settles_only_its_tenants_requests(scene, make_user, other_tenant,
                                                          settings):
    asked(scene, "PA-LATE", -timedelta(minutes=1))
    make_user(superuser=True, username="t2-job", tenant=other_tenant)
    settings.SCHEDULED_TASK_USER = "t2-job"

    assert expire_info_requests.delay().get() == 0
    assert ApprovalRequest.objects.get(number="PA-LATE").status == S.INFO_REQUESTED
