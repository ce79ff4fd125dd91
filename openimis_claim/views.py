"""REST endpoints of the claims module (openIMIS paths)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from core.rights import rights_codes
from openimis_claim.services.attachments import attachment_for, read_document


@require_GET
def download_attachment(request: HttpRequest) -> HttpResponse:
    """`GET /api/claim/attach?id=<id>`: the document, for a user who may search claims and see
    this claim (404 otherwise, so another tenant's ids reveal nothing)."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"detail": "Authentication required"}, status=401)
    if not user.has_rights(*rights_codes("claim", "gql_query_claims_perms")):
        return JsonResponse({"detail": "Unauthorized"}, status=403)
    attachment = attachment_for(user, request.GET.get("id"))
    content = read_document(attachment) if attachment is not None else None
    if content is None:
        return JsonResponse({"detail": "Not found"}, status=404)
    response = HttpResponse(content, content_type=attachment.mime or "application/octet-stream")
    filename = (attachment.filename or f"attachment-{attachment.pk}").replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
