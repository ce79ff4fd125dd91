"""The adjudication command: chunks, one transaction each, carrying on after a failure."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.registers.models import Diagnosis
from openimis_claim.codes import ClaimStatus
from openimis_claim.models import Claim
from openimis_claim.services import workflow
from tests.factories import make_claim, make_claim_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims(tenant):
    scene = make_claim_scene(tenant)
    return [make_claim(tenant, insuree=scene.insuree, health_facility=scene.facility,
                       icd=Diagnosis.objects.get(code="B50"), items=[scene.item])
            for _ in range(5)]


def run(*args) -> str:
    out = StringIO()
    call_command("adjudicate", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_submit_then_process_every_waiting_claim_in_chunks(claims, make_user, tenant):
    make_user(superuser=True, username="batch")

    submitted = run("submit", "--tenant", tenant.code, "--user", "batch", "--chunk", "2")
    processed = run("process", "--tenant", tenant.code, "--user", "batch", "--chunk", "2")

    assert "submit: 5 of 5 claims moved on; 0 refused" in submitted
    assert "process: 5 of 5 claims moved on; 0 refused" in processed
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.VALUATED}


def test_a_failed_chunk_leaves_its_claims_untouched_and_a_rerun_finishes(
        claims, make_user, tenant, monkeypatch):
    make_user(superuser=True, username="batch")
    real_flush = workflow.Adjudication.flush
    calls = {"n": 0}

    def crash_on_second_chunk(self, user):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real_flush(self, user)

    monkeypatch.setattr(workflow.Adjudication, "flush", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        run("submit", "--tenant", tenant.code, "--user", "batch", "--chunk", "2")
    statuses = list(Claim.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [ClaimStatus.CHECKED] * 2 + [ClaimStatus.ENTERED] * 3

    monkeypatch.setattr(workflow.Adjudication, "flush", real_flush)
    again = run("submit", "--tenant", tenant.code, "--user", "batch", "--chunk", "2")

    assert "submit: 3 of 3 claims moved on" in again
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.CHECKED}


def test_the_acting_user_needs_the_right(claims, make_user, tenant):
    make_user([111001], username="viewer")

    with pytest.raises(CommandError, match="may not process"):
        run("process", "--tenant", tenant.code, "--user", "viewer")


def test_queue_hands_the_claims_to_the_workers_and_names_the_log(claims, make_user, tenant,
                                                                  monkeypatch):
    from core import bulk
    from core.models import MutationLog

    make_user(superuser=True, username="batch")
    sent = []
    monkeypatch.setattr(bulk, "queued", lambda: True)
    monkeypatch.setattr(bulk.run_mutation_chunk, "apply_async",
                        lambda args, **options: sent.append(tuple(args)))

    said = run("submit", "--tenant", tenant.code, "--user", "batch", "--queue")

    log = MutationLog.objects.get(mutation="SubmitClaimsMutation")
    assert f"submit: 5 claims queued in 1 piece; mutation log {log.pk}" in said
    assert sent == [(str(log.pk), 0)]
    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.ENTERED}


def test_queue_without_a_broker_is_refused(claims, make_user, tenant):
    make_user(superuser=True, username="batch")
    with pytest.raises(CommandError, match="needs a broker"):
        run("submit", "--tenant", tenant.code, "--user", "batch", "--queue")
