"""What a request keeps beside its workflow: documents, the communication log and templates.

Documents are checked against the module's `document_max_bytes` and `document_mime_types` (the
declared type must also match what the content starts with, for the types that have a
signature) and stored as claim attachments are: under the claims' attachments root when one is
set, else in the database; a checksum is kept and the same file is not taken twice. A template
pre-fills a new request (`apply_template`) and counts its uses."""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from graphql_relay import from_global_id

from core.config import module_config
from core.files import check_filename, decode_document
from core.files import files_root as attachments_root
from core.gql.errors import MutationError
from core.gql.mutations import MutationOutcome
from core.registers.models import MedicalItem, MedicalService, Product
from core.scoping import parse_pk, scope_queryset
from openimis_approval.access import locked_request
from openimis_approval.codes import ApprovalStatus, Priority, RequestType
from openimis_approval.models import (
    ApprovalCommunication,
    ApprovalDocument,
    ApprovalRequest,
    ApprovalTemplate,
    CommunicationType,
)

S = ApprovalStatus
# No document is added to a request in a final status, nor a follow-up kept due on one.
CLOSED = (S.EXPIRED, S.CANCELLED)
# Documents may be withdrawn until the request is decided (they stay in the database).
DOCUMENTS_DELETABLE = (S.DRAFT, S.PENDING_SUBMISSION, S.INFO_REQUESTED)
# What the content of a declared type starts with; types without an entry are not sniffed.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
TEMPLATE_TEXTS = ("service_description", "clinical_justification")


def _not_found(label: str, reference: Any) -> MutationError:
    return MutationError(f"No {label} {reference}", code="not_found", detail=str(reference))


def _by_reference(queryset: QuerySet, reference: Any):
    """One row by primary key, uuid or relay global id (what the web app's lists carry)."""
    text = str(reference or "").strip()
    if text and not text.isdigit():
        try:
            uuid_module.UUID(text)
        except ValueError:
            try:
                text = from_global_id(text)[1]
            except Exception:  # anything undecodable is simply not found
                return None
    if text.isdigit():
        key = parse_pk(text)
        return queryset.filter(pk=key).first() if key is not None else None
    try:
        return queryset.filter(uuid=uuid_module.UUID(text)).first()
    except ValueError:
        return None


def _choice(value: Any, choices, name: str) -> str:
    if value not in choices.values:
        raise MutationError(f"{name} must be one of {', '.join(choices.values)}",
                            code="invalid_choice", detail=name)
    return value


def _text(data: dict[str, Any], name: str) -> str:
    return (data.get(name) or "").strip()


# --- Documents ------------------------------------------------------------------------------


def _check_document(content: bytes, mime: str) -> None:
    config = module_config("approval")
    limit = int(config["document_max_bytes"])
    if not content:
        raise MutationError("The document is empty", code="required", detail="document")
    if len(content) > limit:
        raise MutationError(f"The document is {len(content):,} bytes; at most {limit:,}",
                            code="attachment_too_large", detail="document")
    if mime not in config["document_mime_types"]:
        raise MutationError(f"Documents of type {mime or 'unknown'} are not accepted",
                            code="attachment_type", detail="mime")
    signatures = SIGNATURES.get(mime)
    if signatures and not content.startswith(signatures):
        raise MutationError(f"The document's content is not {mime}", code="attachment_type",
                            detail="mime")


def _store(document: ApprovalDocument, content: bytes) -> None:
    document.size = len(content)
    document.sha256 = hashlib.sha256(content).hexdigest()
    root = attachments_root()
    if root is None:
        document.content, document.storage_path = content, ""
        return
    request = document.request
    relative = Path("approval") / str(request.tenant_id) / str(request.uuid) / str(document.uuid)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    document.content, document.storage_path = None, str(relative)


def read_document(document: ApprovalDocument) -> bytes | None:
    """The stored bytes (for a download view), or None when the file is gone."""
    if document.storage_path:
        root = attachments_root()
        path = (root / document.storage_path) if root else None
        if path is None or not path.resolve().is_relative_to(root.resolve()) or \
                not path.is_file():
            return None
        return path.read_bytes()
    return bytes(document.content) if document.content is not None else None


def visible_documents(user) -> QuerySet[ApprovalDocument]:
    return scope_queryset(user, ApprovalDocument.objects.filter(
        validity_to__isnull=True, request__validity_to__isnull=True))


def document_for(user, reference: Any) -> ApprovalDocument | None:
    """A live document by uuid, id or relay id, if the user reaches its request (tenant and
    facility, as for the request itself); None otherwise, so a download of another tenant's or
    facility's document reads the same as one that does not exist."""
    return _by_reference(visible_documents(user).select_related("request"), reference)


def document_url(document: ApprovalDocument) -> str:
    """Where a client downloads the document (`openimis_approval.views.download_document`)."""
    return f"/api/approval/document?uuid={document.uuid}"


def add_document(user, data: dict[str, Any]) -> MutationOutcome:
    request = locked_request(user, data.get("request_uuid"))
    if request.status in CLOSED:
        raise MutationError(f"Approval request {request.number} is {request.status}; no "
                            f"documents can be added", code="illegal_transition",
                            detail={"status": request.status})
    document_type = _text(data, "document_type")
    if not document_type:
        raise MutationError("documentType is required", code="required", detail="documentType")
    if not data.get("document"):
        raise MutationError("document is required", code="required", detail="document")
    filename = check_filename(_text(data, "filename"))
    mime = _text(data, "mime").lower()
    content = decode_document(data["document"])
    _check_document(content, mime)
    checksum = hashlib.sha256(content).hexdigest()
    twin = request.documents.filter(validity_to__isnull=True, sha256=checksum).first()
    if twin is not None:
        raise MutationError(f"This document is already attached as {twin}",
                            code="duplicate_document", detail=str(twin.uuid))
    document = ApprovalDocument(
        request=request, document_type=document_type[:50], title=_text(data, "title"),
        description=_text(data, "description"), filename=filename, mime=mime,
        uploaded_by=user)
    _store(document, content)
    document.save()
    return MutationOutcome(uuids=[str(request.uuid)],
                           json_ext={"documentId": document.pk, "documentUuid": document.uuid,
                                     "sha256": document.sha256})


def delete_document(user, reference: Any) -> MutationOutcome:
    document = _by_reference(visible_documents(user), reference)
    if document is None:
        raise _not_found("document", reference)
    request = locked_request(user, str(document.request.uuid))
    if request.status not in DOCUMENTS_DELETABLE:
        raise MutationError(f"Approval request {request.number} is {request.status}; its "
                            f"documents can no longer be deleted", code="illegal_transition",
                            detail={"status": request.status})
    document.validity_to = timezone.now()
    document.save(update_fields=["validity_to"])
    return MutationOutcome(uuids=[str(request.uuid)], json_ext={"documentId": document.pk})


# --- Communication log ----------------------------------------------------------------------


def log_communication(user, data: dict[str, Any]) -> MutationOutcome:
    request = locked_request(user, data.get("request_uuid"))
    kind = _choice(data.get("communication_type"), CommunicationType, "communicationType")
    if not (_text(data, "subject") or _text(data, "message")):
        raise MutationError("Give a subject or a message", code="required", detail="message")
    follow_up_date = data.get("follow_up_date")
    follow_up = bool(data.get("follow_up_required")) or follow_up_date is not None
    if follow_up and follow_up_date is None:
        raise MutationError("A follow-up needs a followUpDate", code="required",
                            detail="followUpDate")
    entry = ApprovalCommunication.objects.create(
        request=request, communication_type=kind, contact_person=_text(data, "contact_person"),
        contact_number=_text(data, "contact_number"), subject=_text(data, "subject"),
        message=_text(data, "message"), response=_text(data, "response"),
        outcome=_text(data, "outcome"), follow_up_required=follow_up,
        follow_up_date=follow_up_date if follow_up else None, user=user)
    return MutationOutcome(uuids=[str(request.uuid)], json_ext={"communicationId": entry.pk})


def follow_ups_due(user, on_date: date | None = None) -> QuerySet[ApprovalCommunication]:
    """Follow-ups dated on or before `on_date` (today) of live requests that nothing was logged
    after on the same request, oldest date first."""
    on_date = on_date or timezone.localdate()
    later = ApprovalCommunication.objects.filter(request_id=OuterRef("request_id")).filter(
        Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), pk__gt=OuterRef("pk")))
    due = ApprovalCommunication.objects.filter(
        follow_up_required=True, follow_up_date__lte=on_date,
        request__validity_to__isnull=True).exclude(request__status__in=CLOSED)
    return scope_queryset(user, due).exclude(Exists(later)).select_related(
        "request", "user").order_by("follow_up_date", "at", "pk")


# --- Templates ------------------------------------------------------------------------------


def visible_templates(user) -> QuerySet[ApprovalTemplate]:
    return scope_queryset(user, ApprovalTemplate.objects.filter(validity_to__isnull=True))


def template_for(user, reference: Any, *, for_update: bool = False) -> ApprovalTemplate:
    """A live template of the user's tenant by id, uuid or global id, or `not_found`."""
    templates = visible_templates(user)
    if for_update:
        templates = templates.select_for_update()
    template = _by_reference(templates, reference)
    if template is None:
        raise _not_found("approval template", reference)
    return template


def _quantity(value: Any, label: str) -> Decimal:
    try:
        number = Decimal(str(1 if value in (None, "") else value))
    except (InvalidOperation, TypeError):
        raise MutationError(f"{label} must be a number", code="invalid_number",
                            detail=label) from None
    if not number.is_finite() or number <= 0:
        raise MutationError(f"{label} must be more than zero", code="invalid_number",
                            detail=label)
    return number


def _template_lines(user, tenant_id: int, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Input rows checked (one item or service of the template's tenant each) and stored as
    `[{"itemId" | "serviceId": pk, "qtyRequested": "2"}]`."""
    stored = []
    for index, row in enumerate(rows, start=1):
        label = f"line {index}"
        item_id, service_id = row.get("item_id"), row.get("service_id")
        if (item_id is None) == (service_id is None):
            raise MutationError(f"{label}: give an itemId or a serviceId", code="invalid_line",
                                detail=label)
        model, key = (MedicalItem, "itemId") if item_id is not None else \
            (MedicalService, "serviceId")
        pk = item_id if item_id is not None else service_id
        exists = scope_queryset(user, model.objects.filter(
            validity_to__isnull=True, tenant_id=tenant_id, pk=pk)).exists()
        if not exists:
            kind = "item" if item_id is not None else "service"
            raise MutationError(f"No {label} {kind} {pk}", code="not_found", detail=label)
        quantity = _quantity(row.get("qty_requested"), f"{label} qtyRequested")
        stored.append({key: int(pk), "qtyRequested": str(quantity)})
    return stored


def _template_fields(user, template: ApprovalTemplate, data: dict[str, Any]) -> None:
    if "name" in data or template._state.adding:
        template.name = _text(data, "name")
        if not template.name:
            raise MutationError("A template needs a name", code="required", detail="name")
    if "product_id" in data or template._state.adding:
        template.product = None
        if data.get("product_id") not in (None, ""):
            products = scope_queryset(user, Product.objects.filter(validity_to__isnull=True))
            template.product = products.filter(pk=data["product_id"]).first() \
                if str(data["product_id"]).isdigit() else None
            if template.product is None:
                raise _not_found("product", data["product_id"])
    if template._state.adding:
        tenant_id = user.tenant_id or (template.product.tenant_id if template.product else None)
        if tenant_id is None:
            raise MutationError("A template without a product is made by a user of a tenant",
                                code="required", detail="productId")
        template.tenant_id = tenant_id
    if template.product is not None and template.product.tenant_id != template.tenant_id:
        raise _not_found("product", data.get("product_id"))
    if data.get("request_type"):
        template.request_type = _choice(data["request_type"], RequestType, "requestType")
    if data.get("priority"):
        template.priority = _choice(data["priority"], Priority, "priority")
    for name in TEMPLATE_TEXTS:
        if data.get(name) is not None:
            setattr(template, name, data[name])
    if data.get("required_documents") is not None:
        names = (str(name or "").strip() for name in data["required_documents"])
        template.required_documents = list(dict.fromkeys(name for name in names if name))
    if data.get("lines") is not None:
        template.lines = _template_lines(user, template.tenant_id, data["lines"])
    duplicate = ApprovalTemplate.objects.filter(
        tenant_id=template.tenant_id, validity_to__isnull=True, name__iexact=template.name,
    ).exclude(pk=template.pk).exists()
    if duplicate:
        raise MutationError(f"A template named {template.name} exists already",
                            code="duplicate_name", detail="name")


def create_template(user, data: dict[str, Any]) -> MutationOutcome:
    template = ApprovalTemplate()
    _template_fields(user, template, data)
    template.save()
    return MutationOutcome(uuids=[str(template.uuid)], json_ext={"templateId": template.pk})


def update_template(user, data: dict[str, Any]) -> MutationOutcome:
    template = template_for(user, data.get("id"), for_update=True)
    _template_fields(user, template, data)
    template.save()
    return MutationOutcome(uuids=[str(template.uuid)])


def delete_template(user, reference: Any) -> MutationOutcome:
    template = template_for(user, reference, for_update=True)
    template.validity_to = timezone.now()
    template.save(update_fields=["validity_to"])
    return MutationOutcome(uuids=[str(template.uuid)])


def template_line_rows(template: ApprovalTemplate) -> list[dict[str, Any]]:
    """The template's lines in the shape of `createApprovalRequest`'s `lines` input."""
    return [{"item_id": row.get("itemId"), "service_id": row.get("serviceId"),
             "qty_requested": row.get("qtyRequested")} for row in template.lines]


def apply_template(template: ApprovalTemplate, request: ApprovalRequest,
                   data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Pre-fill `request` (in memory) with the template's request type, priority and texts
    where the caller's input `data` gives none, count one use, and answer the template's lines
    as `lines` input rows, for the caller to store when its input has no lines (they are priced
    as entered lines are)."""
    data = data or {}
    if request.tenant_id is not None and request.tenant_id != template.tenant_id:
        raise MutationError(f"No approval template {template.pk}", code="not_found",
                            detail="templateId")
    for name in ("request_type", "priority", *TEMPLATE_TEXTS):
        value = getattr(template, name)
        if data.get(name) in (None, "") and value:
            setattr(request, name, value)
    ApprovalTemplate.objects.filter(pk=template.pk).update(usage_count=F("usage_count") + 1)
    template.refresh_from_db(fields=["usage_count"])
    return template_line_rows(template)


def missing_documents(template: ApprovalTemplate, request: ApprovalRequest) -> list[str]:
    """The template's required document types the request has no live document of."""
    present = set(request.documents.filter(validity_to__isnull=True).values_list(
        "document_type", flat=True))
    return [name for name in template.required_documents if name not in present]
