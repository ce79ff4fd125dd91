"""Input scalars: what a Decimal argument accepts, and a clear error for any scalar's bad value.

graphene's Decimal refuses float literals (`claimed_Gte: 100.5`), which the openIMIS web app
writes unquoted into its filters. A float literal's text is parsed as an exact Decimal here
(never through float), for every Decimal argument of the schema.

A Decimal argument is a plain number: digits with an optional point, at most `MAX_DIGITS`
digits. NaN, Infinity and exponent forms (`1e20`, what a JSON float that large becomes) are
refused with a message, as is anything longer: no column holds them, and `Decimal` would
otherwise carry them to the database.

`harden_scalars` makes every custom scalar of a schema answer a value it cannot parse with a
GraphQL error naming the type (graphene's UUID, Date or JSONString raise `ValueError` from a
literal, which would otherwise be reported as an internal error).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC
from decimal import Decimal

import graphene
from graphql import (
    FloatValueNode,
    GraphQLError,
    GraphQLScalarType,
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
    Undefined,
    specified_scalar_types,
)

# Far beyond any column (money and quantities have 18 digits), short of absurd.
MAX_DIGITS = 40
PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


def parse_decimal(value) -> Decimal:
    """A plain number as an exact Decimal, or a GraphQLError saying what is accepted."""
    text = (repr(value) if isinstance(value, float) else str(value)).strip() \
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
    if text is None or not PLAIN_NUMBER.fullmatch(text):
        raise GraphQLError(
            f"Decimal cannot represent {str(value)[:50]!r}: write a plain number (digits with "
            f"an optional decimal point; no exponent, NaN or Infinity)")
    if sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        raise GraphQLError(f"Decimal cannot represent a number of more than {MAX_DIGITS} digits")
    return Decimal(text)


def _parse_decimal_value(cls, value):
    return parse_decimal(value)


def _parse_decimal_literal(cls, node, _variables=None):
    if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
        return parse_decimal(node.value)
    return Undefined


graphene.Decimal.parse_value = classmethod(_parse_decimal_value)
graphene.Decimal.parse_literal = classmethod(_parse_decimal_literal)

_HARDENED = "_openimis_hardened"


def _clear_errors(scalar: GraphQLScalarType, parse):
    @functools.wraps(parse)
    def parse_or_refuse(*args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except GraphQLError:
            raise
        except Exception as exc:  # any failure to parse is the client's value, not ours
            raise GraphQLError(f"{scalar.name} cannot represent this value: "
                               f"{str(exc)[:200]}") from None

    setattr(parse_or_refuse, _HARDENED, True)
    return parse_or_refuse


def harden_scalars(schema: GraphQLSchema) -> None:
    """Every custom scalar of `schema` reports a value it cannot parse as a GraphQL error."""
    for named in schema.type_map.values():
        if not isinstance(named, GraphQLScalarType) or named.name in specified_scalar_types:
            continue
        for attribute in ("parse_value", "parse_literal"):
            parse = getattr(named, attribute)
            if not getattr(parse, _HARDENED, False):
                setattr(named, attribute, _clear_errors(named, parse))


def _in_every_time_zone(value):
    """An aware DateTime must convert to UTC (the database compares in UTC): a moment at the
    edge of the calendar in a far zone does not, and Django would fail on it."""
    if getattr(value, "tzinfo", None) is not None:
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise GraphQLError(f"DateTime {value.isoformat()} is out of range") from None
    return value


_parse_datetime_value = graphene.DateTime.parse_value
_parse_datetime_literal = graphene.DateTime.parse_literal


def _datetime_value(cls, value):
    return _in_every_time_zone(_parse_datetime_value(value))


def _datetime_literal(cls, node, _variables=None):
    return _in_every_time_zone(_parse_datetime_literal(node, _variables))


graphene.DateTime.parse_value = classmethod(_datetime_value)
graphene.DateTime.parse_literal = classmethod(_datetime_literal)
