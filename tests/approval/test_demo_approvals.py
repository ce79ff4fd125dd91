"""Demo pre-authorization requests: every status, made by the real services, once."""

from datetime import date

import pytest

from core.demo import DemoSize, seed_demo
from core.models import Tenant
from openimis_approval.codes import ApprovalStatus
from openimis_approval.demo import seed_approvals
from openimis_approval.models import ApprovalRequest

pytestmark = pytest.mark.django_db


def test_demo_requests_cover_every_status_and_are_not_added_twice(settings):
    settings.DEBUG = True
    size = DemoSize(insurees=200, facilities=6, claims=20, today=date(2026, 11, 1))

    seed_demo(size)

    first = Tenant.objects.get(code="DEMO1")
    statuses = set(ApprovalRequest.objects.filter(tenant=first).values_list("status",
                                                                            flat=True))
    assert statuses == set(ApprovalStatus.values)
    assert all(r.history.exists() for r in ApprovalRequest.objects.filter(tenant=first))
    before = ApprovalRequest.objects.count()
    assert seed_approvals(first, size).total == 0
    assert ApprovalRequest.objects.count() == before
