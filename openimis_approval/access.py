"""Which approval requests a user reaches: the workflow, the records and the reports all ask here.

`visible_requests` is the live requests of the user's scope; `locked_request` is one of them,
locked for update, or a `not_found` error (a malformed uuid reads the same as a missing one)."""

from __future__ import annotations

import uuid as uuid_module

from django.db.models import QuerySet

from core.gql.errors import MutationError
from core.scoping import scope_queryset
from openimis_approval.models import ApprovalRequest


def visible_requests(user) -> QuerySet[ApprovalRequest]:
    return scope_queryset(user, ApprovalRequest.objects.filter(validity_to__isnull=True))


def locked_request(user, request_uuid: str) -> ApprovalRequest:
    try:
        uuid_module.UUID(str(request_uuid))
    except ValueError:
        raise MutationError(f"No approval request {request_uuid}", code="not_found",
                            detail=request_uuid) from None
    request = visible_requests(user).select_for_update().filter(uuid=request_uuid).first()
    if request is None:
        raise MutationError(f"No approval request {request_uuid}", code="not_found",
                            detail=request_uuid)
    return request
