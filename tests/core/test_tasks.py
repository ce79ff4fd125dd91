"""Scheduled work: the Celery app runs tasks in-process without a broker, beat's schedule
follows the loaded modules, scheduled jobs need SCHEDULED_TASK_USER, and pruning refresh
tokens deletes what `cleartokens --expired` deletes, once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from config import celery_app
from core.models import RefreshToken
from core.tasks import prune_refresh_tokens, scheduled_task_user
from tests.conftest import settings_in_subprocess


def test_without_a_broker_tasks_run_in_the_calling_process_and_raise_there():
    assert django_settings.CELERY_BROKER_URL is None
    assert celery_app.conf.task_always_eager is True
    assert celery_app.conf.task_eager_propagates is True


def test_the_app_reads_the_production_settings():
    conf = celery_app.conf

    assert (conf.task_acks_late, conf.task_reject_on_worker_lost,
            conf.worker_prefetch_multiplier) == (True, True, 1)
    assert conf.task_default_queue == "openimis"
    assert (conf.task_serializer, conf.result_serializer, conf.accept_content) == (
        "json", "json", ["json"])
    assert conf.broker_connection_timeout == 3
    assert conf.timezone == django_settings.TIME_ZONE


def test_every_scheduled_job_names_a_registered_task():
    celery_app.loader.import_default_modules()  # what a worker does: each app's tasks.py

    scheduled = {job["task"] for job in celery_app.conf.beat_schedule.values()}

    assert scheduled == {"core.prune_refresh_tokens", "openimis_approval.expire_approvals",
                         "openimis_approval.report_deadlines",
                         "openimis_approval.expire_info_requests", "reports.prune_report_outputs",
                         "api_fhir_r4.deliver_pending"}
    assert scheduled <= set(celery_app.tasks)


def test_a_module_left_out_takes_its_scheduled_jobs_with_it():
    jobs = settings_in_subprocess("sorted(s.CELERY_BEAT_SCHEDULE)",
                                  OPENIMIS_MODULES="openimis_claim,reports")

    assert jobs == "['prune-refresh-tokens', 'prune-report-outputs']"


def test_a_broker_turns_in_process_tasks_off_and_redis_keeps_results():
    values = settings_in_subprocess(
        "(hasattr(s, 'CELERY_TASK_ALWAYS_EAGER'), s.CELERY_RESULT_BACKEND)",
        CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        REDIS_URL="redis://127.0.0.1:6379/0")

    assert values == "(False, 'redis://127.0.0.1:6379/0')"


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["", "nobody"])
def test_scheduled_jobs_refuse_to_run_without_a_usable_acting_user(settings, username):
    settings.SCHEDULED_TASK_USER = username

    with pytest.raises(ImproperlyConfigured, match="SCHEDULED_TASK_USER"):
        scheduled_task_user()


@pytest.mark.django_db
def test_an_inactive_user_cannot_act_for_scheduled_jobs(settings, make_user):
    user = make_user(username="night-job")
    user.is_active = False
    user.save()
    settings.SCHEDULED_TASK_USER = "night-job"

    with pytest.raises(ImproperlyConfigured, match="no active user"):
        scheduled_task_user()


def tokens(user) -> dict[str, RefreshToken]:
    """A live token, a revoked one, one past the refresh lifetime, one just inside it."""
    rows = {name: RefreshToken.objects.create(user=user)
            for name in ("live", "revoked", "expired", "recent")}
    now = timezone.now()
    lifetime = django_settings.GRAPHQL_JWT["JWT_REFRESH_EXPIRATION_DELTA"]
    RefreshToken.objects.filter(pk=rows["revoked"].pk).update(revoked=now)
    RefreshToken.objects.filter(pk=rows["expired"].pk).update(
        created=now - lifetime - timedelta(minutes=1))
    RefreshToken.objects.filter(pk=rows["recent"].pk).update(
        created=now - lifetime + timedelta(minutes=5))
    return rows


def left(rows: dict[str, RefreshToken]) -> set[str]:
    kept = set(RefreshToken.objects.values_list("pk", flat=True))
    return {name for name, row in rows.items() if row.pk in kept}


@pytest.mark.django_db
def test_pruning_deletes_revoked_and_expired_refresh_tokens_once(make_user):
    rows = tokens(make_user())

    first = prune_refresh_tokens.delay().get()
    second = prune_refresh_tokens.delay().get()

    assert (first, second) == (2, 0)
    assert left(rows) == {"live", "recent"}


@pytest.mark.django_db
def test_pruning_deletes_what_cleartokens_expired_deletes(make_user):
    rows = tokens(make_user())
    with transaction.atomic():
        call_command("cleartokens", "--expired", stdout=StringIO())
        after_command = left(rows)
        transaction.set_rollback(True)

    prune_refresh_tokens.delay().get()

    assert left(rows) == after_command
