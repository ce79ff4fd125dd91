"""Figures for the foundation: per-request time and SQL statements of the core operations.

Run: .venv/bin/python bench/core_api.py [--rounds 50]   (DATABASE_URL selects the database; a
throwaway test database is created and dropped). Prints medians and 95th percentiles.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from graphql_jwt.shortcuts import get_token  # noqa: E402

from bench.harness import throwaway_database  # noqa: E402
from core.models import MutationLog, Role, RoleRight, Tenant, User  # noqa: E402

MUTATION_LOGS = '{ mutationLogs(first: %d, orderBy: "-request_date_time") { totalCount edges { node { id status clientMutationId requestDateTime } } } }'  # noqa: E501
TOKEN_AUTH = (
    "mutation($username: String!, $password: String!) "
    "{ tokenAuth(username: $username, password: $password) { token } }"
)
CREATE_NOTE = 'mutation { createNote(input: {clientMutationId: "%s", title: "Bench"}) { internalId status } }'  # noqa: E501


def timed(rounds: int, call) -> tuple[float, float, int]:
    samples = []
    queries = 0
    for i in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call(i)
            samples.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1], queries


def post(client: Client, query: str, token: str | None = None) -> dict:
    headers = {"HTTP_AUTHORIZATION": f"JWT {token}"} if token else {}
    response = client.post("/api/graphql", data=json.dumps({"query": query}),
                           content_type="application/json", **headers)
    body = response.json()
    assert "errors" not in body, body
    return body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds

    with throwaway_database():
        tenant = Tenant.objects.create(code="B1", name="Bench")
        user = User.objects.create_user("bench", password="bench-pass-1", tenant=tenant)
        role = Role.objects.create(tenant=tenant, name="bench")
        RoleRight.objects.bulk_create(RoleRight(role=role, right_id=r) for r in (900001, 900002))
        user.roles.add(role)
        MutationLog.objects.bulk_create(
            MutationLog(user=user, module="sample", mutation="X", client_mutation_id=f"seed-{i}")
            for i in range(1000)
        )
        client = Client()
        token = get_token(user)
        login = '{"username": "bench", "password": "bench-pass-1"}'
        rows = [
            ("tokenAuth", lambda i: client.post(
                "/api/graphql", content_type="application/json",
                data=json.dumps({"query": TOKEN_AUTH, "variables": json.loads(login)}))),
            ("current_user (REST)", lambda i: client.get(
                "/api/core/users/current_user/", HTTP_AUTHORIZATION=f"JWT {token}")),
            ("moduleConfigurations (anonymous)", lambda i: post(
                client, "{ moduleConfigurations { module config } }")),
            ("mutationLogs first:10 of 1,000", lambda i: post(client, MUTATION_LOGS % 10, token)),
            ("mutationLogs first:100 of 1,000", lambda i: post(client, MUTATION_LOGS % 100, token)),
            ("createNote through the mutation log", lambda i: post(
                client, CREATE_NOTE % f"bench-{i}", token)),
        ]
        print(f"database: {connection.vendor}, rounds: {rounds}")
        print(f"{'operation':<40} {'median ms':>10} {'p95 ms':>8} {'SQL':>5}")
        for name, call in rows:
            median, p95, queries = timed(rounds, call)
            print(f"{name:<40} {median:>10.2f} {p95:>8.2f} {queries:>5}")


if __name__ == "__main__":
    main()
