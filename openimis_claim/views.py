"""REST endpoints of the claims module (openIMIS paths)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.http import content_disposition, json_error, rest_endpoint
from core.rights import rights_codes
from openimis_claim.services.attachments import attachment_for, read_document


@rest_endpoint("GET")
def download_attachment(request: HttpRequest) -> HttpResponse:
    """`GET /api/claim/attach?id=<id>`: the document, for a user who may search claims and see
    this claim (404 otherwise, so another tenant's ids reveal nothing)."""
    user = request.user
    if not user.is_authenticated:
        return json_error(401, "Authentication required")
    if not user.has_rights(*rights_codes("claim", "gql_query_claims_perms")):
        return json_error(403, "Unauthorized")
    attachment = attachment_for(user, request.GET.get("id"))
    content = read_document(attachment) if attachment is not None else None
    if content is None:
        return json_error(404, "Not found")
    response = HttpResponse(content, content_type=attachment.mime or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(
        attachment.filename, default=f"attachment-{attachment.pk}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
