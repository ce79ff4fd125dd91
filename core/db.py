"""Database helpers the ORM lacks for bulk work."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router
from django.db.models import Model

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
