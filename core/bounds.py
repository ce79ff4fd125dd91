"""What a column can hold, checked before a row is written, from the model's own fields.

A value the database cannot hold must be refused with a message naming the field, before the
write: PostgreSQL otherwise fails the statement (an internal error to the client), and SQLite
stores it, so every later read of the row fails (`decimal.InvalidOperation` for a number of more
digits than the column's `max_digits`). The limits are the fields' own (`max_length`,
`max_digits` / `decimal_places`, the integer types' ranges), so a new field is covered the day it
is added. SQLite keeps a decimal that is not a whole number as an 8-byte float, exact to 15
significant digits; there a decimal is also refused beyond 15 significant digits, or it would not
read back as written (and one rounded up past the column's digits would not read back at all).

`check_bounds` is the one door: every `save()` passes through it (`core.receivers`), the bulk
writers of `core.db` call it for their rows, and services call it with a label before a
`bulk_create` or to name a line ("item line 2 qtyProvided").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.db.backends.base.operations import BaseDatabaseOperations
from graphene.utils.str_converters import to_camel_case

# What PostgreSQL text refuses (NUL) and what no encoder can write (unpaired surrogates).
FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
# Integer columns' ranges, the same on every database (SQLite would take any 64-bit value).
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
_WIDE = Context(prec=200)
# What SQLite's float storage of a decimal keeps exactly.
SQLITE_SIGNIFICANT_DIGITS = 15


def has_forbidden_characters(text: str) -> bool:
    return FORBIDDEN_CHARACTERS.search(text) is not None


def decimal_problem(value: Any, max_digits: int, decimal_places: int,
                    significant: int | None = None) -> str | None:
    """Why `value` does not fit a decimal column of these digits and places (None: it fits once
    rounded to the column's places, as the database rounds it); `significant`: what the
    database keeps exactly, when less than the column's digits."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return "is not a number"
    if not number.is_finite():
        return "is not a finite number"
    whole = max_digits - decimal_places
    if number and number.adjusted() >= whole:
        return f"is out of range: at most {whole} digits before the decimal point"
    rounded = number.quantize(Decimal(1).scaleb(-decimal_places), context=_WIDE)
    if rounded and rounded.adjusted() >= whole:
        return f"is out of range: at most {whole} digits before the decimal point"
    if significant is not None and rounded and \
            len(rounded.normalize().as_tuple().digits) > significant:
        return f"has more than {significant} significant digits, which this database does " \
               f"not keep"
    return None


def significant_digits(model: type[models.Model]) -> int | None:
    """The significant digits the database of `model` keeps of a decimal (None: all)."""
    vendor = connections[router.db_for_write(model)].vendor
    return SQLITE_SIGNIFICANT_DIGITS if vendor == "sqlite" else None


def field_problem(field: models.Field, value: Any) -> tuple[str, str] | None:
    """(code, reason) when the column of `field` cannot hold `value`; None when it can."""
    if value is None or field.is_relation:
        return None
    if isinstance(field, models.DecimalField):
        reason = decimal_problem(value, field.max_digits, field.decimal_places,
                                 significant_digits(field.model))
        return ("out_of_range", reason) if reason else None
    if isinstance(field, (models.CharField, models.TextField)) and isinstance(value, str):
        if has_forbidden_characters(value):
            return "invalid_characters", "contains a character that cannot be stored (NUL or " \
                "an unpaired surrogate)"
        if field.max_length is not None and len(value) > field.max_length:
            return "too_long", f"is longer than {field.max_length} characters"
        return None
    if isinstance(field, models.IntegerField) and not isinstance(value, bool) and \
            isinstance(value, int):
        low, high = INTEGER_RANGES.get(field.get_internal_type(), (None, None))
        if low is not None and not low <= value <= high:
            return "out_of_range", f"must be between {low} and {high}"
    return None


def row_problems(instance: models.Model, fields: Iterable[str] | None = None,
                 label: str | None = None) -> dict[str, list[ValidationError]]:
    """Every value of `instance` (or of its `fields`) its column cannot hold, by field label."""
    meta = instance._meta
    concrete = [meta.get_field(name) for name in fields] if fields is not None else \
        meta.concrete_fields
    problems: dict[str, list[ValidationError]] = {}
    for field in concrete:
        if field.primary_key:
            continue
        found = field_problem(field, getattr(instance, field.attname, None))
        if found is None:
            continue
        code, reason = found
        name = to_camel_case(field.name)
        name = f"{label} {name}" if label else name
        problems.setdefault(name, []).append(ValidationError(f"{name} {reason}", code=code))
    return problems


def check_bounds(instances: models.Model | Iterable[models.Model],
                 fields: Iterable[str] | None = None, label: str | None = None) -> None:
    """Raise a `ValidationError` naming each field whose value its column cannot hold.

    `label` prefixes the field names ("item line 2"); `fields` limits the check to those."""
    rows = [instances] if isinstance(instances, models.Model) else list(instances)
    fields = list(fields) if fields is not None else None
    problems: dict[str, list[ValidationError]] = {}
    for row in rows:
        for name, errors in row_problems(row, fields, label).items():
            problems.setdefault(name, []).extend(errors)
    if problems:
        raise ValidationError(problems)
