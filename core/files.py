"""Uploaded files: what claims attachments and approval documents share."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from django.conf import settings

from core.config import module_config
from core.gql.errors import MutationError


def decode_document(document: str) -> bytes:
    """The bytes of a base64 `document` input, or a clear error."""
    try:
        return base64.b64decode(document, validate=True)
    except (binascii.Error, ValueError):
        raise MutationError("document is not valid base64", code="invalid_document",
                            detail="document") from None


def files_root() -> Path | None:
    """Where uploaded files go: the claim module's configured root, else
    CLAIM_ATTACHMENTS_ROOT; None means in the database."""
    configured = ""
    try:
        configured = module_config("claim").get("attachments_root") or ""
    except LookupError:  # the claims module is not loaded
        configured = ""
    root = configured or settings.CLAIM_ATTACHMENTS_ROOT
    return Path(root) if root else None
