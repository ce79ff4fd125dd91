"""Serving a report as a PDF: authentication (JWT header or cookie), right, tenant, errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.http import content_disposition, json_error, rest_endpoint
from core.rights import rights_codes
from reports.registry import ReportNotFound, ReportParameterError, get_report
from reports.rendering import ReportRenderError, render_pdf


@rest_endpoint("GET")
def pdf_response(request: HttpRequest, report_name: str) -> HttpResponse:
    """401 anonymous, 403 without the report's right, 404 when the subject is not the user's,
    400 for bad parameters or a render over its bounds, else the PDF as a download."""
    report = get_report(report_name)
    if report is None:
        return json_error(404, f"No report {report_name}")
    user = request.user
    if not user.is_authenticated:
        return json_error(401, "Authentication required")
    if not user.has_rights(*rights_codes(report.module, report.rights_key)):
        return json_error(403, "Unauthorized")
    try:
        context = report.context(user, request.GET.dict())
        pdf = render_pdf(report, context, user.tenant_id)
    except ReportNotFound:
        return json_error(404, "Not found")
    except (ReportParameterError, ReportRenderError) as exc:
        return json_error(400, str(exc))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(
        report.filename(context), inline=True, default="report.pdf")
    return response
