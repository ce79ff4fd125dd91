"""Rights and tenants over the whole API, generated: every root query and mutation of the
assembled schema and every REST endpoint of the URL resolver, asked by

- an anonymous caller (refused, sees nothing, writes nothing),
- a user of the tenant without the right (refused, writes nothing; admitted for `[]` rights),
- a user holding exactly the configured codes (admitted, no internal error),
- a fully-righted user of another tenant naming the tenant's rows (none of them in the answer,
  none of them changed),
- a fully-righted user of another facility of the same tenant naming the facility's claims,
  approval requests and their documents (none of them in the answer, none of them changed).

Nothing here lists the operations: a root field or an endpoint added tomorrow is asked the same
five ways, or the test fails naming the argument or endpoint it cannot generate.
"""

from __future__ import annotations

import base64
import io
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import F
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from graphene.types.definitions import GrapheneObjectType
from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql_jwt.shortcuts import get_token
from graphql_relay import to_global_id
from pypdf import PdfReader

from config.schema import assembly
from core.gql.policy import Policy
from core.models import MutationLog, Role, RoleRight, Tenant, User
from core.registers.models import Officer
from core.rights import all_rights, rights_codes
from core.scoping import is_uuid
from hospital_orders.models import ImagingOrder, LaboratoryOrder
from openimis_approval.codes import ApprovalStatus
from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalDocument,
    ApprovalLine,
    ApprovalRequest,
    ApprovalTemplate,
)
from openimis_claim.codes import ClaimStatus, ReviewStatus
from openimis_claim.models import BatchRun, Claim, ClaimAttachment, ClaimVersion
from reports.models import ReportOutput
from reports.registry import get_report, registered_reports
from tests.conftest import internal_error_entries, post_graphql
from tests.factories import make_claim, make_claim_scene, make_facility, make_location_chain

pytestmark = pytest.mark.django_db

CASES = ("anonymous", "no_right", "holder", "other_tenant", "other_facility")
POLICY_CODES = {"UNAUTHENTICATED", "FORBIDDEN"}
INTERNAL = "Internal server error."
# How deep the generated selection follows object fields below the root field's type.
SELECTION_DEPTH = 2
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Row fields whose values name a row to whoever reads them (beside uuids and relay ids).
MARKER_FIELDS = ("code", "chf_id", "number", "authorization_number", "username")

GRAPHQL = assembly.schema.graphql_schema
ROOTS = {"query": GRAPHQL.query_type, "mutation": GRAPHQL.mutation_type}
ROOT_FIELDS = sorted((root, name) for root, root_type in ROOTS.items()
                     for name in root_type.fields)


def policy_of(root: str, name: str) -> Policy:
    return assembly.policies[(ROOTS[root].name, name)]


def codes_of(policy: Policy, data: dict[str, Any] | None = None) -> tuple[int, ...]:
    """The codes the policy asks for now, of a call with input `data` (`()`: any logged-in
    user, or anyone if public)."""
    return tuple(code for module, key in policy.codes(data) for code in rights_codes(module, key))


# --- The scene ------------------------------------------------------------------------------


def domain_models() -> list[type[models.Model]]:
    """Every model that says how it reaches its tenant: what scoping (and this test) covers."""
    return [model for model in apps.get_models() if hasattr(model, "tenant_path")]


def _user(tenant: Tenant | None, username: str, rights=(), **fields) -> User:
    user = User.objects.create_user(username=username, password="pass-word-1", tenant=tenant,
                                    **fields)
    if rights:
        role = Role.objects.create(tenant=tenant, name=f"role-{username}")
        RoleRight.objects.bulk_create(RoleRight(role=role, right_id=code) for code in rights)
        user.roles.add(role)
    return user


def _approval(tenant, scene, facility, number: str, status: str, **fields) -> ApprovalRequest:
    now = datetime(2025, 3, 1, tzinfo=UTC)
    request = ApprovalRequest.objects.create(
        tenant=tenant, number=number, status=status, insuree=scene.insuree,
        health_facility=facility, policy=scene.policy, icd=scene.diagnosis,
        service_start_date=date(2025, 3, 10), service_end_date=date(2025, 3, 20),
        submitted_at=now, due_at=now + timedelta(hours=72), **fields)
    ApprovalLine.objects.create(request=request, item=scene.item, qty_requested=Decimal("2"),
                                price_requested=Decimal("2.50"))
    return request


def build_world() -> SimpleNamespace:
    """Tenant A with two facilities, claims and approval requests of every kind at each, their
    documents, and the users of the five cases; tenant B with its own fully-righted user."""
    tenant = Tenant.objects.create(code="GENA", name="Generated scheme A")
    other_tenant = Tenant.objects.create(code="GENB", name="Generated scheme B")
    scene = make_claim_scene(tenant)
    chain = make_location_chain(tenant)
    scene.facility.location = chain.district
    scene.facility.save(update_fields=["location"])
    scene.family.location = chain.village
    scene.family.save(update_fields=["location"])
    scene.insuree.health_facility = scene.facility
    scene.insuree.save(update_fields=["health_facility"])
    far = make_facility(tenant, items=[scene.item], services=[scene.service],
                        location=chain.district)
    officer = Officer.objects.create(tenant=tenant, code="OFGEN1", last_name="Officer",
                                     other_names="Olga", location=chain.district)
    lines = {"items": [scene.item], "services": [scene.service]}

    def claim(facility, **fields):
        return make_claim(tenant, insuree=scene.insuree, health_facility=facility,
                          icd=scene.diagnosis, admin=scene.admin, **lines, **fields)

    claims = [
        claim(scene.facility),
        claim(scene.facility, status=ClaimStatus.CHECKED, review_status=ReviewStatus.SELECTED,
              feedback_status=ReviewStatus.SELECTED),
        claim(scene.facility, status=ClaimStatus.PROCESSED, date_processed=date(2025, 3, 5)),
    ]
    far_claim = claim(far)
    for earlier in (claims[0], far_claim):
        ClaimVersion.objects.create(
            claim=earlier, code=earlier.code, insuree=earlier.insuree,
            date_claimed=earlier.date_claimed, status=earlier.status,
            review_status=earlier.review_status, feedback_status=earlier.feedback_status,
            claimed=earlier.claimed + 1, validity_to=datetime(2025, 3, 3, tzinfo=UTC),
            change="updated")
    attachment = ClaimAttachment.objects.create(
        claim=claims[0], title="Lab result", filename="lab.pdf", mime="application/pdf",
        document=PDF, size=len(PDF))
    ClaimAttachment.objects.create(claim=far_claim, title="Far result", filename="far.pdf",
                                   mime="application/pdf", document=PDF, size=len(PDF))
    BatchRun.objects.create(tenant=tenant, run_year=2025, run_month=2)
    S, today = ApprovalStatus, timezone.localdate()
    approvals = [
        _approval(tenant, scene, scene.facility, "PA-GEN-000001", S.SUBMITTED),
        _approval(tenant, scene, scene.facility, "PA-GEN-000002", S.DRAFT),
        _approval(tenant, scene, scene.facility, "PA-GEN-000003", S.UNDER_REVIEW),
        _approval(tenant, scene, scene.facility, "PA-GEN-000004", S.APPROVED,
                  authorization_number="AUTH-GEN-000004", effective_date=today - timedelta(10),
                  expiration_date=today + timedelta(10), decided_at=datetime(2025, 3, 2,
                                                                             tzinfo=UTC)),
    ]
    approvals[3].lines.update(qty_approved=Decimal("2"), decision="APPROVED")
    _approval(tenant, scene, far, "PA-GEN-000005", S.SUBMITTED)
    # Orders of facility 1 (hospital_orders), the first request made for the imaging one.
    imaging = ImagingOrder.objects.create(tenant=tenant, number="IMG-GEN-1", insuree=scene.insuree,
                                          health_facility=scene.facility, modality="CT",
                                          planned_date=date(2025, 3, 10))
    imaging.lines.create(service=scene.service)
    LaboratoryOrder.objects.create(tenant=tenant, number="LAB-GEN-1", insuree=scene.insuree,
                                   health_facility=scene.facility,
                                   planned_date=date(2025, 3, 10)).lines.create(item=scene.item)
    ApprovalRequest.objects.filter(pk=approvals[0].pk).update(
        order_type=ContentType.objects.get_for_model(ImagingOrder), order_id=str(imaging.pk))
    document = ApprovalDocument.objects.create(
        request=approvals[0], document_type="LAB_RESULT", title="Smear", filename="smear.pdf",
        mime="application/pdf", size=len(PDF), sha256="0" * 64, content=PDF)
    ApprovalCommunication.objects.create(
        request=approvals[0], communication_type="PHONE", subject="Missing smear",
        follow_up_required=True, follow_up_date=date(2025, 1, 1))
    template = ApprovalTemplate.objects.create(tenant=tenant, name="Malaria lab",
                                               request_type="LABORATORY", product=scene.product)

    everything = sorted(all_rights())
    world = SimpleNamespace(
        tenant=tenant, other_tenant=other_tenant, scene=scene, chain=chain, far=far,
        officer=officer, claims=claims, attachment=attachment, approvals=approvals,
        template=template, document=document,
        no_right=_user(tenant, "gen-no-right"),
        other_tenant_user=_user(other_tenant, "gen-other-tenant", everything),
        other_facility_user=_user(tenant, "gen-other-facility", everything,
                                  health_facility=far),
        holders={},
    )
    for root, name in ROOT_FIELDS:
        codes = codes_of(policy_of(root, name))
        if codes not in world.holders:
            world.holders[codes] = _user(tenant, f"gen-holder-{len(world.holders)}", codes)
    MutationLog.objects.create(user=world.holders[()], module="claim", mutation="createClaim",
                               client_mutation_id="gen-log-1")
    # A clerk of facility 1 and the log of their change to one of its claims.
    clerk = _user(tenant, "gen-clerk", everything, health_facility=scene.facility)
    MutationLog.objects.create(
        user=clerk, module="claim", mutation="UpdateClaimMutation", client_mutation_id="gen-log-2",
        json_content={"uuid": str(claims[0].uuid), "code": claims[0].code},
        uuids=[str(claims[0].uuid)])
    for report in registered_reports():
        codes = rights_codes(report.module, report.rights_key)
        if codes not in world.holders:
            world.holders[codes] = _user(tenant, f"gen-holder-{len(world.holders)}", codes)
    # A report rendered in the background for its holder: only they may download it.
    overview = get_report("claims_overview")
    world.report_output = ReportOutput.objects.create(
        tenant=tenant, user=world.holders[rights_codes(overview.module, overview.rights_key)],
        name=overview.name, filename="overview.pdf", pdf=PDF, size=len(PDF),
        expires_at=timezone.now() + timedelta(days=1))
    if apps.is_installed("tests.sampleapp"):  # the test settings' sample module
        from tests.sampleapp.models import Note

        Note.objects.create(tenant=tenant, title="Generated note")
    world.tenant_markers = tenant_markers(tenant)
    world.facility_rows = facility_rows(scene.facility)
    world.facility_markers = row_markers(world.facility_rows)
    world.tenant_rows = {model: set(pks) for model, pks in rows_of_tenant(tenant).items()}
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module; every test runs in a savepoint of it, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- Markers: what of tenant A (or facility 1) must never reach the others ------------------


def _tenant_column(model) -> str | None:
    return f"{model.tenant_path}_id" if model.tenant_path else None


def rows_of_tenant(tenant: Tenant) -> dict[type[models.Model], list[int]]:
    rows = {Tenant: [tenant.pk]}
    for model in domain_models():
        column = _tenant_column(model)
        if column:
            rows[model] = list(model.objects.filter(**{column: tenant.pk})
                               .values_list("pk", flat=True))
    return rows


def facility_path(model: type[models.Model]) -> str | None:
    """How a row reaches its facility: its `health_facility`, or that of the row it belongs to
    (a claim's attachment, a request's document, a user's mutation log). Read from the foreign
    keys, not from the facility rule, so that a rule that forgets a model is found out."""
    fks = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
    if any(fk.name == "health_facility" for fk in fks):
        return "health_facility"
    parents = sorted((fk for fk in fks if fk.related_model is not model),
                     key=lambda fk: not hasattr(fk.related_model, "scope_for_user"))
    for fk in parents:
        path = facility_path(fk.related_model) if hasattr(
            fk.related_model, "scope_for_user") else (
            "health_facility" if any(f.name == "health_facility"
                                     for f in fk.related_model._meta.concrete_fields) else None)
        if path:
            return f"{fk.name}__{path}"
    return None


def facility_rows(facility) -> dict[type[models.Model], list[int]]:
    """Rows of the models with a facility rule (`scope_for_user`) that belong to `facility`:
    what a user of another facility of the same tenant must not see."""
    rows = {}
    for model in domain_models():
        path = hasattr(model, "scope_for_user") and facility_path(model)
        if path:
            rows[model] = list(model.objects.filter(**{f"{path}_id": facility.pk})
                               .values_list("pk", flat=True))
    return rows


def _node_types() -> dict[type[models.Model], list[str]]:
    """Relay node type names per model: a row's global id names it as plainly as its uuid."""
    names: dict[type[models.Model], list[str]] = {}
    for gql_type in GRAPHQL.type_map.values():
        graphene_type = getattr(gql_type, "graphene_type", None)
        model = getattr(getattr(graphene_type, "_meta", None), "model", None)
        if isinstance(gql_type, GrapheneObjectType) and model is not None and \
                "id" in gql_type.fields:
            names.setdefault(model, []).append(gql_type.name)
    return names


def row_markers(rows: dict[type[models.Model], list[int]]) -> set[str]:
    node_types = _node_types()
    markers: set[str] = set()
    for model, pks in rows.items():
        if not pks:
            continue
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, models.UUIDField) or f.name in MARKER_FIELDS]
        if names:
            for row in model.objects.filter(pk__in=pks).values(*names):
                markers.update(str(value) for value in row.values() if value)
        for type_name in node_types.get(model, ()):
            markers.update(to_global_id(type_name, pk) for pk in pks)
    return markers


def tenant_markers(tenant: Tenant) -> set[str]:
    return row_markers(rows_of_tenant(tenant))


def _pattern(markers: set[str]) -> re.Pattern:
    alternatives = "|".join(re.escape(m) for m in sorted(markers, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return {str(value)} if value is not None else set()


def leaks(body: dict[str, Any], markers: set[str], sent: dict[str, Any] | None) -> list[str]:
    """Markers in the answer. Error messages may repeat what the caller sent ("No claim <uuid>"),
    never anything else; data may repeat nothing."""
    data = dict(body.get("data") or {})
    messages = [body.get("errors") or []]
    for name, payload in list(data.items()):
        if isinstance(payload, dict) and "error" in payload:
            messages.append(payload["error"])
            data[name] = {k: v for k, v in payload.items() if k != "error"}
    found = set(_pattern(markers).findall(json.dumps(data))) if markers else set()
    unsent = markers - _strings(sent)
    if unsent:
        found |= set(_pattern(unsent).findall(json.dumps(messages)))
    return sorted(found)


# --- Snapshots: what a refused or foreign call must leave as it was --------------------------


@dataclass
class Snapshot:
    """Row count and highest key of every domain table, and the rows of tenant A as they are."""

    tables: dict[type[models.Model], tuple[int, Any]]
    rows: dict[type[models.Model], dict[Any, dict[str, Any]]]


def _integer_key(model) -> bool:
    return isinstance(model._meta.pk, (models.AutoField, models.BigAutoField, models.IntegerField))


def _table_stats() -> dict[type[models.Model], tuple[int, Any]]:
    """Count and highest key of every domain table, in one statement (tables keyed by uuid:
    their keys)."""
    tables = [model for model in [Tenant, *domain_models()] if not model._meta.proxy]
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)}), "
        + (f"(SELECT MAX({quote(m._meta.pk.column)}) FROM {quote(m._meta.db_table)})"
           if _integer_key(m) else "NULL")
        for m in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        values = cursor.fetchone()
    return {model: (values[2 * n], values[2 * n + 1] if _integer_key(model)
                    else frozenset(model.objects.values_list("pk", flat=True)))
            for n, model in enumerate(tables)}


def snapshot(world) -> Snapshot:
    return Snapshot(_table_stats(), {
        model: {row[model._meta.pk.attname]: row
                for row in model.objects.filter(pk__in=pks).values()}
        for model, pks in world.tenant_rows.items() if pks})


def changed_rows(before: Snapshot, after: Snapshot,
                 rows: dict[type[models.Model], set[int]]) -> list[str]:
    """Rows among `rows` changed or deleted."""
    changes = []
    for model, pks in rows.items():
        old, new = before.rows.get(model, {}), after.rows.get(model, {})
        changes += [f"{model.__name__} {pk}: {old.get(pk)} -> {new.get(pk)}"
                    for pk in pks if old.get(pk) != new.get(pk)]
    return changes


def new_rows(before: Snapshot, after: Snapshot) -> dict[type[models.Model], list[dict]]:
    """Rows added since `before`, per model."""
    added = {}
    for model, (_count, keys) in after.tables.items():
        old_keys = before.tables[model][1]
        if keys == old_keys:
            continue
        query = model.objects.filter(pk__gt=old_keys or 0) if _integer_key(model) else \
            model.objects.filter(pk__in=keys - old_keys)
        column = _tenant_column(model) if model is not Tenant else "pk"
        if column:
            query = query.annotate(_tenant=F(column))
        added[model] = list(query.values())
    return added


def reaching_in(before: Snapshot, after: Snapshot, world) -> list[str]:
    """Rows a foreign user's write added to tenant A, or pointing at tenant A's rows."""
    found = []
    for model, rows in new_rows(before, after).items():
        fks = [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]
        for row in rows:
            key = row[model._meta.pk.attname]
            if row.get("_tenant") == world.tenant.pk:
                found.append(f"new {model.__name__} {key} of tenant A")
            found += [f"new {model.__name__} {key}.{fk.name} -> "
                      f"{fk.related_model.__name__} {row[fk.attname]}"
                      for fk in fks
                      if row.get(fk.attname) in world.tenant_rows.get(fk.related_model, ())]
    return found


# --- Documents ------------------------------------------------------------------------------


class NoGenerator(Exception):
    pass


def _model_names() -> list[tuple[str, type[models.Model]]]:
    return sorted(((m.__name__.lower(), m) for m in domain_models()), key=lambda p: -len(p[0]))


# The subject a bare `uuid`/`uuids`/`id` names when neither the field's type nor its name says.
MODULE_SUBJECTS = {"claim": Claim, "approval": ApprovalRequest}


def subject_model(name: str, field_type, policy: Policy) -> type[models.Model] | None:
    """The model a root field's `uuid`/`id` argument names: the model behind its type (a
    connection's: its node's), else the first (longest) model name in the field's name, else
    its module's subject."""
    graphene_type = getattr(get_named_type(field_type), "graphene_type", None)
    node = getattr(getattr(graphene_type, "_meta", None), "node", None) or graphene_type
    model = getattr(getattr(node, "_meta", None), "model", None)
    if model is not None:
        return model
    lowered = name.lower()
    hits = [(lowered.find(label), -len(label), m) for label, m in _model_names()
            if label in lowered]
    if hits:
        return min(hits, key=lambda hit: hit[:2])[2]
    return MODULE_SUBJECTS.get(policy.module)


def subject_rows(world, model) -> list[models.Model]:
    """The rows a generated `uuid`/`uuids`/`id` names: those of facility 1 for a model with a
    facility rule, else those of tenant A."""
    pks = world.facility_rows.get(model) or world.tenant_rows.get(model) or ()
    return list(model.objects.filter(pk__in=pks).order_by("pk"))


def _scene_values(world, name: str, field_name: str) -> Any:
    """Arguments by name: the rows of tenant A they refer to, or a valid constant."""
    scene, none = world.scene, object()
    values = {
        "chfId": scene.insuree.chf_id, "chfid": scene.insuree.chf_id,
        "insureeCode": scene.insuree.chf_id, "claimCode": world.claims[0].code,
        "claimUuid": str(world.claims[0].uuid), "claim_Uuid": str(world.claims[0].uuid),
        "requestUuid": str(world.approvals[0].uuid),
        "healthFacilityUuid": str(scene.facility.uuid),
        "healthFacility_Uuid": str(scene.facility.uuid),
        "healthFacilityCode": scene.facility.code,
        "insureeId": scene.insuree.pk, "healthFacilityId": scene.facility.pk,
        "icdId": scene.diagnosis.pk, "icd": scene.diagnosis.code, "itemCode": scene.item.code,
        "adminId": scene.admin.pk, "productId": scene.product.pk,
        "officerId": world.officer.pk, "itemId": scene.item.pk, "serviceId": scene.service.pk,
        "templateId": str(world.template.uuid),
        "itemsPricelistId": scene.facility.items_pricelist_id,
        "servicesPricelistId": scene.facility.services_pricelist_id,
        "pricelistUuid": str((scene.facility.services_pricelist if "ervice" in field_name
                              else scene.facility.items_pricelist).uuid),
        "regionUuid": str(world.chain.region.uuid), "districtUuid": str(world.chain.district.uuid),
        "locationUuid": str(world.chain.district.uuid),
        "family_Uuid": str(scene.family.uuid),
        "username": world.no_right.username, "password": "not-the-password",
        "oldPassword": "not-the-password", "newPassword": "Generated-pass-2026",
        "days": 30, "dateFrom": "2025-01-01", "dateTo": "2025-12-31",
        "decision": "APPROVE", "message": "Generated", "reason": "Generated",
        "documentType": "LAB_RESULT", "mime": "application/pdf",
        "document": base64.b64encode(PDF).decode(), "communicationType": "PHONE",
        "name": "claim_print", "template": "<p>{{ claim.code }}</p>", "code": "GEN-NEW-1",
        "dateClaimed": "2025-12-31", "title": "Generated", "visitType": "O",
    }
    return values.get(name, none), none


@dataclass
class Document:
    text: str
    variables: dict[str, Any]


def _nullable(gql_type):
    return gql_type.of_type if is_non_null_type(gql_type) else gql_type


def _python_value(value: Any, gql_type) -> Any:
    """A generated value in the argument's GraphQL shape (lists, Int, String)."""
    named = get_named_type(gql_type).name
    if is_list_type(_nullable(gql_type)):
        items = value if isinstance(value, list) else [value]
        return [_python_value(item, _nullable(gql_type).of_type) for item in items]
    if named == "Int":
        return int(value)
    if named in ("String", "ID", "UUID"):
        return str(value)
    return value


# Optional arguments of queries the documents fill: those naming a row (so that the other tenant
# and the other facility name tenant A's rows); other optional filters are left out. A
# mutation's input gets every field there is a value for, so that it gets past its checks to
# the rows it names.
REFERENCE = re.compile(r"(uuids?|Uuid|Id|Code|chfid|icd)$")


def argument_value(world, field_name: str, root_field_type, policy: Policy, name: str,
                   gql_type: GraphQLInputType, counter: list[int], nested: bool = False) -> Any:
    """The value of one argument (or input field), or `None` to leave it out. Values come from
    the scene or a constant; a required one without a generator raises NoGenerator. Inside an
    input object (a mutation's `input`) only its own fields are filled, not those of the input
    objects it lists (lines, attachments)."""
    named = get_named_type(gql_type)
    required = is_non_null_type(gql_type)
    if name == "clientMutationId" and nested:
        counter[0] += 1
        return f"gen-{field_name}-{counter[0]}"
    if not required and not nested and not REFERENCE.search(name):
        return None
    if isinstance(named, GraphQLInputObjectType):
        if nested and not required:
            return None
        value = {}
        for input_name, input_field in named.fields.items():
            item = argument_value(world, field_name, root_field_type, policy, input_name,
                                  input_field.type, counter, nested=True)
            if item is not None:
                value[input_name] = item
        return [value] if is_list_type(_nullable(gql_type)) else value
    if name in ("uuid", "uuids", "id"):
        rows = subject_rows(world, subject_model(field_name, root_field_type, policy))
        if rows:
            keys = [row.pk if named.name == "Int" or not hasattr(row, "uuid") else str(row.uuid)
                    for row in rows]
            return keys if name == "uuids" else keys[0]
    value, none = _scene_values(world, name, field_name)
    if value is not none:
        return _python_value(value, gql_type)
    if required:
        raise NoGenerator(f"no generator for argument {name} of field {field_name}")
    return None


def selection(gql_type, depth: int) -> str:
    """Scalar leaves of the type, and object fields `depth` levels down; connections as
    `totalCount edges { node { ... } }`."""
    named = get_named_type(gql_type)
    if is_leaf_type(named):
        return ""
    if not is_object_type(named):
        return "{ __typename }"
    parts = []
    for name, gql_field in named.fields.items():
        if any(is_non_null_type(arg.type) for arg in gql_field.args.values()):
            continue
        inner = get_named_type(gql_field.type)
        if is_leaf_type(inner):
            parts.append(name)
        elif depth > 0 and name != "pageInfo":
            if "edges" in getattr(inner, "fields", {}) and depth < SELECTION_DEPTH:
                continue  # nested lists: the root field's own list is enough
            parts.append(f"{name} {selection(gql_field.type, depth - 1)}")
    if "edges" in named.fields:
        node = get_named_type(named.fields["edges"].type).fields["node"].type
        parts = [p for p in parts if not p.startswith("edges")]
        parts.append(f"edges {{ node {selection(node, depth)} }}")
    return "{ " + " ".join(parts or ["__typename"]) + " }"


def build_document(world, root: str, name: str) -> Document:
    gql_field: GraphQLField = ROOTS[root].fields[name]
    policy, counter = policy_of(root, name), [0]
    declarations, arguments, variables = [], [], {}
    for arg_name, arg in gql_field.args.items():
        value = argument_value(world, name, gql_field.type, policy, arg_name, arg.type, counter)
        if value is None:
            continue
        declarations.append(f"${arg_name}: {arg.type}")
        arguments.append(f"{arg_name}: ${arg_name}")
        variables[arg_name] = value
    header = f"{root} ({', '.join(declarations)})" if declarations else root
    call = f"{name}({', '.join(arguments)})" if arguments else name
    depth = 0 if root == "mutation" else SELECTION_DEPTH
    return Document(f"{header} {{ {call} {selection(gql_field.type, depth)} }}", variables)


# --- Ghosts: the same question about rows that do not exist must get the same answer ---------


def ghosted(variables: dict[str, Any], markers: set[str], with_ids: bool
            ) -> tuple[dict[str, Any], dict[str, str]]:
    """The variables with every value among `markers` (and, `with_ids`, every row id) replaced
    by one naming no row, and the map from those back to the real values."""
    back: dict[str, str] = {}

    def swap(key: str, value: Any) -> Any:
        if isinstance(value, list):
            return [swap(key, item) for item in value]
        if isinstance(value, dict):
            return {k: swap(k, v) for k, v in value.items()}
        if isinstance(value, str) and value in markers:
            ghost = str(uuid.uuid4()) if is_uuid(value) else f"X9{value}"
        elif with_ids and type(value) is int and REFERENCE.search(key):
            ghost = 900_000_000 + value
        else:
            return value
        back[str(ghost)] = str(value)
        return ghost

    return swap("", variables), back


def restored(body: dict[str, Any], back: dict[str, str]) -> dict[str, Any]:
    text = json.dumps(body)
    for ghost, real in back.items():
        text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(ghost)}(?![A-Za-z0-9])", real, text)
    return json.loads(text)


def model_of(gql_type) -> type[models.Model] | None:
    """The model a root field lists or returns (a connection's node), if any."""
    named = get_named_type(gql_type)
    if is_object_type(named) and "edges" in named.fields:
        named = get_named_type(get_named_type(named.fields["edges"].type).fields["node"].type)
    return getattr(getattr(getattr(named, "graphene_type", None), "_meta", None), "model", None)


# --- GraphQL cases --------------------------------------------------------------------------


def policy_errors(body) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []
            if e.get("extensions", {}).get("code") in POLICY_CODES]


def internal_errors(body, name: str) -> list[str]:
    found = [e["message"] for e in body.get("errors") or [] if e["message"] == INTERNAL]
    payload = (body.get("data") or {}).get(name)
    found += [json.dumps(e) for e in internal_error_entries(payload)]
    return found


def refused_with(body, name: str, code: str) -> None:
    assert [e.get("extensions", {}).get("code") for e in body.get("errors") or []] == [code], body
    assert (body.get("data") or {}).get(name) is None, body


def admitted(response, name: str) -> None:
    assert response.status_code != 500
    assert policy_errors(response.body) == [], response.body
    assert internal_errors(response.body, name) == [], response.body


def test_every_root_field_gets_a_generated_document(world):
    missing = []
    for root, name in ROOT_FIELDS:
        try:
            build_document(world, root, name)
        except NoGenerator as exc:
            missing.append(str(exc))
    assert missing == []


def test_the_cases_cover_every_root_field_and_the_scene_every_facility_rule(world):
    assert len(ROOT_FIELDS) == len(assembly.policies)
    # Every model with a facility rule has rows of facility 1 for the other facility to miss.
    ruled = {model.__name__ for model in domain_models() if hasattr(model, "scope_for_user")}
    assert {model.__name__ for model, pks in world.facility_rows.items() if pks} == ruled


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("root", "name"), ROOT_FIELDS, ids=[f"{r}.{n}" for r, n in ROOT_FIELDS])
def test_root_field_access(world, client, root, name, case):
    policy = policy_of(root, name)
    document = build_document(world, root, name)
    codes = codes_of(policy, document.variables.get("input"))
    user = {
        "anonymous": None, "no_right": world.no_right, "holder": world.holders[codes],
        "other_tenant": world.other_tenant_user, "other_facility": world.other_facility_user,
    }[case]
    is_mutation = root == "mutation"
    before = snapshot(world) if is_mutation else None

    response = post_graphql(client, document.text, document.variables, user=user)

    body = response.body
    assert response.status_code != 500, body
    after = snapshot(world) if is_mutation else None
    if case == "anonymous":
        assert leaks(body, world.tenant_markers, document.variables) == []
        if policy.public:
            assert policy_errors(body) == [], body
        else:
            refused_with(body, name, "UNAUTHENTICATED")
            if is_mutation:
                assert (after.tables, after.rows) == (before.tables, before.rows)
    elif case == "no_right":
        if codes:
            refused_with(body, name, "FORBIDDEN")
            if is_mutation:
                assert (after.tables, after.rows) == (before.tables, before.rows)
        else:
            admitted(response, name)
    elif case == "holder":
        admitted(response, name)
        model = model_of(ROOTS[root].fields[name].type)
        if model is not None and getattr(model, "tenant_path", None):
            # The scene has rows for it: the other cases ask about rows that exist.
            assert leaks(body, world.tenant_markers, {}) != [], body
    else:
        admitted(response, name)
        foreign = case == "other_tenant"
        markers = world.tenant_markers if foreign else world.facility_markers
        assert leaks(body, markers, document.variables) == []
        if is_mutation:
            rows = world.tenant_rows if foreign else {
                model: set(pks) for model, pks in world.facility_rows.items()}
            assert changed_rows(before, after, rows) == []
            if foreign:
                assert reaching_in(before, after, world) == []
        else:
            variables, back = ghosted(document.variables, markers, with_ids=foreign)
            if back:
                ghost = post_graphql(client, document.text, variables, user=user)
                assert restored(ghost.body, back) == body


# --- REST endpoints -------------------------------------------------------------------------


def url_patterns(resolver=None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    """Every route of the URL configuration, as `(route, pattern)`."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += url_patterns(entry, route)
        else:
            found.append((route, entry))
    return found


# The GraphQL endpoint is the test above; the admin has its own staff login and tests; the
# metrics answer by network or token, not by user (tests/core/test_metrics.py); FHIR has its own
# generated test over every resource type (tests/fhir/test_generated.py).
NOT_REST = ("api/graphql", "admin/", "metrics", "api/api_fhir_r4/")

# Report parameters by report name: a subject of facility 1, or a period.
REPORT_PARAMS = {
    "claim_print": lambda world: {"uuid": str(world.claims[0].uuid)},
    "approval_letter": lambda world: {"uuid": str(world.approvals[3].uuid)},
    "claims_overview": lambda world: {"dateFrom": "2025-01-01", "dateTo": "2025-12-31"},
    "preauth_turnaround": lambda world: {"dateFrom": "2025-01-01", "dateTo": "2025-12-31"},
}


@dataclass(frozen=True)
class Endpoint:
    """A REST call: its URL, its query parameters from the scene, the codes it needs (None: any
    logged-in user), and whether it answers a PDF."""

    id: str
    path: str
    codes: Any
    params: Any
    pdf: bool = False
    public: bool = False  # answers everyone alike and shows no rows (the health probes)
    owner_only: bool = False  # the holder's own row: every other user is answered 404


def _report_endpoint(route: str, report_name: str) -> Endpoint:
    report = get_report(report_name)
    return Endpoint(
        f"{route}[{report_name}]", "/" + route.replace("<str:report_name>", report_name),
        lambda: rights_codes(report.module, report.rights_key), REPORT_PARAMS.get(report_name),
        pdf=True)


def rest_endpoints() -> list[Endpoint]:
    """Every REST route (every report of a report route), each with what it needs; one this
    test does not know has no parameters, which fails it."""
    from core.views import current_user, health_live, health_ready
    from openimis_approval.views import DOCUMENT_RIGHTS, download_document
    from openimis_claim.views import download_attachment
    from reports.views import output_response, pdf_response

    endpoints = []
    for route, pattern in url_patterns():
        if route.startswith(NOT_REST):
            continue
        callback = pattern.callback
        if callback is current_user:
            endpoints.append(Endpoint(route, "/" + route, None, lambda world: {}))
        elif callback in (health_live, health_ready):
            endpoints.append(Endpoint(route, "/" + route, None, lambda world: {}, public=True))
        elif callback is download_attachment:
            endpoints.append(Endpoint(
                route, "/" + route, lambda: rights_codes("claim", "gql_query_claims_perms"),
                lambda world: {"id": str(world.attachment.uuid)}))
        elif callback is download_document:
            endpoints.append(Endpoint(
                route, "/" + route, lambda: rights_codes("approval", DOCUMENT_RIGHTS),
                lambda world: {"uuid": str(world.document.uuid)}))
        elif callback is output_response:
            endpoints.append(Endpoint(
                route, "/" + route,
                lambda: rights_codes("claim", "gql_query_claims_overview_perms"),
                lambda world: {"uuid": str(world.report_output.pk)}, pdf=True, owner_only=True))
        elif callback is pdf_response and "report_name" in pattern.default_args:
            endpoints.append(_report_endpoint(route, pattern.default_args["report_name"]))
        elif callback is pdf_response:
            endpoints += [_report_endpoint(route, r.name) for r in registered_reports()]
        else:
            endpoints.append(Endpoint(route, "", None, None))
    return endpoints


ENDPOINTS = rest_endpoints()


def test_every_rest_endpoint_is_known():
    assert [f"no generator for endpoint {e.id}" for e in ENDPOINTS if e.params is None] == []
    assert {"api/core/users/current_user/", "api/claim/attach", "api/approval/document",
            "api/health/live", "api/health/ready", "api/report/output/"} <= {
        e.id for e in ENDPOINTS}


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.id for e in ENDPOINTS])
def test_rest_access(world, endpoint, case):
    codes = tuple(endpoint.codes()) if endpoint.codes else ()
    user = {
        "anonymous": None, "no_right": world.no_right, "holder": world.holders.get(codes),
        "other_tenant": world.other_tenant_user, "other_facility": world.other_facility_user,
    }[case]
    if endpoint.params is None:
        pytest.fail(f"no generator for endpoint {endpoint.id}")
    headers = {"HTTP_AUTHORIZATION": f"JWT {get_token(user)}"} if user else {}
    params = endpoint.params(world)

    response = Client().get(endpoint.path, params, **headers)

    if endpoint.public:
        assert response.status_code == 200, response.content
        assert set(response.json()) <= {"status", "checks", "ms"}
        return
    if endpoint.owner_only and case != "holder":
        assert response.status_code == (401 if case == "anonymous" else 404), response.content
        return
    refused = {"anonymous": 401, "no_right": 403 if codes else None}.get(case)
    if refused:
        assert response.status_code == refused, response.content
        assert not response.content.startswith(b"%PDF")
        return
    # A parameter naming a row of facility 1: the others must not find it.
    if case in ("other_tenant", "other_facility") and {"uuid", "id"} & set(params):
        assert response.status_code == 404, response.content
        return
    assert response.status_code == 200, response.content
    if case in ("other_tenant", "other_facility"):
        markers = world.tenant_markers if case == "other_tenant" else world.facility_markers
        text = pdf_text(response.content) if endpoint.pdf else response.content.decode()
        assert _pattern(markers).findall(text) == []
