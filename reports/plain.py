"""Report data is plain data: what a template may see is built by the report, never a model.

Django templates follow attributes and call methods without arguments, so a model instance (or a
queryset, a manager, a form) in a template's context is a path to every related row: a tenant's
override template could walk from its claim to the users of every tenant. Reports therefore hand
their templates copies made only of the types below, and `plain_data` is the one gate: it copies
what it is given into those exact types and refuses anything else with a developer error.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

PLAIN_TYPES = "dict (str keys), list, tuple, str, int, float, bool, None, Decimal, date, datetime"
MAX_DEPTH = 12


class ReportDataError(TypeError):
    """A report's data function returned something other than plain data (a programming error:
    build a dict of the fields the template needs)."""


def plain_data(report_name: str, value: Any) -> Any:
    """A copy of `value` in exact plain types; subclasses of those (choices members, safe strings,
    subclassed dicts) become their base type, so no method or attribute of theirs reaches a
    template. Anything else raises ReportDataError naming where it was found."""
    return _copy(report_name, value, "data", 0)


def _copy(report_name: str, value: Any, where: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise ReportDataError(f"Report {report_name}: {where} nests deeper than {MAX_DEPTH} "
                              f"levels (or refers to itself)")
    if value is None or type(value) in (str, int, float, bool, Decimal, date, datetime):
        return value
    if isinstance(value, dict):
        copied = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ReportDataError(f"Report {report_name}: {where} has a key {key!r} of type "
                                      f"{type(key).__name__}; keys must be strings")
            copied[str.__str__(key)] = _copy(report_name, item, f"{where}[{key!r}]", depth + 1)
        return copied
    if isinstance(value, list | tuple):
        items = [_copy(report_name, item, f"{where}[{n}]", depth + 1)
                 for n, item in enumerate(value)]
        return items if isinstance(value, list) else tuple(items)
    # Subclasses of the scalar types, most specific first (bool is an int, datetime a date).
    for base in (str, int, float, Decimal, datetime, date):
        if isinstance(value, base):
            return _as_base(value, base)
    kind = type(value)
    raise ReportDataError(f"Report {report_name}: {where} is a {kind.__module__}."
                          f"{kind.__qualname__}; report data must be plain ({PLAIN_TYPES}): "
                          f"copy the fields the template needs into a dict")


def _as_base(value: Any, base: type) -> Any:
    if base is str:
        return str.__str__(value)
    if base is datetime:
        return datetime(value.year, value.month, value.day, value.hour, value.minute,
                        value.second, value.microsecond, value.tzinfo, fold=value.fold)
    if base is date:
        return date(value.year, value.month, value.day)
    if base is Decimal:
        return Decimal(Decimal.__str__(value))
    return base.__new__(base, value)  # int and float: the exact base type's copy
