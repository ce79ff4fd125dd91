"""Constant SQL for every selection, generated over the whole schema: for every root field that
returns a list or a connection, one document selecting every field that takes no required
argument, two object levels below each row, is run on the demo database at page sizes 10 and 50.
Both must answer without errors and cost the same number of SQL statements; a field added
tomorrow that queries per row fails here, named with the counts.

Nothing here lists the fields: the documents come from the assembled schema.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
)

from config.schema import schema
from core.demo import DemoSize, seed_demo
from core.models import User
from core.registers.models import Insuree
from openimis_claim.models import Claim
from tests.conftest import post_graphql

LEVELS = 2  # object levels selected below a row
PAGE_SIZES = (10, 50)
SIZE = DemoSize(insurees=300, facilities=12, claims=120, seed=42, today=date(2026, 11, 1))


def _unwrap(graphql_type):
    while isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return graphql_type


def _required_args(field) -> list[str]:
    return [name for name, arg in field.args.items()
            if isinstance(arg.type, GraphQLNonNull) and arg.default_value in (None, Undefined)]


def _required(field) -> bool:
    return bool(_required_args(field))


def _connection_node(graphql_type) -> GraphQLObjectType | None:
    graphql_type = _unwrap(graphql_type)
    if isinstance(graphql_type, GraphQLObjectType) and "edges" in graphql_type.fields:
        return get_named_type(get_named_type(graphql_type.fields["edges"].type)
                              .fields["node"].type)
    return None


def selection(object_type: GraphQLObjectType, level: int) -> str:
    """Every field of `object_type` without required arguments; objects, lists and connections
    below it while `level` allows."""
    parts = []
    for name, field in object_type.fields.items():
        if name.startswith("__") or _required(field):
            continue
        named = get_named_type(field.type)
        if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
            parts.append(name)
        elif level < LEVELS and (node := _connection_node(field.type)) is not None:
            total = "totalCount " if "totalCount" in _unwrap(field.type).fields else ""
            parts.append(f"{name} {{ {total}edges {{ node {{ {selection(node, level + 1)} }} }} }}")
        elif level < LEVELS and isinstance(named, GraphQLObjectType):
            parts.append(f"{name} {{ {selection(named, level + 1)} }}")
    return " ".join(parts) or "__typename"


def root_lists() -> list[tuple[str, str]]:
    """(root field, kind) for every root query field returning a list or a connection."""
    found = []
    for name, field in schema.graphql_schema.query_type.fields.items():
        if _connection_node(field.type) is not None:
            found.append((name, "connection"))
        elif isinstance(_unwrap(field.type), GraphQLList):
            found.append((name, "list"))
    return found


# Values for the root lists' required arguments (GraphQL literals, `{claim}` and `{chf_id}`
# filled from the demo): a root list added with a required argument fails until it has one.
REQUIRED_ARGUMENTS = {
    ("policiesByInsuree", "chfId"): '"{chf_id}"',
    ("claimHistory", "claimUuid"): '"{claim}"',
    ("approvalsExpiring", "days"): "365",
    ("approvalMetrics", "dateFrom"): '"2025-01-01"',
    ("approvalMetrics", "dateTo"): '"2026-12-31"',
}


def document(name: str, kind: str, page_size: int, known: dict[str, str]) -> str:
    field = schema.graphql_schema.query_type.fields[name]
    arguments = []
    for arg in _required_args(field):
        if (name, arg) not in REQUIRED_ARGUMENTS:
            raise AssertionError(f"root list {name} requires {arg}: add a value for it to "
                                 "REQUIRED_ARGUMENTS")
        arguments.append(f"{arg}: {REQUIRED_ARGUMENTS[name, arg].format(**known)}")
    if kind == "connection" and "first" in field.args:
        arguments.append(f"first: {page_size}")
    call = f"{name}({', '.join(arguments)})" if arguments else name
    if kind == "connection":
        node = _connection_node(field.type)
        return f"{{ {call} {{ edges {{ node {{ {selection(node, 0)} }} }} }} }}"
    return f"{{ {call} {{ {selection(get_named_type(field.type), 0)} }} }}"


ROOT_LISTS = root_lists()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(SIZE)
        admin = User.objects.get(username="Admin")
        # The claim with the longest history, and the insuree with the most policies.
        claim = Claim.objects.filter(tenant=admin.tenant).annotate(
            steps=Count("history")).order_by("-steps", "pk").first()
        insuree = Insuree.objects.filter(tenant=admin.tenant).annotate(
            policies=Count("insuree_policies")).order_by("-policies", "pk").first()
        yield admin, {"claim": str(claim.uuid), "chf_id": insuree.chf_id}
        transaction.set_rollback(True)


@pytest.fixture
def run(client, demo, settings):
    settings.GRAPHQL_MAX_DEPTH = 30
    settings.GRAPHQL_MAX_QUERY_BYTES = 1_000_000

    user, _known = demo

    def ask(query: str) -> tuple[int, int, list]:
        with CaptureQueriesContext(connection) as queries:
            response = post_graphql(client, query, user=user)
        rows = next(iter((response.data or {}).values()), None)
        count = len(rows["edges"]) if isinstance(rows, dict) else len(rows or [])
        return len(queries), count, response.errors

    return ask


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kind"), ROOT_LISTS, ids=[name for name, _ in ROOT_LISTS])
def test_every_root_list_costs_the_same_sql_at_any_page_size(run, demo, name, kind):
    run(document(name, kind, PAGE_SIZES[0], demo[1]))  # what a first request loads once
    figures = {size: run(document(name, kind, size, demo[1])) for size in PAGE_SIZES}

    for size, (_statements, _rows, errors) in figures.items():
        assert errors == [], f"{name} at page size {size}: {errors[:3]}"
    (small, small_rows, _), (large, large_rows, _) = (figures[s] for s in PAGE_SIZES)
    assert small == large, (f"{name}: {small} statements for {small_rows} rows, {large} for "
                            f"{large_rows} rows")

