"""Database helpers the ORM lacks: bulk writes, and telling which unique rule a write broke."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, connections, router
from django.db.models import Model, UniqueConstraint

from core.bounds import check_bounds


def update_rows(model: type[Model], rows: Sequence[Model], fields: Sequence[str]) -> None:
    """Write `fields` of many rows, each with its own values, in one statement (one call).

    `QuerySet.bulk_update` builds a CASE expression per field and row, which costs more Python
    time than the database spends. This joins the rows' values instead on PostgreSQL, and sends
    one parameterised UPDATE per row in a single call elsewhere (SQLite runs in process), with
    values prepared by the fields themselves. A value a column cannot hold is refused before
    anything is written (`core.bounds`), as `save()` refuses it."""
    if not rows:
        return
    check_bounds(rows, fields)
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    # Identifiers come from the model, quoted; every value is a parameter.
    table, key = quote(meta.db_table), quote(meta.pk.column)
    params = [
        [column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _update_from_values(cursor, connection, table, key, meta.pk, columns, params)
            return
        assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {key} = %s",  # noqa: S608
                           params)


def _update_from_values(cursor, connection, table: str, key: str, pk, columns, params) -> None:
    """PostgreSQL: one `UPDATE ... FROM unnest(arrays)`: a column of values per parameter, so
    the statement stays short (psycopg parses it once) whatever the number of rows, and the
    server joins instead of running a statement per row."""
    quote = connection.ops.quote_name
    names = [quote(f"v{n}") for n in range(len(columns))]
    arrays = ", ".join(f"CAST(%s AS {field.db_type(connection)}[])" for field in [*columns, pk])
    assignments = ", ".join(f"{quote(column.column)} = v.{name}"
                            for column, name in zip(columns, names, strict=True))
    sql = (f"UPDATE {table} SET {assignments} FROM unnest({arrays}) "  # noqa: S608
           f"AS v({', '.join(names)}, pk) WHERE {table}.{key} = v.pk")
    cursor.execute(sql, [list(column) for column in zip(*params, strict=True)])


def insert_rows(model: type[Model], rows: Sequence[Model]) -> None:
    """Insert many new rows whose keys the caller does not need back (history, ledgers).

    PostgreSQL: one `INSERT ... SELECT FROM unnest(arrays)`, a column of values per parameter,
    so neither Django nor psycopg builds a statement with every value; elsewhere
    `bulk_create`, in batches the database's parameter limit allows. A value a column cannot
    hold is refused before anything is written (`core.bounds`)."""
    if not rows:
        return
    check_bounds(rows)
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    if connection.vendor != "postgresql":
        limit = connection.features.max_query_params
        model.objects.bulk_create(rows, batch_size=1000 if limit is None else
                                  max(1, limit // len(fields)))
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"CAST(%s AS {field.db_type(connection)}[])" for field in fields)
    values = [[field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows]
              for field in fields]
    # Identifiers come from the model, quoted; every value is a parameter.
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


# --- Unique rules broken by a write ----------------------------------------------------------

PG_UNIQUE_VIOLATION = "23505"
SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
PG_KEY = re.compile(r"Key \((.+?)\)=")


@dataclass(frozen=True)
class UniqueViolation:
    """The model and fields of the unique rule a write broke, and the constraint's name when
    the model declares one (a `unique=True` field has none of ours)."""

    model: type[Model]
    fields: tuple[str, ...]
    constraint: str | None


def _model_of_table(table: str) -> type[Model] | None:
    return next((m for m in apps.get_models() if m._meta.db_table == table), None)


def unique_violation(exc: IntegrityError) -> UniqueViolation | None:
    """Which unique rule `exc` reports, read from the database's own report (PostgreSQL's
    diagnostics, SQLite's message); None for any other integrity error (a missing foreign key,
    a NULL), which is a fault, not a conflict between two requests."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) == PG_UNIQUE_VIOLATION:
        diag = cause.diag
        table, name = diag.table_name or "", diag.constraint_name
        key = PG_KEY.match(diag.message_detail or "")
        columns = [c.strip().strip('"') for c in key.group(1).split(",")] if key else []
    else:
        found = SQLITE_UNIQUE.match(str(exc))
        if found is None:
            return None
        pairs = [part.strip().split(".", 1) for part in found.group(1).split(",")]
        if any(len(pair) != 2 for pair in pairs):
            return None
        table, name, columns = pairs[0][0], None, [column for _, column in pairs]
    model = _model_of_table(table)
    if model is None:
        return None
    by_column = {field.column: field.name for field in model._meta.concrete_fields}
    fields = tuple(by_column.get(column, column) for column in columns)
    declared = [c for c in model._meta.constraints if isinstance(c, UniqueConstraint)]
    if name is None or not any(c.name == name for c in declared):
        name = next((c.name for c in declared if tuple(c.fields) == fields), None)
    return UniqueViolation(model=model, fields=fields, constraint=name)


@contextmanager
def unique_violation_as(constraint: str, error: Callable[[], Exception]) -> Iterator[None]:
    """A write in the block that breaks `constraint` raises `error()` instead: the request that
    lost a race past a pre-check gets the pre-check's own error. Nothing may be written after
    the failed statement: the caller's transaction is to be rolled back (PostgreSQL has
    aborted it)."""
    try:
        yield
    except IntegrityError as exc:
        violation = unique_violation(exc)
        if violation is not None and violation.constraint == constraint:
            raise error() from exc
        raise
