"""The framework's scheduled jobs (celery beat, `CELERY_BEAT_SCHEDULE` in settings), and the
acting user every module's jobs share.

A job only calls the service its management command calls: the task queue is one more entry
point, like GraphQL or the admin, never a second implementation. Tasks are acknowledged after
they ran (settings), so a worker lost mid-task gets the task run again: each job is idempotent.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.models import User
from core.tokens import prune_refresh_tokens as prune_refresh_token_rows

logger = logging.getLogger(__name__)


def scheduled_task_user() -> User:
    """The user scheduled jobs act as (SCHEDULED_TASK_USER): history rows need one, as for the
    same job run by hand with `--user`. Missing or unusable, the job fails loudly, in the
    worker's log and the task's result, rather than writing history by nobody."""
    username = settings.SCHEDULED_TASK_USER
    if not username:
        raise ImproperlyConfigured(
            "SCHEDULED_TASK_USER is not set: scheduled jobs need a username to act as "
            "(a platform user without a tenant reaches every tenant)."
        )
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ImproperlyConfigured(
            f"SCHEDULED_TASK_USER names {username!r}, which is no active user."
        )
    return user


@shared_task(name="core.prune_refresh_tokens")
def prune_refresh_tokens() -> int:
    """Daily: revoked and expired refresh tokens deleted (`manage.py cleartokens --expired`)."""
    deleted = prune_refresh_token_rows()
    logger.info("%d revoked or expired refresh tokens deleted", deleted)
    return deleted
