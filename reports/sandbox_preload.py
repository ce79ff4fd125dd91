"""Imported once by the render forkserver (`reports.sandbox.PRELOAD`), never by the web process:
Django set up, the default report templates compiled and one PDF made, so that every child
forked to render a report starts with WeasyPrint's fonts and style sheets already loaded.

multiprocessing ignores a preload that fails to import; the failure is kept in `SETUP_ERROR`
instead, and every child answers with it (`reports.sandbox`), so it reaches the web log.
"""

import gc
import traceback
from typing import Any

import django

SETUP_ERROR: str | None = None


def _short(value: Any) -> Any:
    """The sample with two rows per list: the same fonts and layout, a fraction of the time."""
    if isinstance(value, dict):
        return {key: _short(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_short(item) for item in value[:2]]
    return value


def _warm_up() -> None:
    """Compile every default template and make one PDF per report from its (shortened) sample:
    fonts, style sheets and the layout code's caches are then loaded once, here."""
    from reports.registry import registered_reports
    from reports.templating import RenderJob, compile_override, render

    compile_override("{{ warm }}")
    for report in registered_reports():
        render(RenderJob(context=_short(report.sample_context()), template_name=report.template,
                         template_source=None, max_bytes=100_000_000))


try:
    django.setup()
    _warm_up()
except Exception:
    SETUP_ERROR = traceback.format_exc()
# What is loaded now is shared by every child: out of the collector's reach, a collection in a
# child does not touch (and so copy) the pages of these objects.
gc.freeze()
