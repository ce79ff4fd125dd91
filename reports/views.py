"""Serving a report as a PDF: authentication (JWT header or cookie), right, tenant, errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from core.rights import rights_codes
from reports.registry import ReportNotFound, ReportParameterError, get_report
from reports.rendering import ReportRenderError, render_pdf


def pdf_response(request: HttpRequest, report_name: str) -> HttpResponse:
    """401 anonymous, 403 without the report's right, 404 when the subject is not the user's,
    400 for bad parameters or a render over its bounds, else the PDF as a download."""
    report = get_report(report_name)
    if report is None:
        return JsonResponse({"detail": f"No report {report_name}"}, status=404)
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"detail": "Authentication required"}, status=401)
    if not user.has_rights(*rights_codes(report.module, report.rights_key)):
        return JsonResponse({"detail": "Unauthorized"}, status=403)
    try:
        context = report.context(user, request.GET.dict())
        pdf = render_pdf(report, context, user.tenant_id)
    except ReportNotFound:
        return JsonResponse({"detail": "Not found"}, status=404)
    except (ReportParameterError, ReportRenderError) as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = report.filename(context).replace('"', "")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
