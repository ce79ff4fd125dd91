"""Constant SQL for every selection, generated over the whole schema: for every root field that
returns a list or a connection, one document selecting every field that takes no required
argument, two object levels below each row, is run on the demo database at page sizes 10 and 50.
Both must answer without errors and cost the same number of SQL statements; a field added
tomorrow that queries per row fails here, named with the counts.

Nothing here lists the fields: the documents come from the assembled schema.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
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
from core.models import ModuleConfiguration, MutationLog, User
from core.registers.models import Insuree, Location, Product
from openimis_approval.codes import GRANTED
from openimis_approval.models import ApprovalCommunication, ApprovalRequest, ApprovalTemplate
from openimis_approval.records import CLOSED
from openimis_claim.models import BatchRun, Claim, ClaimAttachment, ClaimAttachmentType
from tests.conftest import post_graphql
from tests.sampleapp.models import Note

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


def selection(object_type: GraphQLObjectType, level: int, only: str | None = None) -> str:
    """Every field of `object_type` without required arguments (or the field `only`); objects,
    lists and connections below it while `level` allows."""
    parts = []
    for name, field in object_type.fields.items():
        if name.startswith("__") or _required(field) or only not in (None, name):
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


def row_type(name: str, kind: str) -> GraphQLObjectType:
    field = schema.graphql_schema.query_type.fields[name]
    return _connection_node(field.type) if kind == "connection" else get_named_type(field.type)


def document(name: str, kind: str, page_size: int, known: dict[str, str],
             only: str | None = None) -> str:
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
    # One field alone gets the scalars of what it selects below it, no further object: its
    # columns, not the whole tree's, are what the optimizer then loads.
    rows = selection(row_type(name, kind), 0 if only is None else LEVELS - 1, only)
    if kind == "connection":
        return f"{{ {call} {{ edges {{ node {{ {rows} }} }} }} }}"
    return f"{{ {call} {{ {rows} }} }}"


ROOT_LISTS = root_lists()


ROWS = 15  # rows given to every list the demo leaves empty: more than the smaller page


def rows_for_every_list(admin: User) -> None:
    """Rows for the lists the demo leaves empty (logs, attachments, batch runs, templates,
    follow-ups, expiring approvals, notes, frontend configurations), so that their nested
    fields are asked over more rows than the smaller page holds."""
    tenant = admin.tenant
    today = timezone.localdate()
    for n in range(ROWS):
        ModuleConfiguration.objects.get_or_create(
            module=f"listed{n:02d}", layer=ModuleConfiguration.Layer.FRONTEND,
            defaults={"is_exposed": True, "config": {"n": n}})
    MutationLog.objects.bulk_create(
        MutationLog(user=admin, module="claim", mutation="createClaim",
                    client_mutation_id=f"listed-{n}", status=2, uuids=[]) for n in range(ROWS))
    types = [ClaimAttachmentType.objects.get_or_create(claim_attachment_type=f"Listed {n}")[0]
             for n in range(3)]
    claims = list(Claim.objects.filter(tenant=tenant, validity_to__isnull=True)
                  .order_by("pk")[:ROWS])
    ClaimAttachment.objects.bulk_create(
        ClaimAttachment(claim=claim, title=f"Scan {n}", filename=f"scan{n}.pdf",
                        mime="application/pdf", predefined_type=types[n % 3])
        for n, claim in enumerate(claims))
    district = Location.objects.filter(tenant=tenant, type="D").order_by("pk").first()
    BatchRun.objects.bulk_create(
        BatchRun(tenant=tenant, location=district if n % 2 else None, run_year=2025,
                 run_month=n // 2 + 1, audit_user=admin) for n in range(min(ROWS, 24)))
    product = Product.objects.filter(tenant=tenant).order_by("pk").first()
    ApprovalTemplate.objects.bulk_create(
        ApprovalTemplate(tenant=tenant, name=f"Template {n:02d}", product=product,
                         required_documents=["LAB_RESULT"]) for n in range(ROWS))
    live = ApprovalRequest.objects.filter(tenant=tenant, validity_to__isnull=True) \
        .exclude(status__in=CLOSED).order_by("pk")
    ApprovalCommunication.objects.bulk_create(
        ApprovalCommunication(request=request, communication_type="PHONE", subject="Chase",
                              follow_up_required=True, follow_up_date=today, user=admin,
                              at=timezone.now() + timedelta(hours=1))
        for request in live[:ROWS])
    granted = list(live.filter(status__in=GRANTED)[:ROWS])
    ApprovalRequest.objects.filter(pk__in=[r.pk for r in granted]).update(
        expiration_date=today + timedelta(days=30))
    parents = Note.objects.bulk_create(Note(tenant=tenant, title=f"Note {n}")
                                       for n in range(ROWS))
    Note.objects.bulk_create(Note(tenant=tenant, title=f"Reply {n}", parent=parent)
                             for n, parent in enumerate(parents))


def every_page_reads_what_later_rows_have(admin) -> None:
    """The demo's requests made from orders, with their documents and calls, come after the
    approval module's own: the first request of the tenant and of the clerk's facility (first
    on every page, by key) get an order, a document and a call too, so a page of 10 reads the
    relations a page of 50 does (a prefetch with nothing to fetch runs no statement)."""
    from django.contrib.contenttypes.models import ContentType

    from hospital_orders.models import ImagingOrder
    from openimis_approval.models import ApprovalCommunication, ApprovalDocument, ApprovalRequest

    clerk = User.objects.get(username="clerk")
    order = ImagingOrder.objects.filter(health_facility=clerk.health_facility).order_by("pk")[0]
    requests = ApprovalRequest.objects.filter(tenant=admin.tenant).order_by("pk")
    for request in {requests[0], requests.filter(health_facility=clerk.health_facility)[0]}:
        if not request.order_id:
            request.order_type = ContentType.objects.get_for_model(ImagingOrder)
            request.order_id = str(order.pk)
            request.save(update_fields=["order_type", "order_id"])
        ApprovalDocument.objects.create(request=request, document_type="CLINICAL_NOTES",
                                        filename="notes.txt", mime="text/plain", size=5,
                                        sha256="0" * 64, content=b"notes", uploaded_by=clerk)
        ApprovalCommunication.objects.create(request=request, communication_type="PHONE",
                                             subject="Status", user=clerk)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(SIZE)
        admin = User.objects.get(username="Admin")
        rows_for_every_list(admin)
        every_page_reads_what_later_rows_have(admin)
        # The claim with the longest history, and the insuree with the most policies.
        claim = Claim.objects.filter(tenant=admin.tenant).annotate(
            steps=Count("history")).order_by("-steps", "pk").first()
        insuree = Insuree.objects.filter(tenant=admin.tenant).annotate(
            policies=Count("insuree_policies")).order_by("-policies", "pk").first()
        yield admin, {"claim": str(claim.uuid), "chf_id": insuree.chf_id}
        transaction.set_rollback(True)


REPEATS = 2  # the most times one statement, its values aside, may run in a request


def shape(sql: str) -> str:
    """A statement without its values: what a query run once per row repeats."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:\?(?:, )?)+\)", "(?)", sql)


@dataclass
class Figures:
    statements: int
    rows: int
    errors: list
    repeated: tuple[int, str]  # the most repeated statement: how often, and its start


USERS = ("Admin", "clerk")  # the tenant's administrator, and a facility's claim administrator


@pytest.fixture(params=USERS)
def run(request, client, demo, settings):
    """Runs documents as the tenant's Admin, then as a facility's clerk, whose rows every
    prefetch must scope to the facility as the list itself is."""
    settings.GRAPHQL_MAX_DEPTH = 30
    settings.GRAPHQL_MAX_QUERY_BYTES = 1_000_000
    user = User.objects.get(username=request.param)

    def ask(query: str) -> Figures:
        with CaptureQueriesContext(connection) as queries:
            response = post_graphql(client, query, user=user)
        rows = next(iter((response.data or {}).values()), None)
        count = len(rows["edges"]) if isinstance(rows, dict) else len(rows or [])
        shapes = Counter(shape(q["sql"]) for q in queries.captured_queries)
        sql, times = shapes.most_common(1)[0] if shapes else ("", 0)
        return Figures(len(queries), count, response.errors, (times, sql[:120]))

    return ask


def refused(figure: Figures) -> bool:
    """The user lacks the right for the root: a clean refusal, nothing to count."""
    return bool(figure.errors) and all(
        error.get("extensions", {}).get("code") == "FORBIDDEN" for error in figure.errors)


def faults(name: str, figures: dict[int, Figures]) -> list[str]:
    """What a document's runs at the page sizes show: errors, SQL growing with the page, a
    statement run once per row (which lists without pages can only show this way)."""
    found = []
    for size, figure in figures.items():
        if figure.errors:
            found.append(f"{name} at page size {size}: {figure.errors[:2]}")
        if figure.repeated[0] > REPEATS:
            found.append(f"{name} at page size {size}: a statement ran {figure.repeated[0]} "
                         f"times for {figure.rows} rows: {figure.repeated[1]}")
    small, large = (figures[size] for size in PAGE_SIZES)
    if small.statements != large.statements:
        found.append(f"{name}: {small.statements} statements for {small.rows} rows, "
                     f"{large.statements} for {large.rows} rows")
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kind"), ROOT_LISTS, ids=[name for name, _ in ROOT_LISTS])
def test_every_root_list_costs_the_same_sql_at_any_page_size(run, demo, name, kind):
    if refused(run(document(name, kind, PAGE_SIZES[0], demo[1]))):  # loads what is loaded once
        return
    figures = {size: run(document(name, kind, size, demo[1])) for size in PAGE_SIZES}
    found = faults(name, figures)
    assert not found, "\n".join(found)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kind"), ROOT_LISTS, ids=[name for name, _ in ROOT_LISTS])
def test_every_field_alone_costs_the_same_sql_at_any_page_size(run, demo, name, kind):
    """A client selecting one field gets the columns and joins that field needs, never a query
    per row (the optimizer loads only the columns a selection reads)."""
    fields = [field for field, definition in row_type(name, kind).fields.items()
              if not _required(definition)]
    if refused(run(document(name, kind, PAGE_SIZES[0], demo[1]))):
        return
    found = []
    for field in fields:
        found += faults(f"{name} {{ {field} }}", {
            size: run(document(name, kind, size, demo[1], only=field)) for size in PAGE_SIZES})
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_the_clerk_is_asked_the_claims_lists(client, demo):
    """The facility user's runs above are not all refusals: the clerk reads the claim lists."""
    clerk = User.objects.get(username="clerk")
    for name, kind in ROOT_LISTS:
        if name in ("claims", "claimAdmins", "claimAttachments"):
            response = post_graphql(client, document(name, kind, 10, demo[1]), user=clerk)
            assert response.errors == [], (name, response.errors[:2])
