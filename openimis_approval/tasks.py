"""The pre-authorization module's scheduled jobs (celery beat; `SCHEDULED_JOBS` in settings).
Each calls the service its management command calls, as SCHEDULED_TASK_USER, and is idempotent:
a task run twice (a worker lost before acknowledging it) changes nothing the second time."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.db import transaction

from core.tasks import scheduled_task_user
from openimis_approval import services

logger = logging.getLogger(__name__)


@shared_task(name="openimis_approval.expire_approvals")
def expire_approvals() -> int:
    """Daily, after midnight: granted approvals past their expiration date become EXPIRED
    (`manage.py expire_approvals`). A day missed is caught up the next: the rule is a date."""
    with transaction.atomic():
        expired = services.expire_approvals(scheduled_task_user())
    logger.info("%d approvals expired", expired)
    return expired


@shared_task(name="openimis_approval.report_deadlines")
def report_deadlines() -> list[dict[str, Any]]:
    """Hourly: per tenant, decisions overdue and follow-ups due, in the worker's log
    (`manage.py approval_deadlines`). Read only: the module shows both from live data."""
    counts = services.deadlines_passed(scheduled_task_user())
    for row in counts:
        if row.overdue_decisions or row.follow_ups_due:
            logger.warning("%s: %d approval decisions overdue, %d follow-ups due", row.tenant,
                           row.overdue_decisions, row.follow_ups_due)
    return [asdict(row) for row in counts]


@shared_task(name="openimis_approval.expire_info_requests")
def expire_info_requests() -> int:
    """Hourly: information requests past their deadline are denied or flagged for review, as
    the setting `info_request_expiry` says (`manage.py expire_info_requests`). Idempotent: a
    request settled leaves INFO_REQUESTED."""
    with transaction.atomic():
        settled = services.expire_info_requests(scheduled_task_user())
    logger.info("%d information requests past their deadline settled", settled)
    return settled
