"""Running a report for a user, whichever way it is asked: the PDF endpoint, `renderReport` (in
the request or on a worker), `manage.py print_report`. One place decides whether the user may
run it and which data it shows them; the callers only translate the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from core.config import module_config
from core.rights import rights_codes
from reports.models import ReportOutput
from reports.registry import Report, get_report
from reports.rendering import render_pdf

# What a report's parameters may be: a few short names and values, as a query string carries.
MAX_PARAMETERS = 20
MAX_PARAMETER_LENGTH = 200


class UnknownReport(Exception):
    """No report of that name is registered (answered as 404 / `not_found`)."""


class ReportForbidden(Exception):
    """The user does not hold the report's right (answered as 403 / `forbidden`)."""


@dataclass(frozen=True)
class RenderedReport:
    report: Report
    pdf: bytes
    filename: str


def may_run(user, report: Report) -> bool:
    return user.has_rights(*rights_codes(report.module, report.rights_key))


def report_for(user, name: str) -> Report:
    """The report `name` if `user` may run it: UnknownReport, ReportForbidden otherwise."""
    report = get_report(name)
    if report is None:
        raise UnknownReport(f"No report {name}")
    if not may_run(user, report):
        raise ReportForbidden("Unauthorized")
    return report


def render(user, name: str, params: dict[str, str]) -> RenderedReport:
    """The report's PDF for `user`: their right, tenant and facility decide what it shows.
    Raises UnknownReport, ReportForbidden, ReportNotFound (the subject is not the user's),
    ReportParameterError or ReportRenderError."""
    report = report_for(user, name)
    context = report.context(user, params)
    pdf = render_pdf(report, context, user.tenant_id)
    return RenderedReport(report=report, pdf=pdf, filename=report.filename(context))


def keep_hours() -> int:
    return max(1, int(module_config("report")["output_keep_hours"]))


def render_to_output(user, name: str, params: dict[str, str]) -> ReportOutput:
    """Render and keep the PDF for `user` (downloaded later by `output_for`)."""
    rendered = render(user, name, params)
    now = timezone.now()
    return ReportOutput.objects.create(
        tenant_id=user.tenant_id, user=user, name=name, params=params,
        filename=rendered.filename, pdf=rendered.pdf, size=len(rendered.pdf), created_at=now,
        expires_at=now + timedelta(hours=keep_hours()))


def output_for(user, output_id: str) -> ReportOutput | None:
    """The kept PDF, for the user who asked for it only (another user of the same facility
    may see other rows under their own rights), while it is kept and while they still hold
    the report's right; None otherwise."""
    output = ReportOutput.objects.filter(pk=output_id, user=user,
                                         expires_at__gt=timezone.now()).first()
    if output is None:
        return None
    report = get_report(output.name)
    if report is None or not may_run(user, report):
        return None
    return output


def output_url(output_id: Any) -> str:
    return f"/api/report/output/?uuid={output_id}"


def prune_outputs(now: datetime | None = None) -> int:
    """Delete the kept PDFs whose time is over (idempotent: a second run deletes nothing)."""
    deleted, _ = ReportOutput.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
