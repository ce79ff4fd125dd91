"""What runs inside the render child (`reports.sandbox`): a report's template rendered with its
plain data, then WeasyPrint's PDF of it. Nothing here touches the database.

Override templates (written by a tenant's administrator) get an engine of their own: autoescape
always on, no loaders, and only the built-in tags and filters a layout needs. Left out: `load`,
`include`, `extends` and `block` (other templates and tag libraries), `debug` (dumps the context
and `sys.modules` when DEBUG is on), `url` and `csrf_token` (the site's routes and request),
`autoescape`, `safe` and `safeseq` (data entered by users stays escaped), `pprint` (a debugging
dump) and `lorem`. Default templates are the modules' own and use the project's engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from django.template import Context, Engine, Library, Template, defaultfilters, defaulttags
from django.template.loader import get_template
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS = (Path(__file__).resolve().parent / "assets").resolve()
BASE_URL = ASSETS.as_uri() + "/"

OVERRIDE_TAGS = frozenset({
    "comment", "cycle", "filter", "firstof", "for", "if", "ifchanged", "now", "regroup",
    "resetcycle", "spaceless", "templatetag", "verbatim", "widthratio", "with"})
OVERRIDE_REFUSED_FILTERS = frozenset({"safe", "safeseq", "pprint"})


class ReportRenderError(Exception):
    """Rendering failed or went over its bounds; the message says which."""


@dataclass(frozen=True)
class RenderJob:
    """Everything the child needs, all plain (it is pickled to the child): the report's data,
    its default template's name, the override's source when one applies, the size bound, and
    the language and time zone of the request."""

    context: dict[str, Any]
    template_name: str
    template_source: str | None
    max_bytes: int
    language: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True)
class RenderOutput:
    pdf: bytes
    refused_urls: tuple[str, ...]


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


class OverrideEngine(Engine):
    """Django's engine without its default built-ins: only `override_library()` is built in."""

    default_builtins: list[str] = []

    def __init__(self) -> None:
        super().__init__(loaders=[], autoescape=True, libraries={}, builtins=[], debug=False)
        self.template_builtins = [override_library()]


@cache
def override_library() -> Library:
    library = Library()
    library.tags = {name: tag for name, tag in defaulttags.register.tags.items()
                    if name in OVERRIDE_TAGS}
    library.filters = {name: filter_ for name, filter_ in defaultfilters.register.filters.items()
                       if name not in OVERRIDE_REFUSED_FILTERS}
    return library


@cache
def override_engine() -> OverrideEngine:
    return OverrideEngine()


def compile_override(source: str) -> Template:
    return override_engine().from_string(source)


def render_html(job: RenderJob) -> str:
    with translation.override(job.language), timezone.override(job.time_zone):
        if job.template_source is None:
            return get_template(job.template_name).render(job.context)
        try:
            template = compile_override(job.template_source)
            return template.render(Context(job.context, autoescape=True))
        except MemoryError:
            raise
        except Exception as exc:  # a tenant's template failing is theirs
            raise ReportRenderError(f"The report template cannot be used: {exc}") from None


def render(job: RenderJob) -> RenderOutput:
    """The job's PDF, refused when its HTML or PDF is over `max_bytes`."""
    html = render_html(job)
    if len(html.encode()) > job.max_bytes:
        raise ReportRenderError(f"The report's HTML is over {job.max_bytes:,} bytes")
    fetcher = AssetsOnlyFetcher()
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()
    if len(pdf) > job.max_bytes:
        raise ReportRenderError(f"The report's PDF is over {job.max_bytes:,} bytes")
    return RenderOutput(pdf, tuple(fetcher.refused[:5]))
