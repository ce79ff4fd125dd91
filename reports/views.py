"""Serving reports as PDFs: authentication (JWT header or cookie), right, tenant, errors. The
rules are `reports.services`'; this only answers them over HTTP."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.http import content_disposition, json_error, rest_endpoint
from core.scoping import is_uuid
from reports.registry import ReportNotFound, ReportParameterError, get_report
from reports.rendering import ReportRenderError
from reports.services import ReportForbidden, UnknownReport, output_for, render


def _pdf(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(filename, inline=True,
                                                          default="report.pdf")
    return response


@rest_endpoint("GET")
def pdf_response(request: HttpRequest, report_name: str) -> HttpResponse:
    """401 anonymous, 403 without the report's right, 404 when the subject is not the user's,
    400 for bad parameters or a render over its bounds, else the PDF as a download."""
    if get_report(report_name) is None:
        return json_error(404, f"No report {report_name}")
    user = request.user
    if not user.is_authenticated:
        return json_error(401, "Authentication required")
    try:
        rendered = render(user, report_name, request.GET.dict())
    except UnknownReport as exc:
        return json_error(404, str(exc))
    except ReportForbidden:
        return json_error(403, "Unauthorized")
    except ReportNotFound:
        return json_error(404, "Not found")
    except (ReportParameterError, ReportRenderError) as exc:
        return json_error(400, str(exc))
    return _pdf(rendered.pdf, rendered.filename)


@rest_endpoint("GET")
def output_response(request: HttpRequest) -> HttpResponse:
    """A PDF rendered in the background by `renderReport` (`?uuid=`): 401 anonymous, 404
    unless it is the user's own, still kept, and they still hold the report's right."""
    user = request.user
    if not user.is_authenticated:
        return json_error(401, "Authentication required")
    output_id = request.GET.get("uuid") or ""
    output = output_for(user, output_id) if is_uuid(output_id) else None
    if output is None:
        return json_error(404, "Not found")
    return _pdf(bytes(output.pdf), output.filename)
