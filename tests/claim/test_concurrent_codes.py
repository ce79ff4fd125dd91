"""Two requests saving the same claim code: the one that loses the race past the pre-check gets
the pre-check's own `duplicate_code` error from the unique constraint, never `internal_error`."""

import json
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from graphql_jwt.shortcuts import get_token

from openimis_claim.models import Claim
from openimis_claim.services import entry
from tests.claim.test_mutations import (
    DOCUMENTS,
    claim_input,
    claim_update,
    make_claim,
    mutate,
)

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.fixture
def blind_precheck(monkeypatch):
    """The pre-check sees the code free, as a request does that checked just before another
    request's claim was committed."""
    check = entry._claim_code
    monkeypatch.setattr(entry, "_claim_code", lambda data, facility, current, **kwargs:
                        check(data, facility, current, **{**kwargs, "taken": False}))


def duplicate(code: str, facility_code: str) -> list[dict]:
    return [{"message": f"Claim code {code} already exists at {facility_code}",
             "detail": "code", "code": "duplicate_code"}]


@pytest.mark.django_db
def test_create_losing_the_race_gets_the_precheck_error(gql, scene, officer, blind_precheck):
    make_claim(scene, "DUP-1")

    result = mutate(gql, officer, "createClaim", **claim_input(scene, code="DUP-1"))

    assert result.error == duplicate("DUP-1", scene.facility.code)
    assert Claim.objects.filter(code="DUP-1").count() == 1


@pytest.mark.django_db
def test_the_precheck_gives_the_same_error(gql, scene, officer):
    make_claim(scene, "DUP-1")

    result = mutate(gql, officer, "createClaim", **claim_input(scene, code="DUP-1"))

    assert result.error == duplicate("DUP-1", scene.facility.code)


@pytest.mark.django_db
def test_update_losing_the_race_gets_the_precheck_error(gql, scene, officer, blind_precheck):
    make_claim(scene, "DUP-1")
    claim = make_claim(scene, "DUP-2")

    result = mutate(gql, officer, "updateClaim", **claim_update(claim, code="DUP-1"))

    assert result.error == duplicate("DUP-1", scene.facility.code)
    assert Claim.objects.get(pk=claim.pk).code == "DUP-2"


@pytest.mark.django_db
def test_restoring_onto_a_code_in_use_is_a_duplicate_code(gql, scene, officer):
    original = make_claim(scene, "RS-1", (1, 1, 1))
    make_claim(scene, "RS-1-R1")

    result = mutate(gql, officer, "restoreClaim", uuid=str(original.uuid))

    assert result.error == duplicate("RS-1-R1", scene.facility.code)
    assert Claim.objects.filter(restore=original).count() == 0


@pytest.mark.skipif(not ON_POSTGRESQL, reason="concurrent writers need PostgreSQL: SQLite "
                    "serializes them (the race is simulated above on both databases)")
@pytest.mark.django_db(transaction=True)
def test_twelve_clerks_saving_one_code_at_once_one_wins_the_rest_duplicate(scene, officer):
    token = get_token(officer)
    document = DOCUMENTS["createClaim"]
    requests = 12
    barrier, outcomes, lock = threading.Barrier(requests), [], threading.Lock()

    def create(n: int) -> None:
        try:
            variables = {"input": {"clientMutationId": f"race-{n}",
                                   **claim_input(scene, code="RACE-1")}}
            client = Client(raise_request_exception=False)
            barrier.wait()
            response = client.post("/api/graphql", json.dumps(
                {"query": document, "variables": variables}), content_type="application/json",
                HTTP_AUTHORIZATION=f"JWT {token}")
            payload = response.json()["data"]["createClaim"]
            codes = [e["code"] for e in json.loads(payload["error"])] if payload["error"] else []
            with lock:
                outcomes.append((response.status_code, payload["status"], tuple(codes)))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [(200, 1, ("duplicate_code",))] * (requests - 1) + [(200, 2, ())]
    assert Claim.objects.filter(code="RACE-1").count() == 1
