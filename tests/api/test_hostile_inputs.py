"""Hostile input on every argument of the schema, generated from the assembled schema.

Every mutation and every input field (recursively into input objects and lists), and every
argument of every query field, is sent over HTTP with values of its GraphQL type that a client
should never send: wrong types, huge and negative numbers, exponents, NaN, 10,000-character and
NUL-bearing strings, malformed ids and uuids, dates out of range, deep JSON, huge lists. The
caller is the superuser of a tenant with a realistic scene (claims in every status, approval
requests, documents, a template), so the other arguments name rows that exist and the hostile
value reaches the services.

Each case must answer: never HTTP 500, never an `internal_error` code nor an
"Internal server error." message, and a refused mutation (status 1, or a GraphQL error) writes
no domain row. Each case runs in a savepoint that is rolled back, so one case's writes do not
change what the next one finds. A field added to the schema is covered the day it is added:
only the valid baseline of a mutation (`BASELINES`) is written by hand, and a mutation without
one still gets its required fields filled generically.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_input_object_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    is_scalar_type,
)

from config.schema import schema
from core.models import LoginThrottleEntry, MutationLog
from core.registers.models import Diagnosis
from openimis_approval.codes import ApprovalStatus
from openimis_approval.models import (
    ApprovalDocument,
    ApprovalLine,
    ApprovalRequest,
    ApprovalTemplate,
)
from openimis_claim.codes import ClaimStatus, ReviewStatus
from openimis_claim.models import ClaimAttachment
from reports.registry import registered_reports
from tests.conftest import internal_error_entries, payload_errors, post_graphql
from tests.factories import make_claim, make_claim_scene

pytestmark = pytest.mark.django_db

GRAPHQL_SCHEMA = schema.graphql_schema
LONG = "x" * 10_000
DEEP_JSON = "[" * 5_000 + "]" * 5_000
# One entry more than any list argument may hold.
HUGE_LIST_LENGTH = settings.GRAPHQL_MAX_LIST_SIZE + 1

# Hostile values per named input type, the most telling first; every value is sent as a
# variable, as the web app does, and for the scalars in CUSTOM_SCALARS the first LITERALS of
# them are also written into the document.
STRING_VALUES = [LONG, "a\x00b", "\ud800", "", DEEP_JSON, {"wrong": "type"}]
# A string argument that names a row (`uuid`, `claimUuid`, `id`, `templateId`, `uuids`) also
# gets malformed ids.
MALFORMED_IDS = ["not-a-uuid", "9" * 5_000, "-1"]
ID_LIKE = re.compile(r"(^id|Id|uuid|Uuid|ids|Ids|uuids|Uuids)$")
HOSTILE: dict[str, list[Any]] = {
    "String": STRING_VALUES,
    "ID": ["not-a-uuid", "9" * 5_000, "a\x00b", LONG, "", 12],
    "UUID": ["not-a-uuid", "9" * 5_000, "a\x00b", ""],
    "Int": [2**31, -(2**31) - 1, -1, 0, "abc", 1.5],
    "Float": [1e308, -1e308, "NaN", "abc"],
    "Decimal": [1e20, "NaN", "99999999999999999999", "1e20", "Infinity", "-1e-30", "-5",
                "1" + "0" * 5_000, "1e999999999", "0.0000000001", {"wrong": "type"}],
    "Boolean": ["yes", 2],
    "Date": ["2024-13-45", "0000-01-01", "9999-12-31T99", "9999-12-31", "0001-01-01", 20240101],
    "DateTime": ["2024-13-45T00:00:00", "0000-01-01T00:00:00", "9999-12-31T23:59:59-14:00",
                 "9999-12-31T99:00:00", "0001-01-01T00:00:00+14:00", "x"],
    "JSONString": ["{not json", DEEP_JSON, '"' + LONG * 10 + '"', "a\x00b"],
    "GenericScalar": [DEEP_JSON, {"a\x00b": 1}, [[[[[]]]]]],
}
LITERALS = 3
# Arguments the framework declares once for every field (the mutation base's Input, the
# connection field) and handles in one place: the full set of values on the first field that
# has them, the first SHARED_VALUES on every other field.
SHARED_ARGUMENTS = {"clientMutationId", "clientMutationLabel", "clientMutationDetails",
                    "orderBy", "offset", "before", "after", "first", "last"}
SHARED_VALUES = 2


# Scalars whose literals the schema's own code parses (graphql-core parses the others): their
# values are also sent written into the document, not only as variables.
CUSTOM_SCALARS = {"Date", "DateTime", "Decimal", "UUID", "JSONString", "GenericScalar"}


@dataclass(frozen=True)
class Case:
    root: str          # "mutation" or "query"
    field: str         # the root field
    path: tuple        # where the hostile value goes: argument names, input fields, list indexes
    value: Any
    literal: bool = False  # written into the document rather than sent as a variable

    @property
    def label(self) -> str:
        shown = repr(self.value)
        shown = shown if len(shown) <= 40 else f"{shown[:30]}...({len(shown)} chars)"
        how = " (literal)" if self.literal else ""
        return f"{self.root} {self.field} {'.'.join(map(str, self.path))} = {shown}{how}"


# --- The scene ----------------------------------------------------------------------------


@pytest.fixture
def world(tenant, make_user):
    """A tenant with claims in every status, approval requests at every step, a claim
    attachment, a request document and a template; the caller is the tenant's superuser."""
    s = make_claim_scene(tenant)
    s.user = make_user(superuser=True, username="root-of-t1")
    icd = Diagnosis.objects.get(code="B50")
    s.icd = icd

    def claim(status, **fields):
        return make_claim(tenant, insuree=s.insuree, health_facility=s.facility, icd=icd,
                          items=[s.item], services=[s.service], status=status, **fields)

    s.entered = claim(ClaimStatus.ENTERED)
    s.checked = claim(ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED,
                      feedback_status=ReviewStatus.SELECTED)
    s.rejected = claim(ClaimStatus.REJECTED)
    s.processed = claim(ClaimStatus.PROCESSED, approved=Decimal("12.50"))
    s.checked_item_line = s.checked.items.get()
    s.attachment = ClaimAttachment.objects.create(claim=s.entered, title="scan",
                                                  filename="scan.txt", mime="text/plain",
                                                  document=b"scan")

    def request(status, number, **fields):
        req = ApprovalRequest.objects.create(
            tenant=tenant, number=number, status=status, insuree=s.insuree,
            health_facility=s.facility, icd=icd, requesting_provider=s.user,
            service_start_date=date(2025, 3, 10), **fields)
        ApprovalLine.objects.create(request=req, item=s.item, qty_requested=Decimal("2"),
                                    price_requested=Decimal("2.50"))
        return req

    due = datetime(2025, 3, 12, tzinfo=UTC)
    s.draft = request(ApprovalStatus.DRAFT, "PA-2025-000001")
    s.under_review = request(ApprovalStatus.UNDER_REVIEW, "PA-2025-000002", due_at=due)
    s.info_requested = request(ApprovalStatus.INFO_REQUESTED, "PA-2025-000003", due_at=due)
    s.denied = request(ApprovalStatus.DENIED, "PA-2025-000004")
    s.appealed = request(ApprovalStatus.APPEAL_SUBMITTED, "PA-2025-000005", appeal_level=1)
    s.pending = request(ApprovalStatus.PENDING_SUBMISSION, "PA-2025-000006")
    s.document = ApprovalDocument.objects.create(
        request=s.draft, document_type="LAB", title="smear", filename="smear.txt",
        mime="text/plain", size=5, sha256="0" * 64, content=b"smear")
    s.template = ApprovalTemplate.objects.create(
        tenant=tenant, name="Malaria lab", lines=[{"itemId": s.item.pk, "qtyRequested": "1"}])
    s.report = registered_reports()[0].name
    return s


DOCUMENT = base64.b64encode(b"plain text document").decode()


def _claim_input(s) -> dict[str, Any]:
    return {"insureeId": s.insuree.pk, "healthFacilityId": s.facility.pk, "icdId": s.icd.pk,
            "dateFrom": "2025-03-01", "dateClaimed": "2025-03-02", "visitType": "O",
            "items": [{"itemId": s.item.pk, "qtyProvided": "2", "priceAsked": "2.50"}],
            "services": [{"serviceId": s.service.pk, "qtyProvided": "1"}]}


def _request_input(s) -> dict[str, Any]:
    return {"insureeId": s.insuree.pk, "healthFacilityId": s.facility.pk, "icdId": s.icd.pk,
            "requestType": "LABORATORY", "priority": "URGENT",
            "serviceStartDate": "2025-03-10", "serviceEndDate": "2025-03-20",
            "lines": [{"itemId": s.item.pk, "qtyRequested": "2", "priceRequested": "2.50"}]}


def _decision(s, request) -> dict[str, Any]:
    line = request.lines.get()
    return {"uuid": str(request.uuid), "decision": "APPROVE",
            "effectiveDate": "2025-03-10", "expirationDate": "2025-04-09",
            "lines": [{"id": str(line.pk), "qtyApproved": "2", "priceApproved": "2.50"}]}


# A valid input per mutation, so a hostile value in one field reaches the service's handling of
# that field rather than a "required" error of another. A mutation missing here still runs, with
# its required fields filled generically (`_generic`).
BASELINES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "createClaim": lambda s: {**_claim_input(s), "code": "HOSTILE1"},
    "updateClaim": lambda s: {**_claim_input(s), "uuid": str(s.entered.uuid),
                              "code": s.entered.code},
    "deleteClaims": lambda s: {"uuids": [str(s.entered.uuid)]},
    "submitClaims": lambda s: {"uuids": [str(s.entered.uuid)]},
    "selectClaimsForFeedback": lambda s: {"uuids": [str(s.checked.uuid)]},
    "skipClaimsFeedback": lambda s: {"uuids": [str(s.checked.uuid)]},
    "bypassClaimsFeedback": lambda s: {"uuids": [str(s.checked.uuid)]},
    "selectClaimsForReview": lambda s: {"uuids": [str(s.checked.uuid)]},
    "skipClaimsReview": lambda s: {"uuids": [str(s.checked.uuid)]},
    "bypassClaimsReview": lambda s: {"uuids": [str(s.checked.uuid)]},
    "deliverClaimsReview": lambda s: {"uuids": [str(s.checked.uuid)]},
    "processClaims": lambda s: {"uuids": [str(s.checked.uuid)]},
    "deliverClaimFeedback": lambda s: {
        "claimUuid": str(s.checked.uuid),
        "feedback": {"feedbackDate": "2025-03-05", "careRendered": True, "asessment": 3}},
    "saveClaimReview": lambda s: {
        "claimUuid": str(s.checked.uuid), "adjustment": "checked",
        "items": [{"id": s.checked_item_line.pk, "qtyApproved": "1", "priceApproved": "2.00",
                   "status": 1, "justification": "ok"}]},
    "valuateClaims": lambda s: {"uuids": [str(s.processed.uuid)]},
    "restoreClaim": lambda s: {"uuid": str(s.rejected.uuid)},
    "createClaimAttachment": lambda s: {
        "claimUuid": str(s.entered.uuid), "title": "scan", "filename": "a.txt",
        "mime": "text/plain", "date": "2025-03-01", "document": DOCUMENT},
    "updateClaimAttachment": lambda s: {"id": str(s.attachment.uuid), "title": "scan 2"},
    "deleteClaimAttachment": lambda s: {"id": str(s.attachment.uuid)},
    "addApprovalDocument": lambda s: {
        "requestUuid": str(s.draft.uuid), "documentType": "LAB", "title": "result",
        "filename": "r.txt", "mime": "text/plain", "document": DOCUMENT},
    "deleteApprovalDocument": lambda s: {"id": str(s.document.uuid)},
    "logApprovalCommunication": lambda s: {
        "requestUuid": str(s.draft.uuid), "communicationType": "PHONE", "subject": "call",
        "followUpRequired": True, "followUpDate": "2025-03-15"},
    "createApprovalTemplate": lambda s: {
        "name": "Template", "requestType": "LABORATORY", "priority": "URGENT",
        "requiredDocuments": ["LAB"], "lines": [{"itemId": s.item.pk, "qtyRequested": "1"}]},
    "updateApprovalTemplate": lambda s: {
        "id": str(s.template.uuid), "name": "Renamed",
        "lines": [{"serviceId": s.service.pk, "qtyRequested": "1"}]},
    "deleteApprovalTemplate": lambda s: {"id": str(s.template.uuid)},
    "createApprovalRequest": _request_input,
    "updateApprovalRequest": lambda s: {**_request_input(s), "uuid": str(s.draft.uuid)},
    "submitApprovalRequests": lambda s: {"uuids": [str(s.draft.uuid)]},
    "startApprovalReview": lambda s: {"uuids": [str(s.draft.uuid)]},
    "holdApprovalRequests": lambda s: {"uuids": [str(s.draft.uuid)], "reason": "Smear result"},
    "reopenApprovalDrafts": lambda s: {"uuids": [str(s.pending.uuid)]},
    "requestApprovalInfo": lambda s: {"uuid": str(s.under_review.uuid), "message": "More"},
    "supplyApprovalInfo": lambda s: {
        "uuid": str(s.info_requested.uuid), "message": "Here",
        "lines": [{"itemId": s.item.pk, "qtyRequested": "1"}]},
    "decideApprovalRequest": lambda s: _decision(s, s.under_review),
    "submitApprovalAppeal": lambda s: {"uuid": str(s.denied.uuid), "reason": "Positive"},
    "decideApprovalAppeal": lambda s: {**_decision(s, s.appealed), "reason": "Evidence"},
    "cancelApprovalRequests": lambda s: {"uuids": [str(s.draft.uuid)], "reason": "Duplicate"},
    "evaluateApprovalRequest": lambda s: {"uuid": str(s.under_review.uuid)},
    "extendApprovalDeadline": lambda s: {"uuid": str(s.under_review.uuid), "days": 3,
                                         "reason": "Waiting for the lab"},
    "saveReportOverride": lambda s: {"name": s.report, "template": "<p>{{ title }}</p>"},
    "renderReport": lambda s: {"name": "claims_overview", "params": [
        {"name": "dateFrom", "value": "2025-01-01"}, {"name": "dateTo", "value": "2025-12-31"}]},
    "createNote": lambda s: {"title": "A note"},
    "tokenAuth": lambda s: {"username": "root-of-t1", "password": "pass-word-1"},
    "changePassword": lambda s: {"oldPassword": "pass-word-1",
                                 "newPassword": "Another-pass-2026"},
}
# Arguments of queries that other arguments need to mean something.
QUERY_BASELINES: dict[str, Callable[[Any], dict[str, Any]]] = {}

GENERIC_SCALARS = {"String": "x", "ID": "1", "UUID": "00000000-0000-0000-0000-000000000000",
                   "Int": 1, "Float": 1.0, "Decimal": "1", "Boolean": True,
                   "Date": "2025-03-01", "DateTime": "2025-03-01T00:00:00+00:00",
                   "JSONString": "{}", "GenericScalar": {}}


def _generic(type_) -> Any:
    """A plausible value of a type: its required input fields filled, recursively."""
    if is_non_null_type(type_):
        return _generic(type_.of_type)
    if is_list_type(type_):
        return [_generic(type_.of_type)]
    if is_input_object_type(type_):
        return {name: _generic(f.type) for name, f in type_.fields.items()
                if is_non_null_type(f.type)}
    return GENERIC_SCALARS.get(type_.name, "x")


# --- Walking the schema -------------------------------------------------------------------


def _hostile_for(type_, name: str, walked: set[str], brief: bool = False
                 ) -> Iterator[tuple[tuple, Any, bool]]:
    """(relative path, value, literal) of every hostile value for a value of `type_` named
    `name`; `brief`: only the first few of each scalar's values; `walked`: the shared arguments
    already given every value."""
    inner = type_.of_type if is_non_null_type(type_) else type_
    if is_list_type(inner):
        element = inner.of_type
        yield (), [_generic(element)] * HUGE_LIST_LENGTH, False
        yield (), "not a list" if not is_scalar_type(get_named_type(element)) else {"a": 1}, \
            False
        for path, value, literal in _hostile_for(element, name, walked, brief):
            yield (0, *path), value, literal
        return
    if is_input_object_type(inner):
        yield (), "not an object", False
        for field_name, field in inner.fields.items():
            shared = brief or (field_name in SHARED_ARGUMENTS and field_name in walked)
            walked.add(field_name)
            for path, value, literal in _hostile_for(field.type, field_name, walked, shared):
                yield (field_name, *path), value, literal
        return
    assert isinstance(inner, GraphQLScalarType)
    values = HOSTILE.get(inner.name, STRING_VALUES)
    if inner.name in ("String", "ID") and ID_LIKE.search(name):
        values = [*values, *MALFORMED_IDS]
    for index, value in enumerate(values[:SHARED_VALUES] if brief else values):
        yield (), value, False
        if inner.name in CUSTOM_SCALARS and index < LITERALS and \
                isinstance(value, (str, int, float)) and len(str(value)) < 1_000:
            yield (), value, True



def _set(container: dict, path: tuple, value: Any) -> dict:
    """A copy of `container` with the value at `path` replaced (lists: their first element)."""
    head, *rest = path
    copy = list(container) if isinstance(container, list) else dict(container)
    if not rest:
        copy[head] = value
        return copy
    current = copy[head] if (isinstance(copy, dict) and head in copy) or \
        (isinstance(copy, list) and len(copy) > head) else None
    if current is None:
        current = [{}] if isinstance(rest[0], int) else {}
    if isinstance(head, int) and isinstance(copy, list) and len(copy) <= head:
        copy.append(current)
    copy[head] = _set(current, tuple(rest), value)
    return copy


def _selection(type_) -> str:
    named = get_named_type(type_)
    return " { __typename }" if is_object_type(named) or not is_scalar_type(named) else ""


def _type_ref(type_) -> str:
    if isinstance(type_, GraphQLNonNull):
        return f"{_type_ref(type_.of_type)}!"
    if isinstance(type_, GraphQLList):
        return f"[{_type_ref(type_.of_type)}]"
    return type_.name


def _document(root: str, name: str, field: GraphQLField) -> str:
    variables = ", ".join(f"${arg}: {_type_ref(a.type)}" for arg, a in field.args.items())
    arguments = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    body = "status error" if root == "mutation" and "status" in getattr(
        get_named_type(field.type), "fields", {}) else "__typename"
    if root == "query":
        return f"query Q({variables}) {{ {name}({arguments}){_selection(field.type)} }}"
    if not field.args:
        return f"mutation M {{ {name} {{ __typename }} }}"
    return f"mutation M({variables}) {{ {name}({arguments}) {{ {body} }} }}"


def _literal(value: Any) -> str:
    """A value written as a GraphQL literal (input objects, lists, strings, numbers)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value)


def _literal_document(root: str, name: str, field: GraphQLField, variables: dict) -> str:
    arguments = ", ".join(f"{arg}: {_literal(value)}" for arg, value in variables.items())
    arguments = f"({arguments})" if arguments else ""
    if root == "query":
        return f"query {{ {name}{arguments}{_selection(field.type)} }}"
    body = "status error" if "status" in getattr(get_named_type(field.type), "fields", {}) \
        else "__typename"
    return f"mutation {{ {name}{arguments} {{ {body} }} }}"


def _cases(root: str) -> list[Case]:
    root_type = GRAPHQL_SCHEMA.mutation_type if root == "mutation" else GRAPHQL_SCHEMA.query_type
    cases, walked = [], set()
    for name, field in root_type.fields.items():
        for arg, argument in field.args.items():
            shared = arg in SHARED_ARGUMENTS and arg in walked
            walked.add(arg)
            for path, value, literal in _hostile_for(argument.type, arg, walked, shared):
                cases.append(Case(root, name, (arg, *path), value, literal))
    return cases


MUTATION_CASES = _cases("mutation")
QUERY_CASES = _cases("query")


def _baseline(case: Case, world) -> dict[str, Any]:
    root_type = GRAPHQL_SCHEMA.mutation_type if case.root == "mutation" else \
        GRAPHQL_SCHEMA.query_type
    field = root_type.fields[case.field]
    given = (BASELINES if case.root == "mutation" else QUERY_BASELINES).get(case.field)
    if case.root == "mutation" and set(field.args) == {"input"}:
        base = given(world) if given else _generic(field.args["input"].type)
        return {"input": {**base, "clientMutationId": None}}
    variables = given(world) if given else {}
    for arg, argument in field.args.items():
        if is_non_null_type(argument.type) and arg not in variables:
            variables[arg] = _generic(argument.type)
    return variables


# --- Rows written -------------------------------------------------------------------------

# Not domain rows: the mutation log, and the login throttle's counters (a refused login counts).
EXCLUDED_TABLES = {MutationLog._meta.db_table, LoginThrottleEntry._meta.db_table}
# The apps whose rows mutations write (registers are read-only to them).
WRITTEN_BY_MUTATIONS = {"claim", "approval", "reports", "sampleapp"}


def _domain_tables() -> list[str]:
    tables = []
    for model in apps.get_models():
        if model._meta.app_label in {"claim", "approval", "reports", "core", "sampleapp",
                                     "orderapp"} and model._meta.managed and \
                not model._meta.proxy and model._meta.db_table not in EXCLUDED_TABLES:
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def _row_counts(tables: list[str]) -> list[int]:
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT {i}, COUNT(*) FROM {quote(t)}"
                             for i, t in enumerate(tables))
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [count for _, count in sorted(cursor.fetchall())]


def _unreadable_rows() -> str | None:
    """After an accepted mutation, every row with a decimal column still reads back (SQLite
    stores a number its column cannot hold, and then fails every read of it)."""
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, models.DecimalField)]
        if not names or model._meta.app_label not in WRITTEN_BY_MUTATIONS:
            continue
        try:
            list(model.objects.values_list(*names))
        except Exception as exc:  # the fault under test, whatever the database raises
            return f"{model.__name__} rows no longer read: {type(exc).__name__}"
    return None


# --- The walk -----------------------------------------------------------------------------


def _fault(case: Case, response, refused_rows: bool) -> str | None:
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    messages = [e.get("message", "") for e in response.body.get("errors") or []]
    for message in messages:
        if message in ("Internal server error.", "Invalid request."):
            return f"GraphQL error {message!r}"
    payload = (response.body.get("data") or {}).get(case.field)
    if internal_error_entries(payload):
        return f"internal_error {payload_errors(payload)}"
    if refused_rows:
        return "a refused mutation wrote rows"
    return None


def _run(client, world, case: Case, tables: list[str]) -> str | None:
    root_type = GRAPHQL_SCHEMA.mutation_type if case.root == "mutation" else \
        GRAPHQL_SCHEMA.query_type
    field = root_type.fields[case.field]
    variables = _set(_baseline(case, world), case.path, case.value)
    if case.literal:
        document, variables = _literal_document(case.root, case.field, field, variables), None
    else:
        document = _document(case.root, case.field, field)
    with transaction.atomic():
        before = _row_counts(tables) if case.root == "mutation" else None
        response = post_graphql(client, document, variables, user=world.user)
        payload = ((response.body.get("data") or {}) or {}).get(case.field)
        refused = bool(response.body.get("errors")) or payload is None or (
            isinstance(payload, dict) and (payload.get("status") == 1
                                           or payload.get("success") is False))
        wrote = case.root == "mutation" and refused and _row_counts(tables) != before
        fault = _fault(case, response, wrote)
        if fault is None and case.root == "mutation" and not refused:
            fault = _unreadable_rows()
        transaction.set_rollback(True)
    return fault


def _walk(client, world, cases: list[Case]) -> list[str]:
    tables = _domain_tables()
    faults = []
    for case in cases:
        fault = _run(client, world, case, tables)
        if fault:
            faults.append(f"{case.label}: {fault}")
    return faults


def test_the_walk_covers_every_mutation_and_argument():
    root = GRAPHQL_SCHEMA.mutation_type
    with_args = {name for name, field in root.fields.items() if field.args}
    assert {case.field for case in MUTATION_CASES} == with_args
    with_input = {name for name, field in root.fields.items() if "input" in field.args}
    assert sorted(with_input - set(BASELINES)) == []
    queries = {name for name, field in GRAPHQL_SCHEMA.query_type.fields.items() if field.args}
    assert {case.field for case in QUERY_CASES} == queries


def test_hostile_input_to_every_mutation_is_refused_cleanly(client, world):
    """One scene for every case (each in its own rolled-back savepoint): the failure lists
    every case that answered badly, by mutation and argument."""
    faults = _walk(client, world, MUTATION_CASES)
    assert not faults, f"{len(faults)} of {len(MUTATION_CASES)} cases:\n" + "\n".join(faults)


def test_hostile_arguments_of_every_query_are_refused_cleanly(client, world):
    faults = _walk(client, world, QUERY_CASES)
    assert not faults, f"{len(faults)} of {len(QUERY_CASES)} cases:\n" + "\n".join(faults)


def test_a_valid_baseline_succeeds(client, world):
    """The baselines are valid: without a hostile value the mutations they feed succeed, so the
    walk tests the services' handling of each field rather than an early refusal."""
    root = GRAPHQL_SCHEMA.mutation_type
    failed = []
    for name in ("createClaim", "updateClaim", "saveClaimReview", "createApprovalRequest",
                 "decideApprovalRequest", "supplyApprovalInfo", "createClaimAttachment",
                 "addApprovalDocument", "logApprovalCommunication", "createApprovalTemplate",
                 "extendApprovalDeadline", "deliverClaimFeedback"):
        with transaction.atomic():
            document = _document("mutation", name, root.fields[name])
            variables = {"input": {**BASELINES[name](world), "clientMutationId": None}}
            response = post_graphql(client, document, variables, user=world.user)
            payload = (response.body.get("data") or {}).get(name)
            if not payload or payload["status"] != 2:
                failed.append((name, response.body))
            transaction.set_rollback(True)
    assert failed == []

