"""Reports to PDF: a Django template (the override valid today, else the default) rendered to
HTML with escaped data, then to PDF by WeasyPrint through a fetcher that serves only the bundled
assets (no network, no file outside `reports/assets`, no redirects), within time and size bounds.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as RenderTimeout
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.db.models import Q
from django.template import Context, Engine, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.config import module_config
from reports.models import ReportDefinition
from reports.registry import Report

logger = logging.getLogger(__name__)

ASSETS = (Path(__file__).resolve().parent / "assets").resolve()
BASE_URL = ASSETS.as_uri() + "/"
_EXECUTOR = ThreadPoolExecutor(max_workers=2, thread_name_prefix="report")


class ReportRenderError(Exception):
    """Rendering failed or went over its bounds; the message says which."""


class AssetsOnlyFetcher(URLFetcher):
    """Serves `reports/assets` and nothing else: every other URL (http, https, ftp, file outside
    the folder, data) is refused before anything is opened, and nothing is redirected."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
        if path is None or parsed.netloc not in ("", "localhost") or \
                not path.is_relative_to(ASSETS) or not path.is_file():
            self.refused.append(url)
            raise ValueError(f"Only the report's own assets may be loaded, not {url}")
        mime = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml",
                ".ttf": "font/ttf", ".woff2": "font/woff2"}.get(path.suffix,
                                                                "application/octet-stream")
        return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                  {"Content-Type": mime})


def override_for(report: Report, tenant_id: int | None, on=None) -> ReportDefinition | None:
    """The override valid on `on` (today): the tenant's own before one for every tenant."""
    on = on or timezone.localdate()
    candidates = ReportDefinition.objects.filter(
        Q(tenant_id=tenant_id) | Q(tenant__isnull=True), name=report.name, valid_from__lte=on,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return sorted(candidates, key=lambda d: (d.tenant_id is None, -d.valid_from.toordinal(),
                                             -d.pk))[0] if candidates else None


def _engine_template(source: str) -> Template:
    """Override templates get Django's engine with autoescape and no custom tag libraries
    beyond the built-ins (`{% load %}` of app libraries still refused by the engine's setup)."""
    engine = Engine(autoescape=True, libraries={}, builtins=[], debug=False)
    return engine.from_string(source)


def render_html(report: Report, context: dict[str, Any], tenant_id: int | None,
                template_source: str | None = None) -> str:
    if template_source is None:
        override = override_for(report, tenant_id)
        template_source = override.template if override else None
    try:
        if template_source is not None:
            return _engine_template(template_source).render(Context(context, autoescape=True))
        return get_template(report.template).render(context)
    except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
        raise ReportRenderError(f"The report template cannot be used: {exc}") from None


def html_to_pdf(html: str) -> bytes:
    """The PDF of `html`, refused when it takes longer or grows larger than configured."""
    config = module_config("report")
    limit_seconds, limit_bytes = float(config["render_timeout_seconds"]), \
        int(config["max_pdf_bytes"])
    if len(html.encode()) > limit_bytes:
        raise ReportRenderError(f"The report's HTML is over {limit_bytes:,} bytes")
    fetcher = AssetsOnlyFetcher()
    job = _EXECUTOR.submit(lambda: HTML(string=html, base_url=BASE_URL,
                                        url_fetcher=fetcher).write_pdf())
    try:
        pdf = job.result(timeout=limit_seconds)
    except RenderTimeout:
        raise ReportRenderError(f"The report took longer than {limit_seconds:g} s to render") \
            from None
    if fetcher.refused:
        logger.warning("Report asked for outside resources, refused: %s", fetcher.refused[:5])
    if len(pdf) > limit_bytes:
        raise ReportRenderError(f"The report's PDF is over {limit_bytes:,} bytes")
    return pdf


def render_pdf(report: Report, context: dict[str, Any], tenant_id: int | None) -> bytes:
    return html_to_pdf(render_html(report, context, tenant_id))
