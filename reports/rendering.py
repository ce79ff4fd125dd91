"""Reports to PDF: a Django template (the override valid today, else the default) rendered with
the report's plain data, then to PDF by WeasyPrint through a fetcher that serves only the bundled
assets (no network, no file outside `reports/assets`, no redirects). Template and PDF are made
together in a child process (`reports.sandbox`) killed at `render_timeout_seconds` and limited to
`render_max_memory_mb` of memory; only the plain data and the template cross to it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation

from core.config import module_config
from reports.models import ReportDefinition
from reports.plain import plain_data
from reports.registry import Report
from reports.sandbox import SandboxCrash, SandboxMemoryError, SandboxTimeout, run_bounded
from reports.templating import (
    ASSETS,
    BASE_URL,
    AssetsOnlyFetcher,
    RenderJob,
    RenderOutput,
    ReportRenderError,
)

__all__ = ["ASSETS", "BASE_URL", "AssetsOnlyFetcher", "ReportRenderError", "override_for",
           "overrides_in_force",
           "render_pdf"]

logger = logging.getLogger(__name__)


def overrides_in_force(tenant_id: int | None, on=None,
                       names: tuple[str, ...] | None = None) -> dict[str, ReportDefinition]:
    """The override valid on `on` (today) of every report (or of `names`), by report name, in
    one query: the tenant's own before one for every tenant, the latest first."""
    on = on or timezone.localdate()
    candidates = ReportDefinition.objects.filter(
        Q(tenant_id=tenant_id) | Q(tenant__isnull=True), valid_from__lte=on,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    if names is not None:
        candidates = candidates.filter(name__in=names)
    chosen: dict[str, ReportDefinition] = {}
    for definition in sorted(candidates, key=lambda d: (d.tenant_id is None,
                                                        -d.valid_from.toordinal(), -d.pk)):
        chosen.setdefault(definition.name, definition)
    return chosen


def override_for(report: Report, tenant_id: int | None, on=None) -> ReportDefinition | None:
    """The override valid on `on` (today): the tenant's own before one for every tenant."""
    return overrides_in_force(tenant_id, on, (report.name,)).get(report.name)


def render_pdf(report: Report, context: dict[str, Any], tenant_id: int | None,
               template_source: str | None = None) -> bytes:
    """The report's PDF with `context` (made plain here, whatever the caller passed), from
    `template_source` when given (an override being tried), else the override in force for
    the tenant, else the default template. ReportRenderError when the template fails or the
    render goes over its time, memory or size bound."""
    if template_source is None:
        override = override_for(report, tenant_id)
        template_source = override.template if override else None
    config = module_config("report")
    seconds, memory_mb = float(config["render_timeout_seconds"]), \
        int(config["render_max_memory_mb"])
    job = RenderJob(context=plain_data(report.name, context), template_name=report.template,
                    template_source=template_source, max_bytes=int(config["max_pdf_bytes"]),
                    language=translation.get_language(),
                    time_zone=timezone.get_current_timezone_name())
    try:
        output: RenderOutput = run_bounded("reports.templating.render", job, seconds=seconds,
                                           memory_mb=memory_mb)
    except SandboxTimeout:
        raise ReportRenderError(f"The report took longer than {seconds:g} s to render") \
            from None
    except SandboxMemoryError:
        raise ReportRenderError(f"The report used more than {memory_mb} MB of memory to "
                                f"render") from None
    except SandboxCrash as exc:
        logger.warning("Report %s: the render process ended without a result (%s)",
                       report.name, exc)
        raise ReportRenderError(f"The report's render stopped without a result ({exc}); it "
                                f"may have used more than {memory_mb} MB of memory") from None
    if output.refused_urls:
        logger.warning("Report asked for outside resources, refused: %s",
                       list(output.refused_urls))
    return output.pdf
