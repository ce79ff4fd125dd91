"""Shared fixtures: tenants, users with rights, and an HTTP GraphQL client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from graphql_jwt.shortcuts import get_token

from core.models import Role, RoleRight, Tenant, User

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Module configuration and login throttles live in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _expected_database_vendor(django_db_setup, django_db_blocker):
    """CI sets EXPECT_DATABASE_VENDOR so a run meant for PostgreSQL cannot pass on SQLite."""
    expected = os.environ.get("EXPECT_DATABASE_VENDOR")
    if expected:
        with django_db_blocker.unblock():
            assert connection.vendor == expected, f"tests ran on {connection.vendor}"


@pytest.fixture
def reference_data() -> None:
    """The rows the migrations seed (languages, diagnoses, the insuree code tables), loaded
    again by the migrations' own functions: a test with `django_db(transaction=True)` flushes
    every table when it ends, so the next such test would find none."""
    from django.apps import apps

    import_module("core.migrations.0002_languages").add_languages(apps, None)
    import_module("core.migrations.0003_diagnoses").load_diagnoses(apps, None)
    import_module("core.migrations.0006_insuree_details_and_service_packages").add_catalogues(
        apps, None)


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request) -> None:
    """Every `transaction=True` test starts with the migrations' rows, whichever such test ran
    (and flushed the tables) before it: the order of tests must not decide the outcome."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        request.getfixturevalue("reference_data")


@pytest.fixture
def tenant(db) -> Tenant:
    return Tenant.objects.create(code="T1", name="First scheme")


@pytest.fixture
def other_tenant(db) -> Tenant:
    return Tenant.objects.create(code="T2", name="Second scheme")


@pytest.fixture
def make_user(db, tenant):
    """make_user(rights=[...], tenant=..., username=..., superuser=False) -> User."""
    counter = {"n": 0}

    def make(
        rights: list[int] | tuple[int, ...] = (),
        *,
        tenant: Tenant | None = tenant,
        username: str | None = None,
        password: str = "pass-word-1",
        superuser: bool = False,
    ) -> User:
        counter["n"] += 1
        username = username or f"user{counter['n']}"
        user = User.objects.create_user(
            username=username, password=password, tenant=tenant, is_superuser=superuser
        )
        if rights:
            role = Role.objects.create(tenant=tenant, name=f"role-{username}")
            RoleRight.objects.bulk_create(RoleRight(role=role, right_id=r) for r in rights)
            user.roles.add(role)
        return user

    return make


@dataclass
class GraphQLResponse:
    status_code: int
    body: dict[str, Any]
    response: Any

    @property
    def data(self) -> dict[str, Any] | None:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def error_messages(self) -> list[str]:
        return [e["message"] for e in self.errors]


def post_graphql(
    client: Client,
    query: str,
    variables: dict | None = None,
    *,
    user: User | None = None,
    headers: dict[str, str] | None = None,
) -> GraphQLResponse:
    """POST a document as the web app does; `user` authenticates with an `Authorization` header."""
    extra = dict(headers or {})
    if user is not None:
        extra["HTTP_AUTHORIZATION"] = f"JWT {get_token(user)}"
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    response = client.post(
        "/api/graphql", data=json.dumps(payload), content_type="application/json", **extra
    )
    return GraphQLResponse(response.status_code, response.json(), response)


@pytest.fixture
def gql(client):
    """gql(query, variables=None, user=None, headers=None) -> GraphQLResponse."""

    def run(query: str, variables: dict | None = None, **kwargs) -> GraphQLResponse:
        return post_graphql(client, query, variables, **kwargs)

    return run


# What a failure that should never reach a client reads like, in a payload's error entries.
INTERNAL_MESSAGES = frozenset({"Internal server error.", "Unexpected error"})


def payload_errors(payload: Any) -> list[dict[str, Any]]:
    """The entries of a mutation payload's `error`: the openIMIS error list, with bulk rows'
    `list`s flattened; `changePassword` (as openIMIS has it) answers a sentence instead, which
    counts as one entry with that message."""
    errors = payload.get("error") if isinstance(payload, dict) else None
    if not errors:
        return []
    if isinstance(errors, str):
        errors = json.loads(errors) if errors.lstrip().startswith(("[", "{")) \
            else [{"message": errors}]
    if isinstance(errors, dict):
        errors = [errors]
    return [entry for error in errors for entry in error.get("list", [error])]


def internal_error_entries(payload: Any) -> list[dict[str, Any]]:
    return [entry for entry in payload_errors(payload)
            if entry.get("code") == "internal_error" or entry.get("message") in INTERNAL_MESSAGES]


def settings_in_subprocess(expression: str, **env: str) -> str:
    """`expression` over `config.settings` read afresh in another process, under the test run's
    environment plus `env` (DEBUG on unless given): settings that depend on the environment."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("OPENIMIS_MODULES", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE",
                         "REDIS_URL", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", f"from config import settings as s; print({expression})"],
        cwd=ROOT, env={**base, "DEBUG": "1", **env}, capture_output=True, text=True,
        timeout=60, check=True)
    return result.stdout.strip()
