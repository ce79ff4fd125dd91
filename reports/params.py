"""Parameter checks shared by the summary reports (each raises ReportParameterError -> 400)."""

from __future__ import annotations

from datetime import date

from reports.registry import ReportParameterError

MAX_PERIOD_DAYS = 366


def iso_date(params: dict[str, str], name: str) -> date:
    value = (params.get(name) or "").strip()
    if not value:
        raise ReportParameterError(f"{name} is required (an ISO date, YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportParameterError(f"{name} must be an ISO date (YYYY-MM-DD), not {value!r}") \
            from None


def period(params: dict[str, str], max_days: int = MAX_PERIOD_DAYS) -> tuple[date, date]:
    """`dateFrom` and `dateTo`, both required, in order and at most `max_days` apart."""
    date_from, date_to = iso_date(params, "dateFrom"), iso_date(params, "dateTo")
    if date_from > date_to:
        raise ReportParameterError(f"dateFrom ({date_from}) is after dateTo ({date_to})")
    if (date_to - date_from).days > max_days:
        raise ReportParameterError(f"The period is {(date_to - date_from).days} days; at most "
                                   f"{max_days} days may be reported at once")
    return date_from, date_to
