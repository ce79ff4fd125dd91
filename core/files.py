"""Uploaded files: what claims attachments and approval documents share."""

from __future__ import annotations

import base64
import binascii
import unicodedata
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


# Characters a file name may not carry: controls (Cc: NUL, CR, LF, ...), format characters
# (Cf: the bidi overrides that make "exe.pdf" read "fdp.exe"), line and paragraph separators.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _unsafe(character: str) -> bool:
    return unicodedata.category(character) in _UNSAFE_CATEGORIES


def check_filename(value: str | None, field: str = "filename") -> str:
    """A file name as given, refused when it carries a control, format or line-break character
    (a name with CR/LF would be stored and break, or split, the download's headers later)."""
    name = value or ""
    bad = next((c for c in name if _unsafe(c)), None)
    if bad is not None:
        raise MutationError(f"{field} may not contain control characters (found U+{ord(bad):04X})",
                            code="invalid_filename", detail=field)
    return name


def safe_filename(value: str | None) -> str:
    """Any name made fit to offer a download under: without unsafe characters, folder
    separators as "_" (a claim code may hold "/"), at most 255 characters. Stored rows are not
    trusted to have been checked: they may predate the check or come from the admin."""
    name = "".join("_" if c in "/\\" else c for c in (value or "") if not _unsafe(c))
    return name.strip()[:255]
