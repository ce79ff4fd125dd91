"""Bulk mutations through real Celery workers on the local RabbitMQ and PostgreSQL: the same
results as the synchronous path, nothing lost or done twice when a worker is killed in the
middle of a piece, and a clear failure when the broker cannot be reached.

The workers are separate processes (`celery -A config worker`) on the test database, so these
tests commit their data (`transaction=True`) and run on PostgreSQL only (SQLite's test database
lives in this process's memory).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.test import override_settings

from bench.workers import BROKER, Worker, finished, use_broker
from config.celery import app as celery_app
from core.codes import MutationStatus
from core.models import MutationLog, Role, RoleRight, Tenant, User
from core.registers.seeding import seed_registers
from openimis_claim.codes import ClaimStatus
from openimis_claim.gql.mutations import ProcessClaimsMutation, SubmitClaimsMutation
from openimis_claim.models import Claim, ClaimDedRem, ClaimStatusHistory
from tests.factories import ALL_CLAIM_RIGHTS

TODAY = date(2026, 11, 1)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="workers need a database another process can open"),
    pytest.mark.django_db(transaction=True),
]


def _broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write(BROKER) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        return True
    except Exception:
        return False


@pytest.fixture
def queue(settings) -> Iterator[str]:
    """This test's own queue on the broker, and the broker turned on for the mutations."""
    if not _broker_reachable():
        if os.environ.get("EXPECT_DATABASE_VENDOR") == "postgresql":
            pytest.fail(f"RabbitMQ is not reachable at {BROKER}: failing, not skipping")
        pytest.skip("RabbitMQ is not reachable")
    name = f"test-bulk-{uuid.uuid4().hex[:8]}"
    # Read first: Celery loads its configuration from the settings on first use.
    saved = {key: celery_app.conf[key] for key in
             ("broker_url", "task_default_queue", "task_always_eager")}
    settings.CELERY_BROKER_URL = BROKER
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    settings.BULK_CHUNK_SIZE = 200
    use_broker(BROKER, task_default_queue=name, task_always_eager=False)
    yield name
    use_broker(**saved)
    with celery_app.connection_for_write(BROKER) as conn:
        conn.default_channel.queue_delete(name)


def scheme(code: str, claims: int) -> tuple[User, list[str]]:
    """A tenant with generated registers and `claims` entered claims of 5 lines (the same for
    every tenant: the same seeds), and a user holding every claim right."""
    from bench.adjudication import enter_claims

    tenant = Tenant.objects.create(code=code, name=code)
    seed_registers(tenant, insurees=300, facilities=3, seed=42, today=TODAY)
    uuids = enter_claims(tenant, claims, random.Random(7))
    user = User.objects.create_user(f"officer-{code}", password="pass-word-1", tenant=tenant)
    role = Role.objects.create(tenant=tenant, name="officer")
    RoleRight.objects.bulk_create(RoleRight(role=role, right_id=r) for r in ALL_CLAIM_RIGHTS)
    user.roles.add(role)
    return user, uuids


def outcome(user: User) -> dict[str, tuple]:
    """Every claim of the user's tenant by code: state, amounts, line verdicts, history."""
    claims = Claim.objects.filter(tenant=user.tenant).prefetch_related("items", "services")
    history = dict(ClaimStatusHistory.objects.filter(claim__tenant=user.tenant)
                   .values_list("claim__code").annotate(n=Count("pk")))
    return {claim.code: (
        claim.status, claim.review_status, claim.feedback_status, claim.claimed,
        claim.approved, claim.valuated, claim.rejection_reason,
        sorted((line.status, line.rejection_reason, line.qty_approved, line.price_approved,
                line.remunerated_amount) for line in [*claim.items.all(),
                                                      *claim.services.all()]),
        history.get(claim.code, 0)) for claim in claims}


def ledger(user: User) -> dict[str, Decimal]:
    return ClaimDedRem.objects.filter(claim__tenant=user.tenant).aggregate(
        rows=Count("pk"), remunerated=Sum("remunerated"), deducted=Sum("deducted"),
        exceeding=Sum("exceeding_ceiling"))


def summary(log: MutationLog) -> tuple:
    """A log's status, per-claim errors and claims, whatever order the pieces ran in."""
    return log.status, sorted(log.error or [], key=lambda entry: entry.get("title", "")), \
        sorted(log.uuids)


def rehearsed(mutation, user, uuids: list[str]) -> tuple[MutationLog, dict, dict]:
    """What the synchronous path makes of the claims (the mutation run in the request, then
    rolled back): its log, every claim's outcome and the ledger."""
    with override_settings(CELERY_BROKER_URL=None), transaction.atomic():
        log = mutation.run(user, {"uuids": uuids})
        expected = summary(log), outcome(user), ledger(user)
        transaction.set_rollback(True)
    return expected


def test_2000_claims_submitted_by_workers_end_as_the_synchronous_path_ends_them(queue):
    user, uuids = scheme("ASYNC", 2000)
    expected_log, expected, _ledger = rehearsed(SubmitClaimsMutation, user, uuids)
    assert {state[0] for state in outcome(user).values()} == {ClaimStatus.ENTERED}

    log = SubmitClaimsMutation.run(user, {"uuids": uuids})
    assert (log.status, log.progress_total) == (MutationStatus.RECEIVED, 2000)
    sizes = list(log.chunks.values_list("size", flat=True))
    assert len(sizes) >= 10  # about 200 claims a piece, a family's claims never cut
    assert sum(sizes) == 2000

    log, output = finished(Worker(queue), log)
    assert summary(log) == expected_log, output
    assert log.progress_done == 2000
    assert outcome(user) == expected


def test_a_worker_killed_in_the_middle_of_a_piece_loses_nothing_and_does_nothing_twice(
        queue):
    user, uuids = scheme("KILLED", 600)
    with override_settings(CELERY_BROKER_URL=None):
        assert SubmitClaimsMutation.run(user, {"uuids": uuids}).status in (1, 2)
    expected_log, expected, expected_ledger = rehearsed(ProcessClaimsMutation, user, uuids)

    log = ProcessClaimsMutation.run(user, {"uuids": uuids})
    first = Worker(queue, delay=0.03)  # 200 claims: some 6 s with the piece's changes unsaved
    time.sleep(4)
    first.kill()
    log.refresh_from_db()
    assert log.status == MutationStatus.RECEIVED
    assert log.progress_done < 600

    log, output = finished(Worker(queue), log)
    assert summary(log) == expected_log, output
    assert log.progress_done == 600
    assert outcome(user) == expected
    assert ledger(user) == expected_ledger
    assert all(chunk.done for chunk in log.chunks.all())


def test_an_unreachable_broker_fails_the_mutation_clearly_and_changes_nothing(queue, settings):
    user, uuids = scheme("NOBROKER", 50)
    before = outcome(user)
    dead = "amqp://guest:guest@127.0.0.1:1//"
    settings.CELERY_BROKER_URL = dead
    use_broker(dead)

    started = time.monotonic()
    log = SubmitClaimsMutation.run(user, {"uuids": uuids})

    assert time.monotonic() - started < 15
    assert log.status == MutationStatus.ERROR
    assert [entry["code"] for entry in log.error] == ["broker_unavailable"]
    assert log.chunks.count() == 0
    assert outcome(user) == before


def test_a_long_report_is_rendered_by_a_worker_and_downloads(queue, client):
    """The render's bounded child process starts from a worker's pool process as from gunicorn."""
    from graphql_jwt.shortcuts import get_token

    from reports.models import ReportOutput
    from reports.schema import RenderReportMutation

    user, _uuids = scheme("REPORT", 40)
    params = [{"name": "dateFrom", "value": "2026-01-01"},
              {"name": "dateTo", "value": "2026-12-31"}]

    log = RenderReportMutation.run(user, {"name": "claims_overview", "params": params})
    assert log.status == MutationStatus.RECEIVED
    assert not ReportOutput.objects.exists()

    log, output = finished(Worker(queue), log)
    assert (log.status, log.error) == (MutationStatus.SUCCESS, None), output
    (kept,) = ReportOutput.objects.filter(user=user)
    assert log.uuids == [str(kept.pk)]
    response = client.get(log.json_ext["url"], HTTP_AUTHORIZATION=f"JWT {get_token(user)}")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response.content == bytes(kept.pdf)
