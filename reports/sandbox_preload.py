"""Imported once by the render forkserver (`reports.sandbox.PRELOAD`), never by the web process:
Django set up, the default report templates compiled and one PDF made, so that every child
forked to render a report starts with WeasyPrint's fonts and style sheets already loaded."""

import django

django.setup()


def _warm_up() -> None:
    from django.template.loader import get_template

    from reports.registry import registered_reports
    from reports.templating import RenderJob, compile_override, render

    for report in registered_reports():
        get_template(report.template)
    compile_override("{{ warm }}")
    render(RenderJob(context={}, template_name="", max_bytes=10_000_000, template_source=(
        '<link rel="stylesheet" href="report.css"><h1>Warm-up</h1><table><tr><th>a</th>'
        '<td class="num">1.00</td></tr></table>')))


_warm_up()
