"""Rights, tenants, facilities and hostile bodies over the whole FHIR API, generated from the
registered resource types and operations (`api_fhir_r4.resources.base`):

- every type's search and read, asked by an anonymous caller (401), a user without the type's
  right (403), a holder of every right (200, and the scene has rows for it), a fully-righted
  user of another tenant (none of the tenant's rows listed, each of them 404 to read) and of
  another facility (none of the facility's claims or requests);
- every write (POST, PUT, DELETE of a type that takes them, every `$operation`): 401 and 403
  before anything is written;
- every write's baseline body, spoilt one element at a time (each leaf replaced by a hostile
  value, each key dropped) and whole (not an object, empty, huge): never a 500, always an
  OperationOutcome when refused.

A type or operation added tomorrow is asked the same way, or the test fails naming what it needs
(a baseline body in BASELINES).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client

from api_fhir_r4.models import Subscription
from api_fhir_r4.resources.base import OPERATIONS, RESOURCES, FhirResource
from core.rights import all_rights, rights_codes
from tests.api.test_access_generated import _user, build_world, new_rows, snapshot
from tests.fhir.baselines_claims import CLAIM_BASELINES
from tests.fhir.client import call
from tests.fhir.test_pas import code_ref, inquiry, pas_bundle
from tests.fhir.test_subscriptions import subscription_body

pytestmark = pytest.mark.django_db

CASES = ("anonymous", "no_right", "holder", "other_tenant", "other_facility")
HOSTILE = (None, "", "x" * 5000, -1, 10 ** 30, 1.5, True, [], {}, "\x00", "' OR 1=1 --",
           "Patient/../../etc", "9" * 400)


def _writes(resource: FhirResource) -> list[str]:
    cls = type(resource)
    return [method for method, name in (("POST", "create"), ("PUT", "update"),
                                        ("DELETE", "delete"))
            if getattr(cls, name) is not getattr(FhirResource, name)]


TYPES = sorted(RESOURCES)
# Types that are only posted to (a request answered, not stored): GET is 405.
SEARCHED = [t for t in TYPES if RESOURCES[t].searchable]
WRITES = [(type_name, method) for type_name in TYPES for method in _writes(RESOURCES[type_name])]
OPERATION_KEYS = sorted(OPERATIONS)


def _codes(needed) -> tuple[int, ...]:
    return tuple(code for module, key in needed for code in rights_codes(module, key))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The generated GraphQL access test's scene (every model of tenant A with rows, a second
    facility, another tenant), plus a tenant-wide holder of every right."""
    with django_db_blocker.unblock(), transaction.atomic():
        scene = build_world()
        scene.holder = _user(scene.tenant, "fhir-gen-holder", sorted(all_rights()))
        scene.facility_claims = {str(c.uuid) for c in scene.claims} | \
            {str(a.uuid) for a in scene.approvals}
        Subscription.objects.create(
            tenant=scene.tenant, created_by=scene.holder, status="active", reason="generated",
            criteria="Claim", endpoint="https://8.8.8.8/hook",
            base_url="http://testserver/api/api_fhir_r4/")
        yield scene
        transaction.set_rollback(True)


def _user_for(world, case: str) -> Any:
    return {"anonymous": None, "no_right": world.no_right, "holder": world.holder,
            "other_tenant": world.other_tenant_user,
            "other_facility": world.other_facility_user}[case]


def _ids(body: dict[str, Any]) -> set[str]:
    return {entry["resource"]["id"] for entry in body.get("entry") or []}


def _all_pages(client: Client, type_name: str, user) -> Iterator[dict[str, Any]]:
    page = 1
    while True:
        answer = call(client, "GET", f"{type_name}/", user=user,
                      params={"page-offset": str(page), "_count": "200"})
        assert answer.status == 200, answer.body
        yield answer.body
        if not any(link["relation"] == "next" for link in answer.body["link"]):
            return
        page += 1


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("type_name", SEARCHED)
def test_search_and_read(world, client, type_name, case):
    resource = RESOURCES[type_name]
    codes = _codes(resource.read_rights)
    user = _user_for(world, case)
    seen = [entry for body in _all_pages(client, type_name, world.holder)
            for entry in body["entry"]]
    assert seen, f"the scene has no {type_name} rows: add some to build_world"
    tenant_ids = {entry["resource"]["id"] for entry in seen}

    search = call(client, "GET", f"{type_name}/", user=user)
    read = call(client, "GET", f"{type_name}/{sorted(tenant_ids)[0]}", user=user)

    if case == "anonymous":
        assert (search.status, read.status) == (401, 401)
        assert search.issues
        assert read.issues
    elif case == "no_right" and codes:
        assert (search.status, read.status) == (403, 403)
    elif case in ("holder", "no_right"):
        assert (search.status, read.status) == (200, 200), (search.body, read.body)
    elif case == "other_tenant" and not resource.global_catalogue:
        listed = set().union(*(_ids(b) for b in _all_pages(client, type_name, user)))
        assert listed & tenant_ids == set()
        assert [call(client, "GET", f"{type_name}/{rid}", user=user).status
                for rid in sorted(tenant_ids)[:5]] == [404] * min(5, len(tenant_ids))
    elif case == "other_facility":
        listed = set().union(*(_ids(b) for b in _all_pages(client, type_name, user)))
        hidden = listed & world.facility_claims
        assert hidden == set(), f"{type_name} shows facility 1's rows to facility 2"


def _write_calls(client: Client, world) -> list[tuple[str, str, str, Callable]]:
    """(label, method, path, body maker) of every write; PUT and DELETE name the first row the
    holder sees."""
    calls = []
    for type_name, method in WRITES:
        path = f"{type_name}/"
        if method != "POST":
            first = next(_all_pages(client, type_name, world.holder))["entry"][0]
            path += first["resource"]["id"]
        calls.append((f"{type_name} {method}", method, path,
                      lambda world, t=type_name: BASELINES[t](world) if t in BASELINES else {}))
    for type_name, name in OPERATION_KEYS:
        key = f"{type_name}/{name}"
        calls.append((key, "POST", key,
                      lambda world, k=key: BASELINES[k](world) if k in BASELINES else {}))
    return calls


WRITE_LABELS = [f"{t} {m}" for t, m in WRITES] + [f"{t}/{n}" for t, n in OPERATION_KEYS]


@pytest.mark.parametrize("case", ["anonymous", "no_right"])
@pytest.mark.parametrize("label", WRITE_LABELS)
def test_writes_are_refused_before_anything_is_written(world, client, label, case):
    _label, method, path, body = next(c for c in _write_calls(client, world) if c[0] == label)
    before = snapshot(world)

    answer = call(client, method, path, body(world),
                  user=None if case == "anonymous" else world.no_right)

    assert answer.status in (401, 403), answer.body
    assert answer.issues
    after = snapshot(world)
    assert new_rows(before, after) == {}


# A valid body per write: the hostile variants spoil it one element at a time.
def _subscription(world) -> dict[str, Any]:
    return subscription_body("https://8.8.8.8/hook", "Claim")


def _pas_submit(world) -> dict[str, Any]:
    bundle = pas_bundle(chf_id=world.scene.insuree.chf_id, identifier="GEN-PAS-1")
    bundle["entry"][0]["resource"]["provider"] = code_ref("Organization",
                                                          world.scene.facility.code)
    return bundle


BASELINES: dict[str, Callable[[Any], dict[str, Any]]] = {
    **CLAIM_BASELINES,
    "Subscription": _subscription,
    "Claim/$submit": _pas_submit,
    "Claim/$inquire": lambda world: inquiry(chf_id=world.scene.insuree.chf_id),
}


def test_every_write_has_a_baseline():
    missing = [label for label in WRITE_LABELS
               if label.split(" ")[0] not in BASELINES and label not in BASELINES
               and not label.endswith("DELETE")]
    assert missing == [], f"add a baseline body to BASELINES for {missing}"


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*path, index)
            yield from _leaves(item, (*path, index))


def _replaced(body: Any, path: tuple, value: Any, drop: bool = False) -> Any:
    spoilt = copy.deepcopy(body)
    holder = spoilt
    for key in path[:-1]:
        holder = holder[key]
    if drop:
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    return spoilt


def _variants(body: dict[str, Any]) -> Iterator[Any]:
    yield from ([], "x", 1, None, {}, {"resourceType": "Basic"}, {"resourceType": 7},
                json.dumps(body)[:-1])
    for path in _leaves(body):
        yield _replaced(body, path, None, drop=True)
        for value in HOSTILE:
            yield _replaced(body, path, value)


@pytest.mark.parametrize("label", WRITE_LABELS)
def test_hostile_bodies_never_give_a_500(world, client, label):
    _label, method, path, body = next(c for c in _write_calls(client, world) if c[0] == label)
    baseline = body(world)
    statuses: dict[int, int] = {}
    for variant in _variants(baseline):
        answer = call(client, method, path, variant, user=world.holder)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        if answer.status >= 400:
            assert answer.body["resourceType"] == "OperationOutcome", answer.body
    assert 500 not in statuses


@pytest.mark.parametrize("type_name", TYPES)
def test_hostile_query_strings_are_refused_with_a_reason(world, client, type_name):
    from tests.api.test_hostile_http import ODD, REFUSED

    found = {}
    for cases, refused in ((REFUSED, True), (ODD, False)):
        for case, query in cases.items():
            answer = call(client, "GET", f"{type_name}/?{urlencode(query)}", user=world.holder)
            ok = answer.status == 400 if refused else answer.status < 500
            if not ok or (answer.status >= 400 and not answer.issues):
                found[case] = (answer.status, answer.body)
    assert found == {}
