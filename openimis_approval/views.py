"""REST endpoints of pre-authorization: a request's documents, for the reviewers they are sent
to (the approval letter is a report: `reports.views.pdf_response`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.http import content_disposition, json_error, rest_endpoint
from core.rights import rights_codes
from openimis_approval.records import document_for, read_document

DOCUMENT_RIGHTS = "gql_query_approval_documents_perms"


@rest_endpoint("GET")
def download_document(request: HttpRequest) -> HttpResponse:
    """`GET /api/approval/document?uuid=<document uuid>`: the stored file under its own name and
    type, for a user holding the configured rights who reaches the request (404 otherwise, so
    another tenant's or facility's uuids reveal nothing). Always a download, never rendered
    in place: the content is the uploader's."""
    user = request.user
    if not user.is_authenticated:
        return json_error(401, "Authentication required")
    if not user.has_rights(*rights_codes("approval", DOCUMENT_RIGHTS)):
        return json_error(403, "Unauthorized")
    document = document_for(user, request.GET.get("uuid"))
    content = read_document(document) if document is not None else None
    if content is None:
        return json_error(404, "Not found")
    response = HttpResponse(content, content_type=document.mime or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(
        document.filename, default=f"document-{document.uuid}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
