"""Named reports that modules register; `reports` knows none of the modules by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reports.plain import plain_data


class ReportNotFound(Exception):
    """The subject of a report does not exist for this user (answered as 404)."""


class ReportParameterError(Exception):
    """A report's parameters are missing or invalid (answered as 400 with the message)."""


@dataclass(frozen=True)
class Report:
    """`data(user, params)` returns the template context as plain data (dicts, lists, strings,
    numbers, dates: never a model, see `reports.plain`), raising ReportNotFound or
    ReportParameterError; `sample()` returns the same shape with realistic sizes (an override is
    tried with it before it is saved); `template` is the default template's name; `module` and
    `rights_key` name the configured right that running it needs; `filename(context)` reads
    the plain context."""

    name: str
    description: str
    module: str
    rights_key: str
    data: Callable[[Any, dict[str, str]], dict[str, Any]]
    template: str
    filename: Callable[[dict[str, Any]], str] = field(default=lambda context: "report.pdf")
    sample: Callable[[], dict[str, Any]] = field(default=dict)

    def context(self, user, params: dict[str, str]) -> dict[str, Any]:
        """The report's data for `user`, checked plain (ReportDataError otherwise)."""
        return plain_data(self.name, self.data(user, params))

    def sample_context(self) -> dict[str, Any]:
        """The sample an override is tried with before it is saved, checked plain."""
        return plain_data(self.name, self.sample())


_REPORTS: dict[str, Report] = {}


def register_report(report: Report) -> None:
    _REPORTS[report.name] = report


def registered_reports() -> list[Report]:
    return sorted(_REPORTS.values(), key=lambda r: r.name)


def get_report(name: str) -> Report | None:
    return _REPORTS.get(name)
