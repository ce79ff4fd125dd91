"""Named reports that modules register; `reports` knows none of the modules by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class ReportNotFound(Exception):
    """The subject of a report does not exist for this user (answered as 404)."""


class ReportParameterError(Exception):
    """A report's parameters are missing or invalid (answered as 400 with the message)."""


@dataclass(frozen=True)
class Report:
    """`data(user, params)` returns the template context (raising ReportNotFound or
    ReportParameterError); `template` is the default template's name; `module` and
    `rights_key` name the configured right that running it needs."""

    name: str
    description: str
    module: str
    rights_key: str
    data: Callable[[Any, dict[str, str]], dict[str, Any]]
    template: str
    filename: Callable[[dict[str, Any]], str] = field(default=lambda context: "report.pdf")
    sample: Callable[[], dict[str, Any]] = field(default=dict)


_REPORTS: dict[str, Report] = {}


def register_report(report: Report) -> None:
    _REPORTS[report.name] = report


def registered_reports() -> list[Report]:
    return sorted(_REPORTS.values(), key=lambda r: r.name)


def get_report(name: str) -> Report | None:
    return _REPORTS.get(name)
