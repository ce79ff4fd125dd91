"""Bulk claim mutations with a broker (core.bulk): the request answers "received" and queues
pieces; workers (simulated here by running the queued pieces in order, in this process) give
the same results as the synchronous path, once, whatever is delivered twice or fails on the way.
tests/claim/test_bulk_worker.py runs the same through a real Celery worker and RabbitMQ."""

from __future__ import annotations

import json

import pytest
from django.db import OperationalError

from core import bulk
from core.codes import MutationStatus
from core.gql.mutations import mutation_class
from core.models import MutationChunk, MutationLog, RoleRight
from core.signals import mutation_signals
from openimis_claim.codes import ClaimStatus
from openimis_claim.gql.mutations import ValuateClaimsMutation
from openimis_claim.models import Claim, ClaimStatusHistory
from tests.claim.test_mutations import make_claim, mutate, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(monkeypatch, settings):
    """A broker that takes every task: the queued (log, piece) pairs, in order."""
    settings.BULK_CHUNK_SIZE = 2
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr(bulk, "queued", lambda: True)
    monkeypatch.setattr(bulk.run_mutation_chunk, "apply_async",
                        lambda args, **options: sent.append(tuple(args)))
    return sent


def work(sent) -> None:
    """What the workers do with the queued pieces."""
    for log_id, index in sent:
        bulk.run_chunk(log_id, index)
        bulk.finish_if_done(log_id)


@pytest.fixture
def claims(scene, tenant):
    """Five claims of three insured families (2, 2 and 1 claims): three pieces of size 2."""
    from tests.factories import make_family_with_insurees, make_policy

    insurees = [scene.insuree]
    for n in (2, 3):
        family, (insuree,) = make_family_with_insurees(tenant, head={"chf_id": f"{n}" * 9})
        make_policy(family, scene.product)
        insurees.append(insuree)
    made = [make_claim(scene, f"BULK-{n}") for n in range(5)]
    for claim, insuree in zip(made, [0, 0, 1, 1, 2], strict=True):
        Claim.objects.filter(pk=claim.pk).update(insuree=insurees[insuree])
    return made


@pytest.fixture
def after_signals():
    seen = []

    def receiver(sender, mutation_log, outcome, **kwargs):
        seen.append((sender.__name__, str(mutation_log.pk), len(outcome.uuids)))

    signal = mutation_signals("claim").after_mutation
    signal.connect(receiver, weak=False)
    yield seen
    signal.disconnect(receiver)


def submitted_state(claims) -> list:
    return [(state(c), [(h.field, h.to_status) for h in ClaimStatusHistory.objects
                        .filter(claim=c).order_by("pk")]) for c in claims]


def test_a_bulk_submit_answers_received_and_queues_its_pieces(gql, officer, claims, queue):
    result = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in claims])

    assert result.status == MutationStatus.RECEIVED
    log = MutationLog.objects.get(pk=result.log.pk)
    assert (log.progress_done, log.progress_total) == (0, 5)
    assert queue == [(str(log.pk), 0), (str(log.pk), 1), (str(log.pk), 2)]
    assert [c.size for c in log.chunks.order_by("index")] == [2, 2, 1]
    assert [state(c)[0] for c in claims] == [ClaimStatus.ENTERED] * 5

    polled = gql("""query ($id: String) { mutationLogs(clientMutationId: $id) { edges { node {
        status progressDone progressTotal } } } }""", {"id": result.cmid}, user=officer)
    assert polled.data["mutationLogs"]["edges"] == [
        {"node": {"status": 0, "progressDone": 0, "progressTotal": 5}}]


def test_the_workers_give_what_the_request_would_have(gql, officer, scene, claims, queue,
                                                      after_signals, monkeypatch):
    synchronous = [make_claim(scene, f"SYNC-{n}") for n in range(5)]
    bulk_queued = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in claims])
    work(queue)
    queue.clear()
    monkeypatch.setattr(bulk, "queued", lambda: False)
    inline = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in synchronous])

    log = MutationLog.objects.get(pk=bulk_queued.log.pk)
    assert (log.status, log.error) == (inline.log.status, inline.log.error) == (2, None)
    assert sorted(log.uuids) == sorted(str(c.uuid) for c in claims)
    assert (log.progress_done, log.progress_total) == (5, 5)
    assert submitted_state(claims) == submitted_state(synchronous)
    assert [seen for seen in after_signals if seen[1] == str(log.pk)] == \
        [("SubmitClaimsMutation", str(log.pk), 5)]


def test_a_piece_delivered_twice_changes_nothing_twice(gql, officer, claims, queue,
                                                       after_signals):
    result = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in claims])
    work(queue)
    before = submitted_state(claims), list(MutationLog.objects.filter(pk=result.log.pk)
                                           .values_list("status", "error", "progress_done"))

    for log_id, index in queue:  # the broker delivers every piece again
        assert bulk.run_chunk(log_id, index) is False
        assert bulk.finish_if_done(log_id) is False

    after = submitted_state(claims), list(MutationLog.objects.filter(pk=result.log.pk)
                                          .values_list("status", "error", "progress_done"))
    assert after == before
    assert len(after_signals) == 1


def test_per_claim_errors_are_gathered_from_every_piece(gql, officer, scene, claims, queue):
    Claim.objects.filter(pk__in=[claims[1].pk, claims[4].pk]).update(
        status=ClaimStatus.CHECKED)  # not entered: refused one by one

    result = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in claims])
    work(queue)

    log = MutationLog.objects.get(pk=result.log.pk)
    assert log.status == MutationStatus.ERROR
    assert [entry["title"] for entry in log.error] == [claims[1].code, claims[4].code]
    assert [state(c)[0] for c in claims] == [4, 4, 4, 4, 4]  # the others went through


def test_a_user_who_lost_the_right_before_the_worker_ran_changes_nothing(
        gql, officer, claims, queue):
    result = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in claims])
    RoleRight.objects.filter(role__users=officer, right_id=111007).delete()

    work(queue)

    log = MutationLog.objects.get(pk=result.log.pk)
    assert log.status == MutationStatus.ERROR
    assert {entry["code"] for entry in log.error} == {"forbidden"}
    assert [state(c)[0] for c in claims] == [ClaimStatus.ENTERED] * 5


def test_a_transient_database_error_leaves_the_piece_to_its_retry(
        gql, officer, claims, queue, monkeypatch):
    result = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in claims])
    submit = mutation_class("claim", "SubmitClaimsMutation")
    calls = {"n": 0}
    original = submit.perform.__func__

    def flaky(cls, user, data):
        calls["n"] += 1
        if calls["n"] == 1:
            original(cls, user, data)  # changes made, then the connection drops
            raise OperationalError("server closed the connection unexpectedly")
        return original(cls, user, data)

    monkeypatch.setattr(submit, "perform", classmethod(flaky))
    log_id, index = queue[0]
    with pytest.raises(OperationalError):
        bulk.run_chunk(log_id, index)
    assert MutationChunk.objects.get(log_id=log_id, index=index).done is False
    assert [state(c)[0] for c in claims[:2]] == [ClaimStatus.ENTERED] * 2  # rolled back

    work(queue)  # the retry, then the rest
    assert MutationLog.objects.get(pk=result.log.pk).status == MutationStatus.SUCCESS
    assert [state(c)[0] for c in claims] == [4] * 5


def test_a_broker_that_cannot_be_reached_fails_clearly_and_writes_nothing(
        gql, officer, claims, monkeypatch, settings):
    monkeypatch.setattr(bulk, "queued", lambda: True)

    def refuse(args, **options):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(bulk.run_mutation_chunk, "apply_async", refuse)
    result = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in claims])

    assert result.status == MutationStatus.ERROR
    assert [entry["code"] for entry in result.error] == ["broker_unavailable"]
    assert MutationChunk.objects.count() == 0
    assert [state(c)[0] for c in claims] == [ClaimStatus.ENTERED] * 5


def test_submit_by_filters_cuts_the_selected_claims_into_pieces(gql, officer, claims, queue):
    result = mutate(gql, officer, "submitClaims",
                    additionalFilters=json.dumps({"code_Icontains": "bulk-", "status": 2}))
    work(queue)

    assert len(queue) == 3
    assert MutationLog.objects.get(pk=result.log.pk).status == MutationStatus.SUCCESS
    assert [state(c)[0] for c in claims] == [4] * 5


def test_a_period_valuation_is_one_piece():
    assert ValuateClaimsMutation.bulk_rows(None, {"year": 2025, "month": 3}) is None
    assert bulk.pieces(None, {"year": 2025, "month": 3}) == [({"year": 2025, "month": 3}, 0)]


def test_a_familys_claims_stay_in_one_piece_in_the_order_given(scene, tenant, settings):
    from tests.factories import make_family_with_insurees

    settings.BULK_CHUNK_SIZE = 3
    _other, (stranger,) = make_family_with_insurees(tenant, head={"chf_id": "222222222"})
    mine = [make_claim(scene, f"FAM-{n}") for n in range(3)]
    theirs = [make_claim(scene, f"OTH-{n}") for n in range(2)]
    Claim.objects.filter(pk__in=[c.pk for c in theirs]).update(insuree=stranger)
    given = [str(c.uuid) for c in (mine[0], theirs[0], mine[1], theirs[1], mine[2])]

    groups = ValuateClaimsMutation.bulk_rows(None, {"uuids": [*given, "not-a-uuid"]})

    assert groups == [[given[0], given[2], given[4]], [given[1], given[3]], ["not-a-uuid"]]
    assert [piece["uuids"] for piece, _size in bulk.pieces(groups, {})] == \
        [[given[0], given[2], given[4]], [given[1], given[3], "not-a-uuid"]]


def test_without_a_broker_bulk_mutations_run_in_the_request(gql, officer, claims, settings):
    settings.CELERY_BROKER_URL = None
    result = mutate(gql, officer, "submitClaims", uuids=[str(c.uuid) for c in claims])
    assert result.status == MutationStatus.SUCCESS
    assert MutationChunk.objects.count() == 0
