"""Claim documents: checked against the configured size and types, stored on disk under the
configured root (one folder per tenant and claim) or, without a root, in the database."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from django.utils import timezone
from graphql_relay import from_global_id

from core.config import module_config
from core.files import check_filename, decode_document, files_root
from core.gql.errors import MutationError
from core.gql.mutations import MutationOutcome
from core.scoping import is_uuid, parse_pk, scope_queryset
from openimis_claim.codes import STATUS_MOVES
from openimis_claim.models import ClaimAttachment, ClaimAttachmentType
from openimis_claim.services.common import ClaimError, claim_for_change, require_status

EDITABLE_FIELDS = ("type", "title", "date", "filename", "mime", "url", "general_type")


def attachments_root() -> Path | None:
    return files_root()


def _check(content: bytes, mime: str) -> None:
    config = module_config("claim")
    if len(content) > int(config["attachment_max_bytes"]):
        raise MutationError(
            f"The document is {len(content):,} bytes; at most {config['attachment_max_bytes']:,}",
            code="attachment_too_large", detail="document")
    _check_type(mime)


def _check_type(mime: str) -> None:
    if mime not in module_config("claim")["attachment_mime_types"]:
        raise MutationError(f"Documents of type {mime or 'unknown'} are not accepted",
                            code="attachment_type", detail="mime")


def _store(attachment: ClaimAttachment, content: bytes) -> None:
    attachment.size = len(content)
    attachment.sha256 = hashlib.sha256(content).hexdigest()
    root = attachments_root()
    if root is None:
        attachment.document, attachment.storage_path = content, ""
        return
    relative = Path(str(attachment.claim.tenant_id)) / str(attachment.claim.uuid) / \
        str(attachment.uuid)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    attachment.document, attachment.storage_path = None, str(relative)


def read_document(attachment: ClaimAttachment) -> bytes | None:
    if attachment.storage_path:
        root = attachments_root()
        path = (root / attachment.storage_path) if root else None
        if path is None or not path.resolve().is_relative_to(root.resolve()) or \
                not path.is_file():
            return None
        return path.read_bytes()
    return bytes(attachment.document) if attachment.document is not None else None


def _apply(user, attachment: ClaimAttachment, data: dict[str, Any]) -> None:
    stored_mime = attachment.mime
    if data.get("filename") is not None:
        check_filename(data["filename"])
    for name in EDITABLE_FIELDS:
        if name in data and data[name] is not None:
            setattr(attachment, name, data[name])
    if data.get("predefined_type"):
        attachment.predefined_type = ClaimAttachmentType.objects.filter(
            claim_attachment_type=data["predefined_type"]).first()
    if data.get("document"):
        content = decode_document(data["document"])
        _check(content, attachment.mime)
        _store(attachment, content)
    elif attachment.size and attachment.mime != stored_mime:
        # The stored document would be served as the new type: the same list applies.
        _check_type(attachment.mime)
    elif not attachment.url and not attachment.size and attachment._state.adding:
        raise MutationError("An attachment needs a document or a url", code="required",
                            detail="document")


def _editable_claim(user, claim_uuid: str):
    claim = claim_for_change(user, claim_uuid)
    try:
        require_status(claim, STATUS_MOVES["update"], "changing attachments")
    except ClaimError as exc:
        raise MutationError(errors=[exc.entry]) from None
    return claim


def attachment_for(user, reference: Any) -> ClaimAttachment | None:
    """An attachment by primary key or uuid, if the user may see its claim."""
    attachments = scope_queryset(user, ClaimAttachment.objects.filter(
        validity_to__isnull=True, claim__validity_to__isnull=True)).select_related("claim")
    text = str(reference or "")
    if not text.isdigit() and not is_uuid(text):
        try:  # a relay global id, as the web app's lists carry them
            text = from_global_id(text)[1]
        except Exception:  # anything undecodable is simply not found
            return None
    pk = parse_pk(text)
    if pk is not None:
        return attachments.filter(pk=pk).first()
    if is_uuid(text):
        return attachments.filter(uuid=uuid.UUID(text)).first()
    return None


def create_attachment(user, data: dict[str, Any]) -> MutationOutcome:
    claim = _editable_claim(user, data.get("claim_uuid"))
    attachment = ClaimAttachment(claim=claim)
    _apply(user, attachment, data)
    attachment.save()
    return MutationOutcome(uuids=[str(claim.uuid)], json_ext={"attachmentId": attachment.pk})


def update_attachment(user, data: dict[str, Any]) -> MutationOutcome:
    attachment = attachment_for(user, data.get("id"))
    if attachment is None:
        raise MutationError(f"No attachment {data.get('id')}", code="not_found", detail="id")
    # The app sends the attachment's claim back; an attachment never moves to another claim.
    if data.get("claim_uuid") and str(data["claim_uuid"]) != str(attachment.claim.uuid):
        raise MutationError("The attachment belongs to another claim", code="other_claim",
                            detail="claimUuid")
    _editable_claim(user, str(attachment.claim.uuid))
    _apply(user, attachment, data)
    attachment.save()
    return MutationOutcome(uuids=[str(attachment.claim.uuid)])


def delete_attachment(user, data: dict[str, Any]) -> MutationOutcome:
    attachment = attachment_for(user, data.get("id"))
    if attachment is None:
        raise MutationError(f"No attachment {data.get('id')}", code="not_found", detail="id")
    _editable_claim(user, str(attachment.claim.uuid))
    attachment.validity_to = timezone.now()
    attachment.save(update_fields=["validity_to"])
    return MutationOutcome(uuids=[str(attachment.claim.uuid)])
